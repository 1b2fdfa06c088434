/*
 * A cache of verified peer chains, per configuration (the trust store is per configuration).
 * A client that meets the same server chain again skips parsing the certificates and
 * X509_verify_cert: in OpenSSL 3.0 decoding each certificate's public key builds an
 * OSSL_DECODER context, which is most of a handshake's X.509 cost.
 *
 * Safety: only chains that verified against a trust store are stored; the key covers the exact
 * certificate_list, the peer's role and the name checked, so a chain verified for one name never
 * answers for another; a hit needs the current time inside the chain's validity window (the
 * latest notBefore to the earliest notAfter of the verified chain, anchor included) and the
 * entry younger than X509_VERIFY_CACHE_TTL.
 */
#ifndef PARLEY_X509_VERIFY_CACHE_H
#define PARLEY_X509_VERIFY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x509.h"

#define X509_VERIFY_CACHE_KEY_LEN 32  /* SHA-256, compared in full */
#define X509_VERIFY_CACHE_TTL     300 /* seconds an entry answers, whatever its certificates say */
#define X509_VERIFY_CACHE_MAX     4096

typedef struct x509_verify_cache x509_verify_cache;

/* A cache of up to entries chains (1 to X509_VERIFY_CACHE_MAX); NULL when out of memory. The
 * entries are allocated on the first store, so a configuration that never verifies pays
 * nothing. */
x509_verify_cache *x509_verify_cache_new(size_t entries);
void x509_verify_cache_free(x509_verify_cache *vc);

/* The key of a verification: SHA-256 over a version tag, the role, the name checked (host NULL
 * is distinct from every name) and each certificate length-prefixed. 0, or -1 on failure (then
 * the cache is not used). */
int x509_verify_cache_key(x509_peer_role role, const uint8_t *const *der, const size_t *der_len,
                          size_t count, const char *host, uint8_t key[X509_VERIFY_CACHE_KEY_LEN]);

/* On a hit, fills *peer as x509_verify_peer did (peer->key is a new reference the caller frees)
 * and returns true. The _at forms take the wall-clock time (for the validity window) and a
 * monotonic time in seconds (for the TTL), so tests can move the clock. */
bool x509_verify_cache_get(x509_verify_cache *vc, const uint8_t key[X509_VERIFY_CACHE_KEY_LEN],
                           x509_peer *peer);
bool x509_verify_cache_get_at(x509_verify_cache *vc, const uint8_t key[X509_VERIFY_CACHE_KEY_LEN],
                              int64_t now, uint64_t mono, x509_peer *peer);

/* Stores the result of a successful verification (peer->verified; anything else is ignored),
 * replacing the least recently used entry when full. */
void x509_verify_cache_put(x509_verify_cache *vc, const uint8_t key[X509_VERIFY_CACHE_KEY_LEN],
                           const x509_peer *peer);
void x509_verify_cache_put_at(x509_verify_cache *vc, const uint8_t key[X509_VERIFY_CACHE_KEY_LEN],
                              const x509_peer *peer, uint64_t mono);

/* The entries held (for tests). */
size_t x509_verify_cache_count(x509_verify_cache *vc);

#endif
