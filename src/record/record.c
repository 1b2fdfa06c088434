/*
 * Record protection: AEAD (RFC 5288 nonces for AES-GCM, RFC 7905 for ChaCha20-Poly1305) and
 * CBC MAC-then-encrypt with explicit IVs (RFC 5246 6.2.3.2), checked in constant time.
 */
#include "record.h"

#include <string.h>

#include "../common/writer.h"

#define AAD_LEN 13 /* seq(8) type(1) version(2) length(2) */

static void header_write(uint8_t *out, uint8_t type, uint16_t version, size_t len)
{
    writer w;
    writer_init(&w, out, RECORD_HEADER_LEN);
    writer_u8(&w, type);
    writer_u16(&w, version);
    writer_u16(&w, (uint16_t)len);
}

static void aad_write(uint8_t aad[AAD_LEN], uint64_t seq, uint8_t type, uint16_t version,
                      size_t len)
{
    for (int i = 0; i < 8; i++)
        aad[i] = (uint8_t)(seq >> (56 - 8 * i));
    aad[8] = type;
    aad[9] = (uint8_t)(version >> 8);
    aad[10] = (uint8_t)version;
    aad[11] = (uint8_t)(len >> 8);
    aad[12] = (uint8_t)len;
}

void record_state_clear(record_state *s)
{
    crypto_aead_free(s->aead);
    crypto_cbc_free(s->cbc);
    crypto_hmac_free(s->mac);
    crypto_wipe(s, sizeof(*s));
}

int record_state_install(record_state *s, const record_keys *k, int encrypt)
{
    record_state_clear(s);
    s->kind = k->kind;
    s->version = k->version;
    s->iv_len = k->iv_len;
    memcpy(s->iv, k->iv, k->iv_len);
    if (k->kind == RECORD_AEAD) {
        s->aead = crypto_aead_new(k->aead, encrypt, k->key);
        s->explicit_nonce = k->aead != CRYPTO_CHACHA20_POLY1305;
        if (s->aead == NULL)
            goto fail;
    } else if (k->kind == RECORD_CBC) {
        s->cbc = crypto_cbc_new(k->cbc, encrypt, k->key);
        s->mac = crypto_hmac_new(k->mac, k->mac_key, k->mac_key_len);
        s->mac_alg = k->mac;
        s->mac_len = crypto_hash_size(k->mac);
        if (s->cbc == NULL || s->mac == NULL)
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
        return CRYPTO_CBC_BLOCK + s->mac_len + CRYPTO_CBC_BLOCK;
    default:
        return 0;
    }
}

/* The 12-byte AEAD nonce for seq; explicit is the 8 bytes carried in a GCM record. */
static void aead_nonce(const record_state *s, uint64_t seq, const uint8_t *explicit,
                       uint8_t nonce[CRYPTO_AEAD_NONCE])
{
    if (s->explicit_nonce) {
        memcpy(nonce, s->iv, 4);
        memcpy(nonce + 4, explicit, 8);
        return;
    }
    memcpy(nonce, s->iv, CRYPTO_AEAD_NONCE);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
}

static size_t seal_aead(record_state *s, uint8_t type, uint16_t version, const uint8_t *in,
                        size_t len, uint8_t *out)
{
    uint8_t *frag = out + RECORD_HEADER_LEN;
    uint8_t aad[AAD_LEN], nonce[CRYPTO_AEAD_NONCE];
    aad_write(aad, s->seq, type, version, len);
    size_t explicit_len = s->explicit_nonce ? 8 : 0;
    if (s->explicit_nonce)
        memcpy(frag, aad, 8); /* the sequence number is a unique explicit nonce */
    aead_nonce(s, s->seq, frag, nonce);
    if (crypto_aead_seal(s->aead, nonce, aad, AAD_LEN, in, len, frag + explicit_len) < 0)
        return 0;
    size_t frag_len = explicit_len + len + CRYPTO_AEAD_TAG;
    header_write(out, type, version, frag_len);
    return RECORD_HEADER_LEN + frag_len;
}

static size_t seal_cbc(record_state *s, uint8_t type, uint16_t version, const uint8_t *in,
                       size_t len, uint8_t *out)
{
    uint8_t *iv = out + RECORD_HEADER_LEN, *body = iv + CRYPTO_CBC_BLOCK;
    uint8_t aad[AAD_LEN];
    aad_write(aad, s->seq, type, version, len);
    memcpy(body, in, len);
    if (crypto_hmac_begin(s->mac) < 0 || crypto_hmac_update(s->mac, aad, AAD_LEN) < 0 ||
        crypto_hmac_update(s->mac, in, len) < 0 || crypto_hmac_final(s->mac, body + len) < 0)
        return 0;
    size_t n = len + s->mac_len;
    size_t pad = CRYPTO_CBC_BLOCK - 1 - n % CRYPTO_CBC_BLOCK;
    memset(body + n, (int)pad, pad + 1);
    n += pad + 1;
    if (crypto_random(iv, CRYPTO_CBC_BLOCK) < 0 || crypto_cbc_run(s->cbc, iv, body, n, body) < 0)
        return 0;
    header_write(out, type, version, CRYPTO_CBC_BLOCK + n);
    return RECORD_HEADER_LEN + CRYPTO_CBC_BLOCK + n;
}

size_t record_seal(record_state *s, uint8_t type, uint16_t version, const uint8_t *in, size_t len,
                   uint8_t *out)
{
    if (len > RECORD_MAX_PLAINTEXT)
        return 0;
    size_t n;
    switch (s->kind) {
    case RECORD_PLAIN:
        header_write(out, type, version, len);
        memcpy(out + RECORD_HEADER_LEN, in, len);
        return RECORD_HEADER_LEN + len;
    case RECORD_AEAD:
        if (s->seq == UINT64_MAX)
            return 0;
        n = seal_aead(s, type, version, in, len, out);
        break;
    case RECORD_CBC:
        if (s->seq == UINT64_MAX)
            return 0;
        n = seal_cbc(s, type, version, in, len, out);
        break;
    default:
        return 0;
    }
    if (n > 0)
        s->seq++;
    return n;
}

static int open_aead(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                     size_t *plain_len)
{
    uint8_t *frag = rec + RECORD_HEADER_LEN;
    size_t frag_len = rec_len - RECORD_HEADER_LEN;
    size_t explicit_len = s->explicit_nonce ? 8 : 0;
    if (frag_len < explicit_len + CRYPTO_AEAD_TAG)
        return RECORD_ALERT_BAD_RECORD_MAC;
    size_t len = frag_len - explicit_len - CRYPTO_AEAD_TAG;
    if (len > RECORD_MAX_PLAINTEXT)
        return RECORD_ALERT_RECORD_OVERFLOW;
    uint8_t aad[AAD_LEN], nonce[CRYPTO_AEAD_NONCE];
    aad_write(aad, s->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), len);
    aead_nonce(s, s->seq, frag, nonce);
    uint8_t *body = frag + explicit_len;
    if (crypto_aead_open(s->aead, nonce, aad, AAD_LEN, body, len + CRYPTO_AEAD_TAG, body) < 0)
        return RECORD_ALERT_BAD_RECORD_MAC;
    *plain = body;
    *plain_len = len;
    return 0;
}

/* All ones when a < b (both below 2^31), else zero, without a branch. */
static size_t ct_mask_lt(size_t a, size_t b)
{
    return (size_t)0 - (((a - b) >> (sizeof(size_t) * 8 - 1)) & 1);
}

static size_t ct_mask_eq(size_t a, size_t b)
{
    size_t x = a ^ b;
    return (size_t)0 - (((x | ((size_t)0 - x)) >> (sizeof(size_t) * 8 - 1)) ^ 1);
}

/* CBC open. Once the record is decrypted, nothing branches on the padding or the MAC until the
 * final verdict:
 *  - the padding is checked with masks over a fixed window (the last 256 bytes, or the whole
 *    record when shorter), and a bad padding is treated as zero padding for what follows;
 *  - the MAC is computed over the content length the padding implies, then the rest of the
 *    record up to the same total is run through the keyed HMAC too, so the number of hash
 *    compressions does not depend on the padding length (the approach s2n takes, on EVP);
 *  - the received MAC is gathered from its secret offset by scanning every candidate position;
 *  - MAC and padding verdicts are combined and compared with one constant-time compare.
 * Every failure, including a record too short to hold a MAC, is bad_record_mac. */
static int open_cbc(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                    size_t *plain_len)
{
    uint8_t *iv = rec + RECORD_HEADER_LEN, *body = iv + CRYPTO_CBC_BLOCK;
    size_t frag_len = rec_len - RECORD_HEADER_LEN, mac_len = s->mac_len;
    size_t min = CRYPTO_CBC_BLOCK +
                 ((mac_len + 1 + CRYPTO_CBC_BLOCK - 1) / CRYPTO_CBC_BLOCK) * CRYPTO_CBC_BLOCK;
    if (frag_len < min || frag_len % CRYPTO_CBC_BLOCK != 0)
        return RECORD_ALERT_BAD_RECORD_MAC;
    size_t len = frag_len - CRYPTO_CBC_BLOCK;
    if (len > RECORD_MAX_PLAINTEXT + 256 + mac_len + CRYPTO_CBC_BLOCK)
        return RECORD_ALERT_RECORD_OVERFLOW;
    if (crypto_cbc_run(s->cbc, iv, body, len, body) < 0)
        return RECORD_ALERT_BAD_RECORD_MAC;

    size_t pad = body[len - 1];
    /* good: all ones while everything checks out. */
    size_t good = ~ct_mask_lt(len, pad + 1 + mac_len);
    size_t window = len < 256 ? len : 256;
    for (size_t i = 1; i <= window; i++) {
        size_t in_pad = ~ct_mask_lt(pad + 1, i); /* i <= pad + 1 */
        good &= ~(in_pad & ~ct_mask_eq(body[len - i], pad));
    }
    pad &= good; /* bad padding: proceed as if there were none */
    size_t content_len = len - mac_len - 1 - pad;

    uint8_t aad[AAD_LEN], computed[CRYPTO_MAX_HASH], received[CRYPTO_MAX_HASH], scratch[64];
    aad_write(aad, s->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), content_len);
    int ok = crypto_hmac_begin(s->mac) == 0 && crypto_hmac_update(s->mac, aad, AAD_LEN) == 0 &&
             crypto_hmac_update(s->mac, body, content_len) == 0 &&
             crypto_hmac_final(s->mac, computed) == 0;
    /* Equalise the hashing work: the bytes not covered above go through HMAC as well. */
    size_t extra = len - mac_len - 1 - content_len;
    ok = ok && crypto_hmac_begin(s->mac) == 0 &&
         crypto_hmac_update(s->mac, body + content_len, extra) == 0 &&
         crypto_hmac_final(s->mac, scratch) == 0;

    memset(received, 0, sizeof(received));
    size_t scan_from = len > mac_len + 256 ? len - mac_len - 256 : 0;
    for (size_t i = scan_from; i < len; i++) {
        for (size_t j = 0; j < mac_len; j++)
            received[j] |= (uint8_t)(body[i] & ct_mask_eq(i, content_len + j));
    }
    good &= (size_t)0 - (size_t)crypto_memeq(received, computed, mac_len);
    crypto_wipe(computed, sizeof(computed));
    if (!ok || good == 0)
        return RECORD_ALERT_BAD_RECORD_MAC;
    if (content_len > RECORD_MAX_PLAINTEXT)
        return RECORD_ALERT_RECORD_OVERFLOW;
    *plain = body;
    *plain_len = content_len;
    return 0;
}

int record_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain, size_t *plain_len)
{
    int alert;
    switch (s->kind) {
    case RECORD_PLAIN:
        if (rec_len - RECORD_HEADER_LEN > RECORD_MAX_PLAINTEXT)
            return RECORD_ALERT_RECORD_OVERFLOW;
        *plain = rec + RECORD_HEADER_LEN;
        *plain_len = rec_len - RECORD_HEADER_LEN;
        return 0;
    case RECORD_AEAD:
        alert = open_aead(s, rec, rec_len, plain, plain_len);
        break;
    case RECORD_CBC:
        alert = open_cbc(s, rec, rec_len, plain, plain_len);
        break;
    default:
        return RECORD_ALERT_INTERNAL_ERROR;
    }
    if (alert == 0) {
        if (s->seq == UINT64_MAX)
            return RECORD_ALERT_INTERNAL_ERROR;
        s->seq++;
    }
    return alert;
}
