/*
 * The TLS 1.3 key schedule (RFC 8446 section 7): pure functions over secrets and transcript
 * hashes, with the hash as a parameter, so the handshake can drive them message by message and
 * the tests can check each step against RFC 8448 without a handshake. Secrets are
 * crypto_hash_size(alg) bytes; a transcript hash is the hash of the handshake messages so far,
 * as the handshake's running hash gives it. All functions return 0 or -1.
 *
 *            0 (or PSK) -> Extract -> early secret -> binder keys, c e traffic, e exp master
 *                                          | Derive-Secret(., "derived", "")
 *   (EC)DHE shared secret -> Extract -> handshake secret -> c/s hs traffic
 *                                          | Derive-Secret(., "derived", "")
 *                      0 -> Extract -> master secret -> c/s ap traffic, exp master, res master
 */
#ifndef PARLEY_KEYS13_H
#define PARLEY_KEYS13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../crypto/crypto.h"
#include "../record/record.h"

/* HKDF-Expand-Label(secret, label, context, out_len) (RFC 8446 7.1); label is without the
 * "tls13 " prefix, which is added here. context may be NULL when context_len is 0. */
int tls13_expand_label(crypto_hash_alg alg, const uint8_t *secret, const char *label,
                       const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len);
/* Derive-Secret(secret, label, messages), given Transcript-Hash(messages); a NULL
 * transcript_hash stands for the hash of no messages (the "derived" and binder steps). */
int tls13_derive_secret(crypto_hash_alg alg, const uint8_t *secret, const char *label,
                        const uint8_t *transcript_hash, uint8_t *out);

/* Early secret = HKDF-Extract(0, PSK); a NULL psk is HashLen zero bytes (no PSK offered). */
int tls13_early_secret(crypto_hash_alg alg, const uint8_t *psk, size_t psk_len, uint8_t *out);
/* Handshake secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE shared secret).
 * A PSK-only handshake passes a NULL shared secret, which is HashLen zero bytes. */
int tls13_handshake_secret(crypto_hash_alg alg, const uint8_t *early_secret, const uint8_t *shared,
                           size_t shared_len, uint8_t *out);
/* Master secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0). */
int tls13_master_secret(crypto_hash_alg alg, const uint8_t *handshake_secret, uint8_t *out);

/* The whole schedule up to the master secret in one call, keying one HMAC state with each
 * secret in turn: the early secret from psk (NULL: no PSK), the handshake secret from the
 * (EC)DHE shared secret (NULL: PSK-only), both handshake traffic secrets over transcript_hash
 * (ClientHello..ServerHello), and the master secret. Equal to tls13_early_secret,
 * tls13_handshake_secret, tls13_derive_traffic_pair and tls13_master_secret in a row. */
int tls13_handshake_schedule(crypto_hash_alg alg, const uint8_t *psk, size_t psk_len,
                             const uint8_t *shared, size_t shared_len,
                             const uint8_t *transcript_hash, uint8_t *c_hs_traffic,
                             uint8_t *s_hs_traffic, uint8_t *master);

/* The secrets Derive-Secret makes from the early, handshake and master secrets, each with its
 * label and the transcript it is taken over (RFC 8446 7.1). */
typedef enum tls13_secret {
    TLS13_EXT_BINDER,   /* early secret, no messages: binder key of an external PSK */
    TLS13_RES_BINDER,   /* early secret, no messages: binder key of a resumption PSK */
    TLS13_C_E_TRAFFIC,  /* early secret, ClientHello: 0-RTT data */
    TLS13_E_EXP_MASTER, /* early secret, ClientHello: early exporter */
    TLS13_C_HS_TRAFFIC, /* handshake secret, ClientHello..ServerHello */
    TLS13_S_HS_TRAFFIC, /* handshake secret, ClientHello..ServerHello */
    TLS13_C_AP_TRAFFIC, /* master secret, ClientHello..server Finished */
    TLS13_S_AP_TRAFFIC, /* master secret, ClientHello..server Finished */
    TLS13_EXP_MASTER,   /* master secret, ClientHello..server Finished */
    TLS13_RES_MASTER,   /* master secret, ClientHello..client Finished */
} tls13_secret;

/* Derives one of the secrets above from its parent secret. */
int tls13_derive(crypto_hash_alg alg, const uint8_t *parent, tls13_secret which,
                 const uint8_t *transcript_hash, uint8_t *out);
/* Both traffic secrets of a stage from one keying of the parent: which is TLS13_C_HS_TRAFFIC
 * (with the handshake secret) or TLS13_C_AP_TRAFFIC (with the master secret). */
int tls13_derive_traffic_pair(crypto_hash_alg alg, const uint8_t *parent, tls13_secret which,
                              const uint8_t *transcript_hash, uint8_t *client, uint8_t *server);

/* The client and server application traffic secrets and the exporter master secret, all over
 * transcript_hash (ClientHello..server Finished), from one keying of the master secret. */
int tls13_application_secrets(crypto_hash_alg alg, const uint8_t *master,
                              const uint8_t *transcript_hash, uint8_t *client, uint8_t *server,
                              uint8_t *exporter);

/* finished_key = HKDF-Expand-Label(base_key, "finished", "", HashLen) (RFC 8446 4.4.4). */
int tls13_finished_key(crypto_hash_alg alg, const uint8_t *base_key, uint8_t *out);
/* Finished verify_data = HMAC(finished_key of base_key, transcript_hash), HashLen bytes. The
 * base key is the sender's handshake traffic secret, or a binder key for a PSK binder (whose
 * transcript hash covers the truncated ClientHello). */
int tls13_finished(crypto_hash_alg alg, const uint8_t *base_key, const uint8_t *transcript_hash,
                   uint8_t *verify_data);

/* The binder of a resumption PSK (RFC 8446 4.2.11.2): tls13_finished under the "res binder" key
 * of the early secret of psk, over transcript_hash (which covers the ClientHello up to its
 * binders); the same as tls13_early_secret, tls13_derive(TLS13_RES_BINDER) and tls13_finished
 * in a row, with one HMAC state. */
int tls13_binder(crypto_hash_alg alg, const uint8_t *psk, size_t psk_len,
                 const uint8_t *transcript_hash, uint8_t *binder);

/* The next traffic secret after a KeyUpdate: HKDF-Expand-Label(secret, "traffic upd", "",
 * HashLen) (RFC 8446 7.2). out may equal secret. */
int tls13_update_secret(crypto_hash_alg alg, const uint8_t *secret, uint8_t *out);
/* The PSK of a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce,
 * HashLen) (RFC 8446 4.6.1). */
int tls13_resumption_psk(crypto_hash_alg alg, const uint8_t *res_master, const uint8_t *nonce,
                         size_t nonce_len, uint8_t *out);

/* Record key and IV from a traffic secret (RFC 8446 7.3): key = Expand-Label(secret, "key", "",
 * key_len), iv = Expand-Label(secret, "iv", "", 12). */
#define TLS13_IV_LEN 12
int tls13_traffic_keys(crypto_hash_alg alg, const uint8_t *secret, uint8_t *key, size_t key_len,
                       uint8_t iv[TLS13_IV_LEN]);
/* The same as RECORD_TLS13 keys for one direction, ready for record_state_install. */
int tls13_record_keys(crypto_hash_alg alg, crypto_aead_alg aead, const uint8_t *secret,
                      record_keys *out);

#endif
