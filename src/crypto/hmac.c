/* HMAC: a keyed state set up once per key and restarted from that key for every message. */
#include "crypto_internal.h"

struct crypto_hmac {
    EVP_MAC_CTX *ctx;
    size_t size;
    /* Keyed or restarted with nothing fed since: crypto_hmac_begin has nothing to do (the keying
     * leaves the state exactly as a restart does). */
    int fresh;
};

static crypto_hmac *hmac_from(EVP_MAC_CTX *ctx, crypto_hash_alg alg)
{
    crypto_hmac *m = calloc(1, sizeof(*m));
    if (m == NULL || ctx == NULL) {
        EVP_MAC_CTX_free(ctx);
        free(m);
        return NULL;
    }
    m->ctx = ctx;
    m->size = crypto_hash_size(alg);
    return m;
}

crypto_hmac *crypto_hmac_new(crypto_hash_alg alg, const uint8_t *key, size_t key_len)
{
    if (alg >= CRYPTO_HASH_COUNT || crypto_algs.hmac_template[alg] == NULL)
        return NULL;
    /* The template already carries the digest: no name lookup per key. */
    crypto_hmac *m = hmac_from(EVP_MAC_CTX_dup(crypto_algs.hmac_template[alg]), alg);
    if (m != NULL && crypto_hmac_rekey(m, key, key_len) < 0) {
        crypto_hmac_free(m);
        return NULL;
    }
    return m;
}

crypto_hmac *crypto_hmac_new_zero_key(crypto_hash_alg alg)
{
    if (alg >= CRYPTO_HASH_COUNT || crypto_algs.hmac_zero_key[alg] == NULL)
        return NULL;
    /* A copy of the per-process keyed state: no key setup at all. */
    crypto_hmac *m = hmac_from(EVP_MAC_CTX_dup(crypto_algs.hmac_zero_key[alg]), alg);
    if (m != NULL)
        m->fresh = 1;
    return m;
}

int crypto_hmac_rekey(crypto_hmac *m, const uint8_t *key, size_t key_len)
{
    /* A NULL key would mean "keep the previous key" to EVP_MAC_init. */
    static const uint8_t none[1];
    m->fresh = EVP_MAC_init(m->ctx, key != NULL ? key : none, key_len, NULL) == 1;
    return m->fresh ? 0 : -1;
}

int crypto_hmac_begin(crypto_hmac *m)
{
    if (m->fresh)
        return 0;
    /* A NULL key restarts from the key already set. */
    m->fresh = EVP_MAC_init(m->ctx, NULL, 0, NULL) == 1;
    return m->fresh ? 0 : -1;
}

int crypto_hmac_update(crypto_hmac *m, const uint8_t *data, size_t len)
{
    m->fresh = 0;
    return EVP_MAC_update(m->ctx, data, len) == 1 ? 0 : -1;
}

int crypto_hmac_final(crypto_hmac *m, uint8_t *out)
{
    size_t n;
    m->fresh = 0;
    return EVP_MAC_final(m->ctx, out, &n, m->size) == 1 ? 0 : -1;
}

int crypto_hmac_mac(crypto_hmac *m, const uint8_t *data, size_t len, uint8_t *out)
{
    return crypto_hmac_begin(m) == 0 && (len == 0 || crypto_hmac_update(m, data, len) == 0) &&
                   crypto_hmac_final(m, out) == 0
               ? 0
               : -1;
}

size_t crypto_hmac_size(const crypto_hmac *m)
{
    return m->size;
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
