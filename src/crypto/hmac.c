/* HMAC: a keyed state set up once per key and restarted from that key for every message. */
#include "crypto_internal.h"

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
