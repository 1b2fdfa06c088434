/*
 * The crypto boundary against published known answers, and the behaviour the handshake relies
 * on (peer point validation, RSA pre-master handling, signatures). Keys are generated here with
 * libcrypto so the test depends on nothing outside src/crypto/.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crypto/crypto.h"
#include "crypto/crypto_key.h"

static uint8_t a[1024], b[1024], c[1024];

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* FIPS 180-2 appendix B: SHA-256("abc") and the two-block message; peeking must not end the
 * transcript. */
static void test_hash(void)
{
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    crypto_hash *h = crypto_hash_new(CRYPTO_SHA256);
    CHECK(h != NULL);
    CHECK(crypto_hash_update(h, (const uint8_t *)"abc", 3) == 0);
    check_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", a, sizeof(a));
    CHECK(crypto_hash_peek(h, b) == 0);
    CHECK_MEM(b, a, 32);
    CHECK(crypto_hash_peek(h, c) == 0); /* a second peek sees the same state */
    CHECK_MEM(c, a, 32);
    crypto_hash_free(h);

    h = crypto_hash_new(CRYPTO_SHA256);
    CHECK(crypto_hash_update(h, (const uint8_t *)two_blocks, 20) == 0);
    CHECK(crypto_hash_peek(h, b) == 0);
    CHECK(crypto_hash_update(h, (const uint8_t *)two_blocks + 20, strlen(two_blocks) - 20) == 0);
    check_hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", a, sizeof(a));
    CHECK(crypto_hash_peek(h, b) == 0);
    CHECK_MEM(b, a, 32);
    CHECK(crypto_digest(CRYPTO_SHA256, (const uint8_t *)two_blocks, strlen(two_blocks), c) == 0);
    CHECK_MEM(c, a, 32);
    crypto_hash_free(h);

    /* FIPS 180-2 appendix D: SHA-384("abc"). */
    check_hex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358ba"
              "eca134c825a7",
              a, sizeof(a));
    CHECK(crypto_digest(CRYPTO_SHA384, (const uint8_t *)"abc", 3, b) == 0);
    CHECK_MEM(b, a, 48);
    CHECK_EQ_INT(crypto_hash_size(CRYPTO_SHA384), 48);
    CHECK_EQ_INT(crypto_hash_size(CRYPTO_SHA1), 20);
    CHECK_EQ_INT(crypto_hash_block_size(CRYPTO_SHA384), 128);
    CHECK_EQ_INT(crypto_hash_block_size(CRYPTO_SHA256), 64);
    crypto_hash_free(NULL);
}

/* RFC 4231 test cases 1 and 6 (HMAC-SHA-256 and HMAC-SHA-384). */
static void test_hmac(void)
{
    uint8_t key[131];
    memset(key, 0x0b, 20);
    size_t n =
        check_hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", a, sizeof(a));
    CHECK(crypto_hmac_oneshot(CRYPTO_SHA256, key, 20, (const uint8_t *)"Hi There", 8, b) == 0);
    CHECK_MEM(b, a, n);
    n = check_hex("afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f"
                  "4af152e8b2fa9cb6",
                  a, sizeof(a));
    CHECK(crypto_hmac_oneshot(CRYPTO_SHA384, key, 20, (const uint8_t *)"Hi There", 8, b) == 0);
    CHECK_MEM(b, a, n);

    /* A reused keyed state gives the same answer each time, whatever came before. */
    crypto_hmac *m = crypto_hmac_new(CRYPTO_SHA256, key, 20);
    check_hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", a, sizeof(a));
    for (int i = 0; i < 3; i++) {
        CHECK(crypto_hmac_begin(m) == 0);
        CHECK(crypto_hmac_update(m, (const uint8_t *)"Hi", 2) == 0);
        CHECK(crypto_hmac_update(m, (const uint8_t *)" There", 6) == 0);
        CHECK(crypto_hmac_final(m, c) == 0);
        CHECK_MEM(c, a, 32);
        CHECK(crypto_hmac_begin(m) == 0);
        CHECK(crypto_hmac_update(m, (const uint8_t *)"something else", 14) == 0);
    }
    crypto_hmac_free(m);
    crypto_hmac_free(NULL);

    /* Test case 6: a 131-byte key, longer than the block, is hashed first. */
    memset(key, 0xaa, sizeof(key));
    static const char msg6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    check_hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", a, sizeof(a));
    CHECK(crypto_hmac_oneshot(CRYPTO_SHA256, key, sizeof(key), (const uint8_t *)msg6, strlen(msg6),
                              b) == 0);
    CHECK_MEM(b, a, 32);
    check_hex(
        "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248d"
        "f163f44952",
        a, sizeof(a));
    CHECK(crypto_hmac_oneshot(CRYPTO_SHA384, key, sizeof(key), (const uint8_t *)msg6, strlen(msg6),
                              b) == 0);
    CHECK_MEM(b, a, 48);
}

/* libcrypto's own TLS1-PRF KDF, to compare output lengths the published vectors do not cover. */
static void kdf_prf(const char *digest, const uint8_t *secret, size_t slen, const char *label,
                    const uint8_t *seed, size_t seedlen, uint8_t *out, size_t outlen)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    uint8_t full_seed[256];
    size_t label_len = strlen(label);
    memcpy(full_seed, label, label_len);
    memcpy(full_seed + label_len, seed, seedlen);
    OSSL_PARAM params[4] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, slen),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, full_seed, label_len + seedlen),
        OSSL_PARAM_construct_end()};
    CHECK(EVP_KDF_derive(ctx, out, outlen, params) == 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
}

/* The TLS 1.2 PRF test vectors circulated on the IETF TLS list ("PRF Testvector", label "test
 * label"): SHA-256 with 100 bytes of output, SHA-384 with 148. */
static void test_prf(void)
{
    uint8_t secret[16], seed[16];
    check_hex("9bbe436ba940f017b17652849a71db35", secret, sizeof(secret));
    check_hex("a0ba9f936cda311827a6f796ffd5198c", seed, sizeof(seed));
    size_t n =
        check_hex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e9"
                  "0d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fc"
                  "e34f796789baa48082d122ee42c5a72e5a5110fff70187347b66",
                  a, sizeof(a));
    CHECK_EQ_INT(n, 100);
    CHECK(crypto_prf_tls12(CRYPTO_SHA256, secret, 16, "test label", seed, 16, NULL, 0, b, 100) ==
          0);
    CHECK_MEM(b, a, 100);
    /* A split seed (client random + server random) equals the concatenation. */
    CHECK(crypto_prf_tls12(CRYPTO_SHA256, secret, 16, "test label", seed, 7, seed + 7, 9, c, 100) ==
          0);
    CHECK_MEM(c, a, 100);

    check_hex("b80b733d6ceefcdc71566ea48e5567df", secret, sizeof(secret));
    check_hex("cd665cf6a8447dd6ff8b27555edb7465", seed, sizeof(seed));
    n = check_hex("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe3"
                  "4f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3"
                  "d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236"
                  "a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f",
                  a, sizeof(a));
    CHECK_EQ_INT(n, 148);
    CHECK(crypto_prf_tls12(CRYPTO_SHA384, secret, 16, "test label", seed, 16, NULL, 0, b, 148) ==
          0);
    CHECK_MEM(b, a, 148);

    static const size_t lengths[] = {1, 12, 47, 48, 49, 104, 200};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        CHECK(crypto_prf_tls12(CRYPTO_SHA384, secret, 16, "key expansion", seed, 16, NULL, 0, b,
                               lengths[i]) == 0);
        kdf_prf("SHA384", secret, 16, "key expansion", seed, 16, a, lengths[i]);
        CHECK_MEM(b, a, lengths[i]);
    }
}

/* Seals plaintext and opens it again, checking both against the expected ciphertext and tag; then
 * a flipped tag bit must fail and leave no plaintext behind. */
static void aead_known_answer(crypto_aead_alg alg, const char *key_hex, const char *nonce_hex,
                              const char *aad_hex, const char *pt_hex, const char *ct_hex,
                              const char *tag_hex)
{
    uint8_t key[32], nonce[12], aad[64], pt[128], expect[160], sealed[160], opened[128];
    CHECK_EQ_INT(check_hex(key_hex, key, sizeof(key)), crypto_aead_key_size(alg));
    CHECK_EQ_INT(check_hex(nonce_hex, nonce, sizeof(nonce)), 12);
    size_t aad_len = check_hex(aad_hex, aad, sizeof(aad));
    size_t len = check_hex(pt_hex, pt, sizeof(pt));
    CHECK_EQ_INT(check_hex(ct_hex, expect, sizeof(expect)), len);
    CHECK_EQ_INT(check_hex(tag_hex, expect + len, 16), 16);

    crypto_aead *enc = crypto_aead_new(alg, 1, key), *dec = crypto_aead_new(alg, 0, key);
    CHECK(enc != NULL && dec != NULL);
    for (int round = 0; round < 2; round++) { /* the keyed context is reused */
        CHECK(crypto_aead_seal(enc, nonce, aad, aad_len, pt, len, sealed) == 0);
        CHECK_MEM(sealed, expect, len + 16);
        CHECK(crypto_aead_open(dec, nonce, aad, aad_len, sealed, len + 16, opened) == 0);
        CHECK_MEM(opened, pt, len);
    }
    memcpy(sealed, pt, len); /* in place */
    CHECK(crypto_aead_seal(enc, nonce, aad, aad_len, sealed, len, sealed) == 0);
    CHECK_MEM(sealed, expect, len + 16);
    CHECK(crypto_aead_open(dec, nonce, aad, aad_len, sealed, len + 16, sealed) == 0);
    CHECK_MEM(sealed, pt, len);

    memcpy(sealed, expect, len + 16);
    sealed[len + 15] ^= 0x80;
    memset(opened, 0xa5, sizeof(opened));
    CHECK(crypto_aead_open(dec, nonce, aad, aad_len, sealed, len + 16, opened) == -1);
    CHECK(all_bytes(opened, len, 0)); /* the forged plaintext is wiped */
    sealed[len + 15] ^= 0x80;
    nonce[11] ^= 1;
    CHECK(crypto_aead_open(dec, nonce, aad, aad_len, sealed, len + 16, opened) == -1);
    nonce[11] ^= 1;
    CHECK(crypto_aead_open(dec, nonce, aad, aad_len, sealed, 15, opened) == -1); /* no room */
    crypto_aead_free(enc);
    crypto_aead_free(dec);
}

static void test_aead(void)
{
    static const char gcm_pt[] = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                                 "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    static const char gcm_aad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    /* McGrew & Viega, "The Galois/Counter Mode of Operation", test case 2. */
    aead_known_answer(CRYPTO_AES128_GCM, "00000000000000000000000000000000",
                      "000000000000000000000000", "", "00000000000000000000000000000000",
                      "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf");
    /* Test case 4: AES-128 with additional data. */
    aead_known_answer(CRYPTO_AES128_GCM, "feffe9928665731c6d6a8f9467308308",
                      "cafebabefacedbaddecaf888", gcm_aad, gcm_pt,
                      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                      "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
                      "5bc94fbc3221a5db94fae95ae7121a47");
    /* Test case 16: AES-256 with additional data. */
    aead_known_answer(CRYPTO_AES256_GCM,
                      "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
                      "cafebabefacedbaddecaf888", gcm_aad, gcm_pt,
                      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
                      "76fc6ece0f4e1768cddf8853bb2d551b");
    /* RFC 8439 section 2.8.2. */
    static const char sunscreen[] =
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
        "future, sunscreen would be it.";
    char pt_hex[2 * sizeof(sunscreen)];
    for (size_t i = 0; i < strlen(sunscreen); i++)
        snprintf(pt_hex + 2 * i, 3, "%02x", (unsigned char)sunscreen[i]);
    aead_known_answer(CRYPTO_CHACHA20_POLY1305,
                      "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
                      "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7", pt_hex,
                      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                      "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                      "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                      "3ff4def08e4b7a9de576d26586cec64b6116",
                      "1ae10b594f09e26a7e902ecbd0600691");
    crypto_aead_free(NULL);
}

/* NIST SP 800-38A F.2.1/F.2.2 (CBC-AES128) and F.2.5/F.2.6 (CBC-AES256). */
static void cbc_known_answer(crypto_cbc_alg alg, const char *key_hex, const char *ct_hex)
{
    uint8_t key[32], iv[16], pt[64], ct[64], out[64];
    CHECK_EQ_INT(check_hex(key_hex, key, sizeof(key)), crypto_cbc_key_size(alg));
    check_hex("000102030405060708090a0b0c0d0e0f", iv, sizeof(iv));
    check_hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
              "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
              pt, sizeof(pt));
    CHECK_EQ_INT(check_hex(ct_hex, ct, sizeof(ct)), 64);
    crypto_cbc *enc = crypto_cbc_new(alg, 1, key), *dec = crypto_cbc_new(alg, 0, key);
    CHECK(enc != NULL && dec != NULL);
    for (int round = 0; round < 2; round++) { /* each call starts from its own IV */
        CHECK(crypto_cbc_run(enc, iv, pt, 64, out) == 0);
        CHECK_MEM(out, ct, 64);
        CHECK(crypto_cbc_run(dec, iv, out, 64, out) == 0);
        CHECK_MEM(out, pt, 64);
    }
    /* Block-by-block with the previous ciphertext block as IV gives the same chain. */
    CHECK(crypto_cbc_run(enc, ct + 16, pt + 32, 32, out) == 0);
    CHECK_MEM(out, ct + 32, 32);
    CHECK(crypto_cbc_run(enc, iv, pt, 17, out) == -1); /* no padding: whole blocks only */
    crypto_cbc_free(enc);
    crypto_cbc_free(dec);
}

static void test_cbc(void)
{
    cbc_known_answer(CRYPTO_AES128_CBC, "2b7e151628aed2a6abf7158809cf4f3c",
                     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
                     "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
    cbc_known_answer(CRYPTO_AES256_CBC,
                     "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
                     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
                     "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b");
    crypto_cbc_free(NULL);
}

/* RFC 7748 section 6.1: both sides of the X25519 exchange, and the peer values to refuse. */
static void test_x25519(void)
{
    uint8_t priv[32], pub[32], shared[32], out[CRYPTO_MAX_KEX_PUBLIC];
    size_t n;
    check_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", priv, 32);
    crypto_kex *alice = crypto_kex_new_from_private(0x001d, priv, 32);
    check_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", priv, 32);
    crypto_kex *bob = crypto_kex_new_from_private(0x001d, priv, 32);
    CHECK(alice != NULL && bob != NULL);
    CHECK_EQ_INT(crypto_kex_public(alice, out, sizeof(out)), 32);
    check_hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", pub, 32);
    CHECK_MEM(out, pub, 32);
    CHECK_EQ_INT(crypto_kex_public(bob, out, sizeof(out)), 32);
    check_hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", pub, 32);
    CHECK_MEM(out, pub, 32);
    CHECK_EQ_INT(crypto_kex_public(bob, out, 31), 0); /* no room */

    check_hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", shared, 32);
    CHECK(crypto_kex_derive(alice, pub, 32, out, &n) == 0);
    CHECK_EQ_INT(n, 32);
    CHECK_MEM(out, shared, 32);
    check_hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", pub, 32);
    CHECK(crypto_kex_derive(bob, pub, 32, out, &n) == 0);
    CHECK_MEM(out, shared, 32);

    /* Small-order points give an all-zero secret: the zero point, and the order-8 point
     * e0eb7a7c... listed among the known small-order u-coordinates. */
    static const uint8_t zero_point[32];
    CHECK(crypto_kex_derive(alice, zero_point, 32, out, &n) == -1);
    check_hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", pub, 32);
    CHECK(crypto_kex_derive(alice, pub, 32, out, &n) == -1);
    CHECK(crypto_kex_derive(alice, pub, 31, out, &n) == -1);
    CHECK(crypto_kex_derive(alice, pub, 33, out, &n) == -1);
    CHECK(crypto_kex_new_from_private(0x0017, priv, 32) == NULL);
    CHECK(crypto_kex_new_from_private(0x001d, priv, 31) == NULL);
    crypto_kex_free(alice);
    crypto_kex_free(bob);

    crypto_kex *x = crypto_kex_new(0x001d), *y = crypto_kex_new(0x001d);
    uint8_t px[32], py[32], sx[32], sy[32];
    CHECK_EQ_INT(crypto_kex_public(x, px, 32), 32);
    CHECK_EQ_INT(crypto_kex_public(y, py, 32), 32);
    CHECK(memcmp(px, py, 32) != 0); /* fresh keys */
    size_t nx, ny;
    CHECK(crypto_kex_derive(x, py, 32, sx, &nx) == 0 && crypto_kex_derive(y, px, 32, sy, &ny) == 0);
    CHECK_MEM(sx, sy, 32);
    crypto_kex_free(x);
    crypto_kex_free(y);
}

/* P-256 and P-384: both sides agree, and malformed or off-curve points are refused. */
static void test_nist_kex(void)
{
    static const uint16_t groups[] = {0x0017, 0x0018};
    for (size_t i = 0; i < 2; i++) {
        size_t point = groups[i] == 0x0017 ? 65 : 97, coord = (point - 1) / 2;
        crypto_kex *x = crypto_kex_new(groups[i]), *y = crypto_kex_new(groups[i]);
        CHECK(x != NULL && y != NULL);
        uint8_t px[CRYPTO_MAX_KEX_PUBLIC], py[CRYPTO_MAX_KEX_PUBLIC], sx[48], sy[48];
        size_t lx = crypto_kex_public(x, px, sizeof(px)), ly = crypto_kex_public(y, py, sizeof(py));
        CHECK_EQ_INT(lx, point);
        CHECK_EQ_INT(ly, point);
        CHECK_EQ_INT(px[0], 4);
        CHECK(memcmp(px, py, point) != 0);
        size_t nx, ny;
        CHECK(crypto_kex_derive(x, py, ly, sx, &nx) == 0);
        CHECK(crypto_kex_derive(y, px, lx, sy, &ny) == 0);
        CHECK_EQ_INT(nx, coord);
        CHECK(nx == ny && memcmp(sx, sy, nx) == 0);

        py[ly - 1] ^= 1; /* y no longer matches x: off the curve */
        CHECK(crypto_kex_derive(x, py, ly, sx, &nx) == -1);
        py[ly - 1] ^= 1;
        py[0] = 2; /* compressed form is not accepted */
        CHECK(crypto_kex_derive(x, py, ly, sx, &nx) == -1);
        CHECK(crypto_kex_derive(x, py, 1 + coord, sx, &nx) == -1);
        py[0] = 4;
        CHECK(crypto_kex_derive(x, py, ly - 1, sx, &nx) == -1);
        CHECK(crypto_kex_derive(x, py, ly + 1, sx, &nx) == -1);
        static const uint8_t infinity[1] = {0};
        CHECK(crypto_kex_derive(x, infinity, 1, sx, &nx) == -1);
        uint8_t bad[CRYPTO_MAX_KEX_PUBLIC] = {4}; /* (0, 0) is not on either curve */
        CHECK(crypto_kex_derive(x, bad, point, sx, &nx) == -1);
        memset(bad + 1, 0xff, point - 1); /* coordinates above the field prime */
        CHECK(crypto_kex_derive(x, bad, point, sx, &nx) == -1);
        CHECK(crypto_kex_derive(x, py, ly, sx, &nx) == 0); /* still usable after refusals */
        crypto_kex_free(x);
        crypto_kex_free(y);
    }
    CHECK(crypto_kex_new(0x0019) == NULL); /* P-521 is not offered */
    CHECK(!crypto_group_supported(0x0019));
    CHECK(crypto_group_supported(0x001d));
    crypto_kex_free(NULL);
}

static crypto_key *generate(const char *type, const char *param, size_t bits)
{
    EVP_PKEY *pkey = param != NULL ? EVP_PKEY_Q_keygen(NULL, NULL, type, param)
                     : bits != 0   ? EVP_PKEY_Q_keygen(NULL, NULL, type, bits)
                                   : EVP_PKEY_Q_keygen(NULL, NULL, type);
    CHECK(pkey != NULL);
    return crypto_key_wrap(pkey);
}

/* Signs, verifies, then checks a flipped signature bit and a changed message are refused. */
static void sign_round_trip(crypto_key *k, uint16_t scheme)
{
    static const uint8_t msg[] = "client_random server_random params";
    uint8_t sig[CRYPTO_MAX_SIGNATURE];
    size_t len = sizeof(sig);
    CHECK(crypto_sign(k, scheme, msg, sizeof(msg), sig, &len) == 0);
    CHECK(len > 0 && len <= sizeof(sig));
    CHECK(crypto_verify(k, scheme, msg, sizeof(msg), sig, len) == 0);
    CHECK(crypto_verify(k, scheme, msg, sizeof(msg) - 1, sig, len) == -1);
    sig[len / 2] ^= 0x10;
    CHECK(crypto_verify(k, scheme, msg, sizeof(msg), sig, len) == -1);
    sig[len / 2] ^= 0x10;
    CHECK(crypto_verify(k, scheme, msg, sizeof(msg), sig, len - 1) == -1);
    size_t small = 8;
    CHECK(crypto_sign(k, scheme, msg, sizeof(msg), sig, &small) == -1); /* no room */
}

static void test_signatures(crypto_key *rsa)
{
    crypto_key *p256 = generate("EC", "P-256", 0), *p384 = generate("EC", "P-384", 0),
               *ed = generate("ED25519", NULL, 0);
    crypto_key *p521 = generate("EC", "P-521", 0);
    CHECK_EQ_INT(crypto_key_kind(rsa), CRYPTO_KEY_RSA);
    CHECK_EQ_INT(crypto_key_bits(rsa), 2048);
    CHECK_EQ_INT(crypto_key_kind(p256), CRYPTO_KEY_EC_P256);
    CHECK_EQ_INT(crypto_key_bits(p256), 256);
    CHECK_EQ_INT(crypto_key_kind(p384), CRYPTO_KEY_EC_P384);
    CHECK_EQ_INT(crypto_key_bits(p384), 384);
    CHECK_EQ_INT(crypto_key_kind(ed), CRYPTO_KEY_ED25519);
    CHECK_EQ_INT(crypto_key_kind(p521), CRYPTO_KEY_OTHER);
    CHECK_EQ_INT(crypto_key_kind(NULL), CRYPTO_KEY_NONE);

    static const uint16_t rsa_schemes[] = {
        SIG_RSA_PKCS1_SHA1,      SIG_RSA_PKCS1_SHA256,    SIG_RSA_PKCS1_SHA384,
        SIG_RSA_PKCS1_SHA512,    SIG_RSA_PSS_RSAE_SHA256, SIG_RSA_PSS_RSAE_SHA384,
        SIG_RSA_PSS_RSAE_SHA512,
    };
    for (size_t i = 0; i < sizeof(rsa_schemes) / sizeof(rsa_schemes[0]); i++)
        sign_round_trip(rsa, rsa_schemes[i]);
    sign_round_trip(p256, SIG_ECDSA_SECP256R1_SHA256);
    sign_round_trip(p384, SIG_ECDSA_SECP384R1_SHA384);
    sign_round_trip(p384, SIG_ECDSA_SECP256R1_SHA256); /* TLS 1.2: hash independent of curve */
    sign_round_trip(p256, SIG_ECDSA_SHA1);
    sign_round_trip(ed, SIG_ED25519);

    /* A signature under one scheme does not verify under another. */
    static const uint8_t msg[] = "server key exchange";
    uint8_t sig[CRYPTO_MAX_SIGNATURE];
    size_t len = sizeof(sig);
    CHECK(crypto_sign(rsa, SIG_RSA_PSS_RSAE_SHA256, msg, sizeof(msg), sig, &len) == 0);
    CHECK_EQ_INT(len, 256);
    CHECK(crypto_verify(rsa, SIG_RSA_PKCS1_SHA256, msg, sizeof(msg), sig, len) == -1);
    CHECK(crypto_verify(rsa, SIG_RSA_PSS_RSAE_SHA384, msg, sizeof(msg), sig, len) == -1);
    len = sizeof(sig);
    CHECK(crypto_sign(rsa, SIG_RSA_PKCS1_SHA256, msg, sizeof(msg), sig, &len) == 0);
    CHECK(crypto_verify(rsa, SIG_RSA_PKCS1_SHA384, msg, sizeof(msg), sig, len) == -1);
    CHECK(crypto_verify(rsa, SIG_RSA_PSS_RSAE_SHA256, msg, sizeof(msg), sig, len) == -1);
    CHECK(crypto_verify(p256, SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), sig, len) == -1);
    len = sizeof(sig);
    CHECK(crypto_sign(p256, SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), sig, &len) == 0);
    CHECK_EQ_INT(sig[0], 0x30); /* DER SEQUENCE */
    CHECK(crypto_verify(p256, SIG_ECDSA_SHA1, msg, sizeof(msg), sig, len) == -1);
    CHECK(crypto_verify(rsa, SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), sig, len) == -1);
    CHECK(crypto_verify(ed, SIG_ED25519, msg, sizeof(msg), sig, len) == -1);
    CHECK(crypto_sign(ed, SIG_RSA_PKCS1_SHA256, msg, sizeof(msg), sig, &len) == -1);
    CHECK(crypto_sign(rsa, 0x0999, msg, sizeof(msg), sig, &len) == -1); /* unknown scheme */

    CHECK(crypto_scheme_fits_key(p256, SIG_ECDSA_SECP384R1_SHA384, true));
    CHECK(!crypto_scheme_fits_key(p256, SIG_ECDSA_SECP384R1_SHA384, false));
    CHECK(crypto_scheme_fits_key(p384, SIG_ECDSA_SECP384R1_SHA384, false));
    CHECK(!crypto_scheme_fits_key(rsa, SIG_ECDSA_SECP256R1_SHA256, true));
    CHECK(crypto_scheme_fits_key(rsa, SIG_RSA_PSS_RSAE_SHA256, false));
    CHECK(!crypto_scheme_fits_key(p256, SIG_RSA_PKCS1_SHA256, true));
    CHECK(crypto_scheme_fits_key(ed, SIG_ED25519, true));
    CHECK(!crypto_scheme_fits_key(ed, SIG_ECDSA_SECP256R1_SHA256, true));
    CHECK(!crypto_scheme_fits_key(p521, SIG_ECDSA_SECP521R1_SHA512, true));
    CHECK(!crypto_scheme_fits_key(NULL, SIG_ED25519, true));

    /* References: the key lives until the last holder lets go. */
    crypto_key *again = crypto_key_ref(p256);
    CHECK(again == p256);
    crypto_key_free(p256);
    sign_round_trip(again, SIG_ECDSA_SECP256R1_SHA256);
    crypto_key_free(again);
    crypto_key_free(p384);
    crypto_key_free(ed);
    crypto_key_free(p521);
    crypto_key_free(NULL);
}

/* RFC 5246 7.4.7.1: a good pre-master comes back; anything else yields 48 other bytes and no
 * error. */
static void test_rsa_pms(crypto_key *rsa)
{
    uint8_t pms[48], enc[512], out[48], other[48];
    pms[0] = 3;
    pms[1] = 3;
    CHECK(crypto_random(pms + 2, 46) == 0);
    size_t enc_len = sizeof(enc);
    CHECK(crypto_rsa_encrypt(rsa, pms, 48, enc, &enc_len) == 0);
    CHECK_EQ_INT(enc_len, 256);
    CHECK(crypto_rsa_decrypt_pms(rsa, enc, enc_len, 0x0303, out) == 0);
    CHECK_MEM(out, pms, 48);

    /* Version bytes other than client_version (a rollback). */
    CHECK(crypto_rsa_decrypt_pms(rsa, enc, enc_len, 0x0302, out) == 0);
    CHECK(memcmp(out, pms, 48) != 0);
    /* The substitute is fresh each time, so it reveals nothing. */
    CHECK(crypto_rsa_decrypt_pms(rsa, enc, enc_len, 0x0302, other) == 0);
    CHECK(memcmp(out, other, 48) != 0);

    enc[enc_len / 2] ^= 1; /* corrupted ciphertext: padding check fails */
    CHECK(crypto_rsa_decrypt_pms(rsa, enc, enc_len, 0x0303, out) == 0);
    CHECK(memcmp(out, pms, 48) != 0);
    enc[enc_len / 2] ^= 1;
    CHECK(crypto_rsa_decrypt_pms(rsa, enc, enc_len - 1, 0x0303, out) == 0); /* wrong length */
    CHECK(memcmp(out, pms, 48) != 0);
    CHECK(crypto_rsa_decrypt_pms(rsa, enc, 0, 0x0303, out) == 0);
    CHECK(memcmp(out, pms, 48) != 0);

    /* A pre-master of the wrong length, correctly padded. */
    uint8_t short_pms[47];
    memcpy(short_pms, pms, sizeof(short_pms));
    enc_len = sizeof(enc);
    CHECK(crypto_rsa_encrypt(rsa, short_pms, 47, enc, &enc_len) == 0);
    CHECK(crypto_rsa_decrypt_pms(rsa, enc, enc_len, 0x0303, out) == 0);
    CHECK(memcmp(out, pms, 47) != 0);

    crypto_key *ec = generate("EC", "P-256", 0);
    CHECK(crypto_rsa_decrypt_pms(ec, enc, enc_len, 0x0303, out) == -1); /* not an RSA key */
    enc_len = sizeof(enc);
    CHECK(crypto_rsa_encrypt(ec, pms, 48, enc, &enc_len) == -1);
    crypto_key_free(ec);
}

static void test_utilities(void)
{
    uint8_t x[64], y[64];
    CHECK(crypto_random(x, sizeof(x)) == 0);
    CHECK(crypto_random(y, sizeof(y)) == 0);
    CHECK(memcmp(x, y, sizeof(x)) != 0);
    CHECK(crypto_memeq(x, x, sizeof(x)) == 1);
    memcpy(y, x, sizeof(x));
    y[63] ^= 1;
    CHECK(crypto_memeq(x, y, sizeof(x)) == 0);
    CHECK(crypto_memeq(x, y, 63) == 1);
    crypto_wipe(x, sizeof(x));
    CHECK(all_bytes(x, sizeof(x), 0));
    crypto_wipe(NULL, 5);
}

int main(void)
{
    CHECK(crypto_init() == 0);
    CHECK(crypto_init() == 0); /* idempotent */
    test_hash();
    test_hmac();
    test_prf();
    test_aead();
    test_cbc();
    test_x25519();
    test_nist_kex();
    crypto_key *rsa = generate("RSA", NULL, 2048);
    test_signatures(rsa);
    test_rsa_pms(rsa);
    crypto_key_free(rsa);
    test_utilities();
    return check_summary("test_crypto");
}
