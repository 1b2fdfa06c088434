/*
 * TLS 1.3 records (RFC 8446 section 5): every record goes out as application_data with version
 * 0x0303; the real content type travels encrypted after the content, followed by optional zero
 * padding. The AEAD's additional data is the record header itself, and the nonce is the write
 * IV XORed with the sequence number, so nothing but the ciphertext and tag is sent.
 */
#include "record_internal.h"

#include <string.h>

size_t record_tls13_seal(record_state *s, uint8_t type, const uint8_t *in, size_t len, size_t pad,
                         uint8_t *out)
{
    uint8_t *body = out + RECORD_HEADER_LEN;
    size_t inner = len + 1 + pad;
    memcpy(body, in, len);
    body[len] = type;
    memset(body + len + 1, 0, pad);
    /* The header is the additional data, so it is written first. */
    record_header_write(out, CT_APPLICATION_DATA, RECORD_TLS13_VERSION, inner + CRYPTO_AEAD_TAG);
    uint8_t nonce[CRYPTO_AEAD_NONCE];
    record_nonce_xor(s->iv, s->seq, nonce);
    if (crypto_aead_seal(s->aead, nonce, out, RECORD_HEADER_LEN, body, inner, body) < 0) {
        crypto_wipe(body, inner);
        return 0;
    }
    return RECORD_HEADER_LEN + inner + CRYPTO_AEAD_TAG;
}

int record_tls13_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                      size_t *plain_len)
{
    /* ChangeCipherSpec, the one plaintext record TLS 1.3 allows mid-handshake, is the engine's
     * to handle before it gets here; anything else unprotected is out of place. */
    if (rec[0] != CT_APPLICATION_DATA)
        return RECORD_ALERT_UNEXPECTED_MESSAGE;
    size_t frag_len = rec_len - RECORD_HEADER_LEN;
    /* Both limits are on public lengths, so they are checked before any decryption work. */
    if (frag_len > RECORD_TLS13_MAX_FRAGMENT)
        return RECORD_ALERT_RECORD_OVERFLOW;
    if (frag_len < CRYPTO_AEAD_TAG)
        return RECORD_ALERT_BAD_RECORD_MAC;
    size_t inner = frag_len - CRYPTO_AEAD_TAG;
    if (inner > RECORD_MAX_PLAINTEXT + 1)
        return RECORD_ALERT_RECORD_OVERFLOW;
    uint8_t nonce[CRYPTO_AEAD_NONCE];
    record_nonce_xor(s->iv, s->seq, nonce);
    uint8_t *body = rec + RECORD_HEADER_LEN;
    if (crypto_aead_open(s->aead, nonce, rec, RECORD_HEADER_LEN, body, frag_len, body) < 0)
        return RECORD_ALERT_BAD_RECORD_MAC;
    /* The scan's time depends only on the padding length, which the sender chose; it reads
     * nothing but authenticated plaintext. */
    size_t n = inner;
    while (n > 0 && body[n - 1] == 0)
        n--;
    if (n == 0)
        return RECORD_ALERT_UNEXPECTED_MESSAGE; /* RFC 8446 5.4: no content type at all */
    rec[0] = body[n - 1];
    *plain = body;
    *plain_len = n - 1;
    return 0;
}
