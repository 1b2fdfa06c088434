/* Raw CBC (AES, and 3DES for the legacy suite): keyed once, no padding (the record layer pads),
 * IV per call. */
#include <limits.h>

#include "crypto_internal.h"

struct crypto_cbc {
    EVP_CIPHER_CTX *ctx;
    size_t block;
};

size_t crypto_cbc_key_size(crypto_cbc_alg alg)
{
    static const size_t sizes[] = {16, 32, 24};
    return (unsigned)alg <= CRYPTO_3DES_EDE_CBC ? sizes[alg] : 0;
}

size_t crypto_cbc_block_size(crypto_cbc_alg alg)
{
    return alg == CRYPTO_3DES_EDE_CBC ? 8 : 16;
}

crypto_cbc *crypto_cbc_new(crypto_cbc_alg alg, int encrypt, const uint8_t *key)
{
    if ((unsigned)alg > CRYPTO_3DES_EDE_CBC || crypto_init() < 0 || crypto_algs.cbc[alg] == NULL)
        return NULL;
    crypto_cbc *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->ctx = EVP_CIPHER_CTX_new();
    if (c->ctx == NULL ||
        !EVP_CipherInit_ex2(c->ctx, crypto_algs.cbc[alg], key, NULL, encrypt ? 1 : 0, NULL) ||
        !EVP_CIPHER_CTX_set_padding(c->ctx, 0)) {
        crypto_cbc_free(c);
        return NULL;
    }
    c->block = crypto_cbc_block_size(alg);
    return c;
}

int crypto_cbc_run(crypto_cbc *c, const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
    int n;
    if (len % c->block != 0 || len > INT_MAX ||
        !EVP_CipherInit_ex2(c->ctx, NULL, NULL, iv, -1, NULL) ||
        !EVP_CipherUpdate(c->ctx, out, &n, in, (int)len) || (size_t)n != len)
        return -1;
    return 0;
}

void crypto_cbc_free(crypto_cbc *c)
{
    if (c == NULL)
        return;
    EVP_CIPHER_CTX_free(c->ctx);
    free(c);
}
