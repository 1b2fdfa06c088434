/* Signatures by TLS SignatureScheme: RSA PKCS#1 v1.5, RSA-PSS (rsae), ECDSA and Ed25519, and the
 * TLS 1.0/1.1 RSA signature over MD5 || SHA-1 (libcrypto's MD5-SHA1 digest, for which PKCS#1
 * v1.5 signing omits the DigestInfo exactly as RFC 2246 7.4.3 requires). */
#include <openssl/rsa.h>

#include "crypto_internal.h"
#include "crypto_key.h"

typedef enum { SIG_KIND_PKCS1, SIG_KIND_PSS, SIG_KIND_ECDSA, SIG_KIND_EDDSA } sig_kind;

typedef struct scheme_info {
    uint16_t scheme;
    sig_kind kind;
    int hash;              /* crypto_hash_alg, or -1 for SHA-512, or -2 for none */
    crypto_key_type curve; /* ECDSA in TLS 1.3 terms */
} scheme_info;

static const scheme_info schemes[] = {
    {SIG_RSA_PKCS1_MD5_SHA1, SIG_KIND_PKCS1, CRYPTO_MD5_SHA1, CRYPTO_KEY_NONE},
    {SIG_RSA_PKCS1_SHA1, SIG_KIND_PKCS1, CRYPTO_SHA1, CRYPTO_KEY_NONE},
    {SIG_RSA_PKCS1_SHA256, SIG_KIND_PKCS1, CRYPTO_SHA256, CRYPTO_KEY_NONE},
    {SIG_RSA_PKCS1_SHA384, SIG_KIND_PKCS1, CRYPTO_SHA384, CRYPTO_KEY_NONE},
    {SIG_RSA_PKCS1_SHA512, SIG_KIND_PKCS1, -1, CRYPTO_KEY_NONE},
    {SIG_RSA_PSS_RSAE_SHA256, SIG_KIND_PSS, CRYPTO_SHA256, CRYPTO_KEY_NONE},
    {SIG_RSA_PSS_RSAE_SHA384, SIG_KIND_PSS, CRYPTO_SHA384, CRYPTO_KEY_NONE},
    {SIG_RSA_PSS_RSAE_SHA512, SIG_KIND_PSS, -1, CRYPTO_KEY_NONE},
    {SIG_ECDSA_SHA1, SIG_KIND_ECDSA, CRYPTO_SHA1, CRYPTO_KEY_NONE},
    {SIG_ECDSA_SECP256R1_SHA256, SIG_KIND_ECDSA, CRYPTO_SHA256, CRYPTO_KEY_EC_P256},
    {SIG_ECDSA_SECP384R1_SHA384, SIG_KIND_ECDSA, CRYPTO_SHA384, CRYPTO_KEY_EC_P384},
    {SIG_ECDSA_SECP521R1_SHA512, SIG_KIND_ECDSA, -1, CRYPTO_KEY_OTHER},
    {SIG_ED25519, SIG_KIND_EDDSA, -2, CRYPTO_KEY_ED25519},
};

static const scheme_info *scheme_find(uint16_t scheme)
{
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
        if (schemes[i].scheme == scheme)
            return &schemes[i];
    return NULL;
}

bool crypto_scheme_fits_key(const crypto_key *k, uint16_t scheme, bool tls12)
{
    const scheme_info *s = scheme_find(scheme);
    if (s == NULL || k == NULL)
        return false;
    switch (s->kind) {
    case SIG_KIND_PKCS1:
    case SIG_KIND_PSS:
        return k->type == CRYPTO_KEY_RSA;
    case SIG_KIND_ECDSA:
        if (k->type != CRYPTO_KEY_EC_P256 && k->type != CRYPTO_KEY_EC_P384)
            return false;
        return tls12 || s->curve == k->type;
    case SIG_KIND_EDDSA:
        return k->type == CRYPTO_KEY_ED25519;
    }
    return false;
}

/* A digest-sign/verify context set up for the scheme. */
static EVP_MD_CTX *sig_context(crypto_key *k, const scheme_info *s, int sign)
{
    if (crypto_init() < 0)
        return NULL;
    const EVP_MD *md = s->hash == -2   ? NULL
                       : s->hash == -1 ? crypto_algs.sha512
                                       : crypto_algs.md[s->hash];
    if (s->hash != -2 && md == NULL)
        return NULL; /* not in this libcrypto (FIPS): never fall back to a default digest */
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = ctx != NULL && (sign ? EVP_DigestSignInit(ctx, &pctx, md, NULL, k->pkey)
                                  : EVP_DigestVerifyInit(ctx, &pctx, md, NULL, k->pkey)) == 1;
    if (ok && s->kind == SIG_KIND_PSS)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
    else if (ok && s->kind == SIG_KIND_PKCS1)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    if (!ok) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int crypto_sign(crypto_key *priv, uint16_t scheme, const uint8_t *data, size_t len, uint8_t *sig,
                size_t *sig_len)
{
    const scheme_info *s = scheme_find(scheme);
    if (s == NULL || !crypto_scheme_fits_key(priv, scheme, true))
        return -1;
    EVP_MD_CTX *ctx = sig_context(priv, s, 1);
    int ok = ctx != NULL && EVP_DigestSign(ctx, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

int crypto_verify(crypto_key *pub, uint16_t scheme, const uint8_t *data, size_t len,
                  const uint8_t *sig, size_t sig_len)
{
    const scheme_info *s = scheme_find(scheme);
    if (s == NULL || !crypto_scheme_fits_key(pub, scheme, true))
        return -1;
    EVP_MD_CTX *ctx = sig_context(pub, s, 0);
    int ok = ctx != NULL && EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}
