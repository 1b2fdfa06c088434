/*
 * Record protection: round trips for every protection, the nonce construction checked against an
 * independent computation with raw EVP, and every tampering or padding fault answered with
 * bad_record_mac alike.
 */
#include <openssl/evp.h>
#include <string.h>

#include "check.h"
#include "crypto/crypto.h"
#include "record/record.h"

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

static uint8_t plain[RECORD_MAX_PLAINTEXT], wire[RECORD_MAX_FRAGMENT + 64],
    copy[RECORD_MAX_FRAGMENT + 64];

static void round_trips(record_keys k, const char *name)
{
    record_state tx = {0}, rx = {0};
    CHECK(record_state_install(&tx, &k, 1) == 0);
    CHECK(record_state_install(&rx, &k, 0) == 0);
    static const size_t lengths[] = {0, 1, 15, 16, 17, 100, 16384};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        size_t len = lengths[i];
        for (size_t j = 0; j < len; j++)
            plain[j] = (uint8_t)(j * 31 + i);
        size_t n = record_seal(&tx, 23, 0x0303, plain, len, wire);
        CHECK(n >= 5 + len && n <= 5 + len + record_expansion(&tx));
        CHECK_EQ_INT(wire[0], 23);
        CHECK_EQ_INT((size_t)(wire[3] << 8 | wire[4]), n - 5);
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

    /* Every single-byte change to a sealed record is caught, header included. */
    size_t n = record_seal(&tx, 23, 0x0303, plain, 100, wire);
    int caught = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 3 || i == 4)
            continue; /* the length is checked by the framing before record_open */
        memcpy(copy, wire, n);
        copy[i] ^= 0x20;
        record_state probe = rx; /* same keys and sequence number, contexts shared */
        uint8_t *out;
        size_t out_len;
        caught += record_open(&probe, copy, n, &out, &out_len) == RECORD_ALERT_BAD_RECORD_MAC;
    }
    CHECK_EQ_INT(caught, (int)n - 2);
    /* The wrong sequence number (a replayed or dropped record) fails too. */
    rx.seq++;
    uint8_t *out;
    size_t out_len;
    CHECK_EQ_INT(record_open(&rx, wire, n, &out, &out_len), RECORD_ALERT_BAD_RECORD_MAC);
    record_state_clear(&tx);
    record_state_clear(&rx);
}

/* The AEAD record computed independently: nonce, additional data and layout by hand with EVP. */
static void known_answer_gcm_and_chacha(void)
{
    for (int chacha = 0; chacha < 2; chacha++) {
        record_keys k =
            keys_for(RECORD_AEAD, chacha ? CRYPTO_CHACHA20_POLY1305 : CRYPTO_AES128_GCM, 0);
        record_state tx = {0};
        record_state_install(&tx, &k, 1);
        tx.seq = 0x0102030405060708ull;
        const uint8_t msg[] = "GET / HTTP/1.1\r\n\r\n";
        size_t len = sizeof(msg) - 1;
        size_t n = record_seal(&tx, 23, 0x0303, msg, len, wire);

        uint8_t nonce[12], aad[13] = {1, 2, 3, 4, 5, 6, 7, 8, 23, 3, 3, 0, (uint8_t)len};
        if (chacha) {
            memcpy(nonce, k.iv, 12);
            for (int i = 0; i < 8; i++)
                nonce[4 + i] ^= aad[i];
        } else {
            memcpy(nonce, k.iv, 4);
            memcpy(nonce + 4, aad, 8);
        }
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        EVP_EncryptInit_ex(ctx, chacha ? EVP_chacha20_poly1305() : EVP_aes_128_gcm(), NULL, k.key,
                           nonce);
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

/* CBC: records with a wrong padding byte at every padding length, and with a bad MAC at many
 * content lengths, all get bad_record_mac - the same answer whichever check failed. */
static void cbc_faults(crypto_hash_alg mac)
{
    record_keys k = keys_for(RECORD_CBC, CRYPTO_AES128_CBC, mac);
    size_t mac_len = crypto_hash_size(mac);
    crypto_cbc *enc = crypto_cbc_new(CRYPTO_AES128_CBC, 1, k.key);
    int bad_padding = 0, bad_mac = 0, tries = 0;
    for (size_t pad = 0; pad < 256; pad++) {
        for (int fault = 0; fault < 2; fault++) {
            /* content(16) + MAC + padding, built by hand so the fault can be placed. */
            size_t content = 16, body = content + mac_len + pad + 1;
            if (body % 16 != 0)
                continue;
            record_state rx = {0};
            record_state_install(&rx, &k, 0);
            uint8_t aad[13] = {0, 0, 0, 0, 0, 0, 0, 0, 23, 3, 3, 0, (uint8_t)content};
            uint8_t *b = wire + 5 + 16;
            memset(b, 'x', content);
            crypto_hmac *m = crypto_hmac_new(mac, k.mac_key, k.mac_key_len);
            crypto_hmac_update(m, aad, 13);
            crypto_hmac_update(m, b, content);
            crypto_hmac_final(m, b + content);
            crypto_hmac_free(m);
            memset(b + content + mac_len, (int)pad, pad + 1);
            if (fault == 0 && pad > 0)
                b[content + mac_len] ^= 1; /* first padding byte wrong */
            else if (fault == 0)
                b[content + mac_len] = 7; /* "7" claims more padding than the rest holds */
            else
                b[content] ^= 1; /* MAC wrong, padding right */
            memset(wire + 5, 0x55, 16);
            crypto_cbc_run(enc, wire + 5, b, body, b);
            wire[0] = 23;
            wire[1] = 3;
            wire[2] = 3;
            wire[3] = (uint8_t)((16 + body) >> 8);
            wire[4] = (uint8_t)(16 + body);
            uint8_t *out;
            size_t out_len;
            int alert = record_open(&rx, wire, 5 + 16 + body, &out, &out_len);
            tries++;
            if (alert == RECORD_ALERT_BAD_RECORD_MAC && fault)
                bad_mac++;
            else if (alert == RECORD_ALERT_BAD_RECORD_MAC)
                bad_padding++;
            record_state_clear(&rx);
        }
    }
    CHECK(tries > 20);
    CHECK_EQ_INT(bad_padding + bad_mac, tries);
    CHECK(bad_padding > 0 && bad_mac > 0);

    /* Too short and not a block multiple: the same alert. */
    record_state rx = {0};
    record_state_install(&rx, &k, 0);
    uint8_t *out;
    size_t out_len;
    memset(wire, 0, 64);
    wire[0] = 23;
    CHECK_EQ_INT(record_open(&rx, wire, 5 + 16, &out, &out_len), RECORD_ALERT_BAD_RECORD_MAC);
    CHECK_EQ_INT(record_open(&rx, wire, 5 + 40, &out, &out_len), RECORD_ALERT_BAD_RECORD_MAC);
    record_state_clear(&rx);
    crypto_cbc_free(enc);
}

static void plain_limits(void)
{
    record_state plain_state = {0};
    uint8_t *out;
    size_t out_len;
    CHECK_EQ_INT(record_open(&plain_state, wire, 5 + RECORD_MAX_PLAINTEXT + 1, &out, &out_len),
                 RECORD_ALERT_RECORD_OVERFLOW);
    CHECK_EQ_INT(record_seal(&plain_state, 22, 0x0301, plain, RECORD_MAX_PLAINTEXT + 1, wire), 0);
    size_t n = record_seal(&plain_state, 22, 0x0301, (const uint8_t *)"hi", 2, wire);
    CHECK_EQ_INT(n, 7);
    CHECK(record_open(&plain_state, wire, n, &out, &out_len) == 0 && out_len == 2);
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
    known_answer_gcm_and_chacha();
    cbc_faults(CRYPTO_SHA1);
    cbc_faults(CRYPTO_SHA256);
    plain_limits();
    return check_summary("test_record");
}
