/*
 * The TLS 1.3 server (RFC 8446 2). server.c reads the ClientHello and negotiates the version;
 * a TLS 1.3 one comes here. {} are messages under handshake keys, [] under application keys.
 *
 *   ClientHello + key_share (+ pre_shared_key)  -->
 *     [<--  HelloRetryRequest + key_share + cookie, when no share fits; ClientHello again -->]
 *                       <--  ServerHello + key_share (+ pre_shared_key)
 *                            {EncryptedExtensions} {CertificateRequest}
 *                            {Certificate} {CertificateVerify} {Finished}
 *   (EndOfEarlyData, after accepted 0-RTT data: early13.c)
 *   {Certificate} {CertificateVerify} {Finished}  -->
 *                       <--  [NewSessionTicket]
 *
 * The group is chosen by the server's preference among those the client supports; a client
 * without a share for it gets a HelloRetryRequest (one round trip more, the server's choice
 * kept). The cookie the retry carries must come back in the second hello.
 */
#include "handshake.h"

#include "../trace/trace.h"

#include <stdlib.h>
#include <string.h>

enum server13_state {
    S13_WAIT_CLIENT_HELLO2 = 1,
    S13_WAIT_END_OF_EARLY_DATA,
    S13_WAIT_CERTIFICATE,
    S13_WAIT_CERTIFICATE_VERIFY,
    S13_WAIT_FINISHED,
    S13_DONE,
};

#define ALERT_CERTIFICATE_REQUIRED 116
#define COOKIE_LEN                 32

/* What the server chose for this client. */
typedef struct choice13 {
    const suite_info *suite;
    uint16_t group;
    const hs_key_share *share; /* the client's share for group, or NULL: retry */
    const config_cert *cert;   /* NULL when a PSK is accepted */
    uint16_t scheme;
} choice13;

static const suite_info *choose_suite13(const parley_config *cfg, const hs_client_hello *ch)
{
    if (cfg->server_preference) {
        for (size_t i = 0; i < cfg->n_suites; i++) {
            const suite_info *s = suite_find(cfg->suites[i]);
            if (suite_allowed_at(s, PARLEY_TLS1_3) &&
                hs_list_has_u16(ch->cipher_suites, cfg->suites[i]))
                return s;
        }
        return NULL;
    }
    reader r = reader_init(ch->cipher_suites.p, ch->cipher_suites.len);
    while (r.left >= 2) {
        uint16_t id = reader_u16(&r);
        const suite_info *s = suite_find(id);
        if (s != NULL && suite_allowed_at(s, PARLEY_TLS1_3) &&
            u16_list_has(cfg->suites, cfg->n_suites, id))
            return s;
    }
    return NULL;
}

/* The first of our groups the client supports. */
static uint16_t choose_group13(const parley_config *cfg, const hs_client_hello *ch)
{
    for (size_t i = 0; i < cfg->n_groups; i++)
        if (hs_list_has_u16(ch->groups, cfg->groups[i]))
            return cfg->groups[i];
    return 0;
}

/* The first certificate that can sign with a scheme the client accepts. */
static bool choose_certificate13(const parley_config *cfg, const hs_client_hello *ch, choice13 *out)
{
    for (size_t i = 0; i < cfg->n_certs; i++) {
        uint16_t scheme =
            hs13_choose_scheme(cfg, x509_chain_key(cfg->certs[i].chain), ch->sig_algs);
        if (scheme != 0) {
            out->cert = &cfg->certs[i];
            out->scheme = scheme;
            return true;
        }
    }
    return false;
}

/* RFC 8446 4.1.2, 4.2, 9.2: what every TLS 1.3 ClientHello must have. */
static int check_hello13(parley_conn *c, const hs_client_hello *ch)
{
    if (ch->compression_methods.len != 1 || ch->compression_methods.p[0] != 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "TLS 1.3 ClientHello offers compression methods besides null");
    if (!ch->has_key_share && !ch->has_pre_shared_key)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_MISSING_EXTENSION,
                         "TLS 1.3 ClientHello has neither key_share nor pre_shared_key (RFC 8446 "
                         "9.2)");
    if (ch->has_key_share && !ch->has_groups)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_MISSING_EXTENSION,
                         "TLS 1.3 ClientHello has key_share without supported_groups (RFC 8446 "
                         "9.2)");
    if (!ch->has_key_share)
        return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_MISSING_EXTENSION,
                         "TLS 1.3 ClientHello offers a PSK without key_share: psk_ke (no forward "
                         "secrecy) is not accepted");
    return 0;
}

/* The second hello must be the first one answered (RFC 8446 4.1.2): the share asked for, alone,
 * and our cookie back. */
static int check_retry(parley_conn *c, const hs_client_hello *ch, const choice13 *choice)
{
    hs_state *hs = c->hs;
    if (choice->suite->id != hs->hrr_suite)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "the second ClientHello no longer offers %s, named in our "
                         "HelloRetryRequest",
                         suite_find(hs->hrr_suite)->name);
    if (ch->n_key_shares != 1 || ch->key_shares[0].group != hs->hrr_group)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "the second ClientHello does not carry exactly one key share, for %s as "
                         "our HelloRetryRequest asked",
                         parley_group_name(hs->hrr_group));
    if (!ch->has_cookie || ch->cookie.len != hs->cookie_len ||
        !crypto_memeq(ch->cookie.p, hs->cookie, hs->cookie_len))
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "the second ClientHello does not return our cookie");
    return 0;
}

static void server_hello_base(parley_conn *c, hs_server_hello *sh, const choice13 *choice)
{
    memset(sh, 0, sizeof(*sh));
    sh->version = PARLEY_TLS1_2;
    sh->session_id = (span){c->session_id, c->session_id_len};
    sh->cipher_suite = choice->suite->id;
    sh->has_supported_version = true;
    sh->selected_version = PARLEY_TLS1_3;
    sh->has_key_share = true;
    sh->key_share_group = choice->group;
}

static int send_hello_retry(parley_conn *c, const choice13 *choice)
{
    hs_state *hs = c->hs;
    hs->hrr = true;
    hs->hrr_group = choice->group;
    hs->hrr_suite = choice->suite->id;
    hs->cookie = malloc(COOKIE_LEN);
    if (hs->cookie == NULL || crypto_random(hs->cookie, COOKIE_LEN) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "making a cookie failed");
    hs->cookie_len = COOKIE_LEN;
    if (hs_set_suite(c, choice->suite) < 0 || hs13_transcript_restart(c) < 0)
        return -1;
    hs_server_hello hrr;
    server_hello_base(c, &hrr, choice);
    memcpy(hrr.random, hs_hrr_random, 32);
    hrr.is_hrr = true;
    hrr.has_cookie = true;
    hrr.cookie = (span){hs->cookie, hs->cookie_len};
    size_t mark = flight_mark(c);
    hs_write_server_hello(&hs->out, &hrr);
    trace_step(c, "no key share for our group: HelloRetryRequest");
    if (flight_commit(c, mark, "HelloRetryRequest") < 0 || flight_send(c) < 0 ||
        hs13_send_compat_ccs(c) < 0)
        return -1;
    hs->machine = &server13_machine;
    hs->state = S13_WAIT_CLIENT_HELLO2;
    return 0;
}

/* The client's handshake key goes on for the rest of its flight. */
static int after_client_early_data(parley_conn *c)
{
    hs_state *hs = c->hs;
    if (hs13_install(c, 0, hs->c_hs_traffic, EPOCH13_HANDSHAKE, "read keys on (handshake)") < 0)
        return -1;
    hs->state = hs->certificate_requested ? S13_WAIT_CERTIFICATE : S13_WAIT_FINISHED;
    return 0;
}

/* ServerHello in plaintext, then the handshake keys, then the rest of our flight. */
static int send_flight(parley_conn *c, const choice13 *choice)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    hs->kex = hs_kex_new(c, choice->group);
    uint8_t pub[CRYPTO_MAX_KEX_PUBLIC], shared[CRYPTO_MAX_KEX_SECRET];
    size_t pub_len = hs->kex ? crypto_kex_public(hs->kex, pub, sizeof(pub)) : 0, shared_len;
    if (pub_len == 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "key generation failed for group %s", parley_group_name(choice->group));
    if (crypto_kex_derive(hs->kex, choice->share->key_exchange.p, choice->share->key_exchange.len,
                          shared, &shared_len) < 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "client's %s key share is not a valid public value",
                         parley_group_name(choice->group));
    c->group = choice->group;
    hs_server_hello sh;
    server_hello_base(c, &sh, choice);
    if (hs_random(c, hs->server_random, 32) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "random generator failed");
    memcpy(sh.random, hs->server_random, 32);
    sh.key_share_key = (span){pub, pub_len};
    sh.has_pre_shared_key = hs->psk_accepted;
    sh.selected_identity = hs->psk_identity;
    size_t mark = flight_mark(c);
    hs_write_server_hello(&hs->out, &sh);
    int rc =
        flight_commit(c, mark, "ServerHello") < 0 ? -1 : hs13_handshake_keys(c, shared, shared_len);
    crypto_wipe(shared, sizeof(shared));
    if (rc < 0 || flight_send(c) < 0 || hs13_send_compat_ccs(c) < 0 ||
        hs13_install(c, 1, hs->s_hs_traffic, EPOCH13_HANDSHAKE, "write keys on (handshake)") < 0)
        return -1;

    hs_encrypted_extensions ee = {0};
    ee.has_server_name = c->server_name[0] != '\0';
    ee.has_early_data = c->early_status == PARLEY_EARLY_DATA_ACCEPTED;
    if (c->alpn[0]) {
        ee.has_alpn = true;
        ee.alpn_protocol = (span){(const uint8_t *)c->alpn, strlen(c->alpn)};
    }
    mark = flight_mark(c);
    hs_write_encrypted_extensions(&hs->out, &ee);
    if (flight_commit(c, mark, "EncryptedExtensions") < 0)
        return -1;
    if (!hs->psk_accepted) {
        if (cfg->client_auth != PARLEY_CLIENT_AUTH_NONE) {
            hs_certificate_request13 cr = {
                .has_sig_algs = true,
                .sig_algs = {cfg->wire_sigalgs, cfg->wire_sigalgs_len},
                .has_ca_names = cfg->client_ca_names_len > 0,
                .ca_names = {cfg->client_ca_names, cfg->client_ca_names_len},
            };
            mark = flight_mark(c);
            hs_write_certificate_request13(&hs->out, &cr);
            hs->certificate_requested = true;
            if (flight_commit(c, mark, "CertificateRequest") < 0)
                return -1;
        }
        hs->cert = choice->cert;
        mark = flight_mark(c);
        writer_bytes(&hs->out, choice->cert->certificate13_msg,
                     choice->cert->certificate13_msg_len);
        if (flight_commit(c, mark, "Certificate") < 0 ||
            hs13_write_certificate_verify(c, choice->cert->chain, choice->scheme) < 0)
            return -1;
    }
    if (hs13_write_finished(c) < 0 || flight_send(c) < 0 || hs13_application_secrets(c) < 0 ||
        hs13_install(c, 1, c->write_secret, EPOCH13_APPLICATION, "write keys on (application)") < 0)
        return -1;
    hs->machine = &server13_machine;
    /* Accepted early data is read under its own key until EndOfEarlyData. */
    if (hs->early_mode == EARLY13_OPEN) {
        hs->state = S13_WAIT_END_OF_EARLY_DATA;
        return 0;
    }
    return after_client_early_data(c);
}

int server13_client_hello(parley_conn *c, const hs_client_hello *ch)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    if (check_hello13(c, ch) < 0)
        return -1;
    memcpy(c->session_id, ch->session_id.p, ch->session_id.len);
    c->session_id_len = ch->session_id.len;
    choice13 choice = {0};
    choice.suite = choose_suite13(cfg, ch);
    if (choice.suite == NULL)
        return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_HANDSHAKE_FAILURE,
                         "no TLS 1.3 cipher suite in common with the client");
    /* After a retry the group is the one it asked for. */
    choice.group = hs->hrr ? hs->hrr_group : choose_group13(cfg, ch);
    if (choice.group == 0)
        return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_HANDSHAKE_FAILURE,
                         "no key exchange group in common with the client");
    choice.share = hs_client_hello_share(ch, choice.group);
    if (hs->hrr && check_retry(c, ch, &choice) < 0)
        return -1;
    if (choice.share == NULL) {
        early13_server_retry(c, ch);
        return send_hello_retry(c, &choice);
    }
    if (server_choose_alpn(c, ch) < 0)
        return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_NO_APPLICATION_PROTOCOL,
                         "client offered only ALPN protocols this server does not speak");
    /* The PSK's binder covers the hello as the transcript has it, whose hash is the suite's. */
    if (resume13_server_find(c, ch, choice.suite) < 0)
        return -1;
    if (!hs->psk_accepted) {
        if (!ch->has_sig_algs)
            return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_MISSING_EXTENSION,
                             "TLS 1.3 ClientHello without signature_algorithms (RFC 8446 9.2)");
        if (!choose_certificate13(cfg, ch, &choice))
            return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_HANDSHAKE_FAILURE,
                             "none of our certificates can sign with a TLS 1.3 signature "
                             "algorithm the client accepts");
    }
    if (hs_set_suite(c, choice.suite) < 0 || early13_server_decide(c, ch) < 0)
        return -1;
    return send_flight(c, &choice);
}

static int server13_client_hello2(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_client_hello ch;
    int alert = hs_parse_client_hello(body, len, &ch);
    if (alert)
        return hs_parse_failed(c, alert, "ClientHello");
    if (!ch.has_supported_versions || !hs_list_has_u16(ch.supported_versions, PARLEY_TLS1_3))
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "the second ClientHello no longer offers TLS 1.3");
    if (memcmp(ch.random, c->hs->client_random, 32) != 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "the second ClientHello has another random than the first");
    if (ch.has_early_data)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "the second ClientHello offers early data (RFC 8446 4.1.2)");
    c->hs->early_mode = EARLY13_OFF; /* the client's refused 0-RTT, if any, is behind us */
    return server13_client_hello(c, &ch);
}

static int server13_end_of_early_data(parley_conn *c, const uint8_t *body, size_t len)
{
    if (hs_parse_end_of_early_data(body, len) != 0)
        return hs_parse_failed(c, ALERT_DECODE_ERROR, "EndOfEarlyData");
    c->hs->early_mode = EARLY13_OFF;
    c->hs->key_change = true;
    return after_client_early_data(c);
}

static int server13_certificate(parley_conn *c, const uint8_t *body, size_t len)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    x509_peer peer;
    bool empty;
    if (hs13_verify_certificate(c, body, len, cfg->client_trust, X509_PEER_CLIENT, NULL, &peer,
                                &empty) < 0)
        return -1;
    if (empty) {
        /* RFC 8446 4.4.2.4: the server decides; this is the alert for it. */
        if (cfg->client_auth == PARLEY_CLIENT_AUTH_REQUIRED)
            return conn_fail(c, PARLEY_E_CERT, ALERT_CERTIFICATE_REQUIRED,
                             "the client sent no certificate, and this server requires one");
        hs->state = S13_WAIT_FINISHED;
        return 0;
    }
    hs->client_certificate = true;
    hs->state = S13_WAIT_CERTIFICATE_VERIFY;
    return 0;
}

static int server13_certificate_verify(parley_conn *c, const uint8_t *body, size_t len)
{
    if (hs13_check_certificate_verify(c, body, len) < 0)
        return -1;
    c->peer_authenticated = true;
    trace_step(c, "client certificate verified");
    c->hs->state = S13_WAIT_FINISHED;
    return 0;
}

static int server13_finished(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    if (hs13_check_finished(c, body, len) < 0 || transcript_add_current(c) < 0 ||
        hs13_install(c, 0, c->read_secret, EPOCH13_APPLICATION, "read keys on (application)") < 0 ||
        resume13_server_issue(c) < 0)
        return -1;
    hs->key_change = true;
    hs->state = S13_DONE;
    return 0;
}

static const hs_step server13_steps[] = {
    {S13_WAIT_CLIENT_HELLO2, HS_CLIENT_HELLO, false, server13_client_hello2},
    {S13_WAIT_END_OF_EARLY_DATA, HS_END_OF_EARLY_DATA, false, server13_end_of_early_data},
    {S13_WAIT_CERTIFICATE, HS_CERTIFICATE, false, server13_certificate},
    {S13_WAIT_CERTIFICATE_VERIFY, HS_CERTIFICATE_VERIFY, true, server13_certificate_verify},
    {S13_WAIT_FINISHED, HS_FINISHED, true, server13_finished},
};

static const char *server13_state_name(int state)
{
    static const char *const names[] = {
        "start",
        "wait ClientHello (after HelloRetryRequest)",
        "wait EndOfEarlyData",
        "wait Certificate",
        "wait CertificateVerify",
        "wait Finished",
        "done",
    };
    return state >= 0 && state <= S13_DONE ? names[state] : "?";
}

const hs_machine server13_machine = {
    server13_steps,         sizeof(server13_steps) / sizeof(server13_steps[0]),
    S13_WAIT_CLIENT_HELLO2, S13_DONE,
    server13_state_name,
};
