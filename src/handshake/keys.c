/*
 * The TLS 1.0-1.2 key schedule (RFC 5246 sections 6.3, 7.4.9, 8.1; RFC 2246 and 4346 for the
 * earlier versions, which differ only in the PRF, the handshake hash and TLS 1.0's CBC IVs; RFC
 * 7627 for the extended master secret): pre-master -> master secret -> key block -> record keys,
 * and Finished. hs->prf selects the PRF and the hash (MD5+SHA-1 before TLS 1.2).
 */
#include "handshake.h"

#include "../trace/trace.h"

#include <string.h>

int keys_master_secret(parley_conn *c, const uint8_t *pms, size_t pms_len)
{
    hs_state *hs = c->hs;
    int rc;
    if (hs->ems) {
        /* The session hash covers the transcript up to and including ClientKeyExchange. */
        uint8_t session_hash[CRYPTO_MAX_HASH];
        size_t hash_len;
        if (transcript_hash(c, session_hash, &hash_len) < 0)
            return -1;
        rc = crypto_prf(hs->prf, pms, pms_len, "extended master secret", session_hash, hash_len,
                        NULL, 0, hs->master_secret, 48);
    } else {
        rc = crypto_prf(hs->prf, pms, pms_len, "master secret", hs->client_random, 32,
                        hs->server_random, 32, hs->master_secret, 48);
    }
    if (rc < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "master secret derivation failed");
    trace_keylog(c, "CLIENT_RANDOM", hs->client_random, hs->master_secret, 48);
    trace_step(c, hs->ems ? "master secret derived (extended master secret, RFC 7627)"
                          : "master secret derived");
    return keys_derive(c);
}

int keys_resume(parley_conn *c)
{
    hs_state *hs = c->hs;
    trace_keylog(c, "CLIENT_RANDOM", hs->client_random, hs->master_secret, 48);
    trace_step(c, "keys from the session's master secret");
    return keys_derive(c);
}

/* Cuts one direction's keys from the key block. */
static void keys_fill(const suite_info *s, uint16_t version, size_t iv_len, const uint8_t *mac_key,
                      const uint8_t *key, const uint8_t *iv, record_keys *k)
{
    memset(k, 0, sizeof(*k));
    k->kind = s->protection;
    k->aead = s->aead;
    k->cbc = s->cbc;
    k->stream = s->stream;
    k->mac = s->mac;
    k->version = version;
    k->mac_key_len = s->mac_len;
    memcpy(k->mac_key, mac_key, k->mac_key_len);
    k->key_len = s->key_len;
    memcpy(k->key, key, s->key_len);
    k->iv_len = iv_len;
    memcpy(k->iv, iv, iv_len);
}

int keys_derive(parley_conn *c)
{
    hs_state *hs = c->hs;
    const suite_info *s = hs->suite;
    size_t mac_len = s->mac_len;
    /* TLS 1.0 CBC takes its first IVs from the key block; TLS 1.1 dropped them (RFC 4346 6.3). */
    size_t iv_len = s->protection == RECORD_CBC && c->version == PARLEY_TLS1_0
                        ? crypto_cbc_block_size(s->cbc)
                        : s->fixed_iv_len;
    size_t block_len = 2 * (mac_len + s->key_len + iv_len);
    uint8_t block[2 * (48 + 32 + 16)];
    crypto_prf_key_free(hs->master_prf);
    hs->master_prf = crypto_prf_key_new(hs->prf, hs->master_secret, 48);
    if (hs->master_prf == NULL ||
        crypto_prf_keyed(hs->master_prf, "key expansion", hs->server_random, 32, hs->client_random,
                         32, block, block_len) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "key expansion failed");
    const uint8_t *p = block;
    const uint8_t *client_mac = p, *server_mac = p + mac_len;
    p += 2 * mac_len;
    const uint8_t *client_key = p, *server_key = p + s->key_len;
    p += 2 * s->key_len;
    const uint8_t *client_iv = p, *server_iv = p + iv_len;
    keys_fill(s, c->version, iv_len, client_mac, client_key, client_iv, &hs->client_keys);
    keys_fill(s, c->version, iv_len, server_mac, server_key, server_iv, &hs->server_keys);
    crypto_wipe(block, sizeof(block));
    hs->keys_ready = true;
    return 0;
}

int keys_finished(parley_conn *c, parley_role sender, uint8_t out[12])
{
    hs_state *hs = c->hs;
    uint8_t hash[CRYPTO_MAX_HASH];
    size_t hash_len;
    if (transcript_hash(c, hash, &hash_len) < 0)
        return -1;
    const char *label = sender == PARLEY_CLIENT ? "client finished" : "server finished";
    if (hs->master_prf == NULL ||
        crypto_prf_keyed(hs->master_prf, label, hash, hash_len, NULL, 0, out, 12) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "Finished computation failed");
    return 0;
}
