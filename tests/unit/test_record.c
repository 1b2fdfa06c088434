/*
 * Record protection: round trips for every protection, the AEAD nonce construction checked
 * against published vectors and an independent computation with raw EVP, and every tampering,
 * padding or MAC fault answered with bad_record_mac alike. CBC records with faults are built by
 * hand here with raw EVP so each fault can be placed exactly.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "check.h"
#include "crypto/crypto.h"
#include "record/record.h"
#include "record/record_internal.h"

static record_keys keys_for(record_protection kind, int alg, crypto_hash_alg mac)
{
    record_keys k;
    memset(&k, 0, sizeof(k));
    k.kind = kind;
    k.version = 0x0303;
    if (kind == RECORD_AEAD) {
        k.aead = (crypto_aead_alg)alg;
        k.key_len = crypto_aead_key_size(k.aead);
        k.iv_len = alg == CRYPTO_CHACHA20_POLY1305 ? 12 : 4;
    } else {
        k.cbc = (crypto_cbc_alg)alg;
        k.key_len = crypto_cbc_key_size(k.cbc);
        k.mac = mac;
        k.mac_key_len = crypto_hash_size(mac);
    }
    for (size_t i = 0; i < sizeof(k.key); i++)
        k.key[i] = (uint8_t)(i + 1);
    for (size_t i = 0; i < sizeof(k.mac_key); i++)
        k.mac_key[i] = (uint8_t)(0x40 + i);
    for (size_t i = 0; i < sizeof(k.iv); i++)
        k.iv[i] = (uint8_t)(0xa0 + i);
    return k;
}

static uint8_t plain[RECORD_MAX_PLAINTEXT + 1], wire[RECORD_MAX_FRAGMENT + 64],
    copy[RECORD_MAX_FRAGMENT + 64];

static int open_alert(record_state *s, uint8_t *rec, size_t len)
{
    uint8_t *out;
    size_t out_len;
    return record_open(s, rec, len, &out, &out_len);
}

static void round_trips(record_keys k, const char *name)
{
    record_state tx = {0}, rx = {0};
    CHECK(record_state_install(&tx, &k, 1) == 0);
    CHECK(record_state_install(&rx, &k, 0) == 0);
    size_t mac_len = k.kind == RECORD_CBC ? crypto_hash_size(k.mac) : 0;
    static const size_t lengths[] = {0, 1, 15, 16, 17, 100, 16384};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        size_t len = lengths[i];
        for (size_t j = 0; j < len; j++)
            plain[j] = (uint8_t)(j * 31 + i);
        size_t n = record_seal(&tx, 23, 0x0303, plain, len, wire);
        /* Exact sizes: explicit nonce + tag, or IV + MAC + minimal padding. */
        size_t want = k.kind == RECORD_CBC
                          ? 16 + (len + mac_len + 1 + 15) / 16 * 16
                          : (k.aead == CRYPTO_CHACHA20_POLY1305 ? 0 : 8) + len + 16;
        CHECK_EQ_INT(n, 5 + want);
        CHECK(n <= 5 + len + record_expansion(&tx));
        CHECK_EQ_INT(wire[0], 23);
        CHECK_EQ_INT(wire[1] << 8 | wire[2], 0x0303);
        CHECK_EQ_INT((size_t)(wire[3] << 8 | wire[4]), n - 5);
        CHECK(len < 16 || memcmp(wire + 5 + 16, plain, 16) != 0); /* it is encrypted */
        uint8_t *out;
        size_t out_len;
        int alert = record_open(&rx, wire, n, &out, &out_len);
        if (alert)
            fprintf(stderr, "%s: open failed for length %zu\n", name, len);
        CHECK_EQ_INT(alert, 0);
        CHECK_EQ_INT(out_len, len);
        CHECK(len == 0 || memcmp(out, plain, len) == 0);
    }
    CHECK_EQ_INT(tx.seq, 7);
    CHECK_EQ_INT(rx.seq, 7);

    if (k.kind == RECORD_CBC) {
        /* A fresh random IV per record: the same plaintext twice never looks the same. */
        size_t n1 = record_seal(&tx, 23, 0x0303, plain, 32, wire);
        size_t n2 = record_seal(&tx, 23, 0x0303, plain, 32, copy);
        CHECK(n1 == n2 && memcmp(wire + 5, copy + 5, 16) != 0);
        CHECK(open_alert(&rx, wire, n1) == 0 && open_alert(&rx, copy, n2) == 0);
    }

    /* Every single-byte change to a sealed record is caught, header included. */
    size_t n = record_seal(&tx, 23, 0x0303, plain, 100, wire);
    int caught = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 3 || i == 4)
            continue; /* the length is checked by the framing before record_open */
        memcpy(copy, wire, n);
        copy[i] ^= 0x20;
        record_state probe = rx; /* same keys and sequence number, contexts shared */
        caught += open_alert(&probe, copy, n) == RECORD_ALERT_BAD_RECORD_MAC;
    }
    CHECK_EQ_INT(caught, (int)n - 2);
    /* The wrong sequence number (a replayed or dropped record) fails too. */
    uint64_t skipped = ++rx.seq;
    CHECK_EQ_INT(open_alert(&rx, wire, n), RECORD_ALERT_BAD_RECORD_MAC);
    CHECK(rx.seq == skipped); /* a failed open does not advance */
    record_state_clear(&tx);
    record_state_clear(&rx);
}

/* The AEAD record computed independently: nonce, additional data and layout by hand with EVP. */
static void aead_against_evp(void)
{
    static const crypto_aead_alg algs[] = {CRYPTO_AES128_GCM, CRYPTO_AES256_GCM,
                                           CRYPTO_CHACHA20_POLY1305};
    for (size_t a = 0; a < 3; a++) {
        int chacha = algs[a] == CRYPTO_CHACHA20_POLY1305;
        record_keys k = keys_for(RECORD_AEAD, algs[a], 0);
        record_state tx = {0};
        CHECK(record_state_install(&tx, &k, 1) == 0);
        tx.seq = 0x0102030405060708ull;
        const uint8_t msg[] = "GET / HTTP/1.1\r\n\r\n";
        size_t len = sizeof(msg) - 1;
        size_t n = record_seal(&tx, 23, 0x0303, msg, len, wire);

        uint8_t nonce[12], aad[13] = {1, 2, 3, 4, 5, 6, 7, 8, 23, 3, 3, 0, (uint8_t)len};
        if (chacha) { /* RFC 7905: iv XOR (0^4 || seq) */
            memcpy(nonce, k.iv, 12);
            for (int i = 0; i < 8; i++)
                nonce[4 + i] ^= aad[i];
        } else { /* RFC 5288: salt || seq */
            memcpy(nonce, k.iv, 4);
            memcpy(nonce + 4, aad, 8);
        }
        const EVP_CIPHER *cipher = chacha                         ? EVP_chacha20_poly1305()
                                   : algs[a] == CRYPTO_AES128_GCM ? EVP_aes_128_gcm()
                                                                  : EVP_aes_256_gcm();
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        EVP_EncryptInit_ex(ctx, cipher, NULL, k.key, nonce);
        int outl;
        uint8_t expect[128];
        size_t off = 0;
        if (!chacha) {
            memcpy(expect, aad, 8); /* explicit nonce = sequence number */
            off = 8;
        }
        EVP_EncryptUpdate(ctx, NULL, &outl, aad, 13);
        EVP_EncryptUpdate(ctx, expect + off, &outl, msg, (int)len);
        EVP_EncryptFinal_ex(ctx, expect + off + len, &outl);
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, expect + off + len);
        EVP_CIPHER_CTX_free(ctx);
        CHECK_EQ_INT(n, 5 + off + len + 16);
        CHECK_MEM(wire + 5, expect, off + len + 16);
        record_state_clear(&tx);
    }
}

/* Published vectors through the record nonce logic. Their additional data differs from the 13
 * bytes a record authenticates, so only the ciphertext (which does not depend on it) is compared;
 * the tag over the record's own additional data is covered by aead_against_evp. */
static void aead_published_vectors(void)
{
    uint8_t pt[128], ct[128];

    /* AES-128-GCM, Test Case 4 of McGrew and Viega, "The Galois/Counter Mode of Operation"
     * (the GCM specification submitted to NIST): IV cafebabe facedbaddecaf888 is salt ||
     * explicit nonce, so the record with sequence number 0xfacedbaddecaf888 uses exactly it. */
    record_keys k = keys_for(RECORD_AEAD, CRYPTO_AES128_GCM, 0);
    check_hex("feffe9928665731c6d6a8f9467308308", k.key, 16);
    check_hex("cafebabe", k.iv, 4);
    size_t len = check_hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                           "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
                           pt, sizeof(pt));
    check_hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
              "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
              ct, sizeof(ct));
    record_state s = {0};
    CHECK(record_state_install(&s, &k, 1) == 0);
    s.seq = 0xfacedbaddecaf888ull;
    size_t n = record_seal(&s, 23, 0x0303, pt, len, wire);
    CHECK_EQ_INT(n, 5 + 8 + len + 16);
    uint8_t explicit_nonce[8];
    check_hex("facedbaddecaf888", explicit_nonce, 8);
    CHECK_MEM(wire + 5, explicit_nonce, 8);
    CHECK_MEM(wire + 5 + 8, ct, len);
    record_state_clear(&s);

    /* ChaCha20-Poly1305, RFC 8439 section 2.8.2: nonce 070000004041424344454647. Reached twice:
     * as the fixed IV itself at sequence number 0, and as 07000000 00..00 masked with sequence
     * number 0x4041424344454647 - which pins the XOR to the last 8 bytes, big-endian. */
    static const char sunscreen[] = "Ladies and Gentlemen of the class of '99: If I could offer "
                                    "you only one tip for the future, sunscreen would be it.";
    len = sizeof(sunscreen) - 1;
    check_hex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
              "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
              "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
              "3ff4def08e4b7a9de576d26586cec64b6116",
              ct, sizeof(ct));
    k = keys_for(RECORD_AEAD, CRYPTO_CHACHA20_POLY1305, 0);
    check_hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", k.key, 32);
    static const char *const ivs[] = {"070000004041424344454647", "070000000000000000000000"};
    static const uint64_t seqs[] = {0, 0x4041424344454647ull};
    for (int i = 0; i < 2; i++) {
        check_hex(ivs[i], k.iv, 12);
        CHECK(record_state_install(&s, &k, 1) == 0);
        s.seq = seqs[i];
        n = record_seal(&s, 23, 0x0303, (const uint8_t *)sunscreen, len, wire);
        CHECK_EQ_INT(n, 5 + len + 16);
        CHECK_MEM(wire + 5, ct, len);
        record_state_clear(&s);
    }
}

static const EVP_MD *md_of(crypto_hash_alg mac)
{
    return mac == CRYPTO_SHA1 ? EVP_sha1() : mac == CRYPTO_SHA256 ? EVP_sha256() : EVP_sha384();
}

/* Writes into wire a CBC record (sequence number 0, application data) before encryption:
 * header, IV, content of c bytes, its MAC and pad + 1 bytes of value pad. Returns the body
 * length (content + MAC + padding); the body starts at wire + 21. */
static size_t cbc_craft(const record_keys *k, size_t c, size_t pad)
{
    size_t mac_len = crypto_hash_size(k->mac), body = c + mac_len + pad + 1;
    uint8_t *b = wire + 5 + 16;
    for (size_t i = 0; i < c; i++)
        b[i] = (uint8_t)('a' + i % 26);
    static uint8_t mac_input[13 + RECORD_MAX_PLAINTEXT + 1];
    memset(mac_input, 0, 13); /* sequence number 0 */
    mac_input[8] = 23;
    mac_input[9] = 3;
    mac_input[10] = 3;
    mac_input[11] = (uint8_t)(c >> 8);
    mac_input[12] = (uint8_t)c;
    memcpy(mac_input + 13, b, c);
    unsigned int out_len;
    HMAC(md_of(k->mac), k->mac_key, (int)k->mac_key_len, mac_input, 13 + c, b + c, &out_len);
    memset(b + c + mac_len, (int)pad, pad + 1);
    wire[0] = 23;
    wire[1] = 3;
    wire[2] = 3;
    wire[3] = (uint8_t)((16 + body) >> 8);
    wire[4] = (uint8_t)(16 + body);
    memset(wire + 5, 0x5a, 16);
    return body;
}

/* Encrypts the crafted body in place (raw AES-CBC, no padding); returns the record length. */
static size_t cbc_encrypt(const record_keys *k, size_t body)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, k->cbc == CRYPTO_AES128_CBC ? EVP_aes_128_cbc() : EVP_aes_256_cbc(),
                       NULL, k->key, wire + 5);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    int outl;
    EVP_EncryptUpdate(ctx, wire + 21, &outl, wire + 21, (int)body);
    EVP_CIPHER_CTX_free(ctx);
    return 5 + 16 + body;
}

/* The smallest content length >= 1 that makes content + MAC + padding whole blocks. */
static size_t content_for_padding(size_t mac_len, size_t pad)
{
    return 16 - (mac_len + pad + 1) % 16;
}

/* Every padding length 0..255, each with every single padding byte wrong (and a length byte that
 * claims more padding than the record holds): all bad_record_mac. The same record without the
 * fault opens, so the faults are what is rejected. */
static void cbc_padding_faults(crypto_cbc_alg alg, crypto_hash_alg mac)
{
    record_keys k = keys_for(RECORD_CBC, alg, mac);
    size_t mac_len = crypto_hash_size(mac);
    record_state rx = {0};
    CHECK(record_state_install(&rx, &k, 0) == 0);
    int opened = 0, rejected = 0, faults = 0;
    for (size_t pad = 0; pad < 256; pad++) {
        size_t c = content_for_padding(mac_len, pad);
        size_t n = cbc_encrypt(&k, cbc_craft(&k, c, pad));
        uint8_t *out;
        size_t out_len;
        rx.seq = 0;
        if (record_open(&rx, wire, n, &out, &out_len) == 0 && out_len == c && out[0] == 'a')
            opened++;
        for (size_t wrong = 0; wrong <= pad; wrong++) {
            size_t body = cbc_craft(&k, c, pad);
            uint8_t *padding = wire + 21 + c + mac_len;
            if (wrong < pad)
                padding[wrong] ^= 0x01;
            else /* the length byte: more padding than fits before the MAC, or other bytes */
                padding[pad] = (uint8_t)(pad + 1 + c + mac_len <= 255 ? pad + 1 + c + mac_len
                                         : pad == 255                 ? 254
                                                                      : 255);
            n = cbc_encrypt(&k, body);
            rx.seq = 0;
            faults++;
            int alert = open_alert(&rx, wire, n);
            if (alert == RECORD_ALERT_BAD_RECORD_MAC)
                rejected++;
            else
                fprintf(stderr, "padding %zu, byte %zu wrong: alert %d\n", pad, wrong, alert);
        }
    }
    CHECK_EQ_INT(opened, 256);
    CHECK_EQ_INT(faults, 256 * 257 / 2);
    CHECK_EQ_INT(rejected, faults);
    record_state_clear(&rx);
}

/* A wrong MAC byte or content byte, with correct padding, for every content length 0..400 and
 * the MAC byte wrong at a different position each time: all bad_record_mac. */
static void cbc_mac_faults(crypto_cbc_alg alg, crypto_hash_alg mac)
{
    record_keys k = keys_for(RECORD_CBC, alg, mac);
    size_t mac_len = crypto_hash_size(mac);
    record_state rx = {0};
    CHECK(record_state_install(&rx, &k, 0) == 0);
    int opened = 0, rejected = 0, faults = 0;
    for (size_t c = 0; c <= 400; c++) {
        size_t pad = 15 - (c + mac_len) % 16;
        for (int fault = 0; fault < 3; fault++) {
            size_t body = cbc_craft(&k, c, pad);
            if (fault == 1)
                wire[21 + c + c % mac_len] ^= 0x80; /* a MAC byte */
            else if (fault == 2 && c > 0)
                wire[21 + c / 2] ^= 0x01; /* a content byte */
            else if (fault == 2)
                wire[21 + c + mac_len - 1] ^= 0x01; /* no content: the last MAC byte */
            size_t n = cbc_encrypt(&k, body);
            rx.seq = 0;
            int alert = open_alert(&rx, wire, n);
            if (fault == 0) {
                opened += alert == 0;
                continue;
            }
            faults++;
            rejected += alert == RECORD_ALERT_BAD_RECORD_MAC;
        }
    }
    CHECK_EQ_INT(opened, 401);
    CHECK_EQ_INT(rejected, faults);

    /* Too short for IV + MAC + length byte, not a block multiple, or padding that would eat into
     * the MAC: the same alert. */
    memset(wire, 0, 64);
    wire[0] = 23;
    CHECK_EQ_INT(open_alert(&rx, wire, 5 + 16), RECORD_ALERT_BAD_RECORD_MAC);
    CHECK_EQ_INT(open_alert(&rx, wire, 5 + 16 + 16), RECORD_ALERT_BAD_RECORD_MAC);
    CHECK_EQ_INT(open_alert(&rx, wire, 5 + 40), RECORD_ALERT_BAD_RECORD_MAC);
    size_t body = cbc_craft(&k, 0, 15 - mac_len % 16);
    wire[21 + body - 1] = (uint8_t)(body - mac_len); /* one more than fits beside the MAC */
    for (size_t i = body - mac_len - 1; i < body; i++)
        wire[21 + i] = (uint8_t)(body - mac_len);
    CHECK_EQ_INT(open_alert(&rx, wire, cbc_encrypt(&k, body)), RECORD_ALERT_BAD_RECORD_MAC);
    record_state_clear(&rx);
}

/* Plaintext over 2^14 is record_overflow for every protection, even when authentic; exactly
 * 2^14 is fine. */
static void overflow(void)
{
    for (size_t i = 0; i <= RECORD_MAX_PLAINTEXT; i++)
        plain[i] = (uint8_t)i;
    static const crypto_aead_alg algs[] = {CRYPTO_AES128_GCM, CRYPTO_CHACHA20_POLY1305};
    for (size_t a = 0; a < 2; a++) {
        record_keys k = keys_for(RECORD_AEAD, algs[a], 0);
        record_state tx = {0}, rx = {0};
        CHECK(record_state_install(&tx, &k, 1) == 0);
        CHECK(record_state_install(&rx, &k, 0) == 0);
        CHECK_EQ_INT(record_seal(&tx, 23, 0x0303, plain, RECORD_MAX_PLAINTEXT + 1, wire), 0);
        /* A record one byte too long, sealed with the right nonce and additional data. */
        crypto_aead *enc = crypto_aead_new(algs[a], 1, k.key);
        uint8_t nonce[12], aad[13] = {0, 0, 0, 0, 0, 0, 0, 0, 23, 3, 3, 0x40, 0x01};
        size_t skip = algs[a] == CRYPTO_CHACHA20_POLY1305 ? 0 : 8;
        memcpy(nonce, k.iv, 12);
        if (skip) {
            memset(nonce + 4, 0, 8);
            memset(wire + 5, 0, 8);
        }
        CHECK(crypto_aead_seal(enc, nonce, aad, 13, plain, RECORD_MAX_PLAINTEXT + 1,
                               wire + 5 + skip) == 0);
        crypto_aead_free(enc);
        size_t n = 5 + skip + RECORD_MAX_PLAINTEXT + 1 + 16;
        wire[0] = 23, wire[1] = 3, wire[2] = 3;
        wire[3] = (uint8_t)((n - 5) >> 8), wire[4] = (uint8_t)(n - 5);
        CHECK_EQ_INT(open_alert(&rx, wire, n), RECORD_ALERT_RECORD_OVERFLOW);
        CHECK_EQ_INT(open_alert(&rx, wire, 5 + RECORD_MAX_FRAGMENT + 1),
                     RECORD_ALERT_RECORD_OVERFLOW);
        n = record_seal(&tx, 23, 0x0303, plain, RECORD_MAX_PLAINTEXT, wire);
        CHECK(open_alert(&rx, wire, n) == 0);
        record_state_clear(&tx);
        record_state_clear(&rx);
    }

    record_keys k = keys_for(RECORD_CBC, CRYPTO_AES128_CBC, CRYPTO_SHA1);
    record_state rx = {0};
    CHECK(record_state_install(&rx, &k, 0) == 0);
    size_t n = cbc_encrypt(&k, cbc_craft(&k, RECORD_MAX_PLAINTEXT + 1, 10));
    CHECK_EQ_INT(open_alert(&rx, wire, n), RECORD_ALERT_RECORD_OVERFLOW);
    n = cbc_encrypt(&k, cbc_craft(&k, RECORD_MAX_PLAINTEXT, 11));
    CHECK_EQ_INT(open_alert(&rx, wire, n), 0);
    /* Longer than any padding could explain: refused before decryption. */
    CHECK_EQ_INT(open_alert(&rx, wire, 5 + 16 + RECORD_MAX_PLAINTEXT + 256 + 48),
                 RECORD_ALERT_RECORD_OVERFLOW);
    record_state_clear(&rx);
}

/* Hash compression calls for the inner HMAC hash over n message bytes after the key block, by
 * the padding rule of FIPS 180-4 section 5.1: a 1 bit, zeros, and a 64-bit (SHA-1, SHA-256) or
 * 128-bit (SHA-384) length, filling whole blocks. */
static size_t compressions(crypto_hash_alg alg, size_t n)
{
    size_t block = alg == CRYPTO_SHA384 ? 128 : 64, length_field = alg == CRYPTO_SHA384 ? 16 : 8;
    size_t blocks = 1;
    while (blocks * block < n + 1 + length_field)
        blocks++;
    return blocks;
}

/* Lucky Thirteen: whatever the padding length, opening a CBC record of a given length makes the
 * same number of hash compression calls (MAC plus dummy work), and the dummy bytes fit in the
 * 384-byte dummy buffer. */
static void cbc_equal_hash_work(void)
{
    static const crypto_hash_alg algs[] = {CRYPTO_SHA1, CRYPTO_SHA256, CRYPTO_SHA384};
    int uneven = 0, too_long = 0, some_dummy = 0;
    for (size_t a = 0; a < 3; a++) {
        size_t mac_len = crypto_hash_size(algs[a]), block = crypto_hash_block_size(algs[a]);
        for (size_t len = 64; len <= 1024; len += 16) {
            size_t most = compressions(algs[a], 13 + len - mac_len - 1);
            for (size_t pad = 0; pad < 256 && pad + 1 + mac_len <= len; pad++) {
                size_t content = len - mac_len - 1 - pad;
                size_t dummy = record_cbc_dummy_len(algs[a], len, mac_len, content);
                uneven += dummy % block != 0 ||
                          compressions(algs[a], 13 + content) + dummy / block != most;
                too_long += dummy > 384;
                some_dummy += dummy > 0;
            }
        }
    }
    CHECK_EQ_INT(uneven, 0);
    CHECK_EQ_INT(too_long, 0);
    CHECK(some_dummy > 1000);
}

/* Sequence numbers never wrap: the record numbered 2^64 - 1 is refused in both directions. */
static void sequence_exhaustion(void)
{
    record_keys k = keys_for(RECORD_AEAD, CRYPTO_CHACHA20_POLY1305, 0);
    record_state tx = {0}, rx = {0};
    CHECK(record_state_install(&tx, &k, 1) == 0);
    CHECK(record_state_install(&rx, &k, 0) == 0);
    tx.seq = rx.seq = UINT64_MAX - 1;
    size_t n = record_seal(&tx, 23, 0x0303, plain, 10, wire);
    CHECK(n > 0);
    CHECK_EQ_INT(open_alert(&rx, wire, n), 0);
    CHECK_EQ_INT(record_seal(&tx, 23, 0x0303, plain, 10, copy), 0);
    CHECK(tx.seq == UINT64_MAX && rx.seq == UINT64_MAX);
    CHECK(open_alert(&rx, wire, n) != 0);
    CHECK(rx.seq == UINT64_MAX);
    /* Installing keys again starts from zero. */
    CHECK(record_state_install(&tx, &k, 1) == 0);
    CHECK_EQ_INT(tx.seq, 0);
    CHECK(record_seal(&tx, 23, 0x0303, plain, 10, wire) > 0);
    record_state_clear(&tx);
    record_state_clear(&rx);

    /* Keys that do not fit the algorithm are refused rather than half used. */
    k.iv_len = 4;
    CHECK_EQ_INT(record_state_install(&tx, &k, 1), -1);
    CHECK_EQ_INT(tx.kind, RECORD_PLAIN);
}

static void plain_records(void)
{
    record_state plain_state = {0};
    uint8_t *out;
    size_t out_len;
    CHECK_EQ_INT(open_alert(&plain_state, wire, 5 + RECORD_MAX_PLAINTEXT + 1),
                 RECORD_ALERT_RECORD_OVERFLOW);
    CHECK_EQ_INT(open_alert(&plain_state, wire, 4), RECORD_ALERT_DECODE_ERROR);
    CHECK_EQ_INT(record_seal(&plain_state, 22, 0x0301, plain, RECORD_MAX_PLAINTEXT + 1, wire), 0);
    CHECK_EQ_INT(record_seal(&plain_state, 22, 0x0301, plain, RECORD_MAX_PLAINTEXT, wire),
                 5 + RECORD_MAX_PLAINTEXT);
    CHECK(open_alert(&plain_state, wire, 5 + RECORD_MAX_PLAINTEXT) == 0);
    size_t n = record_seal(&plain_state, 22, 0x0301, (const uint8_t *)"hi", 2, wire);
    static const uint8_t expect[] = {22, 3, 1, 0, 2, 'h', 'i'};
    CHECK_EQ_INT(n, 7);
    CHECK_MEM(wire, expect, 7);
    CHECK(record_open(&plain_state, wire, n, &out, &out_len) == 0 && out_len == 2 &&
          out == wire + 5);
    CHECK_EQ_INT(record_expansion(&plain_state), 0);
}

int main(void)
{
    CHECK(crypto_init() == 0);
    round_trips(keys_for(RECORD_AEAD, CRYPTO_AES128_GCM, 0), "AES-128-GCM");
    round_trips(keys_for(RECORD_AEAD, CRYPTO_AES256_GCM, 0), "AES-256-GCM");
    round_trips(keys_for(RECORD_AEAD, CRYPTO_CHACHA20_POLY1305, 0), "ChaCha20-Poly1305");
    round_trips(keys_for(RECORD_CBC, CRYPTO_AES128_CBC, CRYPTO_SHA1), "AES-128-CBC-SHA");
    round_trips(keys_for(RECORD_CBC, CRYPTO_AES128_CBC, CRYPTO_SHA256), "AES-128-CBC-SHA256");
    round_trips(keys_for(RECORD_CBC, CRYPTO_AES256_CBC, CRYPTO_SHA1), "AES-256-CBC-SHA");
    round_trips(keys_for(RECORD_CBC, CRYPTO_AES256_CBC, CRYPTO_SHA384), "AES-256-CBC-SHA384");
    aead_against_evp();
    aead_published_vectors();
    cbc_padding_faults(CRYPTO_AES128_CBC, CRYPTO_SHA1);
    cbc_padding_faults(CRYPTO_AES128_CBC, CRYPTO_SHA256);
    cbc_padding_faults(CRYPTO_AES256_CBC, CRYPTO_SHA384);
    cbc_mac_faults(CRYPTO_AES128_CBC, CRYPTO_SHA1);
    cbc_mac_faults(CRYPTO_AES128_CBC, CRYPTO_SHA256);
    cbc_mac_faults(CRYPTO_AES256_CBC, CRYPTO_SHA384);
    cbc_equal_hash_work();
    overflow();
    sequence_exhaustion();
    plain_records();
    return check_summary("test_record");
}
