/*
 * The algorithm table (fetched once per process), hashes, HMAC, the TLS 1.2 PRF, and small
 * utilities.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

#include "crypto_internal.h"

crypto_table crypto_algs;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static int crypto_init_ok;

static const char *const hash_names[CRYPTO_HASH_COUNT] = {"MD5", "SHA1", "SHA256", "SHA384"};

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
    t->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    int ok = t->hmac != NULL && t->sha512 != NULL;
    for (int i = 0; ok && i < CRYPTO_HASH_COUNT; i++) {
        /* MD5 may be missing (FIPS); only the legacy PRF needs it. */
        if (t->md[i] == NULL) {
            ok = i == CRYPTO_MD5;
            continue;
        }
        t->hmac_template[i] = hmac_template(hash_names[i]);
        ok = t->hmac_template[i] != NULL;
    }
    for (int i = 0; ok && i < 3; i++)
        ok = t->aead[i] != NULL;
    for (int i = 0; ok && i < 2; i++)
        ok = t->cbc[i] != NULL;
    crypto_init_ok = ok;
}

int crypto_init(void)
{
    pthread_once(&crypto_once, crypto_fetch_all);
    return crypto_init_ok ? 0 : -1;
}

size_t crypto_hash_size(crypto_hash_alg alg)
{
    static const size_t sizes[CRYPTO_HASH_COUNT] = {16, 20, 32, 48};
    return alg < CRYPTO_HASH_COUNT ? sizes[alg] : 0;
}

size_t crypto_hash_block_size(crypto_hash_alg alg)
{
    return alg == CRYPTO_SHA384 ? 128 : 64;
}

int crypto_digest(crypto_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out)
{
    if (alg >= CRYPTO_HASH_COUNT || crypto_algs.md[alg] == NULL)
        return -1;
    return EVP_Digest(data, len, out, NULL, crypto_algs.md[alg], NULL) == 1 ? 0 : -1;
}

struct crypto_hash {
    EVP_MD_CTX *ctx;
    EVP_MD_CTX *scratch; /* reused by every peek */
};

crypto_hash *crypto_hash_new(crypto_hash_alg alg)
{
    if (alg >= CRYPTO_HASH_COUNT || crypto_algs.md[alg] == NULL)
        return NULL;
    crypto_hash *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->ctx = EVP_MD_CTX_new();
    h->scratch = EVP_MD_CTX_new();
    if (h->ctx == NULL || h->scratch == NULL ||
        !EVP_DigestInit_ex2(h->ctx, crypto_algs.md[alg], NULL)) {
        crypto_hash_free(h);
        return NULL;
    }
    return h;
}

int crypto_hash_update(crypto_hash *h, const uint8_t *data, size_t len)
{
    return EVP_DigestUpdate(h->ctx, data, len) == 1 ? 0 : -1;
}

int crypto_hash_peek(const crypto_hash *h, uint8_t *out)
{
    if (!EVP_MD_CTX_copy_ex(h->scratch, h->ctx))
        return -1;
    return EVP_DigestFinal_ex(h->scratch, out, NULL) == 1 ? 0 : -1;
}

void crypto_hash_free(crypto_hash *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_CTX_free(h->scratch);
    free(h);
}

struct crypto_hmac {
    EVP_MAC_CTX *ctx;
    size_t size;
};

crypto_hmac *crypto_hmac_new(crypto_hash_alg alg, const uint8_t *key, size_t key_len)
{
    if (alg >= CRYPTO_HASH_COUNT || crypto_algs.hmac_template[alg] == NULL)
        return NULL;
    crypto_hmac *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    /* The template already carries the digest: no name lookup per key. */
    m->ctx = EVP_MAC_CTX_dup(crypto_algs.hmac_template[alg]);
    m->size = crypto_hash_size(alg);
    if (m->ctx == NULL || !EVP_MAC_init(m->ctx, key, key_len, NULL)) {
        crypto_hmac_free(m);
        return NULL;
    }
    return m;
}

int crypto_hmac_begin(crypto_hmac *m)
{
    /* A NULL key restarts from the key already set. */
    return EVP_MAC_init(m->ctx, NULL, 0, NULL) == 1 ? 0 : -1;
}

int crypto_hmac_update(crypto_hmac *m, const uint8_t *data, size_t len)
{
    return EVP_MAC_update(m->ctx, data, len) == 1 ? 0 : -1;
}

int crypto_hmac_final(crypto_hmac *m, uint8_t *out)
{
    size_t n;
    return EVP_MAC_final(m->ctx, out, &n, m->size) == 1 ? 0 : -1;
}

void crypto_hmac_free(crypto_hmac *m)
{
    if (m == NULL)
        return;
    EVP_MAC_CTX_free(m->ctx); /* cleanses the key */
    free(m);
}

int crypto_hmac_oneshot(crypto_hash_alg alg, const uint8_t *key, size_t key_len,
                        const uint8_t *data, size_t len, uint8_t *out)
{
    crypto_hmac *m = crypto_hmac_new(alg, key, key_len);
    int rc = m && crypto_hmac_update(m, data, len) == 0 && crypto_hmac_final(m, out) == 0 ? 0 : -1;
    crypto_hmac_free(m);
    return rc;
}

/* P_hash (RFC 5246 section 5): A(0) = seed, A(i) = HMAC(secret, A(i-1)),
 * output = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ... */
int crypto_prf_tls12(crypto_hash_alg alg, const uint8_t *secret, size_t secret_len,
                     const char *label, const uint8_t *seed1, size_t seed1_len,
                     const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len)
{
    crypto_hmac *m = crypto_hmac_new(alg, secret, secret_len);
    if (m == NULL)
        return -1;
    size_t hlen = m->size, label_len = strlen(label);
    uint8_t a[CRYPTO_MAX_HASH], block[CRYPTO_MAX_HASH];
    int ok = crypto_hmac_update(m, (const uint8_t *)label, label_len) == 0 &&
             crypto_hmac_update(m, seed1, seed1_len) == 0 &&
             (seed2 == NULL || crypto_hmac_update(m, seed2, seed2_len) == 0) &&
             crypto_hmac_final(m, a) == 0;
    for (size_t done = 0; ok && done < out_len; done += hlen) {
        ok = crypto_hmac_begin(m) == 0 && crypto_hmac_update(m, a, hlen) == 0 &&
             crypto_hmac_update(m, (const uint8_t *)label, label_len) == 0 &&
             crypto_hmac_update(m, seed1, seed1_len) == 0 &&
             (seed2 == NULL || crypto_hmac_update(m, seed2, seed2_len) == 0) &&
             crypto_hmac_final(m, block) == 0;
        if (!ok)
            break;
        size_t n = out_len - done < hlen ? out_len - done : hlen;
        memcpy(out + done, block, n);
        ok = crypto_hmac_begin(m) == 0 && crypto_hmac_update(m, a, hlen) == 0 &&
             crypto_hmac_final(m, a) == 0;
    }
    crypto_wipe(a, sizeof(a));
    crypto_wipe(block, sizeof(block));
    crypto_hmac_free(m);
    return ok ? 0 : -1;
}

int crypto_random(void *out, size_t len)
{
    return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

int crypto_memeq(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

void crypto_wipe(void *p, size_t len)
{
    if (p != NULL)
        OPENSSL_cleanse(p, len);
}
