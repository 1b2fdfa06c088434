/*
 * Public-key operations: ephemeral ECDH (X25519, P-256, P-384), keys, signatures, and RSA key
 * transport. Peer public values are built from raw bytes, never through OSSL_DECODER.
 */
#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <stdatomic.h>
#include <string.h>

#include "crypto_internal.h"
#include "crypto_key.h"

/* ---- ephemeral key exchange ---- */

struct crypto_kex {
    uint16_t group;
    EVP_PKEY *pkey;
};

static const char *curve_name(uint16_t group)
{
    switch (group) {
    case 0x0017:
        return "P-256";
    case 0x0018:
        return "P-384";
    default:
        return NULL;
    }
}

static size_t point_size(uint16_t group)
{
    return group == 0x0017 ? 65 : group == 0x0018 ? 97 : group == 0x001d ? 32 : 0;
}

bool crypto_group_supported(uint16_t group)
{
    return point_size(group) != 0;
}

crypto_kex *crypto_kex_new(uint16_t group)
{
    if (!crypto_group_supported(group))
        return NULL;
    crypto_kex *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return NULL;
    k->group = group;
    if (group == 0x001d) {
        uint8_t priv[32];
        if (crypto_random(priv, sizeof(priv)) == 0)
            k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, sizeof(priv));
        crypto_wipe(priv, sizeof(priv));
    } else {
        k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve_name(group));
    }
    if (k->pkey == NULL) {
        free(k);
        return NULL;
    }
    return k;
}

crypto_kex *crypto_kex_new_from_private(uint16_t group, const uint8_t *priv, size_t len)
{
    if (group != 0x001d || len != 32)
        return NULL;
    crypto_kex *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return NULL;
    k->group = group;
    k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, len);
    if (k->pkey == NULL) {
        free(k);
        return NULL;
    }
    return k;
}

size_t crypto_kex_public(const crypto_kex *k, uint8_t *out, size_t cap)
{
    size_t len = cap;
    if (k->group == 0x001d)
        return EVP_PKEY_get_raw_public_key(k->pkey, out, &len) == 1 ? len : 0;
    if (EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, cap,
                                        &len) != 1)
        return 0;
    return len;
}

/* The peer's value as a key: raw for X25519; for NIST curves only the uncompressed form, which
 * EVP_PKEY_set1_encoded_public_key checks is on the curve. */
static EVP_PKEY *peer_key(const crypto_kex *k, const uint8_t *peer, size_t len)
{
    if (len != point_size(k->group))
        return NULL;
    if (k->group == 0x001d)
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, len);
    if (peer[0] != 0x04)
        return NULL;
    EVP_PKEY *p = EVP_PKEY_new();
    if (p == NULL || EVP_PKEY_copy_parameters(p, k->pkey) != 1 ||
        EVP_PKEY_set1_encoded_public_key(p, peer, len) != 1) {
        EVP_PKEY_free(p);
        return NULL;
    }
    return p;
}

int crypto_kex_derive(crypto_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                      size_t *secret_len)
{
    EVP_PKEY *p = peer_key(k, peer, peer_len);
    if (p == NULL)
        return -1;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    size_t len = CRYPTO_MAX_KEX_SECRET;
    /* derive_set_peer validates the peer key (on the curve, not the identity). */
    int ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
             EVP_PKEY_derive_set_peer_ex(ctx, p, 1) == 1 && EVP_PKEY_derive(ctx, secret, &len) == 1;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(p);
    if (ok && k->group == 0x001d) {
        static const uint8_t zero[32];
        ok = !crypto_memeq(secret, zero, 32); /* a small-order peer point (RFC 7748 6.1) */
    }
    if (!ok)
        return -1;
    *secret_len = len;
    return 0;
}

void crypto_kex_free(crypto_kex *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

/* ---- keys ---- */

crypto_key *crypto_key_wrap(EVP_PKEY *pkey)
{
    crypto_key *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    k->pkey = pkey;
    k->bits = EVP_PKEY_get_bits(pkey);
    atomic_init(&k->refs, 1);
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        k->type = CRYPTO_KEY_RSA;
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        char group[32] = "";
        size_t n;
        EVP_PKEY_get_group_name(pkey, group, sizeof(group), &n);
        k->type = strcmp(group, "prime256v1") == 0  ? CRYPTO_KEY_EC_P256
                  : strcmp(group, "secp384r1") == 0 ? CRYPTO_KEY_EC_P384
                                                    : CRYPTO_KEY_OTHER;
    } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        k->type = CRYPTO_KEY_ED25519;
    } else {
        k->type = CRYPTO_KEY_OTHER;
    }
    return k;
}

crypto_key_type crypto_key_kind(const crypto_key *k)
{
    return k ? k->type : CRYPTO_KEY_NONE;
}

int crypto_key_bits(const crypto_key *k)
{
    return k ? k->bits : 0;
}

crypto_key *crypto_key_ref(crypto_key *k)
{
    if (k)
        atomic_fetch_add(&k->refs, 1);
    return k;
}

void crypto_key_free(crypto_key *k)
{
    if (k == NULL || atomic_fetch_sub(&k->refs, 1) != 1)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

/* ---- signatures ---- */

typedef enum { SIG_KIND_PKCS1, SIG_KIND_PSS, SIG_KIND_ECDSA, SIG_KIND_EDDSA } sig_kind;

typedef struct scheme_info {
    uint16_t scheme;
    sig_kind kind;
    int hash;              /* crypto_hash_alg, or -1 for SHA-512, or -2 for none */
    crypto_key_type curve; /* ECDSA in TLS 1.3 terms */
} scheme_info;

static const scheme_info schemes[] = {
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

/* ---- RSA key transport ---- */

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
