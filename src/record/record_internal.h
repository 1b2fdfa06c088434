/*
 * Pieces shared by the record protection files: the wire header, the 13 bytes every MAC and AEAD
 * tag covers, and the per-protection seal and open functions that record.c dispatches to.
 */
#ifndef PARLEY_RECORD_INTERNAL_H
#define PARLEY_RECORD_INTERNAL_H

#include "record.h"

/* seq_num(8) + type(1) + version(2) + length(2), RFC 5246 6.2.3.1 and 6.2.3.3. */
#define RECORD_AAD_LEN 13
/* The one version whose CBC records chain their IVs. */
#define RECORD_VERSION_TLS1_0 0x0301

void record_header_write(uint8_t out[RECORD_HEADER_LEN], uint8_t type, uint16_t version,
                         size_t len);
void record_aad_write(uint8_t aad[RECORD_AAD_LEN], uint64_t seq, uint8_t type, uint16_t version,
                      size_t len);

/* Seal: header and fragment into out, returns the record length or 0. The caller has checked
 * len and the sequence number. */
size_t record_aead_seal(record_state *s, uint8_t type, uint16_t version, const uint8_t *in,
                        size_t len, uint8_t *out);
size_t record_cbc_seal(record_state *s, uint8_t type, uint16_t version, const uint8_t *in,
                       size_t len, uint8_t *out);
size_t record_stream_seal(record_state *s, uint8_t type, uint16_t version, const uint8_t *in,
                          size_t len, uint8_t *out);
/* TLS 1.3: pad zero bytes follow the content type; the caller has checked len + pad. */
size_t record_tls13_seal(record_state *s, uint8_t type, const uint8_t *in, size_t len, size_t pad,
                         uint8_t *out);

/* Open in place: 0 or the alert. rec_len >= RECORD_HEADER_LEN. */
int record_aead_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                     size_t *plain_len);
int record_cbc_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                    size_t *plain_len);
int record_stream_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                       size_t *plain_len);
int record_tls13_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                      size_t *plain_len);

/* The per-record nonce of RFC 7905 and RFC 8446 5.3: the 12-byte IV with the 64-bit sequence
 * number XORed into its last 8 bytes. */
static inline void record_nonce_xor(const uint8_t iv[CRYPTO_AEAD_NONCE], uint64_t seq,
                                    uint8_t nonce[CRYPTO_AEAD_NONCE])
{
    for (int i = 0; i < 4; i++)
        nonce[i] = iv[i];
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = (uint8_t)(iv[4 + i] ^ (uint8_t)(seq >> (56 - 8 * i)));
}

/* The MAC of MAC-then-encrypt records (CBC and stream): HMAC over seq, type, version, length and
 * the content, into out (s->mac_len bytes). */
int record_mac(record_state *s, uint8_t type, uint16_t version, const uint8_t *content, size_t len,
               uint8_t *out);

/* CBC open: the dummy bytes to hash after a MAC over content_len bytes of a len-byte decrypted
 * body so that the compression calls add up to those of the longest possible content. Exposed
 * for the unit test, which checks that sum for every padding length. */
size_t record_cbc_dummy_len(crypto_hash_alg alg, size_t len, size_t mac_len, size_t content_len);

#endif
