/* RSA key transport (TLS 1.0-1.2 RSA key exchange): the client's encryption and the server's
 * decryption of the pre-master secret. */
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "crypto_internal.h"
#include "crypto_key.h"

int crypto_rsa_encrypt(crypto_key *pub, const uint8_t *in, size_t len, uint8_t *out,
                       size_t *out_len)
{
    if (pub == NULL || pub->type != CRYPTO_KEY_RSA)
        return -1;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub->pkey, NULL);
    int ok = ctx != NULL && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_encrypt(ctx, out, out_len, in, len) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* RFC 5246 7.4.7.1. libcrypto's RSA_PKCS1_WITH_TLS_PADDING mode checks the padding, the length
 * and the version bytes in constant time and substitutes a random secret itself; the random
 * value prepared here only covers a ciphertext libcrypto refuses outright (wrong length), which
 * depends on public data alone. No branch below depends on the padding check. */
int crypto_rsa_decrypt_pms(crypto_key *priv, const uint8_t *in, size_t len, uint16_t client_version,
                           uint8_t pms[48])
{
    if (priv == NULL || priv->type != CRYPTO_KEY_RSA)
        return -1;
    uint8_t fallback[48], decrypted[48] = {0};
    if (crypto_random(fallback, sizeof(fallback)) < 0)
        return -1;
    unsigned int version = client_version;
    OSSL_PARAM params[3] = {
        OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, &version),
        OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION, &version),
        OSSL_PARAM_construct_end()};
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->pkey, NULL);
    size_t out_len = sizeof(decrypted);
    int ok = ctx != NULL && EVP_PKEY_decrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_WITH_TLS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_params(ctx, params) == 1 &&
             EVP_PKEY_decrypt(ctx, decrypted, &out_len, in, len) == 1 && out_len == 48;
    EVP_PKEY_CTX_free(ctx);
    uint8_t mask = (uint8_t)(0 - (uint8_t)(ok != 0)); /* 0xff when decrypted is usable */
    for (size_t i = 0; i < 48; i++)
        pms[i] = (uint8_t)((decrypted[i] & mask) | (fallback[i] & (uint8_t)~mask));
    crypto_wipe(decrypted, sizeof(decrypted));
    crypto_wipe(fallback, sizeof(fallback));
    return 0;
}
