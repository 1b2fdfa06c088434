/*
 * crypto_init: every algorithm parley uses is fetched once per process into crypto_algs, so no
 * hot path pays for a provider lookup by name.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>

#include "crypto_internal.h"

crypto_table crypto_algs;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static int crypto_init_ok;

static const char *const hash_names[CRYPTO_HASH_COUNT] = {"MD5", "SHA1", "SHA256", "SHA384",
                                                          "MD5-SHA1"};

static EVP_MAC_CTX *hmac_template(const char *digest)
{
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(crypto_algs.hmac);
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end()};
    if (ctx == NULL || !EVP_MAC_CTX_set_params(ctx, params)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* The template keyed with HashLen zero bytes: every TLS 1.3 handshake extracts its early secret
 * with that salt, and copying a keyed state costs a fraction of keying one. */
static EVP_MAC_CTX *hmac_zero_key(EVP_MAC_CTX *template, size_t hash_len)
{
    static const uint8_t zeros[CRYPTO_MAX_HASH];
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(template);
    if (ctx == NULL || !EVP_MAC_init(ctx, zeros, hash_len, NULL)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Domain parameters for a named curve, made once: a key generated from them or a peer key copied
 * from them needs no group lookup by name. */
static EVP_PKEY *ec_group_params(const char *curve)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0),
        OSSL_PARAM_construct_end()};
    EVP_PKEY *group = NULL;
    if (ctx == NULL || EVP_PKEY_paramgen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_params(ctx, params) != 1 || EVP_PKEY_paramgen(ctx, &group) != 1)
        group = NULL;
    EVP_PKEY_CTX_free(ctx);
    return group;
}

static void crypto_fetch_all(void)
{
    crypto_table *t = &crypto_algs;
    for (int i = 0; i < CRYPTO_HASH_COUNT; i++)
        t->md[i] = EVP_MD_fetch(NULL, hash_names[i], NULL);
    t->sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
    t->aead[CRYPTO_AES128_GCM] = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    t->aead[CRYPTO_AES256_GCM] = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    t->aead[CRYPTO_CHACHA20_POLY1305] = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
    t->cbc[CRYPTO_AES128_CBC] = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
    t->cbc[CRYPTO_AES256_CBC] = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    t->cbc[CRYPTO_3DES_EDE_CBC] = EVP_CIPHER_fetch(NULL, "DES-EDE3-CBC", NULL);
    t->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    t->ec_group[0] = ec_group_params("P-256");
    t->ec_group[1] = ec_group_params("P-384");
    int ok =
        t->hmac != NULL && t->sha512 != NULL && t->ec_group[0] != NULL && t->ec_group[1] != NULL;
    for (int i = 0; ok && i < CRYPTO_HASH_COUNT; i++) {
        /* MD5 may be missing (FIPS); only the legacy versions and suites need it. */
        if (t->md[i] == NULL) {
            ok = i == CRYPTO_MD5 || i == CRYPTO_MD5_SHA1;
            continue;
        }
        /* MD5+SHA-1 is a handshake hash, never an HMAC: the TLS 1.0 PRF keys its two halves. */
        if (i == CRYPTO_MD5_SHA1)
            continue;
        t->hmac_template[i] = hmac_template(hash_names[i]);
        t->hmac_zero_key[i] =
            t->hmac_template[i] ? hmac_zero_key(t->hmac_template[i], crypto_hash_size(i)) : NULL;
        ok = t->hmac_zero_key[i] != NULL &&
             EVP_Digest(NULL, 0, t->empty_hash[i], NULL, t->md[i], NULL) == 1;
    }
    for (int i = 0; ok && i < 3; i++)
        ok = t->aead[i] != NULL;
    /* 3DES may be missing (FIPS); only a legacy suite needs it, and naming one then fails. */
    for (int i = 0; ok && i <= CRYPTO_AES256_CBC; i++)
        ok = t->cbc[i] != NULL;
    crypto_init_ok = ok;
}

int crypto_init(void)
{
    pthread_once(&crypto_once, crypto_fetch_all);
    return crypto_init_ok ? 0 : -1;
}
