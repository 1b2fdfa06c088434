/*
 * The crypto boundary: everything parley needs from libcrypto, behind a narrow interface. Only
 * files under src/crypto/ (and src/x509/, for chain verification) include OpenSSL headers.
 *
 * Algorithms are fetched once per process (crypto_init, idempotent and thread-safe) and every
 * context below is created once and reused: keyed HMAC and cipher states are set up when keys
 * are installed, and per record only the nonce or IV changes. Functions return 0 on success and
 * -1 on failure unless they say otherwise.
 */
#ifndef PARLEY_CRYPTO_H
#define PARLEY_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fetches every algorithm parley uses. Called by parley_config_new; safe to call again. */
int crypto_init(void);

/* ---- hashes ---------------------------------------------------------------------------- */

typedef enum crypto_hash_alg {
    CRYPTO_MD5 = 0,
    CRYPTO_SHA1,
    CRYPTO_SHA256,
    CRYPTO_SHA384,
    /* MD5 and SHA-1 of the same input, concatenated (36 bytes): the TLS 1.0/1.1 handshake hash,
     * their RSA signature digest, and, as a PRF selector, their PRF. */
    CRYPTO_MD5_SHA1,
    CRYPTO_HASH_COUNT
} crypto_hash_alg;

#define CRYPTO_MAX_HASH 48 /* SHA-384 */

size_t crypto_hash_size(crypto_hash_alg alg);
/* Internal block size (64 for MD5/SHA-1/SHA-256 and MD5+SHA-1, 128 for SHA-384). */
size_t crypto_hash_block_size(crypto_hash_alg alg);
/* One-shot digest. */
int crypto_digest(crypto_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out);
/* The digest of no bytes (crypto_hash_size(alg) bytes, computed once per process), or NULL if
 * alg is not available as a single hash (MD5+SHA-1, MD5 under FIPS). */
const uint8_t *crypto_empty_hash(crypto_hash_alg alg);

/* An incremental hash, e.g. the handshake transcript. */
typedef struct crypto_hash crypto_hash;
crypto_hash *crypto_hash_new(crypto_hash_alg alg);
int crypto_hash_update(crypto_hash *h, const uint8_t *data, size_t len);
/* The digest of everything so far; the hash keeps going (for Finished and CertificateVerify). */
int crypto_hash_peek(const crypto_hash *h, uint8_t *out);
void crypto_hash_free(crypto_hash *h);

/* ---- HMAC and the TLS PRF ---------------------------------------------------------------- */

/* A keyed HMAC state: the key is set once, each crypto_hmac_begin restarts from it. */
typedef struct crypto_hmac crypto_hmac;
crypto_hmac *crypto_hmac_new(crypto_hash_alg alg, const uint8_t *key, size_t key_len);
/* The same with a key of crypto_hash_size(alg) zero bytes (HKDF-Extract's salt when there is
 * none), copied from a per-process keyed state: no key setup. */
crypto_hmac *crypto_hmac_new_zero_key(crypto_hash_alg alg);
/* A new key for the same state, as crypto_hmac_free and crypto_hmac_new would give without
 * making a new context: the previous key's state is overwritten. A chain of secrets each keying
 * the next (the TLS 1.3 key schedule) keys one state again and again. */
int crypto_hmac_rekey(crypto_hmac *m, const uint8_t *key, size_t key_len);
int crypto_hmac_begin(crypto_hmac *m);
int crypto_hmac_update(crypto_hmac *m, const uint8_t *data, size_t len);
int crypto_hmac_final(crypto_hmac *m, uint8_t *out); /* crypto_hash_size(alg) bytes */
/* begin, update, final: the MAC of one message under the key already set. */
int crypto_hmac_mac(crypto_hmac *m, const uint8_t *data, size_t len, uint8_t *out);
size_t crypto_hmac_size(const crypto_hmac *m); /* the output length */
void crypto_hmac_free(crypto_hmac *m);
/* One-shot HMAC. */
int crypto_hmac_oneshot(crypto_hash_alg alg, const uint8_t *key, size_t key_len,
                        const uint8_t *data, size_t len, uint8_t *out);

/* The TLS PRF: out = PRF(secret, label, seed1 + seed2); seed2 may be NULL. alg is the TLS 1.2
 * PRF hash (RFC 5246 section 5: P_SHA256 or P_SHA384), or CRYPTO_MD5_SHA1 for the TLS 1.0/1.1
 * PRF (RFC 2246 section 5: P_MD5 over the first half of the secret XOR P_SHA1 over the second). */
int crypto_prf(crypto_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
               const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
               uint8_t *out, size_t out_len);
/* The same PRF keyed once with a secret, for several outputs (the master secret gives the key
 * block and both Finished values): crypto_prf_keyed(k, ...) equals crypto_prf(alg, secret, ...). */
typedef struct crypto_prf_key crypto_prf_key;
crypto_prf_key *crypto_prf_key_new(crypto_hash_alg alg, const uint8_t *secret, size_t secret_len);
int crypto_prf_keyed(crypto_prf_key *k, const char *label, const uint8_t *seed1, size_t seed1_len,
                     const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len);
void crypto_prf_key_free(crypto_prf_key *k); /* the HMAC contexts cleanse the key */

/* ---- HKDF (RFC 5869), for the TLS 1.3 key schedule ---------------------------------------- */

/* HKDF-Extract: prk (crypto_hash_size(alg) bytes) = HMAC(salt, ikm). A NULL or empty salt is
 * HashLen zero bytes, as RFC 5869 2.2 says. */
int crypto_hkdf_extract(crypto_hash_alg alg, const uint8_t *salt, size_t salt_len,
                        const uint8_t *ikm, size_t ikm_len, uint8_t *prk);
/* HKDF-Expand: out_len (at most 255 * HashLen) bytes from prk and info. */
int crypto_hkdf_expand(crypto_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                       size_t info_len, uint8_t *out, size_t out_len);
/* HKDF-Expand from an HMAC state keyed with the PRK (crypto_hmac_new(alg, prk, prk_len)), so a
 * secret expanded several times (traffic key and IV, both traffic secrets) is keyed once. */
int crypto_hkdf_expand_keyed(crypto_hmac *prk, const uint8_t *info, size_t info_len, uint8_t *out,
                             size_t out_len);

/* ---- record ciphers ------------------------------------------------------------------------ */

typedef enum crypto_aead_alg {
    CRYPTO_AES128_GCM = 0,
    CRYPTO_AES256_GCM,
    CRYPTO_CHACHA20_POLY1305,
} crypto_aead_alg;

#define CRYPTO_AEAD_TAG   16
#define CRYPTO_AEAD_NONCE 12

size_t crypto_aead_key_size(crypto_aead_alg alg);
/* A keyed AEAD context for one direction (encrypt != 0 to seal, 0 to open). */
typedef struct crypto_aead crypto_aead;
crypto_aead *crypto_aead_new(crypto_aead_alg alg, int encrypt, const uint8_t *key);
/* out receives len bytes of ciphertext followed by the 16-byte tag. in and out may be equal. */
int crypto_aead_seal(crypto_aead *a, const uint8_t nonce[CRYPTO_AEAD_NONCE], const uint8_t *aad,
                     size_t aad_len, const uint8_t *in, size_t len, uint8_t *out);
/* in is ciphertext followed by the tag (len includes the tag); out receives len - 16 bytes.
 * Returns -1 if the tag does not verify. in and out may be equal. */
int crypto_aead_open(crypto_aead *a, const uint8_t nonce[CRYPTO_AEAD_NONCE], const uint8_t *aad,
                     size_t aad_len, const uint8_t *in, size_t len, uint8_t *out);
void crypto_aead_free(crypto_aead *a);

typedef enum crypto_cbc_alg {
    CRYPTO_AES128_CBC = 0,
    CRYPTO_AES256_CBC,
    CRYPTO_3DES_EDE_CBC, /* legacy: 8-byte blocks, 24-byte key */
} crypto_cbc_alg;

#define CRYPTO_CBC_BLOCK 16 /* the largest block size (AES) */

size_t crypto_cbc_key_size(crypto_cbc_alg alg);
size_t crypto_cbc_block_size(crypto_cbc_alg alg);
/* A keyed raw CBC context (no padding: the record layer pads) for one direction. */
typedef struct crypto_cbc crypto_cbc;
crypto_cbc *crypto_cbc_new(crypto_cbc_alg alg, int encrypt, const uint8_t *key);
/* len is a multiple of the block size; iv is one block; in and out may be equal. */
int crypto_cbc_run(crypto_cbc *c, const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out);
void crypto_cbc_free(crypto_cbc *c);

/* Stream ciphers: RC4, for the legacy suites only. OpenSSL 3 keeps RC4 in its legacy provider,
 * which parley loads into a library-private OSSL_LIB_CTX on first use, so the application's own
 * libcrypto state (its default context and providers) is untouched. */
typedef enum crypto_stream_alg {
    CRYPTO_RC4_128 = 0,
} crypto_stream_alg;

/* Whether the cipher can be used; when not, *why (if given) says why in a sentence. */
bool crypto_stream_available(crypto_stream_alg alg, const char **why);
size_t crypto_stream_key_size(crypto_stream_alg alg);
/* A keyed stream cipher for one direction; the keystream continues across calls. */
typedef struct crypto_stream crypto_stream;
crypto_stream *crypto_stream_new(crypto_stream_alg alg, int encrypt, const uint8_t *key);
/* in and out may be equal. */
int crypto_stream_run(crypto_stream *s, const uint8_t *in, size_t len, uint8_t *out);
void crypto_stream_free(crypto_stream *s);

/* ---- ephemeral key exchange (X25519, P-256, P-384; group ids as in parley.h) --------------- */

#define CRYPTO_MAX_KEX_PUBLIC 97 /* uncompressed P-384 point */
#define CRYPTO_MAX_KEX_SECRET 48

bool crypto_group_supported(uint16_t group);
/* A fresh key pair on the group. */
typedef struct crypto_kex crypto_kex;
crypto_kex *crypto_kex_new(uint16_t group);
/* A key pair from a given X25519 private key (known-answer tests, or 32 random bytes the caller
 * drew with its other random values and uses for nothing else); NULL for other groups. */
crypto_kex *crypto_kex_new_from_private(uint16_t group, const uint8_t *priv, size_t len);
/* How many random bytes make a private key on group for crypto_kex_new_from_private: 32 for
 * X25519, 0 for the NIST curves, whose keys only crypto_kex_new makes. */
size_t crypto_kex_private_len(uint16_t group);
/* Our public value as sent on the wire (32 bytes for X25519, an uncompressed point for NIST
 * curves); returns its length, 0 if cap is too small. */
size_t crypto_kex_public(const crypto_kex *k, uint8_t *out, size_t cap);
/* The shared secret with the peer's public value (the x coordinate for NIST curves). The peer
 * value is validated (length, on the curve, not the identity; X25519: not all-zero output).
 * Returns -1 for an invalid peer value. */
int crypto_kex_derive(crypto_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                      size_t *secret_len);
void crypto_kex_free(crypto_kex *k);

/* ---- keys and signatures ------------------------------------------------------------------ */

typedef enum crypto_key_type {
    CRYPTO_KEY_NONE = 0,
    CRYPTO_KEY_RSA,
    CRYPTO_KEY_EC_P256,
    CRYPTO_KEY_EC_P384,
    CRYPTO_KEY_ED25519,
    CRYPTO_KEY_OTHER,
} crypto_key_type;

/* The EC key types TLS 1.0-1.2 sign with (ECDSA on the NIST curves). */
static inline bool crypto_key_type_is_ec(crypto_key_type t)
{
    return t == CRYPTO_KEY_EC_P256 || t == CRYPTO_KEY_EC_P384;
}

/* A public or private key (wraps EVP_PKEY; created by src/x509/). Reference counted. */
typedef struct crypto_key crypto_key;
crypto_key_type crypto_key_kind(const crypto_key *k);
int crypto_key_bits(const crypto_key *k);
crypto_key *crypto_key_ref(crypto_key *k);
void crypto_key_free(crypto_key *k);

/* TLS SignatureScheme code points (RFC 8446 4.2.3). */
#define SIG_RSA_PKCS1_SHA1         0x0201
#define SIG_ECDSA_SHA1             0x0203
#define SIG_RSA_PKCS1_SHA256       0x0401
#define SIG_RSA_PKCS1_SHA384       0x0501
#define SIG_RSA_PKCS1_SHA512       0x0601
#define SIG_ECDSA_SECP256R1_SHA256 0x0403
#define SIG_ECDSA_SECP384R1_SHA384 0x0503
#define SIG_ECDSA_SECP521R1_SHA512 0x0603
#define SIG_RSA_PSS_RSAE_SHA256    0x0804
#define SIG_RSA_PSS_RSAE_SHA384    0x0805
#define SIG_RSA_PSS_RSAE_SHA512    0x0806
#define SIG_ED25519                0x0807
/* TLS 1.0/1.1 RSA signatures (RFC 2246 7.4.3): PKCS#1 v1.5 over MD5 || SHA-1 with no DigestInfo.
 * Not a SignatureScheme: parley's own value, never sent on the wire. (ECDSA in TLS 1.0/1.1 signs
 * SHA-1, which is SIG_ECDSA_SHA1.) */
#define SIG_RSA_PKCS1_MD5_SHA1 0xff01

#define CRYPTO_MAX_SIGNATURE 1024 /* RSA-8192 */

/* Whether scheme can be used with key k (key type, and curve for ECDSA in TLS 1.3 terms; in TLS
 * 1.2 an ECDSA scheme's hash is independent of the curve, so ecdsa_secp256r1_sha256 fits any EC
 * key: pass tls12 = true for that rule). */
bool crypto_scheme_fits_key(const crypto_key *k, uint16_t scheme, bool tls12);
/* Signs data (hashed inside with the scheme's hash; PSS uses salt length = hash length).
 * *sig_len is the capacity on entry and the signature length on return. */
int crypto_sign(crypto_key *priv, uint16_t scheme, const uint8_t *data, size_t len, uint8_t *sig,
                size_t *sig_len);
/* Returns 0 if sig is a valid signature of data under scheme, -1 otherwise. */
int crypto_verify(crypto_key *pub, uint16_t scheme, const uint8_t *data, size_t len,
                  const uint8_t *sig, size_t sig_len);

/* ---- RSA key transport (TLS 1.0-1.2 RSA key exchange) ------------------------------------- */

/* PKCS#1 v1.5 encryption of the 48-byte pre-master secret to the server's key.
 * *out_len is the capacity on entry and the length on return. */
int crypto_rsa_encrypt(crypto_key *pub, const uint8_t *in, size_t len, uint8_t *out,
                       size_t *out_len);
/* RFC 5246 7.4.7.1: decrypts the encrypted pre-master secret; on any failure (padding, length,
 * version bytes not equal to client_version) it yields a random 48-byte value instead, with no
 * branch, error or timing difference the peer can observe. Returns -1 only when the key itself
 * is unusable (not RSA), never for anything the peer sent. */
int crypto_rsa_decrypt_pms(crypto_key *priv, const uint8_t *in, size_t len, uint16_t client_version,
                           uint8_t pms[48]);

/* ---- utilities ------------------------------------------------------------------------------ */

/* Cryptographically secure random bytes. */
int crypto_random(void *out, size_t len);
/* Constant-time equality: 1 if equal, 0 if not. */
int crypto_memeq(const void *a, const void *b, size_t len);
/* Wipes memory the compiler may not optimise away. */
void crypto_wipe(void *p, size_t len);

#endif
