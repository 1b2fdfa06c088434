/* The TLS 1.2 PRF, built on the keyed HMAC state so the secret is keyed once per call. */
#include <string.h>

#include "crypto_internal.h"

/* P_hash (RFC 5246 section 5): A(0) = seed, A(i) = HMAC(secret, A(i-1)),
 * output = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ... */
int crypto_prf_tls12(crypto_hash_alg alg, const uint8_t *secret, size_t secret_len,
                     const char *label, const uint8_t *seed1, size_t seed1_len,
                     const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len)
{
    crypto_hmac *m = crypto_hmac_new(alg, secret, secret_len);
    if (m == NULL)
        return -1;
    size_t hlen = crypto_hash_size(alg), label_len = strlen(label);
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
