/*
 * Record protection, one direction at a time: sealing plaintext fragments into wire records and
 * opening wire records back into plaintext, with the sequence number each direction keeps.
 * Framing (finding record boundaries in a byte stream) and content-type dispatch live in the
 * engine; this module only transforms one whole record.
 */
#ifndef PARLEY_RECORD_H
#define PARLEY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../crypto/crypto.h"

#define RECORD_HEADER_LEN    5
#define RECORD_MAX_PLAINTEXT 16384
/* TLSCiphertext.length may exceed the plaintext limit by at most 2048 (RFC 5246 6.2.3). */
#define RECORD_MAX_FRAGMENT (RECORD_MAX_PLAINTEXT + 2048)

/* Content types. */
#define CT_CHANGE_CIPHER_SPEC 20
#define CT_ALERT              21
#define CT_HANDSHAKE          22
#define CT_APPLICATION_DATA   23

/* TLS 1.3 (RFC 8446 5.2): TLSCiphertext.length may exceed the plaintext limit by at most 256. */
#define RECORD_TLS13_MAX_FRAGMENT (RECORD_MAX_PLAINTEXT + 256)
/* The legacy_record_version every protected TLS 1.3 record carries. */
#define RECORD_TLS13_VERSION 0x0303

/* Alerts this module returns. */
#define RECORD_ALERT_UNEXPECTED_MESSAGE 10
#define RECORD_ALERT_BAD_RECORD_MAC     20
#define RECORD_ALERT_RECORD_OVERFLOW    22
#define RECORD_ALERT_DECODE_ERROR       50
#define RECORD_ALERT_INTERNAL_ERROR     80

typedef enum record_protection {
    RECORD_PLAIN = 0, /* before the first ChangeCipherSpec */
    RECORD_AEAD,      /* AES-GCM (8-byte explicit nonce) or ChaCha20-Poly1305 (RFC 7905) */
    RECORD_CBC,       /* MAC-then-encrypt; explicit IV per record in TLS 1.1+, chained in 1.0 */
    RECORD_STREAM,    /* MAC-then-encrypt with RC4 (legacy) */
    RECORD_TLS13,     /* TLS 1.3 AEAD: nonce = IV XOR sequence number, content type inside */
} record_protection;

/* Key material for one direction, cut from the key block by the handshake. */
typedef struct record_keys {
    record_protection kind;
    crypto_aead_alg aead;     /* RECORD_AEAD and RECORD_TLS13 */
    crypto_cbc_alg cbc;       /* RECORD_CBC */
    crypto_stream_alg stream; /* RECORD_STREAM */
    crypto_hash_alg mac;      /* RECORD_CBC and RECORD_STREAM: HMAC hash */
    uint16_t version;         /* negotiated protocol version */
    uint8_t key[32];
    size_t key_len;
    uint8_t mac_key[48];
    size_t mac_key_len;
    /* GCM: 4-byte implicit salt; ChaCha20: 12-byte nonce mask; TLS 1.3: the 12-byte write IV;
     * CBC in TLS 1.0: the first IV (one block, from the key block; later IVs chain); CBC in TLS
     * 1.1+ and streams: none. */
    uint8_t iv[16];
    size_t iv_len;
} record_keys;

/* Protection state of one direction. Zero-initialised means RECORD_PLAIN. */
typedef struct record_state {
    record_protection kind;
    uint16_t version;
    crypto_aead *aead;
    bool explicit_nonce; /* AES-GCM in TLS 1.2 carries 8 nonce bytes in each record */
    crypto_cbc *cbc;
    size_t block;    /* CBC block size: 16 (AES) or 8 (3DES) */
    bool chained_iv; /* CBC in TLS 1.0: each record's IV is the last ciphertext block before it */
    crypto_stream *stream;
    crypto_hmac *mac;
    crypto_hash_alg mac_alg;
    size_t mac_len;
    uint8_t iv[16];
    size_t iv_len;
    uint64_t seq;
} record_state;

/* Switches the direction to the given keys (after ChangeCipherSpec): creates the keyed cipher
 * and MAC contexts once and resets the sequence number to 0. The previous state is cleared. */
int record_state_install(record_state *s, const record_keys *k, int encrypt);
/* Frees contexts and wipes key material; leaves a RECORD_PLAIN state. */
void record_state_clear(record_state *s);
/* The most bytes protection adds to a fragment (explicit nonce/IV, MAC, padding, tag). */
size_t record_expansion(const record_state *s);
/* Whether application data should go out as a 1-byte record before the rest (the 1/n-1 split):
 * true for CBC with chained IVs (TLS 1.0), where it keeps the IV of the record carrying the
 * caller's data unpredictable to an attacker who chose earlier plaintext (BEAST). */
bool record_split_first_byte(const record_state *s);

/* Writes one record: the 5-byte header (type, version, length) and the protected fragment of
 * in[0..len), len <= RECORD_MAX_PLAINTEXT, into out, which has room for
 * RECORD_HEADER_LEN + len + record_expansion(s) bytes and does not overlap in. Returns the
 * number of bytes written, or 0 on failure (including sequence number exhaustion).
 * RECORD_TLS13 hides type inside the protection: the header says application_data and
 * RECORD_TLS13_VERSION whatever type and version are passed. */
size_t record_seal(record_state *s, uint8_t type, uint16_t version, const uint8_t *in, size_t len,
                   uint8_t *out);
/* record_seal for RECORD_TLS13 with pad zero bytes after the content type (RFC 8446 5.4), to
 * hide the content's length; len + pad <= RECORD_MAX_PLAINTEXT, and out has room for pad more
 * bytes. Returns 0 for any other protection. */
size_t record_seal_padded(record_state *s, uint8_t type, const uint8_t *in, size_t len, size_t pad,
                          uint8_t *out);

/* Opens one record in place. rec holds its 5-byte header followed by the fragment, rec_len bytes
 * in all (the engine has checked the header's length field against rec_len). On success sets
 * *plain to the plaintext inside rec and *plain_len to its length, and returns 0. Otherwise
 * returns the alert to send: RECORD_ALERT_BAD_RECORD_MAC for every authentication, padding or
 * too-short failure alike (CBC padding and MAC are checked in constant time, with no difference
 * the peer can observe between them), RECORD_ALERT_RECORD_OVERFLOW for a fragment or a
 * plaintext over its limit.
 * RECORD_TLS13: the real content type is the last non-zero byte of the decrypted fragment; it
 * is written over rec[0], so the caller reads the type after opening. A record whose header
 * type is not application_data, or whose decrypted fragment is all zeros (no type), gets
 * RECORD_ALERT_UNEXPECTED_MESSAGE; a fragment over RECORD_TLS13_MAX_FRAGMENT or a decrypted
 * TLSInnerPlaintext over RECORD_MAX_PLAINTEXT + 1 bytes gets RECORD_ALERT_RECORD_OVERFLOW. */
int record_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain, size_t *plain_len);

#endif
