/*
 * The crypto boundary against published known answers, and the behaviour the handshake relies
 * on (peer point validation, RSA pre-master handling, signatures). Keys are generated here with
 * libcrypto so the test depends on nothing outside src/crypto/.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rsa.h>
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

/* MD5 and SHA-1 of the same bytes with libcrypto, one after the other. */
static void md5_sha1_evp(const uint8_t *data, size_t len, uint8_t out[36])
{
    CHECK(EVP_Digest(data, len, out, NULL, EVP_md5(), NULL) == 1);
    CHECK(EVP_Digest(data, len, out + 16, NULL, EVP_sha1(), NULL) == 1);
}

/* CRYPTO_MD5_SHA1 is MD5 || SHA-1: RFC 1321 and FIPS 180 "abc", then libcrypto's two digests
 * around the block boundaries, one-shot and incremental (the TLS 1.0/1.1 transcript). */
static void test_md5_sha1(void)
{
    CHECK_EQ_INT(crypto_hash_size(CRYPTO_MD5_SHA1), 36);
    CHECK_EQ_INT(crypto_hash_block_size(CRYPTO_MD5_SHA1), 64);
    check_hex("900150983cd24fb0d6963f7d28e17f72a9993e364706816aba3e25717850c26c9cd0d89d", a, 36);
    CHECK(crypto_digest(CRYPTO_MD5_SHA1, (const uint8_t *)"abc", 3, b) == 0);
    CHECK_MEM(b, a, 36);

    for (size_t i = 0; i < 1000; i++)
        c[i] = (uint8_t)(i * 13 + 5);
    static const size_t lengths[] = {0, 1, 55, 56, 63, 64, 65, 1000};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        size_t len = lengths[i];
        md5_sha1_evp(c, len, a);
        CHECK(crypto_digest(CRYPTO_MD5_SHA1, c, len, b) == 0);
        CHECK_MEM(b, a, 36);
        crypto_hash *h = crypto_hash_new(CRYPTO_MD5_SHA1);
        CHECK(h != NULL);
        CHECK(crypto_hash_update(h, c, len / 3) == 0);
        CHECK(crypto_hash_peek(h, b) == 0); /* a peek part way does not disturb the rest */
        CHECK(crypto_hash_update(h, c + len / 3, len - len / 3) == 0);
        CHECK(crypto_hash_peek(h, b) == 0);
        CHECK_MEM(b, a, 36);
        CHECK(crypto_hash_peek(h, b) == 0);
        CHECK_MEM(b, a, 36);
        crypto_hash_free(h);
    }
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
    /* Re-keyed, the state answers for the new key only, and a restart right after keying (or
     * after another restart) changes nothing. */
    uint8_t other[32];
    memset(other, 0x5c, sizeof(other));
    CHECK(crypto_hmac_oneshot(CRYPTO_SHA256, other, sizeof(other), (const uint8_t *)"Hi There", 8,
                              b) == 0);
    CHECK(crypto_hmac_rekey(m, other, sizeof(other)) == 0);
    CHECK(crypto_hmac_begin(m) == 0);
    CHECK(crypto_hmac_begin(m) == 0);
    CHECK(crypto_hmac_mac(m, (const uint8_t *)"Hi There", 8, c) == 0);
    CHECK_MEM(c, b, 32);
    CHECK(crypto_hmac_rekey(m, key, 20) == 0);
    CHECK(crypto_hmac_mac(m, (const uint8_t *)"Hi There", 8, c) == 0);
    CHECK_MEM(c, a, 32);
    CHECK(crypto_hmac_mac(m, (const uint8_t *)"Hi There", 8, c) == 0);
    CHECK_MEM(c, a, 32);
    crypto_hmac_free(m);
    crypto_hmac_free(NULL);

    /* The zero-key state is HMAC under HashLen zero bytes, and each copy stands alone. */
    static const uint8_t zeros[48];
    for (crypto_hash_alg alg = CRYPTO_SHA256; alg <= CRYPTO_SHA384; alg++) {
        size_t hlen = crypto_hash_size(alg);
        CHECK(crypto_hmac_oneshot(alg, zeros, hlen, (const uint8_t *)"abc", 3, b) == 0);
        crypto_hmac *z1 = crypto_hmac_new_zero_key(alg), *z2 = crypto_hmac_new_zero_key(alg);
        CHECK(z1 != NULL && z2 != NULL);
        CHECK(crypto_hmac_update(z1, (const uint8_t *)"xyz", 3) == 0);
        CHECK(crypto_hmac_mac(z2, (const uint8_t *)"abc", 3, c) == 0);
        CHECK_MEM(c, b, hlen);
        CHECK(crypto_hmac_mac(z1, (const uint8_t *)"abc", 3, c) == 0);
        CHECK_MEM(c, b, hlen);
        crypto_hmac_free(z1);
        crypto_hmac_free(z2);
        /* And the empty digest is the digest of nothing. */
        CHECK(crypto_digest(alg, NULL, 0, b) == 0);
        CHECK(crypto_empty_hash(alg) != NULL);
        CHECK_MEM(crypto_empty_hash(alg), b, hlen);
    }
    CHECK(crypto_empty_hash(CRYPTO_MD5_SHA1) == NULL);
    CHECK(crypto_hmac_new_zero_key(CRYPTO_MD5_SHA1) == NULL);

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

/* One RFC 5869 case: Extract, then Expand from the PRK, both one-shot and from a keyed state
 * used twice (the second run must not see the first). */
static void hkdf_case(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                      const uint8_t *info, size_t info_len, const char *prk_hex,
                      const char *okm_hex)
{
    uint8_t prk[32], want_prk[32], okm[128], want_okm[128];
    CHECK_EQ_INT(check_hex(prk_hex, want_prk, sizeof(want_prk)), 32);
    size_t n = check_hex(okm_hex, want_okm, sizeof(want_okm));
    CHECK(crypto_hkdf_extract(CRYPTO_SHA256, salt, salt_len, ikm, ikm_len, prk) == 0);
    CHECK_MEM(prk, want_prk, 32);
    memset(okm, 0, sizeof(okm));
    CHECK(crypto_hkdf_expand(CRYPTO_SHA256, prk, 32, info, info_len, okm, n) == 0);
    CHECK_MEM(okm, want_okm, n);
    crypto_hmac *m = crypto_hmac_new(CRYPTO_SHA256, prk, 32);
    CHECK(m != NULL);
    CHECK_EQ_INT(crypto_hmac_size(m), 32);
    for (int i = 0; i < 2; i++) {
        memset(okm, 0, sizeof(okm));
        CHECK(crypto_hkdf_expand_keyed(m, info, info_len, okm, n) == 0);
        CHECK_MEM(okm, want_okm, n);
    }
    crypto_hmac_free(m);
}

/* RFC 5869 appendix A, test cases 1-3 (SHA-256): basic, long inputs with a 3-block output, and
 * no salt and no info. Then the limits: 255 blocks at most, and SHA-384 against libcrypto. */
static void test_hkdf(void)
{
    uint8_t ikm[80], salt[80], info[80];
    memset(ikm, 0x0b, 22);
    for (int i = 0; i < 13; i++)
        salt[i] = (uint8_t)i;
    for (int i = 0; i < 10; i++)
        info[i] = (uint8_t)(0xf0 + i);
    hkdf_case(ikm, 22, salt, 13, info, 10,
              "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
              "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b8871858"
              "65");

    for (int i = 0; i < 80; i++) {
        ikm[i] = (uint8_t)i;
        salt[i] = (uint8_t)(0x60 + i);
        info[i] = (uint8_t)(0xb0 + i);
    }
    hkdf_case(ikm, 80, salt, 80, info, 80,
              "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
              "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac78272"
              "71cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f"
              "1d87");

    memset(ikm, 0x0b, 22);
    hkdf_case(ikm, 22, NULL, 0, NULL, 0,
              "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
              "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a"
              "96c8");
    /* An empty salt is the zero salt too. */
    uint8_t p1[32], p2[32];
    CHECK(crypto_hkdf_extract(CRYPTO_SHA256, salt, 0, ikm, 22, p1) == 0);
    CHECK(crypto_hkdf_extract(CRYPTO_SHA256, NULL, 0, ikm, 22, p2) == 0);
    CHECK_MEM(p1, p2, 32);

    /* RFC 5869 2.3: L <= 255 * HashLen. */
    static uint8_t big[255 * 32 + 1];
    CHECK(crypto_hkdf_expand(CRYPTO_SHA256, p1, 32, NULL, 0, big, 255 * 32) == 0);
    CHECK(crypto_hkdf_expand(CRYPTO_SHA256, p1, 32, NULL, 0, big, 255 * 32 + 1) < 0);

    /* SHA-384, which TLS_AES_256_GCM_SHA384 uses, against libcrypto's own HKDF. */
    uint8_t prk[48], ours[100], theirs[100];
    CHECK(crypto_hkdf_extract(CRYPTO_SHA384, salt, 13, ikm, 22, prk) == 0);
    CHECK(crypto_hkdf_expand(CRYPTO_SHA384, prk, 48, info, 10, ours, sizeof(ours)) == 0);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA384", 0),
                           OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm, 22),
                           OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, 13),
                           OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, 10),
                           OSSL_PARAM_construct_end()};
    CHECK(EVP_KDF_derive(kctx, theirs, sizeof(theirs), params) == 1);
    CHECK_MEM(ours, theirs, sizeof(theirs));
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);

    /* MD5+SHA-1 is a handshake hash only; HKDF over it is refused. */
    CHECK(crypto_hkdf_extract(CRYPTO_MD5_SHA1, NULL, 0, ikm, 22, ours) < 0);
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

/* A published PRF vector: out = PRF(secret, label, seed1 + seed2), with the seed passed in its
 * two parts and as one. Returns the output length. */
static size_t prf_known_answer(crypto_hash_alg alg, const char *secret_hex, const char *label,
                               const char *seed1_hex, const char *seed2_hex, const char *out_hex)
{
    uint8_t secret[64], seed[128], expect[160], out[160];
    size_t secret_len = check_hex(secret_hex, secret, sizeof(secret));
    size_t len1 = check_hex(seed1_hex, seed, 64), len2 = check_hex(seed2_hex, seed + len1, 64);
    size_t n = check_hex(out_hex, expect, sizeof(expect));
    CHECK(crypto_prf(alg, secret, secret_len, label, seed, len1, seed + len1, len2, out, n) == 0);
    CHECK_MEM(out, expect, n);
    CHECK(crypto_prf(alg, secret, secret_len, label, seed, len1 + len2, NULL, 0, out, n) == 0);
    CHECK_MEM(out, expect, n);
    return n;
}

/* The TLS 1.2 PRF test vectors circulated on the IETF TLS list ("PRF Testvector", label "test
 * label"): SHA-256 with 100 bytes of output (the seed split as client + server random would be),
 * SHA-384 with 148; then libcrypto's TLS1-PRF for other output lengths. */
static void test_prf(void)
{
    CHECK_EQ_INT(prf_known_answer(
                     CRYPTO_SHA256, "9bbe436ba940f017b17652849a71db35", "test label",
                     "a0ba9f936cda31", "1827a6f796ffd5198c",
                     "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e9"
                     "0d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fc"
                     "e34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"),
                 100);
    CHECK_EQ_INT(
        prf_known_answer(
            CRYPTO_SHA384, "b80b733d6ceefcdc71566ea48e5567df", "test label",
            "cd665cf6a8447dd6ff8b27555edb7465", "",
            "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe3"
            "4f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3"
            "d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236"
            "a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f"),
        148);

    uint8_t secret[16], seed[16];
    check_hex("b80b733d6ceefcdc71566ea48e5567df", secret, sizeof(secret));
    check_hex("cd665cf6a8447dd6ff8b27555edb7465", seed, sizeof(seed));
    static const size_t lengths[] = {1, 12, 47, 48, 49, 104, 200};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        CHECK(crypto_prf(CRYPTO_SHA384, secret, 16, "key expansion", seed, 16, NULL, 0, b,
                         lengths[i]) == 0);
        kdf_prf("SHA384", secret, 16, "key expansion", seed, 16, a, lengths[i]);
        CHECK_MEM(b, a, lengths[i]);
    }
}

/* The TLS 1.0/1.1 PRF (RFC 2246 section 5). First the NIST CAVP SP 800-135 TLS 1.0/1.1 vector
 * that OpenSSL carries in evpkdf_tls11_prf.txt: a master secret from a 48-byte pre-master secret
 * and the two randoms, then a 104-byte key block from that master secret with the randoms the
 * other way round. Then libcrypto's TLS1-PRF with MD5-SHA1 for odd and even secret lengths (the
 * halves share a byte when odd) and output lengths that end inside and between blocks. */
/* A keyed PRF gives, output after output, what the one-shot PRF gives for each: the master
 * secret is keyed once for the key block and both Finished values. */
static void test_prf_keyed(void)
{
    static const crypto_hash_alg algs[] = {CRYPTO_SHA256, CRYPTO_SHA384, CRYPTO_MD5_SHA1};
    static const char *const labels[] = {"key expansion", "client finished", "server finished",
                                         "key expansion"};
    uint8_t secret[48], seed[64], keyed[104], oneshot[104];
    for (size_t i = 0; i < sizeof(secret); i++)
        secret[i] = (uint8_t)(i * 13 + 1);
    for (size_t i = 0; i < sizeof(seed); i++)
        seed[i] = (uint8_t)(i * 7 + 5);
    for (size_t ai = 0; ai < sizeof(algs) / sizeof(algs[0]); ai++) {
        crypto_prf_key *k = crypto_prf_key_new(algs[ai], secret, sizeof(secret));
        CHECK(k != NULL);
        for (size_t l = 0; k != NULL && l < sizeof(labels) / sizeof(labels[0]); l++) {
            size_t n = l == 0 || l == 3 ? 104 : 12;
            CHECK(crypto_prf_keyed(k, labels[l], seed, 32, seed + 32, 32, keyed, n) == 0);
            CHECK(crypto_prf(algs[ai], secret, sizeof(secret), labels[l], seed, 32, seed + 32, 32,
                             oneshot, n) == 0);
            CHECK_MEM(keyed, oneshot, n);
        }
        crypto_prf_key_free(k);
    }
}

static void test_prf_tls10(void)
{
    static const char master_secret[] =
        "2f6962dfbc744c4b2138bb6b3d33054c5ecc14f24851d9896395a44ab3964efc2090c5bf51a0891209f46c1e"
        "1e998f62";
    static const char server_random[] =
        "67267e650eb32444119d222a368c191af3082888dc35afe8368e638c828874be";
    static const char client_random[] =
        "d58a7b1cd4fedaa232159df652ce188f9d997e061b9bf48e83b62990440931f6";
    CHECK_EQ_INT(
        prf_known_answer(
            CRYPTO_MD5_SHA1,
            "bded7fa5c1699c010be23dd06ada3a48349f21e5f86263d512c0c5cc379f0e780ec55d98"
            "44b2f1db02a96453513568d0",
            "master secret", "e5acaf549cd25c22d964c0d930fa4b5261d2507fad84c33715b7b9a864020693",
            "135e4d557fdf3aa6406d82975d5c606a9734c9334b42136e96990fbd5358cdb2", master_secret),
        48);
    CHECK_EQ_INT(prf_known_answer(
                     CRYPTO_MD5_SHA1, master_secret, "key expansion", server_random, client_random,
                     "3088825988e77fce68d19f756e18e43eb7fe672433504feaf99b3c503d9091b164f166db30"
                     "1d70c9fc0870b4a94563907bee1a61fb786cb717576890bcc51cb9ead97e01d0a2fea99c95"
                     "3377b195205ff07b369589178796edc963fd80fdbe518a2fc1c35c18ae8d"),
                 104);

    /* The TLS 1.2 PRF over the same input is a different function. */
    uint8_t secret[64], seed[64];
    check_hex(master_secret, secret, sizeof(secret));
    check_hex(server_random, seed, 32);
    check_hex(client_random, seed + 32, 32);
    CHECK(crypto_prf(CRYPTO_MD5_SHA1, secret, 48, "key expansion", seed, 64, NULL, 0, a, 104) == 0);
    CHECK(crypto_prf(CRYPTO_SHA256, secret, 48, "key expansion", seed, 64, NULL, 0, c, 104) == 0);
    CHECK(memcmp(c, a, 104) != 0);

    static const size_t secret_lengths[] = {0, 1, 2, 3, 20, 47, 48, 49, 64};
    static const size_t out_lengths[] = {1, 12, 16, 20, 36, 104, 150};
    int differ = 0, cases = 0;
    for (size_t i = 0; i < sizeof(secret_lengths) / sizeof(secret_lengths[0]); i++) {
        for (size_t j = 0; j < sizeof(out_lengths) / sizeof(out_lengths[0]); j++) {
            size_t slen = secret_lengths[i], out_len = out_lengths[j], split = 7 + 9 * j;
            for (size_t k = 0; k < slen; k++)
                secret[k] = (uint8_t)(k * 29 + i);
            kdf_prf("MD5-SHA1", secret, slen, "client finished", seed, 64, a, out_len);
            CHECK(crypto_prf(CRYPTO_MD5_SHA1, secret, slen, "client finished", seed, split,
                             seed + split, 64 - split, b, out_len) == 0);
            cases++;
            if (memcmp(a, b, out_len) != 0) {
                differ++;
                fprintf(stderr, "TLS 1.0 PRF: secret %zu bytes, output %zu bytes differs\n", slen,
                        out_len);
            }
        }
    }
    CHECK_EQ_INT(cases, 63);
    CHECK_EQ_INT(differ, 0);
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

/* Encrypts and decrypts a published CBC vector (whole blocks, no padding), reusing the keyed
 * contexts, and checks that chaining by hand through the IV gives the same ciphertext. */
static void cbc_known_answer(crypto_cbc_alg alg, const char *key_hex, const char *iv_hex,
                             const char *pt_hex, const char *ct_hex)
{
    uint8_t key[32], iv[16], pt[64], ct[64], out[64];
    CHECK_EQ_INT(check_hex(key_hex, key, sizeof(key)), crypto_cbc_key_size(alg));
    size_t block = check_hex(iv_hex, iv, sizeof(iv));
    CHECK_EQ_INT(crypto_cbc_block_size(alg), block);
    size_t len = check_hex(pt_hex, pt, sizeof(pt)), half = len / 2;
    CHECK_EQ_INT(check_hex(ct_hex, ct, sizeof(ct)), len);
    crypto_cbc *enc = crypto_cbc_new(alg, 1, key), *dec = crypto_cbc_new(alg, 0, key);
    CHECK(enc != NULL && dec != NULL);
    for (int round = 0; round < 2; round++) { /* each call starts from its own IV */
        CHECK(crypto_cbc_run(enc, iv, pt, len, out) == 0);
        CHECK_MEM(out, ct, len);
        CHECK(crypto_cbc_run(dec, iv, out, len, out) == 0);
        CHECK_MEM(out, pt, len);
    }
    /* The second half alone, with the ciphertext block before it as IV, gives the same chain. */
    CHECK(crypto_cbc_run(enc, ct + half - block, pt + half, half, out) == 0);
    CHECK_MEM(out, ct + half, half);
    CHECK(crypto_cbc_run(dec, ct + half - block, ct + half, half, out) == 0);
    CHECK_MEM(out, pt + half, half);
    CHECK(crypto_cbc_run(enc, iv, pt, block + 1, out) == -1); /* no padding: whole blocks only */
    crypto_cbc_free(enc);
    crypto_cbc_free(dec);
}

static const EVP_CIPHER *evp_cbc(crypto_cbc_alg alg)
{
    return alg == CRYPTO_AES128_CBC   ? EVP_aes_128_cbc()
           : alg == CRYPTO_AES256_CBC ? EVP_aes_256_cbc()
                                      : EVP_des_ede3_cbc();
}

/* Random key, IV and 40 blocks through crypto_cbc_run and through libcrypto's own CBC. */
static void cbc_against_evp(crypto_cbc_alg alg)
{
    uint8_t key[32], iv[16], expect[40 * 16];
    size_t block = crypto_cbc_block_size(alg), len = 40 * block;
    CHECK(crypto_random(key, sizeof(key)) == 0 && crypto_random(iv, sizeof(iv)) == 0);
    CHECK(crypto_random(a, len) == 0);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl;
    CHECK(EVP_EncryptInit_ex(ctx, evp_cbc(alg), NULL, key, iv) == 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    CHECK(EVP_EncryptUpdate(ctx, expect, &outl, a, (int)len) == 1 && (size_t)outl == len);
    EVP_CIPHER_CTX_free(ctx);
    crypto_cbc *enc = crypto_cbc_new(alg, 1, key), *dec = crypto_cbc_new(alg, 0, key);
    CHECK(crypto_cbc_run(enc, iv, a, len, b) == 0);
    CHECK_MEM(b, expect, len);
    CHECK(crypto_cbc_run(dec, iv, b, len, b) == 0); /* in place */
    CHECK_MEM(b, a, len);
    crypto_cbc_free(enc);
    crypto_cbc_free(dec);
}

static void test_cbc(void)
{
    /* NIST SP 800-38A F.2.1 (CBC-AES128) and F.2.5 (CBC-AES256). */
    static const char sp800_38a_iv[] = "000102030405060708090a0b0c0d0e0f",
                      sp800_38a_pt[] =
                          "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                          "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
    cbc_known_answer(CRYPTO_AES128_CBC, "2b7e151628aed2a6abf7158809cf4f3c", sp800_38a_iv,
                     sp800_38a_pt,
                     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
                     "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
    cbc_known_answer(CRYPTO_AES256_CBC,
                     "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
                     sp800_38a_iv, sp800_38a_pt,
                     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
                     "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b");
    /* NIST's TDES_CBC example values (three-key TDEA, the SP 800-38A plaintext): 8-byte blocks
     * and IV, 24-byte key. */
    cbc_known_answer(CRYPTO_3DES_EDE_CBC, "0123456789abcdef23456789abcdef01456789abcdef0123",
                     "f69f2445df4f9b17",
                     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51",
                     "2079c3d53aa763e193b79e2569ab5262516570481f25b50f73c0bda85c8e0da7");
    CHECK_EQ_INT(crypto_cbc_block_size(CRYPTO_AES128_CBC), 16);
    CHECK_EQ_INT(crypto_cbc_block_size(CRYPTO_3DES_EDE_CBC), 8);
    CHECK_EQ_INT(crypto_cbc_key_size(CRYPTO_3DES_EDE_CBC), 24);
    static const crypto_cbc_alg algs[] = {CRYPTO_AES128_CBC, CRYPTO_AES256_CBC,
                                          CRYPTO_3DES_EDE_CBC};
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        cbc_against_evp(algs[i]);
    crypto_cbc_free(NULL);
}

/* RFC 6229 section 2, the 128-bit key 0x0102...10: 16 keystream bytes at each offset. */
static const struct {
    size_t offset;
    const char *hex;
} rc4_vectors[] = {
    {0, "9ac7cc9a609d1ef7b2932899cde41b97"},    {16, "5248c4959014126a6e8a84f11d1a9e1c"},
    {240, "065902e4b620f6cc36c8589f66432f2b"},  {256, "d39d566bc6bce3010768151549f3873f"},
    {496, "b6d1e6c4a5e4771cad79538df295fb11"},  {512, "c68c1d5c559a974123df1dbc52a43b89"},
    {752, "c5ecf88de897fd57fed301701b82a259"},  {768, "eccbe13de1fcc91c11a0b26c0bc8fa4d"},
    {1008, "e7a72574f8782ae26aabcf9ebcd66065"}, {1024, "bdf0324e6083dcc6d3cedd3ca8c53c16"},
    {1520, "b40110c4190b5622a96116b0017ed297"}, {1536, "ffa0b514647ec04f6306b892ae661181"},
    {2032, "d03d1bc03cd33d70dff9fa5d71963ebd"}, {2048, "8a44126411eaa78bd51e8d87a8879bf5"},
    {3056, "fabeb76028ade2d0e48722e46c4615a3"}, {3072, "c05d88abd50357f935a63c59ee537623"},
    {4080, "ff38265c1642c1abe8d3c2fe5e572bf8"}, {4096, "a36a4c301ae8ac13610ccbc12256cacc"},
};

#define RC4_STREAM_LEN 4112

/* Runs len bytes of in through s in calls of odd, uneven lengths (1, 3, 7, ..., 253, 1, ...). */
static void stream_in_pieces(crypto_stream *s, const uint8_t *in, size_t len, uint8_t *out)
{
    size_t piece = 1;
    for (size_t done = 0; done < len; done += piece) {
        piece = piece >= 253 ? 1 : piece * 2 + 1;
        if (piece > len - done)
            piece = len - done;
        CHECK(crypto_stream_run(s, in + done, piece, out + done) == 0);
    }
}

/* Whether the application's default libcrypto context can fetch RC4 (the legacy provider). */
static bool rc4_in_default_context(void)
{
    EVP_CIPHER *rc4 = EVP_CIPHER_fetch(NULL, "RC4", NULL);
    EVP_CIPHER_free(rc4);
    return rc4 != NULL;
}

/* RC4 through crypto_stream: the RFC 6229 keystream at every listed offset, whether produced in
 * one call or in many odd-length ones; decryption restores the plaintext; the default libcrypto
 * context is left as it was. */
static void test_rc4(void)
{
    bool default_had_rc4 = rc4_in_default_context();
    const char *why = NULL;
    if (!crypto_stream_available(CRYPTO_RC4_128, &why)) {
        fprintf(stderr, "RC4 not tested: %s\n", why != NULL ? why : "(no reason)");
        CHECK(why != NULL && why[0] != 0);
        return;
    }
    CHECK_EQ_INT(crypto_stream_key_size(CRYPTO_RC4_128), 16);
    static uint8_t zeros[RC4_STREAM_LEN], whole[RC4_STREAM_LEN], pieces[RC4_STREAM_LEN],
        back[RC4_STREAM_LEN];
    uint8_t key[16], expect[16];
    check_hex("0102030405060708090a0b0c0d0e0f10", key, sizeof(key));
    crypto_stream *one = crypto_stream_new(CRYPTO_RC4_128, 1, key),
                  *many = crypto_stream_new(CRYPTO_RC4_128, 1, key);
    CHECK(one != NULL && many != NULL);
    CHECK(crypto_stream_run(one, zeros, RC4_STREAM_LEN, whole) == 0);
    stream_in_pieces(many, zeros, RC4_STREAM_LEN, pieces);
    int wrong = 0;
    for (size_t i = 0; i < sizeof(rc4_vectors) / sizeof(rc4_vectors[0]); i++) {
        check_hex(rc4_vectors[i].hex, expect, sizeof(expect));
        wrong += memcmp(whole + rc4_vectors[i].offset, expect, 16) != 0;
        wrong += memcmp(pieces + rc4_vectors[i].offset, expect, 16) != 0;
    }
    CHECK_EQ_INT(wrong, 0);
    CHECK_MEM(pieces, whole, RC4_STREAM_LEN);

    /* Encrypt some text in place, decrypt it in other pieces. */
    for (size_t i = 0; i < RC4_STREAM_LEN; i++)
        pieces[i] = (uint8_t)(i * 7);
    memcpy(whole, pieces, RC4_STREAM_LEN);
    crypto_stream_free(one);
    one = crypto_stream_new(CRYPTO_RC4_128, 1, key);
    CHECK(crypto_stream_run(one, whole, RC4_STREAM_LEN, whole) == 0);
    CHECK(memcmp(whole, pieces, 64) != 0);
    crypto_stream *dec = crypto_stream_new(CRYPTO_RC4_128, 0, key);
    CHECK(dec != NULL);
    stream_in_pieces(dec, whole, RC4_STREAM_LEN, back);
    CHECK_MEM(back, pieces, RC4_STREAM_LEN);
    crypto_stream_free(one);
    crypto_stream_free(many);
    crypto_stream_free(dec);
    crypto_stream_free(NULL);
    /* The legacy provider went into parley's own context, not the application's. */
    if (!default_had_rc4)
        CHECK(!rc4_in_default_context());
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

typedef int (*pkey_init_fn)(EVP_PKEY_CTX *ctx);
typedef int (*pkey_op_fn)(EVP_PKEY_CTX *ctx, unsigned char *out, size_t *out_len,
                          const unsigned char *in, size_t in_len);

/* A raw RSA PKCS#1 v1.5 private (EVP_PKEY_sign) or public (EVP_PKEY_verify_recover) operation
 * with no digest, so no DigestInfo; returns the output length, 0 on failure. */
static size_t rsa_raw(crypto_key *k, pkey_init_fn init, pkey_op_fn op, const uint8_t *in,
                      size_t len, uint8_t *out, size_t cap)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
    size_t out_len = cap;
    int ok = ctx != NULL && init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
             op(ctx, out, &out_len, in, len) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? out_len : 0;
}

/* ECDSA over SHA-1 by libcrypto: signs into sig (returning the length) when sig_len is 0,
 * otherwise verifies sig (returning 1 if valid). */
static size_t ecdsa_sha1_evp(crypto_key *k, const uint8_t *msg, size_t len, uint8_t *sig,
                             size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t cap = CRYPTO_MAX_SIGNATURE;
    int ok = sig_len == 0 ? EVP_DigestSignInit(md, NULL, EVP_sha1(), NULL, k->pkey) == 1 &&
                                EVP_DigestSign(md, sig, &cap, msg, len) == 1
                          : EVP_DigestVerifyInit(md, NULL, EVP_sha1(), NULL, k->pkey) == 1 &&
                                EVP_DigestVerify(md, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    return !ok ? 0 : sig_len == 0 ? cap : 1;
}

/* TLS 1.0/1.1 signatures. RSA: PKCS#1 v1.5 over the bare 36 bytes MD5 || SHA-1 (RFC 2246
 * 7.4.3), so the public operation gives back exactly those bytes with no DigestInfo, and the
 * signature equals libcrypto's raw signature of them (v1.5 is deterministic). ECDSA: SHA-1,
 * checked both ways against libcrypto. */
static void test_tls10_signatures(crypto_key *rsa)
{
    static const uint8_t msg[] = "client_random server_random ServerDHParams";
    uint8_t digest[36], sig[CRYPTO_MAX_SIGNATURE], ref[CRYPTO_MAX_SIGNATURE], rec[512];
    md5_sha1_evp(msg, sizeof(msg), digest);
    size_t len = sizeof(sig);
    CHECK(crypto_sign(rsa, SIG_RSA_PKCS1_MD5_SHA1, msg, sizeof(msg), sig, &len) == 0);
    CHECK_EQ_INT(len, 256);
    size_t rec_len = rsa_raw(rsa, EVP_PKEY_verify_recover_init, EVP_PKEY_verify_recover, sig, len,
                             rec, sizeof(rec));
    CHECK_EQ_INT(rec_len, 36);
    CHECK_MEM(rec, digest, 36);
    size_t ref_len = rsa_raw(rsa, EVP_PKEY_sign_init, EVP_PKEY_sign, digest, 36, ref, sizeof(ref));
    CHECK_EQ_INT(ref_len, 256);
    CHECK_MEM(sig, ref, 256);
    CHECK(crypto_verify(rsa, SIG_RSA_PKCS1_MD5_SHA1, msg, sizeof(msg), ref, ref_len) == 0);
    sign_round_trip(rsa, SIG_RSA_PKCS1_MD5_SHA1); /* flipped byte, other message, short, no room */

    /* Not interchangeable with rsa_pkcs1_sha1, whose signature wraps the hash in a DigestInfo. */
    CHECK(crypto_verify(rsa, SIG_RSA_PKCS1_SHA1, msg, sizeof(msg), sig, len) == -1);
    len = sizeof(sig);
    CHECK(crypto_sign(rsa, SIG_RSA_PKCS1_SHA1, msg, sizeof(msg), sig, &len) == 0);
    CHECK(crypto_verify(rsa, SIG_RSA_PKCS1_MD5_SHA1, msg, sizeof(msg), sig, len) == -1);

    crypto_key *ec[2] = {generate("EC", "P-256", 0), generate("EC", "P-384", 0)};
    for (int i = 0; i < 2; i++) {
        len = sizeof(sig);
        CHECK(crypto_sign(ec[i], SIG_RSA_PKCS1_MD5_SHA1, msg, sizeof(msg), sig, &len) == -1);
        sign_round_trip(ec[i], SIG_ECDSA_SHA1);
        len = sizeof(sig);
        CHECK(crypto_sign(ec[i], SIG_ECDSA_SHA1, msg, sizeof(msg), sig, &len) == 0);
        CHECK_EQ_INT(ecdsa_sha1_evp(ec[i], msg, sizeof(msg), sig, len), 1);
        len = ecdsa_sha1_evp(ec[i], msg, sizeof(msg), sig, 0);
        CHECK(len > 0);
        CHECK(crypto_verify(ec[i], SIG_ECDSA_SHA1, msg, sizeof(msg), sig, len) == 0);
        CHECK(crypto_verify(ec[i], SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), sig, len) == -1);
        CHECK(crypto_verify(rsa, SIG_RSA_PKCS1_MD5_SHA1, msg, sizeof(msg), sig, len) == -1);
        crypto_key_free(ec[i]);
    }
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
    test_md5_sha1();
    test_prf_keyed();
    test_hmac();
    test_prf();
    test_prf_tls10();
    test_hkdf();
    test_aead();
    test_cbc();
    test_rc4();
    test_x25519();
    test_nist_kex();
    crypto_key *rsa = generate("RSA", NULL, 2048);
    test_signatures(rsa);
    test_tls10_signatures(rsa);
    test_rsa_pms(rsa);
    crypto_key_free(rsa);
    test_utilities();
    return check_summary("test_crypto");
}
