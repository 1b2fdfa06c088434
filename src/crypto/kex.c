/*
 * Ephemeral ECDH (X25519, P-256, P-384). Peer public values are built from raw bytes, never
 * through OSSL_DECODER.
 */
#include <openssl/core_names.h>
#include <pthread.h>
#include <string.h>

#include "crypto_internal.h"

struct crypto_kex {
    uint16_t group;
    EVP_PKEY *pkey;
};

#define GROUP_P256   0x0017
#define GROUP_P384   0x0018
#define GROUP_X25519 0x001d

/* The per-process parameters of a NIST group (crypto_init has run: crypto_kex_new checks). */
static EVP_PKEY *group_params(uint16_t group)
{
    return crypto_algs.ec_group[group == GROUP_P256 ? 0 : 1];
}

static size_t point_size(uint16_t group)
{
    return group == GROUP_P256 ? 65 : group == GROUP_P384 ? 97 : group == GROUP_X25519 ? 32 : 0;
}

bool crypto_group_supported(uint16_t group)
{
    return point_size(group) != 0;
}

/* Key-making contexts, kept for reuse. Making one costs more than everything else in a key
 * pair's generation but the scalar multiplication (a key-manager fetch and, in OpenSSL 3.0, a
 * walk of the whole name map for the legacy key type: about 15 K instructions), and OpenSSL
 * 3.0's EVP_PKEY_CTX_dup cannot copy a context set up for key generation or import. A context is
 * used by one thread at a time: a key takes one from its group's pool, or makes one when the
 * pool is empty, and puts it back after. A context holds no key material: the keys it makes are
 * separate objects. NIST keys are generated (libcrypto draws the private key); X25519 keys are
 * imported from 32 random bytes (crypto_kex_new_from_private), which lets a handshake draw them
 * with its other random values. The pool holds as many contexts as keys were ever made at once,
 * up to POOL_MAX. */
#define POOL_MAX 16
static struct {
    pthread_mutex_t lock;
    EVP_PKEY_CTX *ctx[3][POOL_MAX];
    size_t n[3];
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

static size_t pool_index(uint16_t group)
{
    return group == GROUP_P256 ? 0 : group == GROUP_P384 ? 1 : 2;
}

static EVP_PKEY_CTX *ctx_take(uint16_t group)
{
    size_t i = pool_index(group);
    EVP_PKEY_CTX *ctx = NULL;
    pthread_mutex_lock(&pool.lock);
    if (pool.n[i] > 0)
        ctx = pool.ctx[i][--pool.n[i]];
    pthread_mutex_unlock(&pool.lock);
    if (ctx != NULL)
        return ctx;
    int ok;
    if (group == GROUP_X25519) {
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
        ok = ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1;
    } else {
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, group_params(group), NULL);
        ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1;
    }
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static void ctx_give(uint16_t group, EVP_PKEY_CTX *ctx)
{
    size_t i = pool_index(group);
    pthread_mutex_lock(&pool.lock);
    if (pool.n[i] < POOL_MAX) {
        pool.ctx[i][pool.n[i]++] = ctx;
        ctx = NULL;
    }
    pthread_mutex_unlock(&pool.lock);
    EVP_PKEY_CTX_free(ctx);
}

/* A key pair on group: from priv (X25519) or generated (NIST curves). */
static crypto_kex *kex_make(uint16_t group, const uint8_t *priv, size_t len)
{
    if (crypto_init() < 0)
        return NULL;
    crypto_kex *k = calloc(1, sizeof(*k));
    EVP_PKEY_CTX *ctx = k != NULL ? ctx_take(group) : NULL;
    if (ctx == NULL) {
        free(k);
        return NULL;
    }
    k->group = group;
    int ok;
    if (group == GROUP_X25519) {
        OSSL_PARAM params[2] = {
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, (void *)priv, len),
            OSSL_PARAM_construct_end()};
        ok = EVP_PKEY_fromdata(ctx, &k->pkey, EVP_PKEY_KEYPAIR, params) == 1;
    } else {
        ok = EVP_PKEY_keygen(ctx, &k->pkey) == 1;
    }
    if (!ok) {
        /* Not put back: a context that failed once is not trusted again. */
        EVP_PKEY_CTX_free(ctx);
        crypto_kex_free(k);
        return NULL;
    }
    ctx_give(group, ctx);
    return k;
}

size_t crypto_kex_private_len(uint16_t group)
{
    return group == GROUP_X25519 ? 32 : 0;
}

crypto_kex *crypto_kex_new(uint16_t group)
{
    if (!crypto_group_supported(group))
        return NULL;
    if (group != GROUP_X25519)
        return kex_make(group, NULL, 0);
    uint8_t priv[32];
    crypto_kex *k =
        crypto_random(priv, sizeof(priv)) == 0 ? kex_make(group, priv, sizeof(priv)) : NULL;
    crypto_wipe(priv, sizeof(priv));
    return k;
}

crypto_kex *crypto_kex_new_from_private(uint16_t group, const uint8_t *priv, size_t len)
{
    if (group != GROUP_X25519 || len != 32)
        return NULL;
    return kex_make(group, priv, len);
}

size_t crypto_kex_public(const crypto_kex *k, uint8_t *out, size_t cap)
{
    size_t len = cap;
    if (k->group == GROUP_X25519)
        return EVP_PKEY_get_raw_public_key(k->pkey, out, &len) == 1 ? len : 0;
    if (EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, cap,
                                        &len) != 1)
        return 0;
    return len;
}

/* The peer's value as a key: 32 raw bytes for X25519; for NIST curves only the uncompressed form
 * (which cannot encode the point at infinity), and decoding it refuses a point off the curve or a
 * coordinate not below the field prime. The key starts as a copy of the group's parameters
 * (for X25519, which has none, of our key's: only its type is copied, no key material), so it has
 * its type without EVP_PKEY_new_raw_public_key's lookup of the key manager by name (half the cost
 * of making the key in OpenSSL 3.0). */
static EVP_PKEY *peer_key(const crypto_kex *k, const uint8_t *peer, size_t len)
{
    if (len != point_size(k->group))
        return NULL;
    if (k->group != GROUP_X25519 && peer[0] != 0x04)
        return NULL;
    EVP_PKEY *p = EVP_PKEY_new();
    EVP_PKEY *params = k->group == GROUP_X25519 ? k->pkey : group_params(k->group);
    if (p == NULL || EVP_PKEY_copy_parameters(p, params) != 1 ||
        EVP_PKEY_set1_encoded_public_key(p, peer, len) != 1) {
        EVP_PKEY_free(p);
        return NULL;
    }
    return p;
}

int crypto_kex_derive(crypto_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                      size_t *secret_len)
{
    EVP_PKEY *p = peer_key(k, peer, peer_len);
    if (p == NULL)
        return -1;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    size_t len = CRYPTO_MAX_KEX_SECRET;
    /* No second validation here: peer_key has already checked the point is on the curve, and
     * P-256 and P-384 have cofactor 1, so every such point is in the prime-order group. The full
     * public-key check would add a scalar multiplication per handshake (about half the cost
     * of the derivation) and find nothing new. X25519 needs no point check (RFC 7748 section
     * 6.1); its small-order inputs show up as an all-zero output, refused below. */
    int ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
             EVP_PKEY_derive_set_peer_ex(ctx, p, 0) == 1 && EVP_PKEY_derive(ctx, secret, &len) == 1;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(p);
    if (ok && k->group == GROUP_X25519) {
        static const uint8_t zero[32];
        ok = !crypto_memeq(secret, zero, 32); /* a small-order peer point (RFC 7748 6.1) */
    }
    if (!ok)
        return -1;
    *secret_len = len;
    return 0;
}

void crypto_kex_free(crypto_kex *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}
