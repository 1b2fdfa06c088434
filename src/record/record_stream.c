/*
 * Stream-cipher records (RFC 5246 6.2.3.1; RC4 in the legacy suites): fragment =
 * E(content || MAC), the keystream running on across records. There is no padding, so the only
 * verdict is the MAC, compared in constant time; every failure is bad_record_mac.
 */
#include "record_internal.h"

#include <string.h>

size_t record_stream_seal(record_state *s, uint8_t type, uint16_t version, const uint8_t *in,
                          size_t len, uint8_t *out)
{
    uint8_t *body = out + RECORD_HEADER_LEN;
    memcpy(body, in, len);
    if (record_mac(s, type, version, in, len, body + len) < 0)
        return 0;
    size_t n = len + s->mac_len;
    if (crypto_stream_run(s->stream, body, n, body) < 0)
        return 0;
    record_header_write(out, type, version, n);
    return RECORD_HEADER_LEN + n;
}

int record_stream_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                       size_t *plain_len)
{
    uint8_t *body = rec + RECORD_HEADER_LEN;
    size_t len = rec_len - RECORD_HEADER_LEN, mac_len = s->mac_len;
    if (len < mac_len)
        return RECORD_ALERT_BAD_RECORD_MAC;
    /* The length is public here (no padding): an over-long record is refused before any work. */
    if (len - mac_len > RECORD_MAX_PLAINTEXT)
        return RECORD_ALERT_RECORD_OVERFLOW;
    if (crypto_stream_run(s->stream, body, len, body) < 0)
        return RECORD_ALERT_INTERNAL_ERROR;
    size_t content_len = len - mac_len;
    uint8_t computed[CRYPTO_MAX_HASH];
    if (record_mac(s, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), body, content_len, computed) < 0)
        return RECORD_ALERT_INTERNAL_ERROR;
    int good = crypto_memeq(computed, body + content_len, mac_len);
    crypto_wipe(computed, sizeof(computed));
    if (!good) {
        crypto_wipe(body, len); /* leave no unauthenticated plaintext behind */
        return RECORD_ALERT_BAD_RECORD_MAC;
    }
    *plain = body;
    *plain_len = content_len;
    return 0;
}
