/* Digests: one-shot, and the incremental transcript hash that can be read without ending it. */
#include "crypto_internal.h"

size_t crypto_hash_size(crypto_hash_alg alg)
{
    static const size_t sizes[CRYPTO_HASH_COUNT] = {16, 20, 32, 48, 36};
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

const uint8_t *crypto_empty_hash(crypto_hash_alg alg)
{
    if (alg >= CRYPTO_HASH_COUNT || crypto_algs.hmac_zero_key[alg] == NULL)
        return NULL; /* set together with empty_hash by crypto_init */
    return crypto_algs.empty_hash[alg];
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
