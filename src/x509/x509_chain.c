/*
 * Our own certificate chains: PEM loaded once, each certificate's DER kept so a handshake only
 * copies bytes, and the private key checked against the leaf.
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "../crypto/crypto_key.h"
#include "describe.h"
#include "x509.h"

struct x509_chain {
    size_t count;
    uint8_t *der[X509_MAX_CHAIN];
    size_t der_len[X509_MAX_CHAIN];
    uint8_t *issuer[X509_MAX_CHAIN]; /* DER issuer names, matched against CertificateRequest */
    size_t issuer_len[X509_MAX_CHAIN];
    crypto_key *key;
    char subject[X509_NAME_MAX];
};

void x509_chain_free(x509_chain *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->count; i++) {
        OPENSSL_free(c->der[i]);
        OPENSSL_free(c->issuer[i]);
    }
    crypto_key_free(c->key);
    free(c);
}

/* keys NULL: no private key; the chain keeps the leaf's public key. */
static x509_chain *chain_from_bios(BIO *certs, BIO *keys, const char *chain_name,
                                   const char *key_name, char *err, size_t err_len)
{
    x509_chain *c = calloc(1, sizeof(*c));
    X509 *leaf = NULL;
    if (c == NULL) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    X509 *cert;
    while ((cert = PEM_read_bio_X509(certs, NULL, NULL, NULL)) != NULL) {
        if (c->count == X509_MAX_CHAIN) {
            X509_free(cert);
            snprintf(err, err_len, "%s holds more than %d certificates", chain_name,
                     X509_MAX_CHAIN);
            goto fail;
        }
        unsigned char *der = NULL, *issuer = NULL;
        int n = i2d_X509(cert, &der);
        int m = n > 0 ? i2d_X509_NAME(X509_get_issuer_name(cert), &issuer) : 0;
        c->der[c->count] = der;
        c->der_len[c->count] = n > 0 ? (size_t)n : 0;
        c->issuer[c->count] = issuer;
        c->issuer_len[c->count] = m > 0 ? (size_t)m : 0;
        c->count++;
        if (n <= 0 || m <= 0) {
            X509_free(cert);
            snprintf(err, err_len, "certificate %zu in %s cannot be encoded", c->count, chain_name);
            goto fail;
        }
        if (leaf == NULL)
            leaf = cert;
        else
            X509_free(cert);
    }
    ERR_clear_error();
    if (c->count == 0) {
        snprintf(err, err_len, "no certificate found in %s", chain_name);
        goto fail;
    }
    x509_summary s;
    x509_describe(c->der[0], c->der_len[0], &s);
    snprintf(c->subject, sizeof(c->subject), "%s", s.subject);
    EVP_PKEY *pkey = keys ? PEM_read_bio_PrivateKey(keys, NULL, NULL, NULL) : X509_get_pubkey(leaf);
    if (pkey == NULL) {
        ERR_clear_error();
        if (keys)
            snprintf(err, err_len, "no private key found in %s", key_name);
        else
            snprintf(err, err_len, "the key of certificate %s cannot be read", c->subject);
        goto fail;
    }
    if (keys && X509_check_private_key(leaf, pkey) != 1) {
        ERR_clear_error();
        EVP_PKEY_free(pkey);
        snprintf(err, err_len, "private key in %s does not match certificate %s", key_name,
                 c->subject);
        goto fail;
    }
    c->key = crypto_key_wrap(pkey);
    if (c->key == NULL) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    X509_free(leaf);
    return c;
fail:
    X509_free(leaf);
    x509_chain_free(c);
    return NULL;
}

x509_chain *x509_chain_load_file(const char *chain_file, const char *key_file, char *err,
                                 size_t err_len)
{
    BIO *certs = BIO_new_file(chain_file, "r");
    BIO *keys = certs ? BIO_new_file(key_file, "r") : NULL;
    x509_chain *c = NULL;
    if (certs == NULL || keys == NULL) {
        ERR_clear_error();
        snprintf(err, err_len, "cannot open %s", certs == NULL ? chain_file : key_file);
    } else {
        c = chain_from_bios(certs, keys, chain_file, key_file, err, err_len);
    }
    BIO_free(certs);
    BIO_free(keys);
    return c;
}

x509_chain *x509_chain_load_pem(const char *chain_pem, size_t chain_len, const char *key_pem,
                                size_t key_len, char *err, size_t err_len)
{
    BIO *certs = BIO_new_mem_buf(chain_pem, (int)chain_len);
    BIO *keys = BIO_new_mem_buf(key_pem, (int)key_len);
    x509_chain *c = NULL;
    if (certs == NULL || keys == NULL)
        snprintf(err, err_len, "out of memory");
    else
        c = chain_from_bios(certs, keys, "the certificate PEM", "the key PEM", err, err_len);
    BIO_free(certs);
    BIO_free(keys);
    return c;
}

x509_chain *x509_chain_load_pem_public(const char *chain_pem, size_t chain_len, char *err,
                                       size_t err_len)
{
    BIO *certs = BIO_new_mem_buf(chain_pem, (int)chain_len);
    x509_chain *c = NULL;
    if (certs == NULL)
        snprintf(err, err_len, "out of memory");
    else
        c = chain_from_bios(certs, NULL, "the certificate PEM", NULL, err, err_len);
    BIO_free(certs);
    return c;
}

size_t x509_chain_count(const x509_chain *c)
{
    return c->count;
}

const uint8_t *x509_chain_der(const x509_chain *c, size_t i, size_t *len)
{
    *len = c->der_len[i];
    return c->der[i];
}

crypto_key *x509_chain_key(const x509_chain *c)
{
    return c->key;
}

const char *x509_chain_subject(const x509_chain *c)
{
    return c->subject;
}

bool x509_chain_issued_by(const x509_chain *c, const uint8_t *names, size_t names_len)
{
    if (names_len == 0)
        return true;
    for (size_t i = 0; i < c->count; i++) {
        /* names: each DistinguishedName is a u16 length and the DER, as on the wire. */
        size_t off = 0;
        while (off + 2 <= names_len) {
            size_t len = (size_t)names[off] << 8 | names[off + 1];
            if (off + 2 + len > names_len)
                break;
            if (len == c->issuer_len[i] && memcmp(names + off + 2, c->issuer[i], len) == 0)
                return true;
            off += 2 + len;
        }
    }
    return false;
}
