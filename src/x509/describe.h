/*
 * A certificate summarised for people (the trace): who it names, who issued it, its key, and
 * when it is valid. Nothing here is a security decision.
 */
#ifndef PARLEY_X509_DESCRIBE_H
#define PARLEY_X509_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

typedef struct x509_summary {
    char subject[256];
    char issuer[256];
    char key[32];        /* "RSA-2048", "EC-P256", ... */
    char not_before[64]; /* "2026-01-01 00:00:00 UTC" */
    char not_after[64];
} x509_summary;

/* 0 on success, -1 if der does not parse. */
int x509_describe(const uint8_t *der, size_t len, x509_summary *out);
/* A DER distinguished name (as CertificateRequest lists them) as one line; -1 if it does not
 * parse. */
int x509_describe_name(const uint8_t *der, size_t len, char *out, size_t cap);
/* The same from a certificate already parsed (an X509 *), so nothing is decoded twice. */
struct x509_st;
void x509_summarize(const struct x509_st *cert, x509_summary *out);

#endif
