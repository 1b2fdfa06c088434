/* The TLS PRFs, built on keyed HMAC states: a secret is keyed once, however many outputs are
 * drawn from it (the master secret gives the key block and both Finished values). */
#include <string.h>

#include "crypto_internal.h"

struct crypto_prf_key {
    crypto_hash_alg alg;
    crypto_hmac *hmac[2]; /* one P_hash; two (P_MD5, P_SHA1) for the TLS 1.0/1.1 PRF */
};

/* Keys k's HMAC contexts with secret; 0, or -1 with nothing left to free. */
static int prf_key_init(crypto_prf_key *k, crypto_hash_alg alg, const uint8_t *secret,
                        size_t secret_len)
{
    memset(k, 0, sizeof(*k));
    k->alg = alg;
    if (alg != CRYPTO_MD5_SHA1) {
        k->hmac[0] = crypto_hmac_new(alg, secret, secret_len);
    } else {
        /* RFC 2246 section 5: the secret's halves, sharing the middle byte when its length is
         * odd, key P_MD5 and P_SHA1. */
        size_t half = (secret_len + 1) / 2;
        k->hmac[0] = crypto_hmac_new(CRYPTO_MD5, secret, half);
        k->hmac[1] = crypto_hmac_new(CRYPTO_SHA1, secret + secret_len - half, half);
    }
    if (k->hmac[0] == NULL || (alg == CRYPTO_MD5_SHA1 && k->hmac[1] == NULL)) {
        crypto_hmac_free(k->hmac[0]);
        crypto_hmac_free(k->hmac[1]);
        return -1;
    }
    return 0;
}

crypto_prf_key *crypto_prf_key_new(crypto_hash_alg alg, const uint8_t *secret, size_t secret_len)
{
    crypto_prf_key *k = malloc(sizeof(*k));
    if (k == NULL || prf_key_init(k, alg, secret, secret_len) < 0) {
        free(k);
        return NULL;
    }
    return k;
}

void crypto_prf_key_free(crypto_prf_key *k)
{
    if (k == NULL)
        return;
    crypto_hmac_free(k->hmac[0]);
    crypto_hmac_free(k->hmac[1]);
    free(k);
}

/* P_hash (RFC 5246 section 5): A(0) = seed, A(i) = HMAC(secret, A(i-1)),
 * output = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 * The output is XORed into out, so the TLS 1.0 PRF can combine two of them in place. */
static int p_hash_xor(crypto_hmac *m, size_t hlen, const char *label, const uint8_t *seed1,
                      size_t seed1_len, const uint8_t *seed2, size_t seed2_len, uint8_t *out,
                      size_t out_len)
{
    size_t label_len = strlen(label);
    uint8_t a[CRYPTO_MAX_HASH], block[CRYPTO_MAX_HASH];
    int ok = crypto_hmac_begin(m) == 0 &&
             crypto_hmac_update(m, (const uint8_t *)label, label_len) == 0 &&
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
    return ok ? 0 : -1;
}

int crypto_prf_keyed(crypto_prf_key *k, const char *label, const uint8_t *seed1, size_t seed1_len,
                     const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len)
{
    memset(out, 0, out_len);
    int rc;
    if (k->alg != CRYPTO_MD5_SHA1)
        rc = p_hash_xor(k->hmac[0], crypto_hash_size(k->alg), label, seed1, seed1_len, seed2,
                        seed2_len, out, out_len);
    else
        rc = p_hash_xor(k->hmac[0], crypto_hash_size(CRYPTO_MD5), label, seed1, seed1_len, seed2,
                        seed2_len, out, out_len) == 0 &&
                     p_hash_xor(k->hmac[1], crypto_hash_size(CRYPTO_SHA1), label, seed1, seed1_len,
                                seed2, seed2_len, out, out_len) == 0
                 ? 0
                 : -1;
    if (rc < 0)
        crypto_wipe(out, out_len);
    return rc;
}

int crypto_prf(crypto_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
               const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
               uint8_t *out, size_t out_len)
{
    crypto_prf_key k; /* on the stack: a one-shot PRF allocates only its HMAC contexts */
    if (prf_key_init(&k, alg, secret, secret_len) < 0) {
        crypto_wipe(out, out_len);
        return -1;
    }
    int rc = crypto_prf_keyed(&k, label, seed1, seed1_len, seed2, seed2_len, out, out_len);
    crypto_hmac_free(k.hmac[0]);
    crypto_hmac_free(k.hmac[1]);
    return rc;
}
