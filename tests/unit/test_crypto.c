/*
 * The crypto boundary against published known answers, and the behaviour the handshake relies
 * on (peer point validation, RSA pre-master handling, signatures).
 */
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crypto/crypto.h"
#include "x509/x509.h"

static uint8_t a[1024], b[1024], c[1024];

/* RFC 4231 test case 1 (HMAC-SHA-256 and HMAC-SHA-384). */
static void test_hmac(void)
{
    uint8_t key[20];
    memset(key, 0x0b, sizeof(key));
    size_t n =
        check_hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", a, sizeof(a));
    CHECK(crypto_hmac_oneshot(CRYPTO_SHA256, key, 20, (const uint8_t *)"Hi There", 8, b) == 0);
    CHECK_MEM(b, a, n);
    n = check_hex("afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f"
                  "4af152e8b2fa9cb6",
                  a, sizeof(a));
    CHECK(crypto_hmac_oneshot(CRYPTO_SHA384, key, 20, (const uint8_t *)"Hi There", 8, b) == 0);
    CHECK_MEM(b, a, n);

    /* A reused keyed state gives the same answer each time. */
    crypto_hmac *m = crypto_hmac_new(CRYPTO_SHA256, key, 20);
    check_hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", a, sizeof(a));
    for (int i = 0; i < 3; i++) {
        CHECK(crypto_hmac_begin(m) == 0);
        CHECK(crypto_hmac_update(m, (const uint8_t *)"Hi There", 8) == 0);
        CHECK(crypto_hmac_final(m, c) == 0);
        CHECK_MEM(c, a, 32);
    }
    crypto_hmac_free(m);
}

/* The TLS 1.2 PRF with SHA-256: the test vector circulated on the IETF TLS list (secret
 * 9bbe436b..., seed a0ba9f93..., label "test label", 100 bytes), and against libcrypto's own
 * TLS1-PRF KDF for SHA-384 and other lengths. */
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
    /* Split seed (client random + server random) equals the concatenation. */
    CHECK(crypto_prf_tls12(CRYPTO_SHA256, secret, 16, "test label", seed, 7, seed + 7, 9, c, 100) ==
          0);
    CHECK_MEM(c, a, 100);

    static const size_t lengths[] = {1, 12, 47, 48, 49, 104, 200};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        CHECK(crypto_prf_tls12(CRYPTO_SHA384, secret, 16, "key expansion", seed, 16, NULL, 0, b,
                               lengths[i]) == 0);
        kdf_prf("SHA384", secret, 16, "key expansion", seed, 16, a, lengths[i]);
        CHECK_MEM(b, a, lengths[i]);
    }
}

/* AES-128-GCM: McGrew & Viega test case 2 (zero key, zero IV, one zero block). ChaCha20-Poly1305:
 * RFC 8439 section 2.8.2. */
static void test_aead(void)
{
    uint8_t key[32] = {0}, nonce[12] = {0}, zero[16] = {0};
    crypto_aead *enc = crypto_aead_new(CRYPTO_AES128_GCM, 1, key);
    CHECK(crypto_aead_seal(enc, nonce, NULL, 0, zero, 16, b) == 0);
    check_hex("0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf", a, sizeof(a));
    CHECK_MEM(b, a, 32);
    crypto_aead *dec = crypto_aead_new(CRYPTO_AES128_GCM, 0, key);
    CHECK(crypto_aead_open(dec, nonce, NULL, 0, b, 32, c) == 0);
    CHECK_MEM(c, zero, 16);
    b[3] ^= 1;
    CHECK(crypto_aead_open(dec, nonce, NULL, 0, b, 32, c) == -1);
    crypto_aead_free(enc);
    crypto_aead_free(dec);

    static const char plaintext[] =
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
        "future, sunscreen would be it.";
    size_t len = strlen(plaintext);
    check_hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", key, 32);
    check_hex("070000004041424344454647", nonce, 12);
    uint8_t aad[12];
    check_hex("50515253c0c1c2c3c4c5c6c7", aad, 12);
    enc = crypto_aead_new(CRYPTO_CHACHA20_POLY1305, 1, key);
    CHECK(crypto_aead_seal(enc, nonce, aad, 12, (const uint8_t *)plaintext, len, b) == 0);
    check_hex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6", a, sizeof(a));
    CHECK_MEM(b, a, 32);
    check_hex("1ae10b594f09e26a7e902ecbd0600691", a, sizeof(a));
    CHECK_MEM(b + len, a, 16);
    dec = crypto_aead_new(CRYPTO_CHACHA20_POLY1305, 0, key);
    CHECK(crypto_aead_open(dec, nonce, aad, 12, b, len + 16, c) == 0);
    CHECK_MEM(c, plaintext, len);
    aad[0] ^= 1;
    CHECK(crypto_aead_open(dec, nonce, aad, 12, b, len + 16, c) == -1);
    crypto_aead_free(enc);
    crypto_aead_free(dec);
}

/* RFC 7748 section 6.1, and the peer values that must be refused. */
static void test_kex(void)
{
    uint8_t priv[32], pub[32], shared[32], out[CRYPTO_MAX_KEX_PUBLIC];
    check_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", priv, 32);
    crypto_kex *alice = crypto_kex_new_from_private(0x001d, priv, 32);
    CHECK(alice != NULL);
    CHECK_EQ_INT(crypto_kex_public(alice, out, sizeof(out)), 32);
    check_hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", pub, 32);
    CHECK_MEM(out, pub, 32);
    check_hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", pub, 32);
    check_hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", shared, 32);
    size_t n;
    CHECK(crypto_kex_derive(alice, pub, 32, out, &n) == 0);
    CHECK_EQ_INT(n, 32);
    CHECK_MEM(out, shared, 32);
    static const uint8_t zero_point[32];
    CHECK(crypto_kex_derive(alice, zero_point, 32, out, &n) == -1); /* small order */
    CHECK(crypto_kex_derive(alice, pub, 31, out, &n) == -1);
    crypto_kex_free(alice);

    static const uint16_t nist[] = {0x0017, 0x0018};
    for (size_t i = 0; i < 2; i++) {
        crypto_kex *x = crypto_kex_new(nist[i]), *y = crypto_kex_new(nist[i]);
        uint8_t px[CRYPTO_MAX_KEX_PUBLIC], py[CRYPTO_MAX_KEX_PUBLIC], sx[48], sy[48];
        size_t lx = crypto_kex_public(x, px, sizeof(px)), ly = crypto_kex_public(y, py, sizeof(py));
        CHECK_EQ_INT(lx, nist[i] == 0x0017 ? 65 : 97);
        CHECK_EQ_INT(px[0], 4);
        size_t nx, ny;
        CHECK(crypto_kex_derive(x, py, ly, sx, &nx) == 0);
        CHECK(crypto_kex_derive(y, px, lx, sy, &ny) == 0);
        CHECK(nx == ny && memcmp(sx, sy, nx) == 0);
        py[ly - 1] ^= 1; /* off the curve */
        CHECK(crypto_kex_derive(x, py, ly, sx, &nx) == -1);
        py[ly - 1] ^= 1;
        py[0] = 2; /* compressed form is not accepted */
        CHECK(crypto_kex_derive(x, py, ly, sx, &nx) == -1);
        CHECK(crypto_kex_derive(x, py, ly - 1, sx, &nx) == -1);
        crypto_kex_free(x);
        crypto_kex_free(y);
    }
}

static void test_signatures_and_rsa(const char *certs)
{
    char chain[600], keyf[600], err[256];
    snprintf(chain, sizeof(chain), "%s/server-rsa.pem", certs);
    snprintf(keyf, sizeof(keyf), "%s/server-rsa.key", certs);
    x509_chain *rsa = x509_chain_load_file(chain, keyf, err, sizeof(err));
    snprintf(chain, sizeof(chain), "%s/server-ecdsa.pem", certs);
    snprintf(keyf, sizeof(keyf), "%s/server-ecdsa.key", certs);
    x509_chain *ec = x509_chain_load_file(chain, keyf, err, sizeof(err));
    CHECK(rsa != NULL && ec != NULL);
    crypto_key *rk = x509_chain_key(rsa), *ek = x509_chain_key(ec);
    CHECK_EQ_INT(crypto_key_kind(rk), CRYPTO_KEY_RSA);
    CHECK_EQ_INT(crypto_key_kind(ek), CRYPTO_KEY_EC_P256);

    static const uint16_t rsa_schemes[] = {SIG_RSA_PKCS1_SHA256, SIG_RSA_PKCS1_SHA384,
                                           SIG_RSA_PSS_RSAE_SHA256, SIG_RSA_PSS_RSAE_SHA512,
                                           SIG_RSA_PKCS1_SHA1};
    const uint8_t msg[] = "client_random server_random params";
    for (size_t i = 0; i < sizeof(rsa_schemes) / sizeof(rsa_schemes[0]); i++) {
        size_t len = sizeof(a);
        CHECK(crypto_sign(rk, rsa_schemes[i], msg, sizeof(msg), a, &len) == 0);
        CHECK_EQ_INT(len, 256);
        CHECK(crypto_verify(rk, rsa_schemes[i], msg, sizeof(msg), a, len) == 0);
        a[10] ^= 1;
        CHECK(crypto_verify(rk, rsa_schemes[i], msg, sizeof(msg), a, len) == -1);
    }
    size_t len = sizeof(a);
    CHECK(crypto_sign(ek, SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), a, &len) == 0);
    CHECK(crypto_verify(ek, SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), a, len) == 0);
    CHECK(crypto_verify(ek, SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg) - 1, a, len) == -1);
    CHECK(crypto_verify(rk, SIG_ECDSA_SECP256R1_SHA256, msg, sizeof(msg), a, len) == -1);
    CHECK(crypto_scheme_fits_key(ek, SIG_ECDSA_SECP384R1_SHA384, true));
    CHECK(!crypto_scheme_fits_key(ek, SIG_ECDSA_SECP384R1_SHA384, false));
    CHECK(!crypto_scheme_fits_key(rk, SIG_ECDSA_SECP256R1_SHA256, true));

    /* RFC 5246 7.4.7.1: a good pre-master comes back; anything else yields 48 other bytes and
     * no error. */
    uint8_t pms[48], enc[512], out[48];
    pms[0] = 3;
    pms[1] = 3;
    crypto_random(pms + 2, 46);
    size_t enc_len = sizeof(enc);
    CHECK(crypto_rsa_encrypt(rk, pms, 48, enc, &enc_len) == 0);
    CHECK(crypto_rsa_decrypt_pms(rk, enc, enc_len, 0x0303, out) == 0);
    CHECK_MEM(out, pms, 48);
    CHECK(crypto_rsa_decrypt_pms(rk, enc, enc_len, 0x0302, out) == 0); /* version rollback */
    CHECK(memcmp(out, pms, 48) != 0);
    enc[enc_len / 2] ^= 1;
    CHECK(crypto_rsa_decrypt_pms(rk, enc, enc_len, 0x0303, out) == 0);
    CHECK(memcmp(out, pms, 48) != 0);
    CHECK(crypto_rsa_decrypt_pms(rk, enc, enc_len - 1, 0x0303, out) == 0);
    CHECK(memcmp(out, pms, 48) != 0);
    uint8_t short_pms[47];
    enc_len = sizeof(enc);
    CHECK(crypto_rsa_encrypt(rk, short_pms, 47, enc, &enc_len) == 0);
    CHECK(crypto_rsa_decrypt_pms(rk, enc, enc_len, 0x0303, out) == 0);
    CHECK(crypto_rsa_decrypt_pms(ek, enc, enc_len, 0x0303, out) == -1); /* not an RSA key */
    x509_chain_free(rsa);
    x509_chain_free(ec);
}

int main(void)
{
    CHECK(crypto_init() == 0);
    test_hmac();
    test_prf();
    test_aead();
    test_kex();
    const char *certs = check_certs_dir();
    CHECK(certs != NULL);
    if (certs != NULL)
        test_signatures_and_rsa(certs);
    return check_summary("test_crypto");
}
