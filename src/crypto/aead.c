/*
 * AEAD record ciphers (AES-GCM, ChaCha20-Poly1305): the context is keyed once when the key is
 * installed; per record only the nonce is set.
 */
#include <limits.h>
#include <string.h>

#include "crypto_internal.h"

struct crypto_aead {
    EVP_CIPHER_CTX *ctx;
};

size_t crypto_aead_key_size(crypto_aead_alg alg)
{
    return alg == CRYPTO_AES128_GCM ? 16 : 32;
}

crypto_aead *crypto_aead_new(crypto_aead_alg alg, int encrypt, const uint8_t *key)
{
    if ((unsigned)alg > CRYPTO_CHACHA20_POLY1305 || crypto_init() < 0)
        return NULL;
    crypto_aead *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    a->ctx = EVP_CIPHER_CTX_new();
    if (a->ctx == NULL ||
        !EVP_CipherInit_ex2(a->ctx, crypto_algs.aead[alg], key, NULL, encrypt ? 1 : 0, NULL)) {
        crypto_aead_free(a);
        return NULL;
    }
    return a;
}

int crypto_aead_seal(crypto_aead *a, const uint8_t nonce[CRYPTO_AEAD_NONCE], const uint8_t *aad,
                     size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
    int n;
    if (len > INT_MAX - CRYPTO_AEAD_TAG || aad_len > INT_MAX ||
        !EVP_CipherInit_ex2(a->ctx, NULL, NULL, nonce, -1, NULL) ||
        !EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)aad_len) ||
        (len > 0 && !EVP_CipherUpdate(a->ctx, out, &n, in, (int)len)) ||
        !EVP_CipherFinal_ex(a->ctx, out + len, &n) ||
        !EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, CRYPTO_AEAD_TAG, out + len))
        return -1;
    return 0;
}

int crypto_aead_open(crypto_aead *a, const uint8_t nonce[CRYPTO_AEAD_NONCE], const uint8_t *aad,
                     size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
    if (len < CRYPTO_AEAD_TAG || len > INT_MAX || aad_len > INT_MAX)
        return -1;
    size_t body = len - CRYPTO_AEAD_TAG;
    uint8_t tag[CRYPTO_AEAD_TAG], scratch[16];
    memcpy(tag, in + body, CRYPTO_AEAD_TAG);
    int n;
    if (!EVP_CipherInit_ex2(a->ctx, NULL, NULL, nonce, -1, NULL) ||
        !EVP_CipherUpdate(a->ctx, NULL, &n, aad, (int)aad_len) ||
        (body > 0 && !EVP_CipherUpdate(a->ctx, out, &n, in, (int)body)) ||
        !EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, CRYPTO_AEAD_TAG, tag) ||
        EVP_CipherFinal_ex(a->ctx, scratch, &n) <= 0) {
        crypto_wipe(out, body); /* never leave unauthenticated plaintext behind */
        return -1;
    }
    return 0;
}

void crypto_aead_free(crypto_aead *a)
{
    if (a == NULL)
        return;
    EVP_CIPHER_CTX_free(a->ctx); /* cleanses the key schedule */
    free(a);
}
