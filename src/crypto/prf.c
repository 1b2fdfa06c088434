/* The TLS PRFs, built on the keyed HMAC state so each secret is keyed once per call. */
#include <string.h>

#include "crypto_internal.h"

/* P_hash (RFC 5246 section 5): A(0) = seed, A(i) = HMAC(secret, A(i-1)),
 * output = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 * The output is XORed into out, so the TLS 1.0 PRF can combine two of them in place. */
static int p_hash_xor(crypto_hash_alg alg, const uint8_t *secret, size_t secret_len,
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
        for (size_t i = 0; i < n; i++)
            out[done + i] ^= block[i];
        ok = crypto_hmac_begin(m) == 0 && crypto_hmac_update(m, a, hlen) == 0 &&
             crypto_hmac_final(m, a) == 0;
    }
    crypto_wipe(a, sizeof(a));
    crypto_wipe(block, sizeof(block));
    crypto_hmac_free(m);
    return ok ? 0 : -1;
}

int crypto_prf(crypto_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
               const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
               uint8_t *out, size_t out_len)
{
    memset(out, 0, out_len);
    int rc;
    if (alg != CRYPTO_MD5_SHA1) {
        rc = p_hash_xor(alg, secret, secret_len, label, seed1, seed1_len, seed2, seed2_len, out,
                        out_len);
    } else {
        /* RFC 2246 section 5: the secret's halves, sharing the middle byte when its length is
         * odd, key P_MD5 and P_SHA1, whose outputs are XORed. */
        size_t half = (secret_len + 1) / 2;
        rc = p_hash_xor(CRYPTO_MD5, secret, half, label, seed1, seed1_len, seed2, seed2_len, out,
                        out_len) == 0 &&
                     p_hash_xor(CRYPTO_SHA1, secret + secret_len - half, half, label, seed1,
                                seed1_len, seed2, seed2_len, out, out_len) == 0
                 ? 0
                 : -1;
    }
    if (rc < 0)
        crypto_wipe(out, out_len);
    return rc;
}
