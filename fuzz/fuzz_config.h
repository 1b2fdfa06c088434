/*
 * Shared by the engine fuzz targets: a throwaway RSA certificate made once in memory, so the
 * targets need no files.
 */
#ifndef PARLEY_FUZZ_CONFIG_H
#define PARLEY_FUZZ_CONFIG_H

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include "parley.h"

/* Every version and every suite, the legacy ones included, so the fuzzers reach the TLS 1.0/1.1
 * key schedule and the CBC-chained, 3DES and RC4 record paths as well as TLS 1.2's and 1.3's. */
static inline void fuzz_enable_everything(parley_config *cfg)
{
    if (parley_config_set_versions(cfg, PARLEY_TLS1_0, PARLEY_TLS1_3) != PARLEY_OK ||
        parley_config_set_ciphers(
            cfg,
            "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,"
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,"
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_128_GCM_SHA256,"
            "TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_256_CBC_SHA,"
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_ECDHE_RSA_WITH_RC4_128_SHA,"
            "TLS_RSA_WITH_RC4_128_SHA,TLS_RSA_WITH_RC4_128_MD5") != PARLEY_OK)
        abort();
}

/* A configuration with a fresh self-signed RSA-2048 certificate for CN=localhost. */
static inline parley_config *fuzz_server_config(void)
{
    EVP_PKEY *key = EVP_RSA_gen(2048);
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                               0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key);
    X509_sign(cert, key, EVP_sha256());

    BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cb, cert);
    PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL);
    char *cp, *kp;
    long cl = BIO_get_mem_data(cb, &cp), kl = BIO_get_mem_data(kb, &kp);
    parley_config *cfg = parley_config_new();
    if (parley_config_add_certificate_pem(cfg, cp, (size_t)cl, kp, (size_t)kl) != PARLEY_OK)
        abort();
    fuzz_enable_everything(cfg);
    BIO_free(cb);
    BIO_free(kb);
    X509_free(cert);
    EVP_PKEY_free(key);
    return cfg;
}

/* Feeds data to conn in chunks whose sizes come from the data's first byte, so records split
 * across feeds are exercised too; drains output and plaintext as a caller would. */
static inline void fuzz_feed(parley_conn *conn, const uint8_t *data, size_t size)
{
    size_t chunk = size > 0 ? (size_t)data[0] % 64 + 1 : 1;
    uint8_t sink[16384];
    size_t off = 0;
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        size_t used = parley_feed(conn, data + off, n);
        size_t got;
        while (parley_read(conn, sink, sizeof(sink), &got) == PARLEY_OK)
            ;
        while (parley_take(conn, sink, sizeof(sink)) > 0)
            ;
        parley_handshake(conn);
        if (used == 0 && parley_state(conn) != PARLEY_STATE_OPEN)
            break;
        off += used;
    }
    parley_feed_eof(conn);
}

#endif
