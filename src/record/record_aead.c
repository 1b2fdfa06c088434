/*
 * AEAD records (TLS 1.2): AES-GCM with a 4-byte implicit salt and an 8-byte explicit nonce per
 * record (RFC 5288 section 3), ChaCha20-Poly1305 with the sequence number masked into the fixed
 * 12-byte IV and nothing sent (RFC 7905 section 2).
 */
#include "record_internal.h"

#include <string.h>

#define GCM_SALT_LEN     4
#define GCM_EXPLICIT_LEN 8

static size_t explicit_len(const record_state *s)
{
    return s->explicit_nonce ? GCM_EXPLICIT_LEN : 0;
}

/* The 12-byte nonce for sequence number seq; explicit is the 8 bytes a GCM record carries. */
static void nonce_build(const record_state *s, uint64_t seq, const uint8_t *explicit,
                        uint8_t nonce[CRYPTO_AEAD_NONCE])
{
    if (s->explicit_nonce) {
        memcpy(nonce, s->iv, GCM_SALT_LEN);
        memcpy(nonce + GCM_SALT_LEN, explicit, GCM_EXPLICIT_LEN);
        return;
    }
    record_nonce_xor(s->iv, seq, nonce);
}

size_t record_aead_seal(record_state *s, uint8_t type, uint16_t version, const uint8_t *in,
                        size_t len, uint8_t *out)
{
    uint8_t *frag = out + RECORD_HEADER_LEN;
    uint8_t aad[RECORD_AAD_LEN], nonce[CRYPTO_AEAD_NONCE];
    record_aad_write(aad, s->seq, type, version, len);
    /* The sequence number never repeats under one key, so it is a safe explicit nonce (RFC 5288
     * section 3 allows it) and costs no random bytes. aad starts with it, big-endian. */
    if (s->explicit_nonce)
        memcpy(frag, aad, GCM_EXPLICIT_LEN);
    nonce_build(s, s->seq, frag, nonce);
    size_t skip = explicit_len(s);
    if (crypto_aead_seal(s->aead, nonce, aad, RECORD_AAD_LEN, in, len, frag + skip) < 0)
        return 0;
    size_t frag_len = skip + len + CRYPTO_AEAD_TAG;
    record_header_write(out, type, version, frag_len);
    return RECORD_HEADER_LEN + frag_len;
}

int record_aead_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                     size_t *plain_len)
{
    uint8_t *frag = rec + RECORD_HEADER_LEN;
    size_t frag_len = rec_len - RECORD_HEADER_LEN, skip = explicit_len(s);
    if (frag_len < skip + CRYPTO_AEAD_TAG)
        return RECORD_ALERT_BAD_RECORD_MAC;
    size_t len = frag_len - skip - CRYPTO_AEAD_TAG;
    /* The length is public (it is in the header), so an over-long plaintext can be refused
     * before any decryption work. */
    if (len > RECORD_MAX_PLAINTEXT)
        return RECORD_ALERT_RECORD_OVERFLOW;
    uint8_t aad[RECORD_AAD_LEN], nonce[CRYPTO_AEAD_NONCE];
    record_aad_write(aad, s->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), len);
    nonce_build(s, s->seq, frag, nonce);
    uint8_t *body = frag + skip;
    if (crypto_aead_open(s->aead, nonce, aad, RECORD_AAD_LEN, body, len + CRYPTO_AEAD_TAG, body) <
        0)
        return RECORD_ALERT_BAD_RECORD_MAC;
    *plain = body;
    *plain_len = len;
    return 0;
}
