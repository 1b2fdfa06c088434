/*
 * The TLS 1.3 key schedule against RFC 8448: every secret of section 3's 1-RTT handshake, its
 * traffic keys and IVs both ways, and both Finished values, computed from the trace's own
 * inputs (the X25519 keys and the handshake messages, hashed here); then section 4's PSK,
 * early secret and binder. Steps the traces do not show (KeyUpdate, SHA-384) are checked
 * against libcrypto's TLS13-KDF.
 */
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

#include <parley.h>

#include "check.h"
#include "crypto/crypto.h"
#include "handshake/keys13.h"
#include "rfc8448.h"

#define ALG CRYPTO_SHA256

/* Compares out[0..n) with the hex in want, which must be n bytes. */
static void check_bytes(const uint8_t *out, size_t n, const char *want, const char *what)
{
    uint8_t w[64];
    size_t wn = check_hex(want, w, sizeof(w));
    if (wn != n || memcmp(out, w, n) != 0) {
        check_failed++;
        fprintf(stderr, "%s differs from RFC 8448\n", what);
        return;
    }
    check_passed++;
}

static uint8_t msgs[4096];
static size_t msgs_len;

/* Appends a handshake message to the transcript and returns the hash of it so far. */
static void transcript_add(const char *hex, uint8_t out[32])
{
    msgs_len += check_hex(hex, msgs + msgs_len, sizeof(msgs) - msgs_len);
    CHECK(crypto_digest(ALG, msgs, msgs_len, out) == 0);
}

/* The verify_data of a Finished message given as hex with its 4-byte header. */
static void check_finished(const uint8_t *verify_data, const char *finished_hex, const char *what)
{
    uint8_t msg[36];
    CHECK_EQ_INT(check_hex(finished_hex, msg, sizeof(msg)), 36);
    if (memcmp(msg + 4, verify_data, 32) != 0) {
        check_failed++;
        fprintf(stderr, "%s differs from RFC 8448\n", what);
        return;
    }
    check_passed++;
}

static void check_keys(const uint8_t *secret, const char *key_hex, const char *iv_hex,
                       const char *what)
{
    uint8_t key[16], iv[TLS13_IV_LEN];
    CHECK(tls13_traffic_keys(ALG, secret, key, sizeof(key), iv) == 0);
    check_bytes(key, sizeof(key), key_hex, what);
    check_bytes(iv, sizeof(iv), iv_hex, what);
}

static uint8_t res_master[32];

/* Section 3, in the order the server meets each step. */
static void simple_1rtt(void)
{
    /* (EC)DHE: the client's private key and the server's share give the shared secret. */
    uint8_t priv[32], peer[32], shared[32];
    size_t shared_len = 0;
    check_hex(R8448_CLIENT_PRIVATE, priv, sizeof(priv));
    check_hex(R8448_SERVER_PUBLIC, peer, sizeof(peer));
    crypto_kex *kex = crypto_kex_new_from_private(PARLEY_GROUP_X25519, priv, sizeof(priv));
    CHECK(kex != NULL);
    CHECK(crypto_kex_derive(kex, peer, sizeof(peer), shared, &shared_len) == 0);
    CHECK_EQ_INT(shared_len, 32);
    check_bytes(shared, 32, R8448_SHARED_SECRET, "X25519 shared secret");
    crypto_kex_free(kex);

    uint8_t early[32], derived[32], hs[32], master[32];
    CHECK(tls13_early_secret(ALG, NULL, 0, early) == 0);
    check_bytes(early, 32, R8448_EARLY_SECRET, "early secret");
    CHECK(tls13_derive_secret(ALG, early, "derived", NULL, derived) == 0);
    check_bytes(derived, 32, R8448_DERIVED_FOR_HANDSHAKE, "derived (for handshake)");
    CHECK(tls13_handshake_secret(ALG, early, shared, shared_len, hs) == 0);
    check_bytes(hs, 32, R8448_HANDSHAKE_SECRET, "handshake secret");

    uint8_t h_ch_sh[32], h_ch_cv[32], h_ch_sf[32], h_ch_cf[32], h[32];
    msgs_len = 0;
    transcript_add(R8448_CLIENT_HELLO, h);
    transcript_add(R8448_SERVER_HELLO, h_ch_sh);
    check_bytes(h_ch_sh, 32, R8448_HASH_CH_SH, "transcript hash ClientHello..ServerHello");

    uint8_t c_hs[32], s_hs[32], c2[32], s2[32];
    CHECK(tls13_derive(ALG, hs, TLS13_C_HS_TRAFFIC, h_ch_sh, c_hs) == 0);
    CHECK(tls13_derive(ALG, hs, TLS13_S_HS_TRAFFIC, h_ch_sh, s_hs) == 0);
    check_bytes(c_hs, 32, R8448_C_HS_TRAFFIC, "client handshake traffic secret");
    check_bytes(s_hs, 32, R8448_S_HS_TRAFFIC, "server handshake traffic secret");
    CHECK(tls13_derive_traffic_pair(ALG, hs, TLS13_C_HS_TRAFFIC, h_ch_sh, c2, s2) == 0);
    CHECK_MEM(c2, c_hs, 32);
    CHECK_MEM(s2, s_hs, 32);

    CHECK(tls13_derive_secret(ALG, hs, "derived", NULL, derived) == 0);
    check_bytes(derived, 32, R8448_DERIVED_FOR_MASTER, "derived (for master)");
    CHECK(tls13_master_secret(ALG, hs, master) == 0);
    check_bytes(master, 32, R8448_MASTER_SECRET, "master secret");
    uint8_t m2[32];
    CHECK(tls13_handshake_schedule(ALG, NULL, 0, shared, shared_len, h_ch_sh, c2, s2, m2) == 0);
    check_bytes(c2, 32, R8448_C_HS_TRAFFIC, "client handshake traffic secret, one pass");
    check_bytes(s2, 32, R8448_S_HS_TRAFFIC, "server handshake traffic secret, one pass");
    check_bytes(m2, 32, R8448_MASTER_SECRET, "master secret, one pass");
    CHECK(tls13_handshake_schedule(ALG, NULL, 0, shared, shared_len, NULL, c2, s2, m2) < 0);

    check_keys(s_hs, R8448_S_HS_KEY, R8448_S_HS_IV, "server handshake key/iv");
    check_keys(c_hs, R8448_C_HS_KEY, R8448_C_HS_IV, "client handshake key/iv");

    /* The server's Finished covers the transcript up to its CertificateVerify. */
    uint8_t fkey[32], verify[32];
    transcript_add(R8448_ENCRYPTED_EXTENSIONS, h);
    transcript_add(R8448_CERTIFICATE, h);
    transcript_add(R8448_CERTIFICATE_VERIFY, h_ch_cv);
    CHECK(tls13_finished_key(ALG, s_hs, fkey) == 0);
    check_bytes(fkey, 32, R8448_S_FINISHED_KEY, "server finished key");
    CHECK(tls13_finished(ALG, s_hs, h_ch_cv, verify) == 0);
    check_finished(verify, R8448_SERVER_FINISHED, "server Finished");

    transcript_add(R8448_SERVER_FINISHED, h_ch_sf);
    check_bytes(h_ch_sf, 32, R8448_HASH_CH_SF, "transcript hash ClientHello..server Finished");
    uint8_t c_ap[32], s_ap[32], exp[32];
    CHECK(tls13_derive(ALG, master, TLS13_C_AP_TRAFFIC, h_ch_sf, c_ap) == 0);
    CHECK(tls13_derive(ALG, master, TLS13_S_AP_TRAFFIC, h_ch_sf, s_ap) == 0);
    CHECK(tls13_derive(ALG, master, TLS13_EXP_MASTER, h_ch_sf, exp) == 0);
    check_bytes(c_ap, 32, R8448_C_AP_TRAFFIC, "client application traffic secret");
    check_bytes(s_ap, 32, R8448_S_AP_TRAFFIC, "server application traffic secret");
    check_bytes(exp, 32, R8448_EXP_MASTER, "exporter master secret");
    CHECK(tls13_derive_traffic_pair(ALG, master, TLS13_C_AP_TRAFFIC, h_ch_sf, c2, s2) == 0);
    CHECK_MEM(c2, c_ap, 32);
    CHECK_MEM(s2, s_ap, 32);
    uint8_t e2[32];
    CHECK(tls13_application_secrets(ALG, master, h_ch_sf, c2, s2, e2) == 0);
    CHECK_MEM(c2, c_ap, 32);
    CHECK_MEM(s2, s_ap, 32);
    CHECK_MEM(e2, exp, 32);
    CHECK(tls13_application_secrets(ALG, master, NULL, c2, s2, e2) < 0);
    check_keys(s_ap, R8448_S_AP_KEY, R8448_S_AP_IV, "server application key/iv");
    check_keys(c_ap, R8448_C_AP_KEY, R8448_C_AP_IV, "client application key/iv");

    /* The client's Finished covers the transcript up to the server's Finished. */
    CHECK(tls13_finished_key(ALG, c_hs, fkey) == 0);
    check_bytes(fkey, 32, R8448_C_FINISHED_KEY, "client finished key");
    CHECK(tls13_finished(ALG, c_hs, h_ch_sf, verify) == 0);
    check_finished(verify, R8448_CLIENT_FINISHED, "client Finished");

    transcript_add(R8448_CLIENT_FINISHED, h_ch_cf);
    check_bytes(h_ch_cf, 32, R8448_HASH_CH_CF, "transcript hash ClientHello..client Finished");
    CHECK(tls13_derive(ALG, master, TLS13_RES_MASTER, h_ch_cf, res_master) == 0);
    check_bytes(res_master, 32, R8448_RES_MASTER, "resumption master secret");

    /* Only the client/handshake and client/application pairs exist. */
    CHECK(tls13_derive_traffic_pair(ALG, master, TLS13_S_AP_TRAFFIC, h_ch_sf, c2, s2) < 0);
    CHECK(tls13_derive_traffic_pair(ALG, master, TLS13_C_AP_TRAFFIC, NULL, c2, s2) < 0);
    CHECK(tls13_derive(ALG, master, (tls13_secret)99, h_ch_sf, c2) < 0);
}

/* Section 4: the ticket's PSK, the early secret from it, and the binder over the truncated
 * ClientHello. */
static void resumed_psk(void)
{
    static const uint8_t nonce[2] = {0, 0};
    uint8_t psk[32], early[32], binder_key[32], fkey[32], h[32], binder[32];
    CHECK(tls13_resumption_psk(ALG, res_master, nonce, sizeof(nonce), psk) == 0);
    check_bytes(psk, 32, R8448_RES_PSK, "resumption PSK");
    CHECK(tls13_early_secret(ALG, psk, sizeof(psk), early) == 0);
    check_bytes(early, 32, R8448_PSK_EARLY_SECRET, "early secret with PSK");
    CHECK(tls13_derive(ALG, early, TLS13_RES_BINDER, NULL, binder_key) == 0);
    check_bytes(binder_key, 32, R8448_RES_BINDER_KEY, "resumption binder key");
    CHECK(tls13_finished_key(ALG, binder_key, fkey) == 0);
    check_bytes(fkey, 32, R8448_BINDER_FINISHED_KEY, "binder finished key");
    msgs_len = 0;
    transcript_add(R8448_RESUMED_CH_PREFIX, h);
    check_bytes(h, 32, R8448_BINDER_HASH, "binder transcript hash");
    CHECK(tls13_finished(ALG, binder_key, h, binder) == 0);
    check_bytes(binder, 32, R8448_BINDER, "PSK binder");
    memset(binder, 0, sizeof(binder));
    CHECK(tls13_binder(ALG, psk, sizeof(psk), h, binder) == 0);
    check_bytes(binder, 32, R8448_BINDER, "PSK binder, one pass");

    /* An external PSK's binder key differs only by its label. */
    uint8_t ext[32];
    CHECK(tls13_derive(ALG, early, TLS13_EXT_BINDER, NULL, ext) == 0);
    CHECK(memcmp(ext, binder_key, 32) != 0);
    CHECK(tls13_derive_secret(ALG, early, "ext binder", NULL, binder) == 0);
    CHECK_MEM(ext, binder, 32);
}

/* tls13_handshake_schedule against the step-by-step functions, for both hashes, with and without
 * a PSK and an (EC)DHE secret. Without a PSK it starts from a constant salt: this also checks that
 * constant against the early secret of no PSK it stands for. */
static void schedule_in_one_pass(void)
{
    uint8_t psk[48], shared[48], th[48];
    for (int i = 0; i < 48; i++) {
        psk[i] = (uint8_t)(0x11 * i);
        shared[i] = (uint8_t)(0x80 + i);
        th[i] = (uint8_t)(0xff - i);
    }
    for (crypto_hash_alg alg = CRYPTO_SHA256; alg <= CRYPTO_SHA384; alg++) {
        size_t hlen = crypto_hash_size(alg);
        for (int with_psk = 0; with_psk < 2; with_psk++) {
            for (int with_dhe = 0; with_dhe < 2; with_dhe++) {
                const uint8_t *p = with_psk ? psk : NULL, *dhe = with_dhe ? shared : NULL;
                uint8_t early[48], hs[48], c_hs[48], s_hs[48], master[48];
                uint8_t c2[48], s2[48], m2[48];
                CHECK(tls13_early_secret(alg, p, hlen, early) == 0);
                CHECK(tls13_handshake_secret(alg, early, dhe, 32, hs) == 0);
                CHECK(tls13_derive_traffic_pair(alg, hs, TLS13_C_HS_TRAFFIC, th, c_hs, s_hs) == 0);
                CHECK(tls13_master_secret(alg, hs, master) == 0);
                CHECK(tls13_handshake_schedule(alg, p, hlen, dhe, 32, th, c2, s2, m2) == 0);
                CHECK_MEM(c2, c_hs, hlen);
                CHECK_MEM(s2, s_hs, hlen);
                CHECK_MEM(m2, master, hlen);
            }
        }
    }
}

/* HKDF-Expand-Label by libcrypto's TLS13-KDF (expand-only mode), an implementation
 * independent of ours. */
static void kdf_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                             const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                             size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    static const char prefix[] = "tls13 ";
    static const uint8_t none[1];
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)prefix, 6),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA, (void *)(ctx != NULL ? ctx : none),
                                          ctx_len),
        OSSL_PARAM_construct_end()};
    CHECK(kctx != NULL && EVP_KDF_derive(kctx, out, out_len, params) == 1);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
}

/* KeyUpdate and SHA-384 (TLS_AES_256_GCM_SHA384) have no RFC 8448 trace. */
static void beyond_the_trace(void)
{
    uint8_t secret[48], next[48], theirs[48], key[32], iv[12], h[48];
    for (int i = 0; i < 48; i++)
        secret[i] = (uint8_t)(0x30 + i);

    CHECK(tls13_update_secret(ALG, secret, next) == 0);
    kdf_expand_label("SHA256", secret, 32, "traffic upd", NULL, 0, theirs, 32);
    CHECK_MEM(next, theirs, 32);
    memcpy(next, secret, 32);
    CHECK(tls13_update_secret(ALG, next, next) == 0); /* in place */
    CHECK_MEM(next, theirs, 32);

    CHECK(tls13_update_secret(CRYPTO_SHA384, secret, next) == 0);
    kdf_expand_label("SHA384", secret, 48, "traffic upd", NULL, 0, theirs, 48);
    CHECK_MEM(next, theirs, 48);
    CHECK(crypto_digest(CRYPTO_SHA384, (const uint8_t *)"abc", 3, h) == 0);
    CHECK(tls13_derive(CRYPTO_SHA384, secret, TLS13_S_AP_TRAFFIC, h, next) == 0);
    kdf_expand_label("SHA384", secret, 48, "s ap traffic", h, 48, theirs, 48);
    CHECK_MEM(next, theirs, 48);
    CHECK(tls13_traffic_keys(CRYPTO_SHA384, secret, key, 32, iv) == 0);
    kdf_expand_label("SHA384", secret, 48, "key", NULL, 0, theirs, 32);
    CHECK_MEM(key, theirs, 32);
    kdf_expand_label("SHA384", secret, 48, "iv", NULL, 0, theirs, 12);
    CHECK_MEM(iv, theirs, 12);
    CHECK(tls13_finished(CRYPTO_SHA384, secret, h, next) == 0);
    uint8_t finished_key[48];
    kdf_expand_label("SHA384", secret, 48, "finished", NULL, 0, finished_key, 48);
    CHECK(crypto_hmac_oneshot(CRYPTO_SHA384, finished_key, 48, h, 48, theirs) == 0);
    CHECK_MEM(next, theirs, 48);

    /* The label, with its "tls13 " prefix, and the context must each fit a 1-byte length. */
    char label[251];
    memset(label, 'a', sizeof(label) - 1);
    label[249] = '\0';
    CHECK(tls13_expand_label(ALG, secret, label, NULL, 0, next, 32) == 0);
    label[249] = 'a';
    label[250] = '\0';
    CHECK(tls13_expand_label(ALG, secret, label, NULL, 0, next, 32) < 0);
    static uint8_t long_ctx[256];
    CHECK(tls13_expand_label(ALG, secret, "x", long_ctx, 255, next, 32) == 0);
    CHECK(tls13_expand_label(ALG, secret, "x", long_ctx, 256, next, 32) < 0);
}

int main(void)
{
    CHECK(crypto_init() == 0);
    simple_1rtt();
    resumed_psk();
    schedule_in_one_pass();
    beyond_the_trace();
    return check_summary("test_keys13");
}
