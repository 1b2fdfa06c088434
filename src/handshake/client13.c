/*
 * The TLS 1.3 client (RFC 8446 2). The ClientHello is client.c's, which offers TLS 1.3 through
 * the extensions made here; the ServerHello decides, and from a TLS 1.3 one on the handshake
 * runs on this machine. {} are messages under handshake keys, [] under application keys.
 *
 *   ClientHello + key_share (+ pre_shared_key)  -->
 *                       [<--  HelloRetryRequest + key_share/cookie; ClientHello again -->]
 *                          <--  ServerHello + key_share (+ pre_shared_key)
 *                               {EncryptedExtensions} {CertificateRequest}
 *                               {Certificate} {CertificateVerify} {Finished}
 *   (EndOfEarlyData, after accepted 0-RTT data: early13.c)
 *   {Certificate} {CertificateVerify} {Finished}  -->
 *                          <--  [NewSessionTicket] (after the handshake, hs13.c)
 *
 * Middlebox compatibility mode (RFC 8446 D.4): the hello carries a 32-byte legacy session ID,
 * and one dummy ChangeCipherSpec goes out before our second flight (or our second hello).
 */
#include "handshake.h"

#include "messages_codec.h"

#include "../trace/trace.h"

#include <stdlib.h>
#include <string.h>

enum client13_state {
    C13_WAIT_ENCRYPTED_EXTENSIONS = 1,
    C13_WAIT_CERTIFICATE_OR_REQUEST,
    C13_WAIT_CERTIFICATE,
    C13_WAIT_CERTIFICATE_VERIFY,
    C13_WAIT_FINISHED,
    C13_DONE,
};

#define PSK_DHE_KE 1

/* Our key shares for groups, generated once (after a HelloRetryRequest: the one it asked for),
 * as the wire-form KeyShareEntry list. */
static int make_key_shares(parley_conn *c, const uint16_t *groups, size_t n, writer *w)
{
    hs_state *hs = c->hs;
    for (size_t i = 0; i < hs->n_shares; i++)
        crypto_kex_free(hs->shares[i]);
    hs->n_shares = 0;
    for (size_t i = 0; i < n && i < CONFIG_MAX_KEY_SHARES; i++) {
        crypto_kex *kex = hs_kex_new(c, groups[i]);
        uint8_t pub[CRYPTO_MAX_KEX_PUBLIC];
        size_t pub_len = kex ? crypto_kex_public(kex, pub, sizeof(pub)) : 0;
        if (pub_len == 0) {
            crypto_kex_free(kex);
            return conn_fail(c, PARLEY_E_INTERNAL, -1, "key generation failed for group %s",
                             parley_group_name(groups[i]));
        }
        hs->shares[hs->n_shares] = kex;
        hs->share_groups[hs->n_shares++] = groups[i];
        writer_u16(w, groups[i]);
        hs_write_vector(w, 2, (span){pub, pub_len});
    }
    return 0;
}

int client13_hello_extensions(parley_conn *c, hs_client_hello *ch, uint8_t *shares_wire, size_t cap)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    size_t n = 0;
    for (uint16_t v = hs->offered_max; v >= cfg->min_version && n + 2 <= sizeof(hs->versions_wire);
         v--) {
        hs->versions_wire[n++] = (uint8_t)(v >> 8);
        hs->versions_wire[n++] = (uint8_t)v;
    }
    ch->has_supported_versions = true;
    ch->supported_versions = (span){hs->versions_wire, n};

    writer w;
    writer_init(&w, shares_wire, cap);
    /* The second hello keeps the first one's shares unless the server asked for a group. */
    if (!hs->hrr) {
        if (make_key_shares(c, cfg->key_shares, cfg->n_key_shares, &w) < 0)
            return -1;
    } else if (hs->hrr_group != 0) {
        if (make_key_shares(c, &hs->hrr_group, 1, &w) < 0)
            return -1;
    } else {
        for (size_t i = 0; i < hs->n_shares; i++) {
            uint8_t pub[CRYPTO_MAX_KEX_PUBLIC];
            size_t pub_len = crypto_kex_public(hs->shares[i], pub, sizeof(pub));
            writer_u16(&w, hs->share_groups[i]);
            hs_write_vector(&w, 2, (span){pub, pub_len});
        }
    }
    if (w.failed)
        return conn_fail(c, PARLEY_E_INTERNAL, -1, "key shares do not fit");
    ch->has_key_share = true;
    ch->key_shares_wire = (span){shares_wire, w.len};
    static const uint8_t modes[1] = {PSK_DHE_KE};
    ch->has_psk_modes = true;
    ch->psk_modes = (span){modes, sizeof(modes)};
    ch->has_sig_algs = true;
    if (hs->cookie != NULL) {
        ch->has_cookie = true;
        ch->cookie = (span){hs->cookie, hs->cookie_len};
    }
    /* Middlebox compatibility: a non-empty legacy session ID makes the handshake look like a
     * TLS 1.2 resumption to boxes that inspect it. */
    if (hs->offered_id_len == 0) {
        if (hs_random(c, hs->offered_id, 32) < 0)
            return conn_fail(c, PARLEY_E_INTERNAL, -1, "random generator failed");
        hs->offered_id_len = 32;
    }
    ch->session_id = (span){hs->offered_id, hs->offered_id_len};
    return 0;
}

/* The checks a ServerHello and a HelloRetryRequest share; the suite they name, or NULL (the
 * connection has failed). */
static const suite_info *check_common(parley_conn *c, const hs_server_hello *sh)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    const char *what = sh->is_hrr ? "HelloRetryRequest" : "ServerHello";
    if (hs->offered_max != PARLEY_TLS1_3) {
        conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNSUPPORTED_EXTENSION,
                  "server sent a TLS 1.3 %s, but TLS 1.3 was not offered", what);
        return NULL;
    }
    if (!sh->has_supported_version || sh->selected_version != PARLEY_TLS1_3 ||
        sh->version != PARLEY_TLS1_2) {
        conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                  "server's %s selects version 0x%04x (legacy 0x%04x): RFC 8446 4.2.1 allows "
                  "only TLS 1.3 here",
                  what, sh->selected_version, sh->version);
        return NULL;
    }
    if (sh->session_id.len != hs->offered_id_len ||
        memcmp(sh->session_id.p, hs->offered_id, hs->offered_id_len) != 0) {
        conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                  "server's %s does not echo our legacy session ID", what);
        return NULL;
    }
    const suite_info *suite = suite_find(sh->cipher_suite);
    if (suite == NULL || !u16_list_has(cfg->suites, cfg->n_suites, sh->cipher_suite) ||
        !suite_allowed_at(suite, PARLEY_TLS1_3) || (hs->hrr && sh->cipher_suite != hs->hrr_suite)) {
        conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                  "server's %s chose cipher suite 0x%04x, which was not offered%s", what,
                  sh->cipher_suite, hs->hrr ? " or differs from its HelloRetryRequest's" : "");
        return NULL;
    }
    return suite;
}

static int client13_hello_retry(parley_conn *c, const hs_server_hello *sh, const suite_info *suite)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    if (hs->hrr)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                         "server sent a second HelloRetryRequest (RFC 8446 4.1.4)");
    /* RFC 8446 4.1.4: a retry must change the hello, and may only ask for a group we support
     * and sent no share for. */
    if (sh->has_key_share && (!u16_list_has(cfg->groups, cfg->n_groups, sh->key_share_group) ||
                              u16_list_has(hs->share_groups, hs->n_shares, sh->key_share_group)))
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server's HelloRetryRequest asks for group %s, which %s",
                         parley_group_name(sh->key_share_group),
                         u16_list_has(hs->share_groups, hs->n_shares, sh->key_share_group)
                             ? "already had a key share: the retry would change nothing"
                             : "was not offered");
    if (!sh->has_key_share && !sh->has_cookie)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server's HelloRetryRequest asks for nothing: it would not change the "
                         "ClientHello");
    if (early13_client_retry(c) < 0)
        return -1;
    hs->hrr = true;
    hs->hrr_suite = sh->cipher_suite;
    hs->hrr_group = sh->has_key_share ? sh->key_share_group : 0;
    if (sh->has_cookie) {
        hs->cookie = malloc(sh->cookie.len);
        if (hs->cookie == NULL)
            return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
        memcpy(hs->cookie, sh->cookie.p, sh->cookie.len);
        hs->cookie_len = sh->cookie.len;
    }
    c->version = PARLEY_TLS1_3;
    /* RFC 8446 5.1: every record after the initial ClientHello says TLS 1.2, the compatibility
     * ChangeCipherSpec sent just below included (client_send_hello sets it only later). */
    c->record_version = PARLEY_TLS1_2;
    if (hs_set_suite(c, suite) < 0 || hs13_transcript_restart(c) < 0 ||
        transcript_add_current(c) < 0)
        return -1;
    if (hs->hrr_group != 0)
        trace_step(c, "server asks for another key share");
    /* The PSK offer is made again for the new hello, if the suite's hash still allows it. */
    hs->psk_offered = false;
    if (hs13_send_compat_ccs(c) < 0)
        return -1;
    return client_send_hello(c);
}

int client13_server_hello(parley_conn *c, const hs_server_hello *sh)
{
    hs_state *hs = c->hs;
    const suite_info *suite = check_common(c, sh);
    if (suite == NULL)
        return -1;
    if (sh->is_hrr)
        return client13_hello_retry(c, sh, suite);
    hs->early_mode = EARLY13_OFF; /* the server has answered: no more 0-RTT goes out */
    c->version = PARLEY_TLS1_3;
    c->record_version = PARLEY_TLS1_2;
    memcpy(hs->server_random, sh->random, 32);
    if (hs_set_suite(c, suite) < 0 || transcript_add_current(c) < 0)
        return -1;
    if (!sh->has_key_share)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_MISSING_EXTENSION,
                         "server's ServerHello has no key_share (psk_ke was not offered)");
    crypto_kex *kex = NULL;
    for (size_t i = 0; i < hs->n_shares; i++)
        if (hs->share_groups[i] == sh->key_share_group)
            kex = hs->shares[i];
    if (kex == NULL)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server's key share is for group %s, for which we sent none",
                         parley_group_name(sh->key_share_group));
    if (resume13_client_accept(c, sh) < 0)
        return -1;
    uint8_t shared[CRYPTO_MAX_KEX_SECRET];
    size_t shared_len;
    if (crypto_kex_derive(kex, sh->key_share_key.p, sh->key_share_key.len, shared, &shared_len) < 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server's %s key share is not a valid public value",
                         parley_group_name(sh->key_share_group));
    c->group = sh->key_share_group;
    int rc = hs13_handshake_keys(c, shared, shared_len);
    crypto_wipe(shared, sizeof(shared));
    if (rc < 0 ||
        hs13_install(c, 0, hs->s_hs_traffic, EPOCH13_HANDSHAKE, "read keys on (handshake)") < 0)
        return -1;
    hs->key_change = true;
    hs->machine = &client13_machine;
    hs->state = C13_WAIT_ENCRYPTED_EXTENSIONS;
    return 0;
}

static int client13_encrypted_extensions(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    hs_encrypted_extensions ee;
    int alert = hs_parse_encrypted_extensions(body, len, &ee);
    if (alert)
        return hs_parse_failed(c, alert, "EncryptedExtensions");
    if (ee.has_alpn && client_accept_alpn(c, ee.alpn_protocol) < 0)
        return -1;
    if (early13_client_answer(c, &ee) < 0)
        return -1;
    hs->state = hs->psk_accepted ? C13_WAIT_FINISHED : C13_WAIT_CERTIFICATE_OR_REQUEST;
    return 0;
}

static int client13_certificate_request(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    hs_certificate_request13 cr;
    int alert = hs_parse_certificate_request13(body, len, &cr);
    if (alert)
        return hs_parse_failed(c, alert, "CertificateRequest");
    memcpy(hs->cr_context, cr.context.p, cr.context.len);
    hs->cr_context_len = cr.context.len;
    reader r = reader_init(cr.sig_algs.p, cr.sig_algs.len);
    while (r.left >= 2 && hs->n_cr_sigalgs < sizeof(hs->cr_sigalgs) / sizeof(hs->cr_sigalgs[0]))
        hs->cr_sigalgs[hs->n_cr_sigalgs++] = reader_u16(&r);
    if (cr.has_ca_names && cr.ca_names.len > 0) {
        hs->cr_names = malloc(cr.ca_names.len);
        if (hs->cr_names == NULL)
            return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
        memcpy(hs->cr_names, cr.ca_names.p, cr.ca_names.len);
        hs->cr_names_len = cr.ca_names.len;
    }
    /* TLS 1.3 has no certificate types: the signature algorithms say it all. */
    hs->cr_rsa = hs->cr_ec = true;
    hs->certificate_requested = true;
    hs->state = C13_WAIT_CERTIFICATE;
    return 0;
}

static int client13_certificate(parley_conn *c, const uint8_t *body, size_t len)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    const char *host =
        c->verify_name ? c->verify_name : (c->server_name[0] ? c->server_name : NULL);
    x509_peer peer;
    bool empty;
    if (hs13_verify_certificate(c, body, len, cfg->verify ? cfg->trust : NULL, X509_PEER_SERVER,
                                cfg->verify ? host : NULL, &peer, &empty) < 0)
        return -1;
    if (empty)
        return conn_fail(c, PARLEY_E_CERT, ALERT_DECODE_ERROR,
                         "server sent an empty certificate chain (RFC 8446 4.4.2.4)");
    c->peer_authenticated = cfg->verify;
    hs->state = C13_WAIT_CERTIFICATE_VERIFY;
    return 0;
}

static int client13_certificate_verify(parley_conn *c, const uint8_t *body, size_t len)
{
    if (hs13_check_certificate_verify(c, body, len) < 0)
        return -1;
    c->hs->state = C13_WAIT_FINISHED;
    return 0;
}

/* Our answer to a CertificateRequest: a Certificate (possibly empty) and, with a chain, its
 * CertificateVerify. */
static int client13_write_certificate(parley_conn *c)
{
    hs_state *hs = c->hs;
    const x509_chain *chain = NULL;
    if (client_choose_certificate(c, &chain) < 0)
        return -1;
    span context = {hs->cr_context, hs->cr_context_len};
    size_t mark = flight_mark(c);
    if (chain != NULL) {
        hs_write_chain13(&hs->out, chain, context);
    } else {
        hs_certificate13 none = {context, 0, {{0}}};
        hs_write_certificate13(&hs->out, &none);
    }
    if (flight_commit(c, mark, "Certificate") < 0)
        return -1;
    return chain ? hs13_write_certificate_verify(c, chain, client_scheme_for(c, chain)) : 0;
}

static int client13_finished(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    if (hs13_check_finished(c, body, len) < 0 || transcript_add_current(c) < 0 ||
        hs13_application_secrets(c) < 0)
        return -1;
    if (early13_client_end(c) < 0 || hs13_send_compat_ccs(c) < 0 ||
        hs13_install(c, 1, hs->c_hs_traffic, EPOCH13_HANDSHAKE, "write keys on (handshake)") < 0)
        return -1;
    if (hs->certificate_requested && client13_write_certificate(c) < 0)
        return -1;
    if (hs13_write_finished(c) < 0 || flight_send(c) < 0)
        return -1;
    if (hs13_resumption_secret(c) < 0 ||
        hs13_install(c, 1, c->write_secret, EPOCH13_APPLICATION, "write keys on (application)") <
            0 ||
        hs13_install(c, 0, c->read_secret, EPOCH13_APPLICATION, "read keys on (application)") < 0)
        return -1;
    /* The offered session is spent; a NewSessionTicket brings the next one. */
    parley_session_free(c->session);
    c->session = NULL;
    hs->key_change = true;
    hs->state = C13_DONE;
    return 0;
}

static const hs_step client13_steps[] = {
    {C13_WAIT_ENCRYPTED_EXTENSIONS, HS_ENCRYPTED_EXTENSIONS, false, client13_encrypted_extensions},
    {C13_WAIT_CERTIFICATE_OR_REQUEST, HS_CERTIFICATE_REQUEST, false, client13_certificate_request},
    {C13_WAIT_CERTIFICATE_OR_REQUEST, HS_CERTIFICATE, false, client13_certificate},
    {C13_WAIT_CERTIFICATE, HS_CERTIFICATE, false, client13_certificate},
    {C13_WAIT_CERTIFICATE_VERIFY, HS_CERTIFICATE_VERIFY, true, client13_certificate_verify},
    {C13_WAIT_FINISHED, HS_FINISHED, true, client13_finished},
};

static const char *client13_state_name(int state)
{
    static const char *const names[] = {
        "start",
        "wait EncryptedExtensions",
        "wait Certificate or CertificateRequest",
        "wait Certificate",
        "wait CertificateVerify",
        "wait Finished",
        "done",
    };
    return state >= 0 && state <= C13_DONE ? names[state] : "?";
}

const hs_machine client13_machine = {
    client13_steps,
    sizeof(client13_steps) / sizeof(client13_steps[0]),
    C13_WAIT_ENCRYPTED_EXTENSIONS,
    C13_DONE,
    client13_state_name,
};
