/*
 * HKDF (RFC 5869) on the keyed HMAC state rather than libcrypto's "HKDF" EVP_KDF: Extract is one
 * HMAC and every TLS 1.3 Expand is one HMAC block, so the HMAC route costs one keying (a dup of
 * the per-process template) and a few updates, while the KDF route would also copy key, salt and
 * info into OSSL_PARAMs and re-key an HMAC inside the provider on every derive. A secret that is
 * expanded several times can also be keyed once and expanded from the same state.
 */
#include <string.h>

#include "crypto_internal.h"

int crypto_hkdf_extract(crypto_hash_alg alg, const uint8_t *salt, size_t salt_len,
                        const uint8_t *ikm, size_t ikm_len, uint8_t *prk)
{
    /* RFC 5869 2.2: no salt means HashLen zero bytes, a key crypto_init has set up once. */
    crypto_hmac *m = salt == NULL || salt_len == 0 ? crypto_hmac_new_zero_key(alg)
                                                   : crypto_hmac_new(alg, salt, salt_len);
    int rc = m != NULL ? crypto_hmac_mac(m, ikm, ikm_len, prk) : -1;
    crypto_hmac_free(m);
    return rc;
}

int crypto_hkdf_expand_keyed(crypto_hmac *prk, const uint8_t *info, size_t info_len, uint8_t *out,
                             size_t out_len)
{
    size_t hlen = crypto_hmac_size(prk);
    if (hlen == 0 || out_len > 255 * hlen)
        return -1;
    uint8_t t[CRYPTO_MAX_HASH];
    int ok = 1;
    size_t done = 0;
    for (uint8_t i = 1; ok && done < out_len; i++) {
        /* T(i) = HMAC(PRK, T(i-1) | info | i), with T(0) empty. */
        ok = crypto_hmac_begin(prk) == 0 && (i == 1 || crypto_hmac_update(prk, t, hlen) == 0) &&
             (info_len == 0 || crypto_hmac_update(prk, info, info_len) == 0) &&
             crypto_hmac_update(prk, &i, 1) == 0 && crypto_hmac_final(prk, t) == 0;
        if (!ok)
            break;
        size_t n = out_len - done < hlen ? out_len - done : hlen;
        memcpy(out + done, t, n);
        done += n;
    }
    crypto_wipe(t, sizeof(t));
    if (!ok)
        crypto_wipe(out, out_len);
    return ok ? 0 : -1;
}

int crypto_hkdf_expand(crypto_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                       size_t info_len, uint8_t *out, size_t out_len)
{
    crypto_hmac *m = crypto_hmac_new(alg, prk, prk_len);
    if (m == NULL)
        return -1;
    int rc = crypto_hkdf_expand_keyed(m, info, info_len, out, out_len);
    crypto_hmac_free(m);
    return rc;
}
