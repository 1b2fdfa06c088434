/*
 * Certificates: our own chains (loaded and encoded once per configuration, never per handshake)
 * and verification of a peer's chain with libcrypto's X509_STORE.
 */
#ifndef PARLEY_X509_H
#define PARLEY_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../crypto/crypto.h"

#define X509_MAX_CHAIN 10 /* certificates accepted from a peer, and loaded for ourselves */
#define X509_NAME_MAX  256

/* TLS alert numbers the verifier returns. */
#define X509_ALERT_BAD_CERTIFICATE         42
#define X509_ALERT_UNSUPPORTED_CERTIFICATE 43
#define X509_ALERT_CERTIFICATE_EXPIRED     45
#define X509_ALERT_CERTIFICATE_UNKNOWN     46
#define X509_ALERT_UNKNOWN_CA              48
#define X509_ALERT_INTERNAL_ERROR          80

/* ---- our own chain -------------------------------------------------------------------------- */

/* A certificate chain with its private key, immutable once loaded. */
typedef struct x509_chain x509_chain;

/* Loads a PEM chain (leaf first) and a PEM private key, checks that the key matches the leaf.
 * On failure returns NULL and writes a sentence into err. */
x509_chain *x509_chain_load_file(const char *chain_file, const char *key_file, char *err,
                                 size_t err_len);
x509_chain *x509_chain_load_pem(const char *chain_pem, size_t chain_len, const char *key_pem,
                                size_t key_len, char *err, size_t err_len);
/* A PEM chain without its private key, for a key the application signs with itself (a hardware
 * token): x509_chain_key is then the leaf's public key, enough to choose a signature scheme. */
x509_chain *x509_chain_load_pem_public(const char *chain_pem, size_t chain_len, char *err,
                                       size_t err_len);
void x509_chain_free(x509_chain *c);

size_t x509_chain_count(const x509_chain *c);
/* DER of certificate i (0 = leaf). */
const uint8_t *x509_chain_der(const x509_chain *c, size_t i, size_t *len);
/* The private key (owned by the chain); the public key for x509_chain_load_pem_public. */
crypto_key *x509_chain_key(const x509_chain *c);
/* The leaf's subject as one line (RFC 2253 order), e.g. "CN=localhost,O=parley". */
const char *x509_chain_subject(const x509_chain *c);
/* Whether any certificate of the chain was issued by one of names, a DistinguishedName list as
 * in CertificateRequest (each a u16 length and the DER name). An empty list accepts any chain. */
bool x509_chain_issued_by(const x509_chain *c, const uint8_t *names, size_t names_len);

/* The subjects of the certificates in a PEM file, as CertificateRequest's DistinguishedName
 * list (each a u16 length and the DER name), in *out (malloc'd) and *out_len. 0, or -1 with a
 * sentence in err. */
int x509_ca_names_load(const char *ca_file, uint8_t **out, size_t *out_len, char *err,
                       size_t err_len);

/* ---- trust and peer verification ----------------------------------------------------------- */

typedef struct x509_trust x509_trust;

/* The role the peer plays, which its certificate must permit (key usage and extended key usage:
 * TLS server authentication, or TLS client authentication). */
typedef enum x509_peer_role { X509_PEER_SERVER = 0, X509_PEER_CLIENT } x509_peer_role;

/* Trust anchors from a PEM file and/or a hashed directory; both NULL means the system store.
 * On failure returns NULL and writes a sentence into err. */
x509_trust *x509_trust_new(const char *ca_file, const char *ca_dir, char *err, size_t err_len);
void x509_trust_free(x509_trust *t);

/* What we learned about the peer. */
typedef struct x509_peer {
    crypto_key *key; /* the leaf's public key; the caller frees it with crypto_key_free */
    char subject[X509_NAME_MAX];
    char issuer[X509_NAME_MAX];
    crypto_key_type key_type;
    int key_bits;
    char key_name[32]; /* "RSA-2048", "EC-P256", ... */
    /* Set only when the chain was verified against a trust store: the window in which every
     * certificate of the verified chain (anchor included) is valid, in seconds since the epoch
     * (the latest notBefore, the earliest notAfter), so a cached verification keeps honouring
     * expiry. */
    bool verified;
    int64_t not_before, not_after;
} x509_peer;

/* Parses the peer's chain (DER, leaf first) and, when trust is non-NULL, verifies it: chain to
 * an anchor in trust, validity dates at the current time, usage permitted for the peer's role
 * (unsupported_certificate otherwise), and - when host is non-NULL - the
 * host name against the leaf's DNS SANs (wildcards in the left-most label only) or, for an IP
 * literal, its IP SANs (CN only when there are no SANs). With trust NULL only the leaf is parsed
 * (verification explicitly turned off).
 *
 * Returns 0 and fills *peer on success. Otherwise returns the TLS alert to send
 * (X509_ALERT_*) and writes a sentence into err that says what did not match, e.g.
 * "certificate for www.example.com does not match requested name api.example.com",
 * "certificate expired on 2020-01-01 00:00:00 UTC (CN=old)",
 * "certificate issuer CN=Evil CA is not trusted". */
int x509_verify_peer(const x509_trust *trust, x509_peer_role role, const uint8_t *const *der,
                     const size_t *der_len, size_t count, const char *host, x509_peer *peer,
                     char *err, size_t err_len);

#endif
