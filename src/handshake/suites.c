#include "suites.h"

#include <string.h>

#include "parley.h"

#define AEAD_ROW(id_, name_, kex_, alg, key, iv, prf_)                                             \
    {                                                                                              \
        .id = id_, .name = name_, .kex = kex_, .protection = RECORD_AEAD, .aead = alg,             \
        .key_len = key, .fixed_iv_len = iv, .prf = prf_, .min_version = PARLEY_TLS1_2,             \
    }
#define CBC_ROW(id_, name_, kex_, alg, key, mac_, mac_len_, prf_, min)                             \
    {                                                                                              \
        .id = id_, .name = name_, .kex = kex_, .protection = RECORD_CBC, .cbc = alg, .mac = mac_,  \
        .mac_len = mac_len_, .key_len = key, .prf = prf_, .min_version = min,                      \
        .legacy = alg == CRYPTO_3DES_EDE_CBC,                                                      \
    }
#define RC4_ROW(id_, name_, kex_, mac_, mac_len_)                                                  \
    {                                                                                              \
        .id = id_, .name = name_, .kex = kex_, .protection = RECORD_STREAM,                        \
        .stream = CRYPTO_RC4_128, .mac = mac_, .mac_len = mac_len_, .key_len = 16,                 \
        .prf = CRYPTO_SHA256, .min_version = PARLEY_TLS1_0, .legacy = true,                        \
    }

#define TLS13_ROW(id_, name_, alg, key, prf_)                                                      \
    {                                                                                              \
        .id = id_, .name = name_, .kex = KEX_TLS13, .protection = RECORD_TLS13, .aead = alg,       \
        .key_len = key, .fixed_iv_len = 12, .prf = prf_, .min_version = PARLEY_TLS1_3,             \
    }

/* In default preference order: TLS 1.3 first, then forward secrecy, AEAD before CBC, ECDSA
 * before RSA. */
static const suite_info suites[] = {
    TLS13_ROW(0x1301, "TLS_AES_128_GCM_SHA256", CRYPTO_AES128_GCM, 16, CRYPTO_SHA256),
    TLS13_ROW(0x1302, "TLS_AES_256_GCM_SHA384", CRYPTO_AES256_GCM, 32, CRYPTO_SHA384),
    TLS13_ROW(0x1303, "TLS_CHACHA20_POLY1305_SHA256", CRYPTO_CHACHA20_POLY1305, 32, CRYPTO_SHA256),
    AEAD_ROW(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", KEX_ECDHE_ECDSA, CRYPTO_AES128_GCM,
             16, 4, CRYPTO_SHA256),
    AEAD_ROW(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", KEX_ECDHE_RSA, CRYPTO_AES128_GCM, 16,
             4, CRYPTO_SHA256),
    AEAD_ROW(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", KEX_ECDHE_ECDSA,
             CRYPTO_CHACHA20_POLY1305, 32, 12, CRYPTO_SHA256),
    AEAD_ROW(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", KEX_ECDHE_RSA,
             CRYPTO_CHACHA20_POLY1305, 32, 12, CRYPTO_SHA256),
    AEAD_ROW(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", KEX_ECDHE_ECDSA, CRYPTO_AES256_GCM,
             32, 4, CRYPTO_SHA384),
    AEAD_ROW(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", KEX_ECDHE_RSA, CRYPTO_AES256_GCM, 32,
             4, CRYPTO_SHA384),
    CBC_ROW(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", KEX_ECDHE_ECDSA, CRYPTO_AES128_CBC,
            16, CRYPTO_SHA256, 32, CRYPTO_SHA256, PARLEY_TLS1_2),
    CBC_ROW(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", KEX_ECDHE_RSA, CRYPTO_AES128_CBC, 16,
            CRYPTO_SHA256, 32, CRYPTO_SHA256, PARLEY_TLS1_2),
    CBC_ROW(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", KEX_ECDHE_ECDSA, CRYPTO_AES128_CBC, 16,
            CRYPTO_SHA1, 20, CRYPTO_SHA256, PARLEY_TLS1_0),
    CBC_ROW(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", KEX_ECDHE_RSA, CRYPTO_AES128_CBC, 16,
            CRYPTO_SHA1, 20, CRYPTO_SHA256, PARLEY_TLS1_0),
    CBC_ROW(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", KEX_ECDHE_ECDSA, CRYPTO_AES256_CBC, 32,
            CRYPTO_SHA1, 20, CRYPTO_SHA256, PARLEY_TLS1_0),
    CBC_ROW(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", KEX_ECDHE_RSA, CRYPTO_AES256_CBC, 32,
            CRYPTO_SHA1, 20, CRYPTO_SHA256, PARLEY_TLS1_0),
    AEAD_ROW(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", KEX_RSA, CRYPTO_AES128_GCM, 16, 4,
             CRYPTO_SHA256),
    AEAD_ROW(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", KEX_RSA, CRYPTO_AES256_GCM, 32, 4,
             CRYPTO_SHA384),
    CBC_ROW(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", KEX_RSA, CRYPTO_AES128_CBC, 16,
            CRYPTO_SHA256, 32, CRYPTO_SHA256, PARLEY_TLS1_2),
    CBC_ROW(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", KEX_RSA, CRYPTO_AES128_CBC, 16, CRYPTO_SHA1, 20,
            CRYPTO_SHA256, PARLEY_TLS1_0),
    CBC_ROW(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", KEX_RSA, CRYPTO_AES256_CBC, 32, CRYPTO_SHA1, 20,
            CRYPTO_SHA256, PARLEY_TLS1_0),
    /* Legacy (issue 5): for old peers, enabled only by name. RFC 7465 forbids RC4 and 3DES is a
     * 64-bit block cipher (Sweet32); they are here to talk to what cannot be upgraded. */
    CBC_ROW(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", KEX_RSA, CRYPTO_3DES_EDE_CBC, 24, CRYPTO_SHA1,
            20, CRYPTO_SHA256, PARLEY_TLS1_0),
    RC4_ROW(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", KEX_ECDHE_ECDSA, CRYPTO_SHA1, 20),
    RC4_ROW(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", KEX_ECDHE_RSA, CRYPTO_SHA1, 20),
    RC4_ROW(0x0005, "TLS_RSA_WITH_RC4_128_SHA", KEX_RSA, CRYPTO_SHA1, 20),
    RC4_ROW(0x0004, "TLS_RSA_WITH_RC4_128_MD5", KEX_RSA, CRYPTO_MD5, 16),
};

#define SUITE_COUNT (sizeof(suites) / sizeof(suites[0]))

const suite_info *suite_find(uint16_t id)
{
    for (size_t i = 0; i < SUITE_COUNT; i++)
        if (suites[i].id == id)
            return &suites[i];
    return NULL;
}

const suite_info *suite_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < SUITE_COUNT; i++)
        if (strlen(suites[i].name) == len && memcmp(suites[i].name, name, len) == 0)
            return &suites[i];
    return NULL;
}

size_t suite_defaults(uint16_t *ids, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < SUITE_COUNT && n < cap; i++)
        if (!suites[i].legacy)
            ids[n++] = suites[i].id;
    return n;
}

bool suite_allowed_at(const suite_info *s, uint16_t version)
{
    if (s->kex == KEX_TLS13)
        return version == PARLEY_TLS1_3;
    return version >= s->min_version && version <= PARLEY_TLS1_2;
}

crypto_hash_alg suite_prf_at(const suite_info *s, uint16_t version)
{
    return version < PARLEY_TLS1_2 ? CRYPTO_MD5_SHA1 : s->prf;
}

bool suite_fits_key(const suite_info *s, crypto_key_type key)
{
    if (s->kex == KEX_TLS13)
        return key != CRYPTO_KEY_NONE && key != CRYPTO_KEY_OTHER;
    return s->kex == KEX_ECDHE_ECDSA ? crypto_key_type_is_ec(key) : key == CRYPTO_KEY_RSA;
}

static const struct {
    const char *name;
    uint16_t id;
} group_names[] = {
    {"x25519", PARLEY_GROUP_X25519},        {"X25519", PARLEY_GROUP_X25519},
    {"secp256r1", PARLEY_GROUP_SECP256R1},  {"P-256", PARLEY_GROUP_SECP256R1},
    {"prime256v1", PARLEY_GROUP_SECP256R1}, {"secp384r1", PARLEY_GROUP_SECP384R1},
    {"P-384", PARLEY_GROUP_SECP384R1},
};

uint16_t group_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++)
        if (strlen(group_names[i].name) == len && memcmp(group_names[i].name, name, len) == 0)
            return group_names[i].id;
    return 0;
}

static const uint16_t sigalgs[] = {
    SIG_ECDSA_SECP256R1_SHA256, SIG_RSA_PSS_RSAE_SHA256, SIG_RSA_PKCS1_SHA256,
    SIG_ECDSA_SECP384R1_SHA384, SIG_RSA_PSS_RSAE_SHA384, SIG_RSA_PKCS1_SHA384,
    SIG_RSA_PSS_RSAE_SHA512,    SIG_RSA_PKCS1_SHA512,       SIG_ED25519,
};

size_t sigalg_defaults(uint16_t *schemes, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof(sigalgs) / sizeof(sigalgs[0]) && n < cap; i++)
        schemes[n++] = sigalgs[i];
    return n;
}

bool sigalg_allowed_tls13(uint16_t scheme)
{
    switch (scheme) {
    case SIG_ECDSA_SECP256R1_SHA256:
    case SIG_ECDSA_SECP384R1_SHA384:
    case SIG_ECDSA_SECP521R1_SHA512:
    case SIG_RSA_PSS_RSAE_SHA256:
    case SIG_RSA_PSS_RSAE_SHA384:
    case SIG_RSA_PSS_RSAE_SHA512:
    case SIG_ED25519:
        return true;
    }
    return false;
}

uint16_t sigalg_before_tls12(crypto_key_type key)
{
    if (key == CRYPTO_KEY_RSA)
        return SIG_RSA_PKCS1_MD5_SHA1;
    if (crypto_key_type_is_ec(key))
        return SIG_ECDSA_SHA1;
    return 0;
}
