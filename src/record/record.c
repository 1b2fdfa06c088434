/*
 * Record protection state per direction: installing keys, the sequence number, and dispatch to
 * the AEAD (record_aead.c), CBC (record_cbc.c), stream (record_stream.c) or TLS 1.3
 * (record_tls13.c) transform. Plain records pass through here.
 */
#include "record_internal.h"

#include <string.h>

#include "../common/writer.h"

void record_header_write(uint8_t out[RECORD_HEADER_LEN], uint8_t type, uint16_t version, size_t len)
{
    writer w;
    writer_init(&w, out, RECORD_HEADER_LEN);
    writer_u8(&w, type);
    writer_u16(&w, version);
    writer_u16(&w, (uint16_t)len);
}

void record_aad_write(uint8_t aad[RECORD_AAD_LEN], uint64_t seq, uint8_t type, uint16_t version,
                      size_t len)
{
    writer w;
    writer_init(&w, aad, RECORD_AAD_LEN);
    writer_u32(&w, (uint32_t)(seq >> 32));
    writer_u32(&w, (uint32_t)seq);
    writer_u8(&w, type);
    writer_u16(&w, version);
    writer_u16(&w, (uint16_t)len);
}

int record_mac(record_state *s, uint8_t type, uint16_t version, const uint8_t *content, size_t len,
               uint8_t *out)
{
    uint8_t aad[RECORD_AAD_LEN];
    record_aad_write(aad, s->seq, type, version, len);
    return crypto_hmac_begin(s->mac) == 0 && crypto_hmac_update(s->mac, aad, RECORD_AAD_LEN) == 0 &&
                   crypto_hmac_update(s->mac, content, len) == 0 &&
                   crypto_hmac_final(s->mac, out) == 0
               ? 0
               : -1;
}

void record_state_clear(record_state *s)
{
    crypto_aead_free(s->aead);
    crypto_cbc_free(s->cbc);
    crypto_stream_free(s->stream);
    crypto_hmac_free(s->mac);
    crypto_wipe(s, sizeof(*s));
}

int record_state_install(record_state *s, const record_keys *k, int encrypt)
{
    record_state_clear(s);
    if (k->iv_len > sizeof(s->iv))
        return -1;
    s->kind = k->kind;
    s->version = k->version;
    s->iv_len = k->iv_len;
    memcpy(s->iv, k->iv, k->iv_len);
    if (k->kind == RECORD_AEAD) {
        /* RFC 5288 splits the GCM nonce into a 4-byte salt and 8 bytes sent in each record;
         * RFC 7905 masks a full 12-byte ChaCha20 nonce with the sequence number instead. */
        size_t want_iv = k->aead == CRYPTO_CHACHA20_POLY1305 ? CRYPTO_AEAD_NONCE : 4;
        s->explicit_nonce = k->aead != CRYPTO_CHACHA20_POLY1305;
        if (k->iv_len != want_iv || k->key_len != crypto_aead_key_size(k->aead))
            goto fail;
        s->aead = crypto_aead_new(k->aead, encrypt, k->key);
        if (s->aead == NULL)
            goto fail;
    } else if (k->kind == RECORD_TLS13) {
        /* RFC 8446 5.3: every cipher suite's nonce is the whole 12-byte IV, masked per record. */
        if (k->iv_len != CRYPTO_AEAD_NONCE || k->key_len != crypto_aead_key_size(k->aead))
            goto fail;
        s->aead = crypto_aead_new(k->aead, encrypt, k->key);
        if (s->aead == NULL)
            goto fail;
    } else if (k->kind == RECORD_CBC || k->kind == RECORD_STREAM) {
        if (k->mac_key_len > sizeof(k->mac_key))
            goto fail;
        s->mac = crypto_hmac_new(k->mac, k->mac_key, k->mac_key_len);
        s->mac_alg = k->mac;
        s->mac_len = crypto_hash_size(k->mac);
        if (k->kind == RECORD_CBC) {
            /* TLS 1.0 chains each record's IV from the last block before it, starting with an
             * IV from the key block; TLS 1.1 and later send a fresh IV in every record. */
            s->block = crypto_cbc_block_size(k->cbc);
            s->chained_iv = k->version <= RECORD_VERSION_TLS1_0;
            if (k->key_len != crypto_cbc_key_size(k->cbc) ||
                k->iv_len != (s->chained_iv ? s->block : 0))
                goto fail;
            s->cbc = crypto_cbc_new(k->cbc, encrypt, k->key);
        } else {
            if (k->key_len != crypto_stream_key_size(k->stream) || k->iv_len != 0)
                goto fail;
            s->stream = crypto_stream_new(k->stream, encrypt, k->key);
        }
        if ((s->cbc == NULL && s->stream == NULL) || s->mac == NULL)
            goto fail;
    } else if (k->kind != RECORD_PLAIN) {
        goto fail;
    }
    return 0;
fail:
    record_state_clear(s);
    return -1;
}

size_t record_expansion(const record_state *s)
{
    switch (s->kind) {
    case RECORD_AEAD:
        return (s->explicit_nonce ? 8 : 0) + CRYPTO_AEAD_TAG;
    case RECORD_CBC:
        /* explicit IV, MAC, and at most one block of padding including its length byte */
        return (s->chained_iv ? 0 : s->block) + s->mac_len + s->block;
    case RECORD_STREAM:
        return s->mac_len;
    case RECORD_TLS13:
        return 1 + CRYPTO_AEAD_TAG; /* the content type, and no padding unless asked for */
    default:
        return 0;
    }
}

bool record_split_first_byte(const record_state *s)
{
    return s->kind == RECORD_CBC && s->chained_iv;
}

size_t record_seal(record_state *s, uint8_t type, uint16_t version, const uint8_t *in, size_t len,
                   uint8_t *out)
{
    if (len > RECORD_MAX_PLAINTEXT)
        return 0;
    if (s->kind == RECORD_PLAIN) {
        record_header_write(out, type, version, len);
        memcpy(out + RECORD_HEADER_LEN, in, len);
        return RECORD_HEADER_LEN + len;
    }
    /* RFC 5246 6.1: sequence numbers never wrap; the connection must renegotiate or end. */
    if (s->seq == UINT64_MAX)
        return 0;
    size_t n = 0;
    if (s->kind == RECORD_AEAD)
        n = record_aead_seal(s, type, version, in, len, out);
    else if (s->kind == RECORD_CBC)
        n = record_cbc_seal(s, type, version, in, len, out);
    else if (s->kind == RECORD_STREAM)
        n = record_stream_seal(s, type, version, in, len, out);
    else if (s->kind == RECORD_TLS13)
        n = record_tls13_seal(s, type, in, len, 0, out);
    if (n > 0)
        s->seq++;
    return n;
}

size_t record_seal_padded(record_state *s, uint8_t type, const uint8_t *in, size_t len, size_t pad,
                          uint8_t *out)
{
    /* RFC 8446 5.4: the TLSInnerPlaintext (content, type, padding) is at most 2^14 + 1. */
    if (s->kind != RECORD_TLS13 || len > RECORD_MAX_PLAINTEXT || pad > RECORD_MAX_PLAINTEXT - len ||
        s->seq == UINT64_MAX)
        return 0;
    size_t n = record_tls13_seal(s, type, in, len, pad, out);
    if (n > 0)
        s->seq++;
    return n;
}

int record_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain, size_t *plain_len)
{
    if (rec_len < RECORD_HEADER_LEN)
        return RECORD_ALERT_DECODE_ERROR;
    if (rec_len - RECORD_HEADER_LEN > RECORD_MAX_FRAGMENT)
        return RECORD_ALERT_RECORD_OVERFLOW;
    if (s->kind == RECORD_PLAIN) {
        if (rec_len - RECORD_HEADER_LEN > RECORD_MAX_PLAINTEXT)
            return RECORD_ALERT_RECORD_OVERFLOW;
        *plain = rec + RECORD_HEADER_LEN;
        *plain_len = rec_len - RECORD_HEADER_LEN;
        return 0;
    }
    if (s->seq == UINT64_MAX)
        return RECORD_ALERT_INTERNAL_ERROR;
    int alert = RECORD_ALERT_INTERNAL_ERROR;
    if (s->kind == RECORD_AEAD)
        alert = record_aead_open(s, rec, rec_len, plain, plain_len);
    else if (s->kind == RECORD_CBC)
        alert = record_cbc_open(s, rec, rec_len, plain, plain_len);
    else if (s->kind == RECORD_STREAM)
        alert = record_stream_open(s, rec, rec_len, plain, plain_len);
    else if (s->kind == RECORD_TLS13)
        alert = record_tls13_open(s, rec, rec_len, plain, plain_len);
    if (alert == 0)
        s->seq++;
    return alert;
}
