/*
 * CBC records, MAC-then-encrypt (RFC 5246 6.2.3.2): fragment = IV || E(content || MAC || padding)
 * in TLS 1.1 and 1.2, where every record carries a fresh random IV; in TLS 1.0 (RFC 2246 6.2.3.2)
 * fragment = E(content || MAC || padding), the IV being the last ciphertext block of the previous
 * record in the same direction (the first comes from the key block). Blocks are 16 bytes (AES) or
 * 8 (3DES).
 *
 * Opening is constant time in the padding and the MAC (Lucky Thirteen, AlFardan and Paterson
 * 2013). Once the record is decrypted nothing branches on, or indexes memory by, the padding
 * length or the MAC until the single final verdict:
 *  - the padding bytes are checked with masks over a fixed window (the last 256 bytes, or the
 *    whole record when shorter); a bad padding is then treated as no padding at all;
 *  - the MAC is computed over the content length the padding implies, and then a second run of
 *    the keyed HMAC state hashes as many dummy blocks as the real MAC was short of the longest
 *    possible one (no padding), so the count of hash compression calls is the same whatever the
 *    padding length: the attack counts exactly those;
 *  - the received MAC is read from its secret offset by scanning every position it could start
 *    at and undoing the resulting rotation with masked rotations by public amounts;
 *  - padding and MAC verdicts are folded into one mask, so every failure (too short, not a
 *    block multiple, bad padding, bad MAC) returns bad_record_mac from the same line.
 */
#include "record_internal.h"

#include <string.h>

#define MAX_PADDING 256 /* the padding length byte plus up to 255 bytes of padding */

size_t record_cbc_seal(record_state *s, uint8_t type, uint16_t version, const uint8_t *in,
                       size_t len, uint8_t *out)
{
    size_t block = s->block, explicit_iv = s->chained_iv ? 0 : block;
    uint8_t *iv = out + RECORD_HEADER_LEN, *body = iv + explicit_iv;
    memcpy(body, in, len);
    if (record_mac(s, type, version, in, len, body + len) < 0)
        return 0;
    size_t n = len + s->mac_len;
    /* Minimal padding: the least that reaches a block boundary, length byte included. */
    size_t pad = block - 1 - n % block;
    memset(body + n, (int)pad, pad + 1);
    n += pad + 1;
    if ((!s->chained_iv && crypto_random(iv, block) < 0) ||
        crypto_cbc_run(s->cbc, s->chained_iv ? s->iv : iv, body, n, body) < 0)
        return 0;
    if (s->chained_iv)
        memcpy(s->iv, body + n - block, block);
    record_header_write(out, type, version, explicit_iv + n);
    return RECORD_HEADER_LEN + explicit_iv + n;
}

/* Masks: all ones when the relation holds, else zero, with no branch. Operands stay far below
 * 2^63 (record lengths), so the borrow of a - b lands in the top bit. */
static size_t ct_lt(size_t a, size_t b)
{
    return (size_t)0 - ((a - b) >> (sizeof(size_t) * 8 - 1));
}

static size_t ct_ge(size_t a, size_t b)
{
    return ~ct_lt(a, b);
}

static size_t ct_eq(size_t a, size_t b)
{
    size_t x = a ^ b;
    return ~((size_t)0 - ((x | ((size_t)0 - x)) >> (sizeof(size_t) * 8 - 1)));
}

/* Compression calls the inner hash makes over msg_len bytes after the key block: the message, the
 * 0x80 byte and the length field, in whole blocks. Shifts, not division: msg_len is secret and
 * division time can depend on its operands. */
static size_t inner_blocks(crypto_hash_alg alg, size_t msg_len)
{
    size_t shift = alg == CRYPTO_SHA384 ? 7 : 6, length_field = alg == CRYPTO_SHA384 ? 16 : 8;
    return (msg_len + 1 + length_field + ((size_t)1 << shift) - 1) >> shift;
}

/* Dummy input for the equalising hash work: at most MAX_PADDING bytes of message are skipped
 * when the padding is long, which is at most 4 blocks of 64 or 2 of 128, plus one for rounding. */
static const uint8_t dummy_blocks[MAX_PADDING + 128];

size_t record_cbc_dummy_len(crypto_hash_alg alg, size_t len, size_t mac_len, size_t content_len)
{
    size_t most = inner_blocks(alg, RECORD_AAD_LEN + len - mac_len - 1);
    size_t spent = inner_blocks(alg, RECORD_AAD_LEN + content_len);
    return (most - spent) * crypto_hash_block_size(alg);
}

/* Checks the padding; returns a mask that is all ones if it is well formed and leaves room for
 * the MAC, and sets *pad to its length (0 when the mask is zero). */
static size_t padding_check(const uint8_t *body, size_t len, size_t mac_len, size_t *pad)
{
    size_t p = body[len - 1];
    size_t good = ct_ge(len, p + 1 + mac_len);
    size_t window = len < MAX_PADDING ? len : MAX_PADDING;
    for (size_t i = 1; i <= window; i++) {
        size_t in_padding = ct_lt(i, p + 2); /* i <= p + 1 */
        good &= ~(in_padding & ~ct_eq(body[len - i], p));
    }
    *pad = p & good;
    return good;
}

/* Copies the mac_len bytes at the secret offset mac_start of body into out without a branch or
 * an index that depends on it. Every byte where the MAC could start is read; MAC bytes land in a
 * buffer at (position - first) mod mac_len, so the MAC comes out rotated by a secret amount, which
 * is undone with one masked rotation per bit of that amount. */
static void mac_gather(const uint8_t *body, size_t len, size_t mac_start, size_t mac_len,
                       uint8_t *out)
{
    uint8_t rotated[CRYPTO_MAX_HASH], shifted[CRYPTO_MAX_HASH];
    memset(rotated, 0, sizeof(rotated));
    size_t first = len > mac_len + MAX_PADDING ? len - mac_len - MAX_PADDING : 0;
    size_t offset = 0, slot = 0;
    for (size_t i = first; i < len; i++) {
        size_t in_mac = ct_ge(i, mac_start) & ct_lt(i, mac_start + mac_len);
        offset |= slot & ct_eq(i, mac_start);
        rotated[slot] |= (uint8_t)(body[i] & in_mac);
        slot = slot + 1 == mac_len ? 0 : slot + 1; /* public: depends on i only */
    }
    for (size_t step = 1; step < mac_len; step <<= 1) {
        size_t take = ct_eq(offset & step, step);
        for (size_t j = 0; j < mac_len; j++)
            shifted[j] = rotated[(j + step) % mac_len];
        for (size_t j = 0; j < mac_len; j++)
            rotated[j] = (uint8_t)((rotated[j] & ~take) | (shifted[j] & take));
    }
    memcpy(out, rotated, mac_len);
}

int record_cbc_open(record_state *s, uint8_t *rec, size_t rec_len, uint8_t **plain,
                    size_t *plain_len)
{
    size_t block = s->block, explicit_iv = s->chained_iv ? 0 : block;
    uint8_t *iv = rec + RECORD_HEADER_LEN, *body = iv + explicit_iv;
    size_t frag_len = rec_len - RECORD_HEADER_LEN, mac_len = s->mac_len;
    /* Public checks on the length alone: IV plus enough whole blocks for MAC and length byte. */
    size_t min_body = (mac_len + 1 + block - 1) / block * block;
    if (frag_len < explicit_iv + min_body || frag_len % block != 0)
        return RECORD_ALERT_BAD_RECORD_MAC;
    size_t len = frag_len - explicit_iv;
    /* Even the longest padding leaves more than 2^14 bytes of content. */
    if (len > RECORD_MAX_PLAINTEXT + mac_len + MAX_PADDING)
        return RECORD_ALERT_RECORD_OVERFLOW;
    /* TLS 1.0: the next record's IV is this one's last ciphertext block, read before decrypting
     * in place. A record that then fails ends the connection, so the chain never resumes. */
    uint8_t next_iv[CRYPTO_CBC_BLOCK];
    memcpy(next_iv, body + len - block, block);
    if (crypto_cbc_run(s->cbc, s->chained_iv ? s->iv : iv, body, len, body) < 0)
        return RECORD_ALERT_INTERNAL_ERROR;
    if (s->chained_iv)
        memcpy(s->iv, next_iv, block);

    size_t pad;
    size_t good = padding_check(body, len, mac_len, &pad);
    size_t content_len = len - mac_len - 1 - pad;

    uint8_t aad[RECORD_AAD_LEN], computed[CRYPTO_MAX_HASH], received[CRYPTO_MAX_HASH];
    record_aad_write(aad, s->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), content_len);
    size_t dummy_len = record_cbc_dummy_len(s->mac_alg, len, mac_len, content_len);
    int ok = crypto_hmac_begin(s->mac) == 0 &&
             crypto_hmac_update(s->mac, aad, RECORD_AAD_LEN) == 0 &&
             crypto_hmac_update(s->mac, body, content_len) == 0 &&
             crypto_hmac_final(s->mac, computed) == 0 && crypto_hmac_begin(s->mac) == 0 &&
             crypto_hmac_update(s->mac, dummy_blocks, dummy_len) == 0;

    mac_gather(body, len, content_len, mac_len, received);
    good &= (size_t)0 - (size_t)crypto_memeq(received, computed, mac_len);
    crypto_wipe(computed, sizeof(computed));
    if (!ok)
        return RECORD_ALERT_INTERNAL_ERROR;
    if (good == 0) {
        crypto_wipe(body, len); /* leave no unauthenticated plaintext behind */
        return RECORD_ALERT_BAD_RECORD_MAC;
    }
    /* Only an authenticated record gets here, so this reveals nothing about padding. */
    if (content_len > RECORD_MAX_PLAINTEXT)
        return RECORD_ALERT_RECORD_OVERFLOW;
    *plain = body;
    *plain_len = content_len;
    return 0;
}
