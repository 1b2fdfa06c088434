/* Throwaway certificates for `parley demo`, made in memory with libcrypto: a root, an
 * intermediate, RSA and ECDSA leaves for localhost (a chain of three, as in the SPDY
 * reference), and an RSA client certificate for mutual authentication (reference 000). */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "democerts.h"

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext) {
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
}

typedef enum cert_role { ROLE_CA, ROLE_SERVER, ROLE_CLIENT } cert_role;

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       cert_role role, long serial)
{
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 30);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"parley demo", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(cert, key);
    X509 *signer = issuer ? issuer : cert;
    if (role == ROLE_CA) {
        add_ext(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else if (role == ROLE_SERVER) {
        add_ext(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert, signer, NID_ext_key_usage, "serverAuth");
        add_ext(cert, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    } else {
        /* A server verifying a client certificate insists on the clientAuth purpose. */
        add_ext(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert, signer, NID_key_usage, "critical,digitalSignature");
        add_ext(cert, signer, NID_ext_key_usage, "clientAuth");
    }
    X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256());
    return cert;
}

static char *pem_of(int (*write)(BIO *, void *), void *obj, char *prefix)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (prefix)
        BIO_puts(b, prefix);
    write(b, obj);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *out = malloc((size_t)n + 1);
    memcpy(out, p, (size_t)n);
    out[n] = '\0';
    BIO_free(b);
    free(prefix);
    return out;
}

static int write_cert(BIO *b, void *c)
{
    return PEM_write_bio_X509(b, c);
}

static int write_key(BIO *b, void *k)
{
    return PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
}

int democerts_make(demo_certs *d)
{
    memset(d, 0, sizeof(*d));
    EVP_PKEY *root_key = EVP_RSA_gen(2048), *int_key = EVP_RSA_gen(2048);
    EVP_PKEY *rsa_key = EVP_RSA_gen(2048), *ec_key = EVP_EC_gen("P-256");
    EVP_PKEY *client_key = EVP_RSA_gen(2048);
    if (!root_key || !int_key || !rsa_key || !ec_key || !client_key)
        return -1;
    X509 *root = make_cert(root_key, "parley demo root", NULL, NULL, ROLE_CA, 1);
    X509 *inter = make_cert(int_key, "parley demo intermediate", root, root_key, ROLE_CA, 2);
    X509 *rsa = make_cert(rsa_key, "localhost", inter, int_key, ROLE_SERVER, 3);
    X509 *ec = make_cert(ec_key, "localhost", inter, int_key, ROLE_SERVER, 4);
    X509 *client = make_cert(client_key, "parley demo client", inter, int_key, ROLE_CLIENT, 5);
    d->ca = pem_of(write_cert, root, NULL);
    d->rsa_chain = pem_of(write_cert, inter, pem_of(write_cert, rsa, NULL));
    d->rsa_key = pem_of(write_key, rsa_key, NULL);
    d->ec_chain = pem_of(write_cert, inter, pem_of(write_cert, ec, NULL));
    d->ec_key = pem_of(write_key, ec_key, NULL);
    d->client_chain = pem_of(write_cert, inter, pem_of(write_cert, client, NULL));
    d->client_key = pem_of(write_key, client_key, NULL);
    X509_free(root);
    X509_free(inter);
    X509_free(rsa);
    X509_free(ec);
    X509_free(client);
    EVP_PKEY_free(root_key);
    EVP_PKEY_free(int_key);
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(ec_key);
    EVP_PKEY_free(client_key);
    return 0;
}

void democerts_free(demo_certs *d)
{
    free(d->ca);
    free(d->rsa_chain);
    free(d->rsa_key);
    free(d->ec_chain);
    free(d->ec_key);
    free(d->client_chain);
    free(d->client_key);
}
