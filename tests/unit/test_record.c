/*
 * Record protection: round trips for every protection, the AEAD nonce construction checked
 * against published vectors and an independent computation with raw EVP, and every tampering,
 * padding or MAC fault answered with bad_record_mac alike. CBC records with faults are built by
 * hand here with raw EVP so each fault can be placed exactly, for every CBC form: TLS 1.1/1.2
 * with an explicit IV per record and TLS 1.0 with IVs chained from record to record, each with
 * 16-byte (AES) and 8-byte (3DES) blocks. RC4 stream records are checked against raw EVP too.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>
#include <string.h>

#include "check.h"
#include "crypto/crypto.h"
#include "record/record.h"
#include "record/record_internal.h"
#include "handshake/keys13.h"
#include "rfc8448.h"

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
        k.mac = mac;
        k.mac_key_len = crypto_hash_size(mac);
        if (kind == RECORD_CBC) {
            k.cbc = (crypto_cbc_alg)alg;
            k.key_len = crypto_cbc_key_size(k.cbc);
        } else {
            k.stream = (crypto_stream_alg)alg;
            k.key_len = crypto_stream_key_size(k.stream);
        }
    }
    for (size_t i = 0; i < sizeof(k.key); i++)
        k.key[i] = (uint8_t)(i + 1);
    for (size_t i = 0; i < sizeof(k.mac_key); i++)
        k.mac_key[i] = (uint8_t)(0x40 + i);
    for (size_t i = 0; i < sizeof(k.iv); i++)
        k.iv[i] = (uint8_t)(0xa0 + i);
    return k;
}

/* One CBC form: the version decides the IV (TLS 1.0 chains it, later versions send one per
 * record), the cipher the block size. */
typedef struct cbc_case {
    uint16_t version;
    crypto_cbc_alg cbc;
    crypto_hash_alg mac;
    const char *name;
} cbc_case;

#define TLS1_0 0x0301

static const cbc_case cbc_cases[] = {
    {0x0303, CRYPTO_AES128_CBC, CRYPTO_SHA1, "TLS 1.2 AES-128-CBC-SHA"},
    {0x0303, CRYPTO_AES128_CBC, CRYPTO_SHA256, "TLS 1.2 AES-128-CBC-SHA256"},
    {0x0303, CRYPTO_AES256_CBC, CRYPTO_SHA1, "TLS 1.2 AES-256-CBC-SHA"},
    {0x0303, CRYPTO_AES256_CBC, CRYPTO_SHA384, "TLS 1.2 AES-256-CBC-SHA384"},
    {0x0303, CRYPTO_3DES_EDE_CBC, CRYPTO_SHA1, "TLS 1.2 3DES-EDE-CBC-SHA"},
    {0x0302, CRYPTO_AES128_CBC, CRYPTO_SHA1, "TLS 1.1 AES-128-CBC-SHA"},
    {TLS1_0, CRYPTO_AES128_CBC, CRYPTO_SHA1, "TLS 1.0 AES-128-CBC-SHA"},
    {TLS1_0, CRYPTO_AES256_CBC, CRYPTO_SHA1, "TLS 1.0 AES-256-CBC-SHA"},
    {TLS1_0, CRYPTO_3DES_EDE_CBC, CRYPTO_SHA1, "TLS 1.0 3DES-EDE-CBC-SHA"},
};
#define CBC_CASES (sizeof(cbc_cases) / sizeof(cbc_cases[0]))

/* Keys for a CBC form; in TLS 1.0 the first IV (one block) comes with them. */
static record_keys cbc_keys(const cbc_case *cc)
{
    record_keys k = keys_for(RECORD_CBC, cc->cbc, cc->mac);
    k.version = cc->version;
    k.iv_len = cc->version == TLS1_0 ? crypto_cbc_block_size(cc->cbc) : 0;
    return k;
}

static size_t block_of(const record_keys *k)
{
    return crypto_cbc_block_size(k->cbc);
}

/* Bytes before the encrypted part of a fragment: the GCM explicit nonce, or the CBC explicit IV
 * (none in TLS 1.0). */
static size_t fragment_prefix(const record_keys *k)
{
    if (k->kind == RECORD_AEAD)
        return k->aead == CRYPTO_CHACHA20_POLY1305 ? 0 : 8;
    return k->kind == RECORD_CBC && k->version != TLS1_0 ? block_of(k) : 0;
}

/* The exact fragment length record_seal produces for len bytes: prefix, then the tag, or the
 * MAC (and for CBC the least padding, length byte included, that fills whole blocks). */
static size_t fragment_len(const record_keys *k, size_t len)
{
    if (k->kind == RECORD_AEAD)
        return fragment_prefix(k) + len + 16;
    size_t mac_len = crypto_hash_size(k->mac);
    if (k->kind == RECORD_STREAM)
        return len + mac_len;
    size_t block = block_of(k);
    return fragment_prefix(k) + (len + mac_len + block) / block * block;
}

static uint8_t plain[RECORD_MAX_PLAINTEXT + 1 + CRYPTO_MAX_HASH], wire[RECORD_MAX_FRAGMENT + 64],
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
    static const size_t lengths[] = {0, 1, 7, 8, 15, 16, 17, 100, 16384};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        size_t len = lengths[i];
        for (size_t j = 0; j < len; j++)
            plain[j] = (uint8_t)(j * 31 + i);
        size_t n = record_seal(&tx, 23, k.version, plain, len, wire);
        CHECK_EQ_INT(n, 5 + fragment_len(&k, len));
        CHECK(n <= 5 + len + record_expansion(&tx));
        CHECK_EQ_INT(wire[0], 23);
        CHECK_EQ_INT(wire[1] << 8 | wire[2], k.version);
        CHECK_EQ_INT((size_t)(wire[3] << 8 | wire[4]), n - 5);
        CHECK(len < 16 || memcmp(wire + 5 + fragment_prefix(&k), plain, 16) != 0); /* encrypted */
        uint8_t *out;
        size_t out_len;
        int alert = record_open(&rx, wire, n, &out, &out_len);
        if (alert)
            fprintf(stderr, "%s: open failed for length %zu\n", name, len);
        CHECK_EQ_INT(alert, 0);
        CHECK_EQ_INT(out_len, len);
        CHECK(len == 0 || memcmp(out, plain, len) == 0);
    }
    CHECK_EQ_INT(tx.seq, 9);
    CHECK_EQ_INT(rx.seq, 9);

    if (k.kind != RECORD_AEAD) {
        /* The same plaintext twice never looks the same: a fresh random IV per record, an IV
         * chained from the record before (TLS 1.0), or a keystream that runs on. */
        size_t n1 = record_seal(&tx, 23, k.version, plain, 32, wire);
        size_t n2 = record_seal(&tx, 23, k.version, plain, 32, copy);
        CHECK(n1 == n2 && memcmp(wire + 5, copy + 5, 16) != 0);
        CHECK(open_alert(&rx, wire, n1) == 0 && open_alert(&rx, copy, n2) == 0);
    }

    /* Every single-byte change to a sealed record is caught, header included. (Stream records:
     * in stream_records, since a probe would use up the shared keystream.) */
    size_t n = record_seal(&tx, 23, k.version, plain, 100, wire);
    int caught = 0;
    for (size_t i = 0; i < n && k.kind != RECORD_STREAM; i++) {
        if (i == 3 || i == 4)
            continue; /* the length is checked by the framing before record_open */
        memcpy(copy, wire, n);
        copy[i] ^= 0x20;
        record_state probe = rx; /* same keys, sequence number and chained IV; contexts shared */
        caught += open_alert(&probe, copy, n) == RECORD_ALERT_BAD_RECORD_MAC;
    }
    CHECK_EQ_INT(caught, k.kind == RECORD_STREAM ? 0 : (int)n - 2);
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
    return mac == CRYPTO_MD5      ? EVP_md5()
           : mac == CRYPTO_SHA1   ? EVP_sha1()
           : mac == CRYPTO_SHA256 ? EVP_sha256()
                                  : EVP_sha384();
}

/* The header of an application data record in k's version with a frag_len-byte fragment. */
static void header_write(const record_keys *k, size_t frag_len)
{
    wire[0] = 23;
    wire[1] = (uint8_t)(k->version >> 8);
    wire[2] = (uint8_t)k->version;
    wire[3] = (uint8_t)(frag_len >> 8);
    wire[4] = (uint8_t)frag_len;
}

/* Writes c content bytes ('a', 'b', ...) at b and after them their MAC as application data
 * record number seq: HMAC over seq || type || version || length || content. Returns the MAC
 * length. */
static size_t content_and_mac(const record_keys *k, uint64_t seq, uint8_t *b, size_t c)
{
    for (size_t i = 0; i < c; i++)
        b[i] = (uint8_t)('a' + i % 26);
    static uint8_t mac_input[13 + RECORD_MAX_PLAINTEXT + 1];
    for (int i = 0; i < 8; i++)
        mac_input[i] = (uint8_t)(seq >> (56 - 8 * i));
    mac_input[8] = 23;
    mac_input[9] = (uint8_t)(k->version >> 8);
    mac_input[10] = (uint8_t)k->version;
    mac_input[11] = (uint8_t)(c >> 8);
    mac_input[12] = (uint8_t)c;
    memcpy(mac_input + 13, b, c);
    unsigned int out_len;
    HMAC(md_of(k->mac), k->mac_key, (int)k->mac_key_len, mac_input, 13 + c, b + c, &out_len);
    return out_len;
}

/* Where the CBC body (content || MAC || padding) of the record in wire starts. */
static uint8_t *cbc_body(const record_keys *k)
{
    return wire + 5 + fragment_prefix(k);
}

/* Writes into wire a CBC record (sequence number 0, application data) before encryption:
 * header, explicit IV (TLS 1.1+), content of c bytes, its MAC and pad + 1 bytes of value pad.
 * Returns the body length (content + MAC + padding). */
static size_t cbc_craft(const record_keys *k, size_t c, size_t pad)
{
    uint8_t *b = cbc_body(k);
    size_t mac_len = content_and_mac(k, 0, b, c), body = c + mac_len + pad + 1;
    memset(b + c + mac_len, (int)pad, pad + 1);
    header_write(k, fragment_prefix(k) + body);
    memset(wire + 5, 0x5a, fragment_prefix(k));
    return body;
}

/* Raw CBC over whole blocks in place, no padding, with libcrypto. */
static void cbc_raw(const record_keys *k, int encrypt, const uint8_t *iv, uint8_t *data, size_t len)
{
    const EVP_CIPHER *cipher = k->cbc == CRYPTO_AES128_CBC   ? EVP_aes_128_cbc()
                               : k->cbc == CRYPTO_AES256_CBC ? EVP_aes_256_cbc()
                                                             : EVP_des_ede3_cbc();
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    EVP_CipherInit_ex(ctx, cipher, NULL, k->key, iv, encrypt);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    int outl;
    EVP_CipherUpdate(ctx, data, &outl, data, (int)len);
    EVP_CIPHER_CTX_free(ctx);
}

/* Encrypts the crafted body in place under its explicit IV, or in TLS 1.0 under the first IV of
 * the keys (a crafted record is the first in its direction); returns the record length. */
static size_t cbc_encrypt(const record_keys *k, size_t body)
{
    size_t prefix = fragment_prefix(k);
    cbc_raw(k, 1, prefix > 0 ? wire + 5 : k->iv, wire + 5 + prefix, body);
    return 5 + prefix + body;
}

/* The least padding (pad + 1 bytes with its length byte) that makes n bytes whole blocks. */
static size_t least_padding(size_t block, size_t n)
{
    return block - 1 - n % block;
}

/* The smallest content length >= 1 that makes content + MAC + padding whole blocks. */
static size_t content_for_padding(size_t block, size_t mac_len, size_t pad)
{
    return block - (mac_len + pad + 1) % block;
}

/* Opens the record in wire with a copy of rx, so that rx's sequence number and (TLS 1.0) chained
 * IV stay at the start for the next crafted record. */
static int open_copy(const record_state *rx, size_t n, uint8_t **out, size_t *out_len)
{
    record_state probe = *rx;
    return record_open(&probe, wire, n, out, out_len);
}

/* Opens rec as record number seq with a receiver freshly installed from k: the start of the
 * TLS 1.0 IV chain and of the RC4 keystream. */
static int fresh_open(const record_keys *k, uint64_t seq, uint8_t *rec, size_t n)
{
    record_state rx = {0};
    CHECK(record_state_install(&rx, k, 0) == 0);
    rx.seq = seq;
    int alert = open_alert(&rx, rec, n);
    record_state_clear(&rx);
    return alert;
}

/* Every padding length 0..255, each with every single padding byte wrong (and a length byte that
 * claims more padding than the record holds): all bad_record_mac. The same record without the
 * fault opens, so the faults are what is rejected. */
static void cbc_padding_faults(const cbc_case *cc)
{
    record_keys k = cbc_keys(cc);
    size_t mac_len = crypto_hash_size(k.mac), block = block_of(&k);
    record_state rx = {0};
    CHECK(record_state_install(&rx, &k, 0) == 0);
    uint8_t *out;
    size_t out_len;
    int opened = 0, rejected = 0, faults = 0;
    for (size_t pad = 0; pad < 256; pad++) {
        size_t c = content_for_padding(block, mac_len, pad);
        size_t n = cbc_encrypt(&k, cbc_craft(&k, c, pad));
        if (open_copy(&rx, n, &out, &out_len) == 0 && out_len == c && out[0] == 'a')
            opened++;
        for (size_t wrong = 0; wrong <= pad; wrong++) {
            size_t body = cbc_craft(&k, c, pad);
            uint8_t *padding = cbc_body(&k) + c + mac_len;
            if (wrong < pad)
                padding[wrong] ^= 0x01;
            else /* the length byte: more padding than fits before the MAC, or other bytes */
                padding[pad] = (uint8_t)(pad + 1 + c + mac_len <= 255 ? pad + 1 + c + mac_len
                                         : pad == 255                 ? 254
                                                                      : 255);
            n = cbc_encrypt(&k, body);
            faults++;
            int alert = open_copy(&rx, n, &out, &out_len);
            if (alert == RECORD_ALERT_BAD_RECORD_MAC)
                rejected++;
            else
                fprintf(stderr, "%s: padding %zu, byte %zu wrong: alert %d\n", cc->name, pad, wrong,
                        alert);
        }
    }
    CHECK_EQ_INT(opened, 256);
    CHECK_EQ_INT(faults, 256 * 257 / 2);
    CHECK_EQ_INT(rejected, faults);
    record_state_clear(&rx);
}

/* A wrong MAC byte or content byte, with correct padding, for every content length 0..400 and
 * the MAC byte wrong at a different position each time: all bad_record_mac. */
static void cbc_mac_faults(const cbc_case *cc)
{
    record_keys k = cbc_keys(cc);
    size_t mac_len = crypto_hash_size(k.mac), block = block_of(&k);
    record_state rx = {0};
    CHECK(record_state_install(&rx, &k, 0) == 0);
    uint8_t *out, *b = cbc_body(&k);
    size_t out_len;
    int opened = 0, rejected = 0, faults = 0;
    for (size_t c = 0; c <= 400; c++) {
        size_t pad = least_padding(block, c + mac_len);
        for (int fault = 0; fault < 3; fault++) {
            size_t body = cbc_craft(&k, c, pad);
            if (fault == 1)
                b[c + c % mac_len] ^= 0x80; /* a MAC byte */
            else if (fault == 2 && c > 0)
                b[c / 2] ^= 0x01; /* a content byte */
            else if (fault == 2)
                b[c + mac_len - 1] ^= 0x01; /* no content: the last MAC byte */
            size_t n = cbc_encrypt(&k, body);
            int alert = open_copy(&rx, n, &out, &out_len);
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

    /* No body at all, too short for MAC and length byte, not whole blocks, or padding that would
     * eat into the MAC: the same alert. */
    size_t prefix = fragment_prefix(&k), min_body = (mac_len + 1 + block - 1) / block * block;
    memset(wire, 0, 5 + prefix + min_body + block);
    wire[0] = 23;
    CHECK_EQ_INT(open_copy(&rx, 5 + prefix, &out, &out_len), RECORD_ALERT_BAD_RECORD_MAC);
    CHECK_EQ_INT(open_copy(&rx, 5 + prefix + min_body - block, &out, &out_len),
                 RECORD_ALERT_BAD_RECORD_MAC);
    CHECK_EQ_INT(open_copy(&rx, 5 + prefix + min_body + block / 2, &out, &out_len),
                 RECORD_ALERT_BAD_RECORD_MAC);
    size_t body = cbc_craft(&k, 0, least_padding(block, mac_len));
    for (size_t i = body - mac_len - 1; i < body; i++)
        b[i] = (uint8_t)(body - mac_len); /* one more than fits beside the MAC */
    CHECK_EQ_INT(open_copy(&rx, cbc_encrypt(&k, body), &out, &out_len),
                 RECORD_ALERT_BAD_RECORD_MAC);
    record_state_clear(&rx);
}

/* TLS 1.0: no IV in the record; the first is encrypted under the IV that came with the keys and
 * each later one under the last ciphertext block before it in the same direction. The first
 * record sealed matches one built by hand; the later ones decrypt by hand under the block before
 * them to their content and MAC; a receiver opens them in order, but not one that starts the
 * chain anywhere else, and not a tampered one. */
static void cbc_chained_iv(const cbc_case *cc)
{
    record_keys k = cbc_keys(cc);
    size_t block = block_of(&k), mac_len = crypto_hash_size(k.mac);
    record_state tx = {0}, rx = {0};
    CHECK(record_state_install(&tx, &k, 1) == 0);
    CHECK(record_state_install(&rx, &k, 0) == 0);
    CHECK_EQ_INT(record_expansion(&tx), mac_len + block); /* no explicit IV */

    static const size_t sizes[3] = {37, 1, 37};
    static uint8_t recs[3][256];
    size_t lens[3];
    uint8_t text[128];
    size_t n = cbc_encrypt(&k, cbc_craft(&k, 37, least_padding(block, 37 + mac_len)));
    content_and_mac(&k, 0, text, 37);
    for (int i = 0; i < 3; i++)
        lens[i] = record_seal(&tx, 23, TLS1_0, text, sizes[i], recs[i]);
    CHECK_EQ_INT(lens[0], n);
    CHECK_MEM(recs[0], wire, n);
    CHECK(memcmp(recs[2] + 5, recs[0] + 5, lens[0] - 5) != 0); /* same text, next IV */
    for (int i = 1; i < 3; i++) {
        memcpy(copy, recs[i], lens[i]);
        cbc_raw(&k, 0, recs[i - 1] + lens[i - 1] - block, copy + 5, lens[i] - 5);
        content_and_mac(&k, (uint64_t)i, plain, sizes[i]);
        CHECK_MEM(copy + 5, plain, sizes[i] + mac_len);
    }

    int opened = 0;
    for (int i = 0; i < 3; i++) {
        memcpy(copy, recs[i], lens[i]);
        opened += open_alert(&rx, copy, lens[i]) == 0;
    }
    CHECK_EQ_INT(opened, 3);
    /* Record 1 under the keys' IV fails; under record 0's last block it opens. */
    memcpy(copy, recs[1], lens[1]);
    CHECK_EQ_INT(fresh_open(&k, 1, copy, lens[1]), RECORD_ALERT_BAD_RECORD_MAC);
    record_keys mid = k;
    memcpy(mid.iv, recs[0] + lens[0] - block, block);
    memcpy(copy, recs[1], lens[1]);
    CHECK_EQ_INT(fresh_open(&mid, 1, copy, lens[1]), 0);
    /* Out of order: record 2 straight after record 0. */
    record_state next = {0};
    CHECK(record_state_install(&next, &k, 0) == 0);
    memcpy(copy, recs[0], lens[0]);
    CHECK_EQ_INT(open_alert(&next, copy, lens[0]), 0);
    memcpy(copy, recs[2], lens[2]);
    record_state probe = next;
    probe.seq = 2;
    CHECK_EQ_INT(open_alert(&probe, copy, lens[2]), RECORD_ALERT_BAD_RECORD_MAC);
    /* A byte changed in the first block of record 1. */
    memcpy(copy, recs[1], lens[1]);
    copy[5 + block / 2] ^= 0x04;
    CHECK_EQ_INT(open_alert(&next, copy, lens[1]), RECORD_ALERT_BAD_RECORD_MAC);

    /* TLS 1.0 keys must bring the first IV, and later versions none. */
    k.iv_len = 0;
    CHECK_EQ_INT(record_state_install(&next, &k, 0), -1);
    k.version = 0x0302;
    k.iv_len = block;
    CHECK_EQ_INT(record_state_install(&next, &k, 0), -1);
    record_state_clear(&tx);
    record_state_clear(&rx);
    record_state_clear(&next);
}

/* Builds in wire application data record number seq of c content bytes as RC4 seals it, the
 * keystream running on in ctx; leaves the content (and its MAC) in plain. Returns the record
 * length. */
static size_t stream_craft(const record_keys *k, uint64_t seq, EVP_CIPHER_CTX *ctx, size_t c)
{
    size_t body = c + content_and_mac(k, seq, plain, c);
    header_write(k, body);
    int outl;
    EVP_EncryptUpdate(ctx, wire + 5, &outl, plain, (int)body);
    return 5 + body;
}

/* A raw RC4 context at the start of the keystream for k's key. */
static EVP_CIPHER_CTX *rc4_start(const EVP_CIPHER *rc4, const record_keys *k)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    CHECK(EVP_EncryptInit_ex(ctx, rc4, NULL, k->key, NULL) == 1);
    return ctx;
}

/* RC4 records, RC4-MD5 (16-byte MAC) and RC4-SHA (20): E(content || MAC) with no padding, the
 * keystream running on from record to record, equal to raw EVP RC4. Every single byte changed,
 * every length shorter than the MAC and the record cut short by one byte, each opened by a fresh
 * receiver: all bad_record_mac. An authentic plaintext over 2^14 is record_overflow. */
static void stream_records(crypto_hash_alg mac, const EVP_CIPHER *rc4)
{
    record_keys k = keys_for(RECORD_STREAM, CRYPTO_RC4_128, mac);
    k.version = TLS1_0;
    size_t mac_len = crypto_hash_size(mac);
    record_state tx = {0};
    CHECK(record_state_install(&tx, &k, 1) == 0);
    CHECK_EQ_INT(record_expansion(&tx), mac_len);
    CHECK(!record_split_first_byte(&tx));
    EVP_CIPHER_CTX *ctx = rc4_start(rc4, &k);
    static const size_t sizes[] = {0, 1, 300, 17};
    int same = 0;
    for (size_t i = 0; i < 4; i++) {
        size_t n = stream_craft(&k, i, ctx, sizes[i]);
        same +=
            record_seal(&tx, 23, TLS1_0, plain, sizes[i], copy) == n && memcmp(copy, wire, n) == 0;
    }
    CHECK_EQ_INT(same, 4);
    EVP_CIPHER_CTX_free(ctx);

    ctx = rc4_start(rc4, &k);
    size_t n = stream_craft(&k, 0, ctx, 50);
    EVP_CIPHER_CTX_free(ctx);
    int faults = 0, rejected = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 3 || i == 4)
            continue; /* the length is checked by the framing before record_open */
        memcpy(copy, wire, n);
        copy[i] ^= 0x20;
        faults++;
        rejected += fresh_open(&k, 0, copy, n) == RECORD_ALERT_BAD_RECORD_MAC;
    }
    for (size_t len = 0; len <= mac_len; len++) {
        size_t cut = len == mac_len ? n - 6 : len; /* the last: one byte short */
        memcpy(copy, wire, 5 + cut);
        copy[3] = (uint8_t)(cut >> 8);
        copy[4] = (uint8_t)cut;
        faults++;
        rejected += fresh_open(&k, 0, copy, 5 + cut) == RECORD_ALERT_BAD_RECORD_MAC;
    }
    CHECK_EQ_INT(faults, (int)n - 2 + (int)mac_len + 1);
    CHECK_EQ_INT(rejected, faults);
    memcpy(copy, wire, n);
    CHECK_EQ_INT(fresh_open(&k, 1, copy, n), RECORD_ALERT_BAD_RECORD_MAC); /* wrong number */
    CHECK_EQ_INT(fresh_open(&k, 0, wire, n), 0);

    static const size_t lengths[] = {RECORD_MAX_PLAINTEXT + 1, RECORD_MAX_PLAINTEXT};
    static const int alerts[] = {RECORD_ALERT_RECORD_OVERFLOW, 0};
    for (int i = 0; i < 2; i++) {
        ctx = rc4_start(rc4, &k);
        n = stream_craft(&k, 0, ctx, lengths[i]);
        EVP_CIPHER_CTX_free(ctx);
        CHECK_EQ_INT(fresh_open(&k, 0, wire, n), alerts[i]);
    }
    record_state_clear(&tx);
}

/* RC4 needs OpenSSL's legacy provider; the raw EVP RC4 compared against comes from a library
 * context of the test's own. */
static void stream_tests(void)
{
    const char *why = NULL;
    if (!crypto_stream_available(CRYPTO_RC4_128, &why)) {
        fprintf(stderr, "RC4 records not tested: %s\n", why != NULL ? why : "(no reason)");
        return;
    }
    round_trips(keys_for(RECORD_STREAM, CRYPTO_RC4_128, CRYPTO_MD5), "RC4-128-MD5");
    round_trips(keys_for(RECORD_STREAM, CRYPTO_RC4_128, CRYPTO_SHA1), "RC4-128-SHA");
    OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *legacy = OSSL_PROVIDER_load(lib, "legacy");
    EVP_CIPHER *rc4 = EVP_CIPHER_fetch(lib, "RC4", NULL);
    CHECK(rc4 != NULL);
    if (rc4 != NULL) {
        stream_records(CRYPTO_MD5, rc4);
        stream_records(CRYPTO_SHA1, rc4);
    }
    EVP_CIPHER_free(rc4);
    OSSL_PROVIDER_unload(legacy);
    OSSL_LIB_CTX_free(lib);
}

/* The 1/n-1 split is for TLS 1.0 CBC alone, in both directions: not TLS 1.1/1.2 CBC, AEAD, RC4
 * (even in TLS 1.0, checked in stream_records) or plain records. */
static void split_first_byte(void)
{
    record_state s = {0};
    CHECK(!record_split_first_byte(&s));
    int wrong = 0;
    for (size_t i = 0; i < CBC_CASES; i++) {
        record_keys k = cbc_keys(&cbc_cases[i]);
        for (int encrypt = 0; encrypt < 2; encrypt++) {
            CHECK(record_state_install(&s, &k, encrypt) == 0);
            wrong += record_split_first_byte(&s) != (k.version == TLS1_0);
        }
    }
    CHECK_EQ_INT(wrong, 0);
    record_keys k = keys_for(RECORD_AEAD, CRYPTO_AES128_GCM, 0);
    CHECK(record_state_install(&s, &k, 1) == 0);
    CHECK(!record_split_first_byte(&s)); /* RC4: in stream_records */
    record_state_clear(&s);
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

    uint8_t *out;
    size_t out_len;
    for (size_t i = 0; i < CBC_CASES; i++) {
        record_keys k = cbc_keys(&cbc_cases[i]);
        size_t mac_len = crypto_hash_size(k.mac), block = block_of(&k);
        record_state rx = {0};
        CHECK(record_state_install(&rx, &k, 0) == 0);
        size_t c = RECORD_MAX_PLAINTEXT + 1;
        size_t n = cbc_encrypt(&k, cbc_craft(&k, c, least_padding(block, c + mac_len)));
        CHECK_EQ_INT(open_copy(&rx, n, &out, &out_len), RECORD_ALERT_RECORD_OVERFLOW);
        c = RECORD_MAX_PLAINTEXT;
        n = cbc_encrypt(&k, cbc_craft(&k, c, least_padding(block, c + mac_len)));
        CHECK_EQ_INT(open_copy(&rx, n, &out, &out_len), 0);
        /* Longer than any padding could explain: refused before decryption. */
        size_t too_long = (RECORD_MAX_PLAINTEXT + mac_len + 256) / block * block + block;
        CHECK_EQ_INT(open_copy(&rx, 5 + fragment_prefix(&k) + too_long, &out, &out_len),
                     RECORD_ALERT_RECORD_OVERFLOW);
        record_state_clear(&rx);
    }
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
 * 384-byte dummy buffer. Lengths step by 8, the 3DES block. */
static void cbc_equal_hash_work(void)
{
    static const crypto_hash_alg algs[] = {CRYPTO_SHA1, CRYPTO_SHA256, CRYPTO_SHA384};
    int uneven = 0, too_long = 0, some_dummy = 0;
    for (size_t a = 0; a < 3; a++) {
        size_t mac_len = crypto_hash_size(algs[a]), block = crypto_hash_block_size(algs[a]);
        for (size_t len = 64; len <= 1024; len += 8) {
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

/* TLS 1.3 keys from hex (RFC 8448) or a pattern. */
static record_keys keys13(crypto_aead_alg alg, const char *key_hex, const char *iv_hex)
{
    record_keys k;
    memset(&k, 0, sizeof(k));
    k.kind = RECORD_TLS13;
    k.aead = alg;
    k.version = 0x0304;
    k.key_len = crypto_aead_key_size(alg);
    k.iv_len = 12;
    if (key_hex != NULL) {
        CHECK_EQ_INT(check_hex(key_hex, k.key, sizeof(k.key)), k.key_len);
        CHECK_EQ_INT(check_hex(iv_hex, k.iv, sizeof(k.iv)), 12);
    } else {
        for (size_t i = 0; i < k.key_len; i++)
            k.key[i] = (uint8_t)(0x11 * (i + alg));
        for (size_t i = 0; i < 12; i++)
            k.iv[i] = (uint8_t)(0xc0 + i);
    }
    return k;
}

/* One protected record of RFC 8448 section 3, both ways: opening it at sequence number seq
 * gives the trace's plaintext and inner content type, and sealing that plaintext gives the
 * trace's bytes. */
static void rfc8448_record(const record_keys *k, uint64_t seq, const char *record_hex,
                           const uint8_t *content, size_t content_len, uint8_t type,
                           const char *name)
{
    record_state tx = {0}, rx = {0};
    CHECK(record_state_install(&tx, k, 1) == 0);
    CHECK(record_state_install(&rx, k, 0) == 0);
    tx.seq = rx.seq = seq;
    size_t n = check_hex(record_hex, copy, sizeof(copy));
    memcpy(wire, copy, n);
    uint8_t *out = NULL;
    size_t out_len = 0;
    int alert = record_open(&rx, wire, n, &out, &out_len);
    if (alert != 0)
        fprintf(stderr, "%s: RFC 8448 record did not open (alert %d)\n", name, alert);
    CHECK_EQ_INT(alert, 0);
    CHECK_EQ_INT(wire[0], type);
    CHECK_EQ_INT(out_len, content_len);
    CHECK(out_len == content_len && memcmp(out, content, content_len) == 0);
    CHECK_EQ_INT(rx.seq, seq + 1);

    /* The version passed is ignored: protected TLS 1.3 records all say 0x0303. */
    size_t m = record_seal(&tx, type, 0x0304, content, content_len, wire);
    CHECK_EQ_INT(m, n);
    if (m != n || memcmp(wire, copy, n) != 0)
        fprintf(stderr, "%s: sealing does not give RFC 8448's record\n", name);
    CHECK(m == n && memcmp(wire, copy, n) == 0);
    CHECK(m <= 5 + content_len + record_expansion(&tx));

    /* At another sequence number the same record does not authenticate. */
    record_state probe = {0};
    CHECK(record_state_install(&probe, k, 0) == 0);
    probe.seq = seq + 1;
    memcpy(wire, copy, n);
    CHECK_EQ_INT(open_alert(&probe, wire, n), RECORD_ALERT_BAD_RECORD_MAC);
    record_state_clear(&probe);
    record_state_clear(&tx);
    record_state_clear(&rx);
}

/* RFC 8448 section 3: the server's encrypted flight (EncryptedExtensions, Certificate,
 * CertificateVerify, Finished in one record), the client's Finished, and the application data
 * each side sends, the server's at sequence number 1 (its NewSessionTicket went first). */
static void tls13_rfc8448(void)
{
    static uint8_t flight[1024], msg[64], app[50];
    size_t n = 0;
    n += check_hex(R8448_ENCRYPTED_EXTENSIONS, flight + n, sizeof(flight) - n);
    n += check_hex(R8448_CERTIFICATE, flight + n, sizeof(flight) - n);
    n += check_hex(R8448_CERTIFICATE_VERIFY, flight + n, sizeof(flight) - n);
    n += check_hex(R8448_SERVER_FINISHED, flight + n, sizeof(flight) - n);
    CHECK_EQ_INT(n, 657);
    record_keys k = keys13(CRYPTO_AES128_GCM, R8448_S_HS_KEY, R8448_S_HS_IV);
    rfc8448_record(&k, 0, R8448_SERVER_FLIGHT_RECORD, flight, n, CT_HANDSHAKE, "server flight");

    size_t m = check_hex(R8448_CLIENT_FINISHED, msg, sizeof(msg));
    k = keys13(CRYPTO_AES128_GCM, R8448_C_HS_KEY, R8448_C_HS_IV);
    rfc8448_record(&k, 0, R8448_CLIENT_FINISHED_RECORD, msg, m, CT_HANDSHAKE, "client Finished");

    for (size_t i = 0; i < sizeof(app); i++)
        app[i] = (uint8_t)i;
    k = keys13(CRYPTO_AES128_GCM, R8448_C_AP_KEY, R8448_C_AP_IV);
    rfc8448_record(&k, 0, R8448_CLIENT_APP_RECORD, app, sizeof(app), CT_APPLICATION_DATA,
                   "client application data");
    k = keys13(CRYPTO_AES128_GCM, R8448_S_AP_KEY, R8448_S_AP_IV);
    rfc8448_record(&k, 1, R8448_SERVER_APP_RECORD, app, sizeof(app), CT_APPLICATION_DATA,
                   "server application data");

    /* From the traffic secret straight to installed keys: the key schedule's record keys open
     * the client's application data too. */
    uint8_t secret[32];
    check_hex(R8448_C_AP_TRAFFIC, secret, sizeof(secret));
    CHECK(tls13_record_keys(CRYPTO_SHA256, CRYPTO_AES128_GCM, secret, &k) == 0);
    rfc8448_record(&k, 0, R8448_CLIENT_APP_RECORD, app, sizeof(app), CT_APPLICATION_DATA,
                   "client application data, keys from the secret");
}

/* A TLS 1.3 record built by hand: header, nonce = IV XOR seq and the AEAD, around any inner
 * plaintext (content, type, padding) the test wants, including ones a sender must not make. */
static size_t craft13(const record_keys *k, uint64_t seq, uint8_t outer_type, const uint8_t *inner,
                      size_t inner_len, uint8_t *out)
{
    size_t frag = inner_len + CRYPTO_AEAD_TAG;
    uint8_t hdr[5] = {outer_type, 3, 3, (uint8_t)(frag >> 8), (uint8_t)frag};
    uint8_t nonce[12];
    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
    crypto_aead *a = crypto_aead_new(k->aead, 1, k->key);
    memcpy(out, hdr, 5);
    CHECK(a != NULL && crypto_aead_seal(a, nonce, hdr, 5, inner, inner_len, out + 5) == 0);
    crypto_aead_free(a);
    return 5 + frag;
}

/* Opens a copy of the n-byte record in wire with fresh state at sequence number seq. */
static int open13(const record_keys *k, uint64_t seq, size_t n, uint8_t **out, size_t *out_len)
{
    record_state rx = {0};
    CHECK(record_state_install(&rx, k, 0) == 0);
    rx.seq = seq;
    memcpy(copy, wire, n);
    int alert = record_open(&rx, copy, n, out, out_len);
    record_state_clear(&rx);
    return alert;
}

/* The TLSInnerPlaintext rules of RFC 8446 5.2 and 5.4, for each TLS 1.3 AEAD. */
static void tls13_edges(crypto_aead_alg alg, const char *name)
{
    record_keys k = keys13(alg, NULL, NULL);
    record_state tx = {0};
    CHECK(record_state_install(&tx, &k, 1) == 0);
    CHECK_EQ_INT(record_expansion(&tx), 17);
    CHECK(!record_split_first_byte(&tx));
    uint8_t *out;
    size_t out_len;

    /* Round trips of each type, with and without padding; the padding never shows. */
    static const size_t lengths[] = {0, 1, 100, RECORD_MAX_PLAINTEXT};
    static const size_t pads[] = {0, 1, 255, 4000};
    static const uint8_t types[] = {CT_HANDSHAKE, CT_ALERT, CT_APPLICATION_DATA};
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < 4; j++) {
            size_t len = lengths[i], pad = pads[j];
            uint8_t type = types[(i + j) % 3];
            for (size_t b = 0; b < len; b++)
                plain[b] = (uint8_t)(b * 7 + 1);
            if (len > 0)
                plain[len - 1] = 0; /* content may itself end in zeros */
            uint64_t seq = tx.seq;
            size_t n = record_seal_padded(&tx, type, plain, len, pad, wire);
            if (len + pad > RECORD_MAX_PLAINTEXT) {
                CHECK_EQ_INT(n, 0);
                CHECK_EQ_INT(tx.seq, seq); /* a refused record uses no sequence number */
                continue;
            }
            CHECK_EQ_INT(n, 5 + len + 1 + pad + 16);
            CHECK(wire[0] == CT_APPLICATION_DATA && wire[1] == 3 && wire[2] == 3);
            int alert = open13(&k, seq, n, &out, &out_len);
            if (alert != 0)
                fprintf(stderr, "%s: length %zu pad %zu: alert %d\n", name, len, pad, alert);
            CHECK_EQ_INT(alert, 0);
            CHECK_EQ_INT(copy[0], type);
            CHECK_EQ_INT(out_len, len);
            CHECK(len == 0 || memcmp(out, plain, len) == 0);
        }
    }
    /* An unpadded record_seal is record_seal_padded with no padding. */
    uint64_t seq = tx.seq;
    size_t n = record_seal(&tx, CT_ALERT, 0x0303, (const uint8_t *)"\x01\x00", 2, wire);
    CHECK_EQ_INT(n, 5 + 2 + 1 + 16);
    CHECK(open13(&k, seq, n, &out, &out_len) == 0 && out_len == 2 && copy[0] == CT_ALERT);

    /* Crafted inner plaintexts. Content, type and padding as a sender should make them... */
    static uint8_t inner[RECORD_MAX_PLAINTEXT + 300];
    memset(inner, 0, sizeof(inner));
    inner[0] = 'x';
    inner[1] = CT_APPLICATION_DATA;
    n = craft13(&k, 5, CT_APPLICATION_DATA, inner, 2 + 10, wire);
    CHECK(open13(&k, 5, n, &out, &out_len) == 0 && out_len == 1 && out[0] == 'x');
    CHECK_EQ_INT(copy[0], CT_APPLICATION_DATA);
    /* ...but all zeros, or nothing at all, has no content type: unexpected_message. */
    n = craft13(&k, 0, CT_APPLICATION_DATA, inner + 2, 50, wire);
    CHECK_EQ_INT(open13(&k, 0, n, &out, &out_len), RECORD_ALERT_UNEXPECTED_MESSAGE);
    n = craft13(&k, 0, CT_APPLICATION_DATA, inner, 0, wire);
    CHECK_EQ_INT(n, 5 + 16);
    CHECK_EQ_INT(open13(&k, 0, n, &out, &out_len), RECORD_ALERT_UNEXPECTED_MESSAGE);
    /* The largest inner plaintext, 2^14 content bytes and the type, opens; one byte of padding
     * more is a record_overflow, and so is a fragment over 2^14 + 256. */
    memset(inner, 'y', RECORD_MAX_PLAINTEXT);
    inner[RECORD_MAX_PLAINTEXT] = CT_HANDSHAKE;
    n = craft13(&k, 0, CT_APPLICATION_DATA, inner, RECORD_MAX_PLAINTEXT + 1, wire);
    CHECK(open13(&k, 0, n, &out, &out_len) == 0 && out_len == RECORD_MAX_PLAINTEXT);
    n = craft13(&k, 0, CT_APPLICATION_DATA, inner, RECORD_MAX_PLAINTEXT + 2, wire);
    CHECK_EQ_INT(open13(&k, 0, n, &out, &out_len), RECORD_ALERT_RECORD_OVERFLOW);
    n = craft13(&k, 0, CT_APPLICATION_DATA, inner, RECORD_TLS13_MAX_FRAGMENT - 15, wire);
    CHECK_EQ_INT(open13(&k, 0, n, &out, &out_len), RECORD_ALERT_RECORD_OVERFLOW);
    /* A protected record must say application_data outside. */
    n = craft13(&k, 0, CT_HANDSHAKE, inner + RECORD_MAX_PLAINTEXT - 1, 2, wire);
    CHECK_EQ_INT(open13(&k, 0, n, &out, &out_len), RECORD_ALERT_UNEXPECTED_MESSAGE);
    /* Shorter than a tag, or any byte changed (version and length included: they are the
     * additional data), is bad_record_mac; so is the right record at the wrong number. */
    n = craft13(&k, 0, CT_APPLICATION_DATA, inner + RECORD_MAX_PLAINTEXT - 1, 2, wire);
    uint8_t short_rec[5 + 15] = {23, 3, 3, 0, 15};
    memcpy(copy, short_rec, sizeof(short_rec));
    record_state rx = {0};
    CHECK(record_state_install(&rx, &k, 0) == 0);
    CHECK_EQ_INT(open_alert(&rx, copy, sizeof(short_rec)), RECORD_ALERT_BAD_RECORD_MAC);
    record_state_clear(&rx);
    int caught = 0;
    uint8_t saved[64];
    memcpy(saved, wire, n);
    for (size_t i = 1; i < n; i++) {
        if (i == 3 || i == 4)
            continue; /* the length is checked by the framing before record_open */
        memcpy(wire, saved, n);
        wire[i] ^= 0x01;
        caught += open13(&k, 0, n, &out, &out_len) == RECORD_ALERT_BAD_RECORD_MAC;
    }
    CHECK_EQ_INT(caught, (int)n - 3);
    memcpy(wire, saved, n);
    CHECK(open13(&k, 0, n, &out, &out_len) == 0);
    CHECK_EQ_INT(open13(&k, 1, n, &out, &out_len), RECORD_ALERT_BAD_RECORD_MAC);

    /* Over-long content is refused when sealing, and so is padding on other protections. */
    CHECK_EQ_INT(record_seal(&tx, CT_APPLICATION_DATA, 0, plain, RECORD_MAX_PLAINTEXT + 1, wire),
                 0);
    record_state legacy = {0};
    record_keys lk = keys_for(RECORD_AEAD, alg, 0);
    CHECK(record_state_install(&legacy, &lk, 1) == 0);
    CHECK_EQ_INT(record_seal_padded(&legacy, CT_APPLICATION_DATA, plain, 10, 0, wire), 0);
    record_state_clear(&legacy);

    /* Installing refuses a TLS 1.2-sized IV or a key of the wrong size. */
    record_keys bad = k;
    bad.iv_len = 4;
    CHECK_EQ_INT(record_state_install(&tx, &bad, 1), -1);
    CHECK_EQ_INT(tx.kind, RECORD_PLAIN);
    bad = k;
    bad.key_len = alg == CRYPTO_AES128_GCM ? 32 : 16;
    CHECK_EQ_INT(record_state_install(&tx, &bad, 1), -1);
    record_state_clear(&tx);
}

int main(void)
{
    CHECK(crypto_init() == 0);
    round_trips(keys_for(RECORD_AEAD, CRYPTO_AES128_GCM, 0), "AES-128-GCM");
    round_trips(keys_for(RECORD_AEAD, CRYPTO_AES256_GCM, 0), "AES-256-GCM");
    round_trips(keys_for(RECORD_AEAD, CRYPTO_CHACHA20_POLY1305, 0), "ChaCha20-Poly1305");
    aead_against_evp();
    aead_published_vectors();
    for (size_t i = 0; i < CBC_CASES; i++) {
        round_trips(cbc_keys(&cbc_cases[i]), cbc_cases[i].name);
        cbc_padding_faults(&cbc_cases[i]);
        cbc_mac_faults(&cbc_cases[i]);
        if (cbc_cases[i].version == TLS1_0)
            cbc_chained_iv(&cbc_cases[i]);
    }
    stream_tests();
    split_first_byte();
    cbc_equal_hash_work();
    overflow();
    sequence_exhaustion();
    plain_records();
    tls13_rfc8448();
    tls13_edges(CRYPTO_AES128_GCM, "TLS 1.3 AES-128-GCM");
    tls13_edges(CRYPTO_AES256_GCM, "TLS 1.3 AES-256-GCM");
    tls13_edges(CRYPTO_CHACHA20_POLY1305, "TLS 1.3 ChaCha20-Poly1305");
    return check_summary("test_record");
}
