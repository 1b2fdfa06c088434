/*
 * The pieces of a TLS 1.3 handshake both roles share (RFC 8446 4.4, 7): the transcript after a
 * HelloRetryRequest, the key schedule driven message by message, key installation without
 * ChangeCipherSpec, Finished and CertificateVerify, and the messages after the handshake.
 */
#include "handshake.h"

#include "keys13.h"
#include "messages_codec.h"

#include "../trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t hash_len(const parley_conn *c)
{
    return crypto_hash_size(c->hs->prf);
}

int hs13_transcript_restart(parley_conn *c)
{
    hs_state *hs = c->hs;
    uint8_t digest[CRYPTO_MAX_HASH];
    size_t n = hash_len(c);
    if (crypto_digest(hs->prf, hs->transcript, hs->transcript_len, digest) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "transcript hash failed");
    const uint8_t header[HS_HEADER_LEN] = {HS_MESSAGE_HASH, 0, 0, (uint8_t)n};
    hs->transcript_len = 0;
    crypto_hash_free(hs->hash);
    hs->hash = crypto_hash_new(hs->prf);
    if (hs->hash == NULL)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "transcript hash failed");
    if (transcript_add(c, header, sizeof(header)) < 0 || transcript_add(c, digest, n) < 0)
        return -1;
    trace_step(c, "transcript restarted: message_hash(ClientHello1)");
    return 0;
}

static void keylog(parley_conn *c, const char *label, const uint8_t *secret)
{
    trace_keylog(c, label, c->hs->client_random, secret, hash_len(c));
}

int hs13_handshake_keys(parley_conn *c, const uint8_t *shared, size_t shared_len)
{
    hs_state *hs = c->hs;
    crypto_hash_alg alg = hs->prf;
    uint8_t th[CRYPTO_MAX_HASH];
    size_t th_len;
    c->hash13 = alg;
    if (transcript_hash(c, th, &th_len) < 0)
        return -1;
    if (tls13_handshake_schedule(alg, hs->psk_accepted ? hs->psk : NULL, hs->psk_len, shared,
                                 shared_len, th, hs->c_hs_traffic, hs->s_hs_traffic,
                                 hs->secret13) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "deriving the handshake secrets failed");
    keylog(c, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", hs->c_hs_traffic);
    keylog(c, "SERVER_HANDSHAKE_TRAFFIC_SECRET", hs->s_hs_traffic);
    return 0;
}

int hs13_application_secrets(parley_conn *c)
{
    hs_state *hs = c->hs;
    uint8_t th[CRYPTO_MAX_HASH], client[CRYPTO_MAX_HASH], server[CRYPTO_MAX_HASH];
    uint8_t exporter[CRYPTO_MAX_HASH];
    size_t th_len;
    if (transcript_hash(c, th, &th_len) < 0)
        return -1;
    if (tls13_application_secrets(hs->prf, hs->secret13, th, client, server, exporter) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "deriving the application secrets failed");
    keylog(c, "CLIENT_TRAFFIC_SECRET_0", client);
    keylog(c, "SERVER_TRAFFIC_SECRET_0", server);
    keylog(c, "EXPORTER_SECRET", exporter);
    if (c->cfg->keylog_fn != NULL && c->keylog_random == NULL) {
        c->keylog_random = malloc(32); /* without it, no KeyUpdate lines */
        if (c->keylog_random != NULL)
            memcpy(c->keylog_random, hs->client_random, 32);
    }
    bool is_client = c->role == PARLEY_CLIENT;
    memcpy(c->write_secret, is_client ? client : server, hash_len(c));
    memcpy(c->read_secret, is_client ? server : client, hash_len(c));
    crypto_wipe(client, sizeof(client));
    crypto_wipe(server, sizeof(server));
    crypto_wipe(exporter, sizeof(exporter));
    return 0;
}

int hs13_resumption_secret(parley_conn *c)
{
    hs_state *hs = c->hs;
    uint8_t th[CRYPTO_MAX_HASH];
    size_t th_len;
    if (transcript_hash(c, th, &th_len) < 0)
        return -1;
    if (tls13_derive(hs->prf, hs->secret13, TLS13_RES_MASTER, th, c->res_master) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "deriving the resumption secret failed");
    return 0;
}

int hs13_install(parley_conn *c, int dir, const uint8_t *secret, uint32_t epoch, const char *what)
{
    return hs13_install_suite(c, dir, suite_find(c->suite), secret, epoch, what);
}

int hs13_install_suite(parley_conn *c, int dir, const suite_info *suite, const uint8_t *secret,
                       uint32_t epoch, const char *what)
{
    record_keys keys;
    if (suite == NULL ||
        tls13_record_keys(suite_prf_at(suite, PARLEY_TLS1_3), suite->aead, secret, &keys) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "deriving traffic keys failed");
    int rc = conn_install_keys(c, dir, &keys, what);
    crypto_wipe(&keys, sizeof(keys));
    /* The trace marks each protected message with the keys it travelled under. */
    uint32_t *now = &c->epoch13[dir ? 1 : 0];
    if (epoch != EPOCH13_APPLICATION)
        *now = epoch;
    else if (*now < EPOCH13_APPLICATION)
        *now = EPOCH13_APPLICATION;
    else if (*now < UINT32_MAX)
        (*now)++; /* a KeyUpdate */
    return rc;
}

int hs13_send_compat_ccs(parley_conn *c)
{
    hs_state *hs = c->hs;
    /* RFC 8446 D.4: only a client that sent a legacy_session_id is in compatibility mode. */
    bool compat = c->role == PARLEY_CLIENT ? hs->offered_id_len > 0 : c->session_id_len > 0;
    if (!compat || hs->compat_ccs_sent)
        return 0;
    static const uint8_t ccs[1] = {1};
    hs->compat_ccs_sent = true;
    return conn_send(c, CT_CHANGE_CIPHER_SPEC, ccs, sizeof(ccs));
}

int hs13_write_finished(parley_conn *c)
{
    hs_state *hs = c->hs;
    uint8_t th[CRYPTO_MAX_HASH], verify[CRYPTO_MAX_HASH];
    size_t th_len;
    const uint8_t *base = c->role == PARLEY_CLIENT ? hs->c_hs_traffic : hs->s_hs_traffic;
    if (transcript_hash(c, th, &th_len) < 0)
        return -1;
    if (tls13_finished(hs->prf, base, th, verify) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "computing Finished failed");
    size_t mark = flight_mark(c);
    hs_finished fin = {{verify, hash_len(c)}};
    hs_write_finished(&hs->out, &fin);
    return flight_commit(c, mark, "Finished");
}

int hs13_check_finished(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    hs_finished fin;
    int alert = hs_parse_finished(body, len, hash_len(c), &fin);
    if (alert)
        return hs_parse_failed(c, alert, "Finished");
    uint8_t th[CRYPTO_MAX_HASH], expected[CRYPTO_MAX_HASH];
    size_t th_len;
    const uint8_t *base = c->role == PARLEY_CLIENT ? hs->s_hs_traffic : hs->c_hs_traffic;
    if (transcript_hash(c, th, &th_len) < 0)
        return -1;
    if (tls13_finished(hs->prf, base, th, expected) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "computing Finished failed");
    if (!crypto_memeq(expected, fin.verify_data.p, hash_len(c)))
        return conn_fail(c, PARLEY_E_CRYPTO, ALERT_DECRYPT_ERROR,
                         "the peer's Finished does not verify: the handshake was altered or the "
                         "keys differ");
    return 0;
}

/* What a TLS 1.3 CertificateVerify signs (RFC 8446 4.4.3): 64 spaces, a context string naming
 * the signer's role, a zero byte, and the transcript hash. */
#define CV_PAD 64
static size_t certificate_verify_content(parley_conn *c, parley_role signer, uint8_t *out)
{
    static const char server_ctx[] = "TLS 1.3, server CertificateVerify";
    static const char client_ctx[] = "TLS 1.3, client CertificateVerify";
    _Static_assert(sizeof(server_ctx) == sizeof(client_ctx), "same length");
    memset(out, 0x20, CV_PAD);
    memcpy(out + CV_PAD, signer == PARLEY_SERVER ? server_ctx : client_ctx, sizeof(server_ctx));
    size_t th_len;
    if (transcript_hash(c, out + CV_PAD + sizeof(server_ctx), &th_len) < 0)
        return 0;
    return CV_PAD + sizeof(server_ctx) + th_len;
}
#define CV_CONTENT_MAX (CV_PAD + 34 + CRYPTO_MAX_HASH)

int hs13_write_certificate_verify(parley_conn *c, const x509_chain *chain, uint16_t scheme)
{
    hs_state *hs = c->hs;
    uint8_t content[CV_CONTENT_MAX], sig[CRYPTO_MAX_SIGNATURE];
    size_t content_len = certificate_verify_content(c, c->role, content);
    size_t sig_len = sizeof(sig);
    if (content_len == 0)
        return -1;
    if (chain == c->own_cert && c->own_sign != NULL) {
        int rc = c->own_sign(c->own_sign_arg, scheme, content, content_len, sig, &sig_len);
        if (rc != 0 || sig_len == 0 || sig_len > sizeof(sig))
            return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                             "the certificate signer failed to sign CertificateVerify (scheme "
                             "0x%04x) for %s",
                             scheme, x509_chain_subject(chain));
    } else if (crypto_sign(x509_chain_key(chain), scheme, content, content_len, sig, &sig_len) <
               0) {
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "signing CertificateVerify failed");
    }
    hs_certificate_verify cv = {true, scheme, {sig, sig_len}};
    size_t mark = flight_mark(c);
    hs_write_certificate_verify(&hs->out, &cv);
    return flight_commit(c, mark, "CertificateVerify");
}

int hs13_check_certificate_verify(parley_conn *c, const uint8_t *body, size_t len)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    hs_certificate_verify cv;
    int alert = hs_parse_certificate_verify(body, len, true, &cv);
    if (alert)
        return hs_parse_failed(c, alert, "CertificateVerify");
    /* RFC 8446 4.4.3: a scheme we offered, allowed in TLS 1.3, and matching the key (ECDSA's
     * curve included). */
    if (!u16_list_has(cfg->sigalgs, cfg->n_sigalgs, cv.scheme) ||
        !sigalg_allowed_tls13(cv.scheme) || !crypto_scheme_fits_key(hs->peer_key, cv.scheme, false))
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "the peer signed CertificateVerify with scheme 0x%04x, which was not "
                         "offered, is not allowed in TLS 1.3, or does not fit its %s key",
                         cv.scheme, c->peer_key);
    uint8_t content[CV_CONTENT_MAX];
    parley_role signer = c->role == PARLEY_CLIENT ? PARLEY_SERVER : PARLEY_CLIENT;
    size_t content_len = certificate_verify_content(c, signer, content);
    if (content_len == 0)
        return -1;
    if (crypto_verify(hs->peer_key, cv.scheme, content, content_len, cv.signature.p,
                      cv.signature.len) < 0)
        return conn_fail(c, PARLEY_E_CRYPTO, ALERT_DECRYPT_ERROR,
                         "the peer's CertificateVerify does not verify with the key of its "
                         "certificate %s",
                         c->peer_subject);
    return transcript_add_current(c);
}

int hs13_verify_certificate(parley_conn *c, const uint8_t *body, size_t len,
                            const x509_trust *trust, x509_peer_role role, const char *host,
                            x509_peer *peer, bool *empty)
{
    hs_certificate13 cert13;
    int alert = hs_parse_certificate13(body, len, &cert13);
    if (alert)
        return hs_parse_failed(c, alert, "Certificate");
    /* During the handshake the context is empty from the server, and the client echoes the
     * empty one of our CertificateRequest. */
    if (cert13.context.len != 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "the peer's Certificate carries a request context during the handshake");
    *empty = cert13.count == 0;
    if (*empty)
        return 0;
    hs_certificate cert;
    cert.count = cert13.count;
    memcpy(cert.certs, cert13.certs, sizeof(cert.certs));
    return hs_verify_peer(c, &cert, trust, role, host, peer);
}

uint16_t hs13_choose_scheme(const parley_config *cfg, crypto_key *key, span peer_sig_algs)
{
    for (size_t i = 0; i < cfg->n_sigalgs; i++)
        if (sigalg_allowed_tls13(cfg->sigalgs[i]) &&
            hs_list_has_u16(peer_sig_algs, cfg->sigalgs[i]) &&
            crypto_scheme_fits_key(key, cfg->sigalgs[i], false))
            return cfg->sigalgs[i];
    return 0;
}

/* CLIENT_TRAFFIC_SECRET_N or SERVER_TRAFFIC_SECRET_N for a secret a KeyUpdate just installed:
 * N is how many updates that direction's epoch has had. */
static void keylog_updated(parley_conn *c, int write, const uint8_t *secret)
{
    if (c->keylog_random == NULL)
        return;
    bool client_side = (c->role == PARLEY_CLIENT) == (write != 0);
    char label[48];
    snprintf(label, sizeof(label), "%s_TRAFFIC_SECRET_%u", client_side ? "CLIENT" : "SERVER",
             (unsigned)(c->epoch13[write] - EPOCH13_APPLICATION));
    trace_keylog(c, label, c->keylog_random, secret, crypto_hash_size(c->hash13));
}

int hs13_send_key_update(parley_conn *c, bool request_peer)
{
    uint8_t msg[HS_HEADER_LEN + 1];
    writer w;
    writer_init(&w, msg, sizeof(msg));
    if (hs_write_key_update(&w, request_peer) < 0 || conn_send(c, CT_HANDSHAKE, msg, w.len) < 0)
        return -1;
    trace_handshake(c, 1, msg, w.len);
    c->key_update_due = false;
    if (tls13_update_secret(c->hash13, c->write_secret, c->write_secret) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "KeyUpdate failed");
    if (hs13_install(c, 1, c->write_secret, EPOCH13_APPLICATION, "write keys updated") < 0)
        return -1;
    keylog_updated(c, 1, c->write_secret);
    return 0;
}

static int receive_key_update(parley_conn *c, const uint8_t *body, size_t len)
{
    bool requested;
    int alert = hs_parse_key_update(body, len, &requested);
    if (alert)
        return conn_fail(c, PARLEY_E_DECODE, alert, "malformed KeyUpdate from the peer");
    if (tls13_update_secret(c->hash13, c->read_secret, c->read_secret) < 0 ||
        hs13_install(c, 0, c->read_secret, EPOCH13_APPLICATION, "read keys updated") < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "KeyUpdate failed");
    keylog_updated(c, 0, c->read_secret);
    /* RFC 8446 4.6.3: answered before our next record; sent now, since an idle side may have
     * no next record for a long time while the peer waits to retire its key. */
    if (requested && !c->close_sent)
        return hs13_send_key_update(c, false);
    return 0;
}

int hs13_post_handshake(parley_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
    switch (type) {
    case HS_NEW_SESSION_TICKET:
        if (c->role == PARLEY_CLIENT)
            return resume13_client_ticket(c, body, len);
        break;
    case HS_KEY_UPDATE:
        return receive_key_update(c, body, len);
    }
    /* post_handshake_auth is never offered, so a CertificateRequest is as unexpected here as
     * anything else. */
    return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                     "unexpected %s from the peer after the handshake", hs_message_name(type));
}
