/*
 * The cipher suites, groups and signature schemes parley speaks, as tables: everything the
 * handshake needs to know about a suite is one row.
 */
#ifndef PARLEY_SUITES_H
#define PARLEY_SUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../crypto/crypto.h"
#include "../record/record.h"

typedef enum suite_kex {
    KEX_RSA = 0,     /* RSA key transport, RSA certificate */
    KEX_ECDHE_RSA,   /* ephemeral ECDH signed with an RSA certificate */
    KEX_ECDHE_ECDSA, /* ephemeral ECDH signed with an ECDSA certificate */
    KEX_TLS13,       /* TLS 1.3: the suite names only the AEAD and hash (RFC 8446 B.4) */
} suite_kex;

typedef struct suite_info {
    uint16_t id;
    const char *name; /* IANA */
    suite_kex kex;
    record_protection protection;
    crypto_aead_alg aead;
    crypto_cbc_alg cbc;
    crypto_stream_alg stream;
    crypto_hash_alg mac; /* CBC and stream suites */
    size_t mac_len;      /* CBC and stream suites: HMAC output = MAC key length; AEAD: 0 */
    size_t key_len;
    size_t fixed_iv_len; /* GCM: 4, ChaCha20: 12, others 0 (TLS 1.0 CBC IVs: see keys.c) */
    crypto_hash_alg prf; /* TLS 1.2 PRF hash (TLS 1.0/1.1 always use MD5+SHA-1) */
    uint16_t min_version;
    bool legacy; /* RC4 and 3DES: never enabled by default, only when named */
} suite_info;

#define SUITE_MAX 32 /* enabled suites in a configuration */

/* The row for a suite id, or NULL if parley does not implement it. */
const suite_info *suite_find(uint16_t id);
/* The row for an IANA name, or NULL. */
const suite_info *suite_by_name(const char *name, size_t len);
/* The default suite order (no legacy suites); returns the count. */
size_t suite_defaults(uint16_t *ids, size_t cap);
/* Whether the suite can be used at this protocol version: TLS 1.3 suites only at TLS 1.3, the
 * others only below it. */
bool suite_allowed_at(const suite_info *s, uint16_t version);
/* The PRF (and handshake hash) of a suite at a version: MD5+SHA-1 before TLS 1.2. */
crypto_hash_alg suite_prf_at(const suite_info *s, uint16_t version);
/* Whether a certificate with this key type can serve the suite (ECDSA suites: an EC key;
 * the others: RSA). */
bool suite_fits_key(const suite_info *s, crypto_key_type key);

/* Group name ("x25519", "secp256r1"; "P-256", "P-384" also accepted) to id, 0 if unknown. */
uint16_t group_by_name(const char *name, size_t len);

/* Signature schemes parley offers and accepts, in preference order. */
size_t sigalg_defaults(uint16_t *schemes, size_t cap);
/* Whether a scheme may sign a TLS 1.3 handshake (RFC 8446 4.2.3: RSA only with PSS, no SHA-1). */
bool sigalg_allowed_tls13(uint16_t scheme);
/* The one signature TLS 1.0 and 1.1 allow for a key (RFC 4346 7.4.3): MD5+SHA-1 for RSA, SHA-1
 * for ECDSA; 0 for other keys. */
uint16_t sigalg_before_tls12(crypto_key_type key);

#endif
