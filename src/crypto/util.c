/* Randomness, constant-time comparison and wiping. */
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto.h"

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
