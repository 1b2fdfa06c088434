/*
 * The TLS 1.3 key schedule (RFC 8446 section 7). HKDF itself is in the crypto boundary; the
 * TLS-specific parts, the HkdfLabel encoding and which label goes with which secret, live here
 * beside the TLS 1.0-1.2 schedule (keys.c), because they are protocol, not cryptography.
 */
#include "keys13.h"

#include <string.h>

#include "../common/writer.h"

/* uint16 length, "tls13 " + a label of at most 249 bytes, and a context of at most 255. */
#define HKDF_LABEL_MAX (2 + 1 + 255 + 1 + 255)

static const char *const secret_labels[] = {
    [TLS13_EXT_BINDER] = "ext binder",     [TLS13_RES_BINDER] = "res binder",
    [TLS13_C_E_TRAFFIC] = "c e traffic",   [TLS13_E_EXP_MASTER] = "e exp master",
    [TLS13_C_HS_TRAFFIC] = "c hs traffic", [TLS13_S_HS_TRAFFIC] = "s hs traffic",
    [TLS13_C_AP_TRAFFIC] = "c ap traffic", [TLS13_S_AP_TRAFFIC] = "s ap traffic",
    [TLS13_EXP_MASTER] = "exp master",     [TLS13_RES_MASTER] = "res master",
};

/* HashLen zero bytes: the input of HKDF-Extract where a stage has none. */
static const uint8_t zeros[CRYPTO_MAX_HASH];

/* The HkdfLabel structure (RFC 8446 7.1) into buf; returns its length, 0 if it does not fit. */
static size_t hkdf_label(const char *label, const uint8_t *context, size_t context_len,
                         size_t out_len, uint8_t buf[HKDF_LABEL_MAX])
{
    static const char prefix[] = "tls13 ";
    writer w;
    writer_init(&w, buf, HKDF_LABEL_MAX);
    if (out_len > UINT16_MAX)
        return 0;
    writer_u16(&w, (uint16_t)out_len);
    writer_open(&w, 1);
    writer_bytes(&w, prefix, sizeof(prefix) - 1);
    writer_bytes(&w, label, strlen(label));
    writer_close(&w);
    writer_open(&w, 1);
    if (context_len > 0)
        writer_bytes(&w, context, context_len);
    writer_close(&w);
    return writer_done(&w) ? w.len : 0;
}

static int expand_label_keyed(crypto_hmac *secret, const char *label, const uint8_t *context,
                              size_t context_len, uint8_t *out, size_t out_len)
{
    uint8_t info[HKDF_LABEL_MAX];
    size_t n = hkdf_label(label, context, context_len, out_len, info);
    return n > 0 ? crypto_hkdf_expand_keyed(secret, info, n, out, out_len) : -1;
}

int tls13_expand_label(crypto_hash_alg alg, const uint8_t *secret, const char *label,
                       const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
    uint8_t info[HKDF_LABEL_MAX];
    size_t n = hkdf_label(label, context, context_len, out_len, info);
    if (n == 0)
        return -1;
    return crypto_hkdf_expand(alg, secret, crypto_hash_size(alg), info, n, out, out_len);
}

int tls13_derive_secret(crypto_hash_alg alg, const uint8_t *secret, const char *label,
                        const uint8_t *transcript_hash, uint8_t *out)
{
    /* A NULL transcript hash is Transcript-Hash of no messages. */
    const uint8_t *h = transcript_hash != NULL ? transcript_hash : crypto_empty_hash(alg);
    size_t hlen = crypto_hash_size(alg);
    if (h == NULL || hlen == 0)
        return -1;
    return tls13_expand_label(alg, secret, label, h, hlen, out, hlen);
}

/* Derive-Secret from a state keyed with the secret. */
static int derive_keyed(crypto_hmac *secret, crypto_hash_alg alg, const char *label,
                        const uint8_t *transcript_hash, uint8_t *out)
{
    const uint8_t *h = transcript_hash != NULL ? transcript_hash : crypto_empty_hash(alg);
    size_t hlen = crypto_hash_size(alg);
    if (h == NULL || hlen == 0)
        return -1;
    return expand_label_keyed(secret, label, h, hlen, out, hlen);
}

/* Derive-Secret(HKDF-Extract(0, 0), "derived", ""), the salt of the handshake secret when no PSK
 * is used: the same in every such handshake, so a constant here rather than two HMAC keys and two
 * HMACs per handshake (test_keys13 derives it the long way and compares). */
static const uint8_t *no_psk_derived(crypto_hash_alg alg)
{
    static const uint8_t sha256[32] = {0x6f, 0x26, 0x15, 0xa1, 0x08, 0xc7, 0x02, 0xc5,
                                       0x67, 0x8f, 0x54, 0xfc, 0x9d, 0xba, 0xb6, 0x97,
                                       0x16, 0xc0, 0x76, 0x18, 0x9c, 0x48, 0x25, 0x0c,
                                       0xeb, 0xea, 0xc3, 0x57, 0x6c, 0x36, 0x11, 0xba};
    static const uint8_t sha384[48] = {0x15, 0x91, 0xda, 0xc5, 0xcb, 0xbf, 0x03, 0x30, 0xa4, 0xa8,
                                       0x4d, 0xe9, 0xc7, 0x53, 0x33, 0x0e, 0x92, 0xd0, 0x1f, 0x0a,
                                       0x88, 0x21, 0x4b, 0x44, 0x64, 0x97, 0x2f, 0xd6, 0x68, 0x04,
                                       0x9e, 0x93, 0xe5, 0x2f, 0x2b, 0x16, 0xfa, 0xd9, 0x22, 0xfd,
                                       0xc0, 0x58, 0x44, 0x78, 0x42, 0x8f, 0x28, 0x2b};
    return alg == CRYPTO_SHA256 ? sha256 : alg == CRYPTO_SHA384 ? sha384 : NULL;
}

int tls13_early_secret(crypto_hash_alg alg, const uint8_t *psk, size_t psk_len, uint8_t *out)
{
    if (psk == NULL) {
        psk = zeros;
        psk_len = crypto_hash_size(alg);
    }
    return crypto_hkdf_extract(alg, NULL, 0, psk, psk_len, out);
}

/* HKDF-Extract(Derive-Secret(secret, "derived", ""), ikm), the step between two stages, with m
 * keyed with the secret on entry; m is keyed with the salt on return. A NULL ikm is HashLen
 * zero bytes. out may be the secret m was keyed with. */
static int next_stage_keyed(crypto_hmac *m, crypto_hash_alg alg, const uint8_t *ikm, size_t ikm_len,
                            uint8_t *out)
{
    size_t hlen = crypto_hash_size(alg);
    uint8_t salt[CRYPTO_MAX_HASH];
    int rc =
        derive_keyed(m, alg, "derived", NULL, salt) == 0 && crypto_hmac_rekey(m, salt, hlen) == 0 &&
                crypto_hmac_mac(m, ikm != NULL ? ikm : zeros, ikm != NULL ? ikm_len : hlen, out) ==
                    0
            ? 0
            : -1;
    crypto_wipe(salt, sizeof(salt));
    return rc;
}

static int next_stage(crypto_hash_alg alg, const uint8_t *from, const uint8_t *ikm, size_t ikm_len,
                      uint8_t *out)
{
    crypto_hmac *m = crypto_hmac_new(alg, from, crypto_hash_size(alg));
    int rc = m != NULL ? next_stage_keyed(m, alg, ikm, ikm_len, out) : -1;
    crypto_hmac_free(m);
    return rc;
}

int tls13_handshake_secret(crypto_hash_alg alg, const uint8_t *early_secret, const uint8_t *shared,
                           size_t shared_len, uint8_t *out)
{
    return next_stage(alg, early_secret, shared, shared_len, out);
}

int tls13_master_secret(crypto_hash_alg alg, const uint8_t *handshake_secret, uint8_t *out)
{
    return next_stage(alg, handshake_secret, NULL, 0, out);
}

int tls13_handshake_schedule(crypto_hash_alg alg, const uint8_t *psk, size_t psk_len,
                             const uint8_t *shared, size_t shared_len,
                             const uint8_t *transcript_hash, uint8_t *c_hs_traffic,
                             uint8_t *s_hs_traffic, uint8_t *master)
{
    size_t hlen = crypto_hash_size(alg);
    uint8_t secret[CRYPTO_MAX_HASH]; /* the early secret, then the handshake secret */
    const uint8_t *salt = psk == NULL ? no_psk_derived(alg) : NULL;
    crypto_hmac *m;
    int ok;
    if (salt != NULL) {
        /* No PSK: the handshake secret's salt is a constant. */
        m = crypto_hmac_new(alg, salt, hlen);
        ok = m != NULL && crypto_hmac_mac(m, shared != NULL ? shared : zeros,
                                          shared != NULL ? shared_len : hlen, secret) == 0;
    } else {
        /* One state, keyed with each secret in turn: no context per step. */
        m = crypto_hmac_new_zero_key(alg);
        ok = m != NULL &&
             crypto_hmac_mac(m, psk != NULL ? psk : zeros, psk != NULL ? psk_len : hlen, secret) ==
                 0 &&
             crypto_hmac_rekey(m, secret, hlen) == 0 &&
             next_stage_keyed(m, alg, shared, shared_len, secret) == 0;
    }
    /* The handshake secret gives both traffic secrets and the master secret's salt. */
    ok = ok && transcript_hash != NULL && crypto_hmac_rekey(m, secret, hlen) == 0 &&
         derive_keyed(m, alg, secret_labels[TLS13_C_HS_TRAFFIC], transcript_hash, c_hs_traffic) ==
             0 &&
         derive_keyed(m, alg, secret_labels[TLS13_S_HS_TRAFFIC], transcript_hash, s_hs_traffic) ==
             0 &&
         next_stage_keyed(m, alg, NULL, 0, master) == 0;
    crypto_hmac_free(m);
    crypto_wipe(secret, sizeof(secret));
    if (!ok) {
        crypto_wipe(c_hs_traffic, hlen);
        crypto_wipe(s_hs_traffic, hlen);
        crypto_wipe(master, hlen);
    }
    return ok ? 0 : -1;
}

int tls13_derive(crypto_hash_alg alg, const uint8_t *parent, tls13_secret which,
                 const uint8_t *transcript_hash, uint8_t *out)
{
    if ((unsigned)which > TLS13_RES_MASTER)
        return -1;
    return tls13_derive_secret(alg, parent, secret_labels[which], transcript_hash, out);
}

int tls13_derive_traffic_pair(crypto_hash_alg alg, const uint8_t *parent, tls13_secret which,
                              const uint8_t *transcript_hash, uint8_t *client, uint8_t *server)
{
    if ((which != TLS13_C_HS_TRAFFIC && which != TLS13_C_AP_TRAFFIC) || transcript_hash == NULL)
        return -1;
    size_t hlen = crypto_hash_size(alg);
    crypto_hmac *m = crypto_hmac_new(alg, parent, hlen);
    if (m == NULL)
        return -1;
    /* The server label follows the client's in the enum. */
    int rc =
        expand_label_keyed(m, secret_labels[which], transcript_hash, hlen, client, hlen) == 0 &&
                expand_label_keyed(m, secret_labels[which + 1], transcript_hash, hlen, server,
                                   hlen) == 0
            ? 0
            : -1;
    crypto_hmac_free(m);
    return rc;
}

int tls13_application_secrets(crypto_hash_alg alg, const uint8_t *master,
                              const uint8_t *transcript_hash, uint8_t *client, uint8_t *server,
                              uint8_t *exporter)
{
    size_t hlen = crypto_hash_size(alg);
    if (transcript_hash == NULL)
        return -1;
    crypto_hmac *m = crypto_hmac_new(alg, master, hlen);
    int rc = m != NULL &&
                     derive_keyed(m, alg, secret_labels[TLS13_C_AP_TRAFFIC], transcript_hash,
                                  client) == 0 &&
                     derive_keyed(m, alg, secret_labels[TLS13_S_AP_TRAFFIC], transcript_hash,
                                  server) == 0 &&
                     derive_keyed(m, alg, secret_labels[TLS13_EXP_MASTER], transcript_hash,
                                  exporter) == 0
                 ? 0
                 : -1;
    crypto_hmac_free(m);
    if (rc < 0) {
        crypto_wipe(client, hlen);
        crypto_wipe(server, hlen);
        crypto_wipe(exporter, hlen);
    }
    return rc;
}

int tls13_finished_key(crypto_hash_alg alg, const uint8_t *base_key, uint8_t *out)
{
    return tls13_expand_label(alg, base_key, "finished", NULL, 0, out, crypto_hash_size(alg));
}

/* Finished (or binder) MAC with m keyed with the base key on entry: the finished key, then m
 * re-keyed with it for the MAC over the transcript hash. */
static int finished_keyed(crypto_hmac *m, crypto_hash_alg alg, const uint8_t *transcript_hash,
                          uint8_t *verify_data)
{
    uint8_t key[CRYPTO_MAX_HASH];
    size_t hlen = crypto_hash_size(alg);
    int rc = expand_label_keyed(m, "finished", NULL, 0, key, hlen) == 0 &&
                     crypto_hmac_rekey(m, key, hlen) == 0 &&
                     crypto_hmac_mac(m, transcript_hash, hlen, verify_data) == 0
                 ? 0
                 : -1;
    crypto_wipe(key, sizeof(key));
    return rc;
}

int tls13_finished(crypto_hash_alg alg, const uint8_t *base_key, const uint8_t *transcript_hash,
                   uint8_t *verify_data)
{
    crypto_hmac *m = crypto_hmac_new(alg, base_key, crypto_hash_size(alg));
    int rc = m != NULL ? finished_keyed(m, alg, transcript_hash, verify_data) : -1;
    crypto_hmac_free(m);
    return rc;
}

int tls13_binder(crypto_hash_alg alg, const uint8_t *psk, size_t psk_len,
                 const uint8_t *transcript_hash, uint8_t *binder)
{
    /* Early secret, binder key, finished key and the MAC: one state keyed with each in turn. */
    uint8_t secret[CRYPTO_MAX_HASH];
    size_t hlen = crypto_hash_size(alg);
    crypto_hmac *m = crypto_hmac_new_zero_key(alg);
    int rc = m != NULL && crypto_hmac_mac(m, psk, psk_len, secret) == 0 &&
                     crypto_hmac_rekey(m, secret, hlen) == 0 &&
                     derive_keyed(m, alg, secret_labels[TLS13_RES_BINDER], NULL, secret) == 0 &&
                     crypto_hmac_rekey(m, secret, hlen) == 0 &&
                     finished_keyed(m, alg, transcript_hash, binder) == 0
                 ? 0
                 : -1;
    crypto_hmac_free(m);
    crypto_wipe(secret, sizeof(secret));
    return rc;
}

int tls13_update_secret(crypto_hash_alg alg, const uint8_t *secret, uint8_t *out)
{
    /* Expand into a copy so out may be the secret it replaces. */
    uint8_t next[CRYPTO_MAX_HASH];
    size_t hlen = crypto_hash_size(alg);
    int rc = tls13_expand_label(alg, secret, "traffic upd", NULL, 0, next, hlen);
    if (rc == 0)
        memcpy(out, next, hlen);
    crypto_wipe(next, sizeof(next));
    return rc;
}

int tls13_resumption_psk(crypto_hash_alg alg, const uint8_t *res_master, const uint8_t *nonce,
                         size_t nonce_len, uint8_t *out)
{
    return tls13_expand_label(alg, res_master, "resumption", nonce, nonce_len, out,
                              crypto_hash_size(alg));
}

int tls13_traffic_keys(crypto_hash_alg alg, const uint8_t *secret, uint8_t *key, size_t key_len,
                       uint8_t iv[TLS13_IV_LEN])
{
    crypto_hmac *m = crypto_hmac_new(alg, secret, crypto_hash_size(alg));
    if (m == NULL)
        return -1;
    int rc = expand_label_keyed(m, "key", NULL, 0, key, key_len) == 0 &&
                     expand_label_keyed(m, "iv", NULL, 0, iv, TLS13_IV_LEN) == 0
                 ? 0
                 : -1;
    crypto_hmac_free(m);
    if (rc < 0) {
        crypto_wipe(key, key_len);
        crypto_wipe(iv, TLS13_IV_LEN);
    }
    return rc;
}

int tls13_record_keys(crypto_hash_alg alg, crypto_aead_alg aead, const uint8_t *secret,
                      record_keys *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = RECORD_TLS13;
    out->aead = aead;
    out->version = 0x0304;
    out->key_len = crypto_aead_key_size(aead);
    out->iv_len = TLS13_IV_LEN;
    if (out->key_len > sizeof(out->key) ||
        tls13_traffic_keys(alg, secret, out->key, out->key_len, out->iv) < 0) {
        crypto_wipe(out, sizeof(*out));
        return -1;
    }
    return 0;
}
