#ifndef PARLEY_DEMOCERTS_H
#define PARLEY_DEMOCERTS_H

/* PEM strings, each malloc'd. */
typedef struct demo_certs {
    char *ca;
    char *rsa_chain, *rsa_key; /* leaf + intermediate */
    char *ec_chain, *ec_key;
    char *client_chain, *client_key; /* clientAuth leaf + intermediate */
} demo_certs;

int democerts_make(demo_certs *d);
void democerts_free(demo_certs *d);

#endif
