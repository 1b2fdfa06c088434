/*
 * The TLS 1.0-1.2 server state machine (RFC 5246 7.3; the versions differ in the key schedule and
 * in how ServerKeyExchange is signed, not in the messages). Full handshake:
 *
 *   ClientHello        -->
 *                      <--  ServerHello, Certificate, [ServerKeyExchange],
 *                           [CertificateRequest], ServerHelloDone
 *   [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished  -->
 *                      <--  [NewSessionTicket], ChangeCipherSpec, Finished
 *
 * Abbreviated, when the ClientHello names a session that may resume (resume.c):
 *
 *   ClientHello        -->
 *                      <--  ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished
 *   ChangeCipherSpec, Finished  -->
 */
#include "handshake.h"

#include "../trace/trace.h"

#include <string.h>

enum server_state {
    S_WAIT_CLIENT_HELLO = 1,
    S_WAIT_CLIENT_CERTIFICATE,
    S_WAIT_CLIENT_KEY_EXCHANGE,
    S_WAIT_CERTIFICATE_VERIFY,
    S_WAIT_CHANGE_CIPHER_SPEC,
    S_WAIT_FINISHED,
    S_DONE,
};

/* What the server chose for this client. */
typedef struct server_choice {
    const suite_info *suite;
    const config_cert *cert;
    uint16_t group;
    uint16_t scheme;
} server_choice;

/* The signature scheme for cert given the client's list (RFC 5246 7.4.1.4.1: without the
 * extension, SHA-1 with the certificate's algorithm is assumed; before TLS 1.2 the key type
 * alone decides). 0 if none fits. */
static uint16_t choose_scheme(const parley_config *cfg, const config_cert *cert,
                              const hs_client_hello *ch, uint16_t version)
{
    crypto_key *key = x509_chain_key(cert->chain);
    if (version < PARLEY_TLS1_2)
        return sigalg_before_tls12(cert->key_type);
    if (!ch->has_sig_algs)
        return cert->key_type == CRYPTO_KEY_RSA ? SIG_RSA_PKCS1_SHA1 : SIG_ECDSA_SHA1;
    for (size_t i = 0; i < cfg->n_sigalgs; i++)
        if (hs_list_has_u16(ch->sig_algs, cfg->sigalgs[i]) &&
            crypto_scheme_fits_key(key, cfg->sigalgs[i], true))
            return cfg->sigalgs[i];
    return 0;
}

/* Whether suite can be used with this client, filling the certificate, group and scheme. */
static bool suite_usable(const parley_config *cfg, const hs_client_hello *ch, uint16_t version,
                         uint16_t group, const suite_info *s, server_choice *out)
{
    if (s == NULL || !suite_allowed_at(s, version))
        return false;
    if (s->kex != KEX_RSA && group == 0)
        return false;
    for (size_t i = 0; i < cfg->n_certs; i++) {
        const config_cert *cert = &cfg->certs[i];
        if (!suite_fits_key(s, cert->key_type))
            continue;
        uint16_t scheme = 0;
        if (s->kex != KEX_RSA && (scheme = choose_scheme(cfg, cert, ch, version)) == 0)
            continue;
        *out = (server_choice){s, cert, s->kex == KEX_RSA ? 0 : group, scheme};
        return true;
    }
    return false;
}

static uint16_t choose_group(const parley_config *cfg, const hs_client_hello *ch)
{
    /* Uncompressed points are the only format; a client that cannot take them gets no ECDHE. */
    if (ch->has_point_formats) {
        bool uncompressed = false;
        for (size_t i = 0; i < ch->point_formats.len; i++)
            uncompressed |= ch->point_formats.p[i] == 0;
        if (!uncompressed)
            return 0;
    }
    for (size_t i = 0; i < cfg->n_groups; i++)
        if (!ch->has_groups || hs_list_has_u16(ch->groups, cfg->groups[i]))
            return cfg->groups[i];
    return 0;
}

static bool choose_suite(const parley_config *cfg, const hs_client_hello *ch, uint16_t version,
                         server_choice *out)
{
    uint16_t group = choose_group(cfg, ch);
    if (cfg->server_preference) {
        for (size_t i = 0; i < cfg->n_suites; i++)
            if (hs_list_has_u16(ch->cipher_suites, cfg->suites[i]) &&
                suite_usable(cfg, ch, version, group, suite_find(cfg->suites[i]), out))
                return true;
        return false;
    }
    reader r = reader_init(ch->cipher_suites.p, ch->cipher_suites.len);
    while (r.left > 0) {
        uint16_t id = reader_u16(&r);
        for (size_t i = 0; i < cfg->n_suites; i++)
            if (cfg->suites[i] == id && suite_usable(cfg, ch, version, group, suite_find(id), out))
                return true;
    }
    return false;
}

int server_choose_alpn(parley_conn *c, const hs_client_hello *ch)
{
    const parley_config *cfg = c->cfg;
    if (cfg->alpn_len == 0 || !ch->has_alpn)
        return 0;
    reader ours = reader_init(cfg->alpn, cfg->alpn_len);
    while (ours.left > 0) {
        span mine = reader_vector(&ours, 1, 1, 255);
        reader theirs = reader_init(ch->alpn.p, ch->alpn.len);
        while (theirs.left > 0 && !theirs.failed) {
            span name = reader_vector(&theirs, 1, 1, 255);
            if (name.len == mine.len && memcmp(name.p, mine.p, mine.len) == 0) {
                memcpy(c->alpn, mine.p, mine.len);
                c->alpn[mine.len] = '\0';
                return 1;
            }
        }
    }
    return -1;
}

static size_t count_suites(span wire)
{
    return wire.len / 2;
}

/* The highest version in the client's supported_versions that we speak, 0 if none. */
static uint16_t highest_supported(const parley_config *cfg, span versions)
{
    uint16_t best = 0, max = config_max_version(cfg);
    reader r = reader_init(versions.p, versions.len);
    while (r.left >= 2) {
        uint16_t v = reader_u16(&r);
        if (v >= cfg->min_version && v <= max && v > best)
            best = v;
    }
    return best;
}

static int server_negotiate_version(parley_conn *c, const hs_client_hello *ch)
{
    const parley_config *cfg = c->cfg;
    uint16_t max = config_max_version(cfg);
    uint16_t version, offered;
    if (ch->has_supported_versions) {
        /* RFC 8446 4.2.1: supported_versions, when present, is all that counts. */
        version = highest_supported(cfg, ch->supported_versions);
        offered = 0;
        reader r = reader_init(ch->supported_versions.p, ch->supported_versions.len);
        while (r.left >= 2) {
            uint16_t v = reader_u16(&r);
            if (v >> 8 == 3 && v > offered && v <= PARLEY_TLS1_3)
                offered = v;
        }
        if (version == 0)
            return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_PROTOCOL_VERSION,
                             "no version in common: the client's supported_versions has none of "
                             "%s to %s",
                             parley_version_name(cfg->min_version), parley_version_name(max));
    } else {
        if (ch->version >> 8 != 3 || ch->version <= 0x0300)
            return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_PROTOCOL_VERSION,
                             "client offers only SSL 3.0 or older (0x%04x), which is not supported",
                             ch->version);
        /* Without supported_versions TLS 1.2 is the most a client can get (RFC 8446 4.2.1). */
        offered = ch->version < PARLEY_TLS1_2 ? ch->version : PARLEY_TLS1_2;
        version = offered < max ? offered : max;
        if (version < cfg->min_version)
            return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_PROTOCOL_VERSION,
                             "client offers at most %s; this server requires %s or newer",
                             parley_version_name(offered), parley_version_name(cfg->min_version));
    }
    /* RFC 7507: a client retrying with a lower version says so; if we could have spoken a
     * higher one, its first attempt was sabotaged and this one must not succeed. */
    if (hs_list_has_u16(ch->cipher_suites, SCSV_FALLBACK) && offered < max)
        return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_INAPPROPRIATE_FALLBACK,
                         "client signals a fallback (TLS_FALLBACK_SCSV) to %s, but this server "
                         "supports %s: refusing the downgrade",
                         parley_version_name(offered), parley_version_name(max));
    c->version = version;
    c->record_version = version < PARLEY_TLS1_3 ? version : PARLEY_TLS1_2;
    return 0;
}

static int server_write_hello(parley_conn *c, const hs_client_hello *ch)
{
    hs_state *hs = c->hs;
    hs_server_hello sh;
    memset(&sh, 0, sizeof(sh));
    sh.version = c->version;
    /* A resumed session keeps the ID the client sent; a new one gets a fresh ID. */
    if (crypto_random(hs->server_random, 32) < 0 ||
        (!hs->resumed && crypto_random(c->session_id, 32) < 0))
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "random generator failed");
    /* Only a version this server could really have spoken counts as lowered: a server without
     * TLS 1.3 suites that marked its TLS 1.2 would be refused by every TLS 1.3 client. */
    version_mark_downgrade(hs->server_random, c->version, config_max_version(c->cfg));
    memcpy(sh.random, hs->server_random, 32);
    if (!hs->resumed)
        c->session_id_len = 32;
    sh.session_id = (span){c->session_id, c->session_id_len};
    sh.cipher_suite = hs->suite->id;
    sh.has_server_name = ch->has_server_name;
    static const uint8_t uncompressed[1] = {0};
    if (hs->suite->kex != KEX_RSA && ch->has_point_formats) {
        sh.has_point_formats = true;
        sh.point_formats = (span){uncompressed, 1};
    }
    if (c->alpn[0]) {
        sh.has_alpn = true;
        sh.alpn_protocol = (span){(const uint8_t *)c->alpn, strlen(c->alpn)};
    }
    sh.has_reneg_info = hs->secure_renegotiation;
    sh.ems = hs->ems;
    sh.has_session_ticket = hs->issue_ticket;
    size_t mark = flight_mark(c);
    hs_write_server_hello(&hs->out, &sh);
    return flight_commit(c, mark, "ServerHello");
}

static int server_write_key_exchange(parley_conn *c, uint16_t group)
{
    hs_state *hs = c->hs;
    hs->kex = crypto_kex_new(group);
    uint8_t pub[CRYPTO_MAX_KEX_PUBLIC];
    size_t pub_len = hs->kex ? crypto_kex_public(hs->kex, pub, sizeof(pub)) : 0;
    if (pub_len == 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "key generation failed for group %s", parley_group_name(group));
    uint8_t signed_data[64 + 4 + CRYPTO_MAX_KEX_PUBLIC];
    memcpy(signed_data, hs->client_random, 32);
    memcpy(signed_data + 32, hs->server_random, 32);
    size_t params_len =
        hs_ecdh_params(group, (span){pub, pub_len}, signed_data + 64, sizeof(signed_data) - 64);
    uint8_t sig[CRYPTO_MAX_SIGNATURE];
    size_t sig_len = sizeof(sig);
    if (params_len == 0 || crypto_sign(x509_chain_key(hs->cert->chain), hs->sig_scheme, signed_data,
                                       64 + params_len, sig, &sig_len) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "signing ServerKeyExchange failed");
    hs_server_key_exchange ske = {
        .group = group,
        .public_key = {pub, pub_len},
        .has_scheme = c->version >= PARLEY_TLS1_2,
        .scheme = hs->sig_scheme,
        .signature = {sig, sig_len},
    };
    size_t mark = flight_mark(c);
    hs_write_server_key_exchange(&hs->out, &ske);
    return flight_commit(c, mark, "ServerKeyExchange");
}

/* Asks for a client certificate: the key types we verify, in TLS 1.2 the signature schemes we
 * accept, and the names of the CAs we trust for it (or none). */
static int server_write_certificate_request(parley_conn *c)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    static const uint8_t types[2] = {1, 64}; /* rsa_sign, ecdsa_sign */
    hs_certificate_request cr = {
        .cert_types = {types, sizeof(types)},
        .has_sig_algs = c->version >= PARLEY_TLS1_2,
        .sig_algs = {cfg->wire_sigalgs, cfg->wire_sigalgs_len},
        .ca_names = {cfg->client_ca_names, cfg->client_ca_names_len},
    };
    size_t mark = flight_mark(c);
    hs_write_certificate_request(&hs->out, &cr);
    hs->certificate_requested = true;
    return flight_commit(c, mark, "CertificateRequest");
}

/* Our side of the abbreviated handshake, all in one flight: the keys are already there. */
static int server_resume(parley_conn *c, const hs_client_hello *ch)
{
    hs_state *hs = c->hs;
    if (server_choose_alpn(c, ch) < 0)
        return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_NO_APPLICATION_PROTOCOL,
                         "client offered only ALPN protocols this server does not speak");
    if (server_write_hello(c, ch) < 0 || keys_resume(c) < 0 || resume_server_keep(c) < 0 ||
        flight_send(c) < 0 || conn_send_change_cipher_spec(c, &hs->server_keys) < 0 ||
        hs_write_our_finished(c) < 0 || flight_send(c) < 0)
        return -1;
    hs->state = S_WAIT_CHANGE_CIPHER_SPEC;
    return 0;
}

static int server_client_hello(parley_conn *c, const uint8_t *body, size_t len)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    hs_client_hello ch;
    int alert = hs_parse_client_hello(body, len, &ch);
    if (alert)
        return hs_parse_failed(c, alert, "ClientHello");
    if (server_negotiate_version(c, &ch) < 0)
        return -1;
    hs->client_version = ch.version;
    memcpy(hs->client_random, ch.random, 32);
    if (ch.server_name.len > 0 && ch.server_name.len < sizeof(c->server_name)) {
        memcpy(c->server_name, ch.server_name.p, ch.server_name.len);
        c->server_name[ch.server_name.len] = '\0';
    }
    if (c->version == PARLEY_TLS1_3)
        return server13_client_hello(c, &ch);

    if (ch.has_reneg_info && ch.reneg_info.len != 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_HANDSHAKE_FAILURE,
                         "client sent a non-empty renegotiation_info on an initial handshake");
    hs->secure_renegotiation =
        ch.has_reneg_info || hs_list_has_u16(ch.cipher_suites, SCSV_EMPTY_RENEGOTIATION_INFO);
    hs->ems = ch.ems;
    int resumed = resume_server_find(c, &ch);
    if (resumed < 0)
        return -1;
    if (resumed)
        return server_resume(c, &ch);

    server_choice choice;
    if (!choose_suite(cfg, &ch, c->version, &choice))
        return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_HANDSHAKE_FAILURE,
                         "no cipher suite in common: the client offered %zu, %zu are enabled "
                         "here (or no certificate or group fits them)",
                         count_suites(ch.cipher_suites), cfg->n_suites);
    if (server_choose_alpn(c, &ch) < 0)
        return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_NO_APPLICATION_PROTOCOL,
                         "client offered only ALPN protocols this server does not speak");
    hs->cert = choice.cert;
    hs->sig_scheme = choice.scheme;
    c->group = choice.group;
    if (hs_set_suite(c, choice.suite) < 0 || server_write_hello(c, &ch) < 0)
        return -1;

    size_t mark = flight_mark(c);
    writer_bytes(&hs->out, hs->cert->certificate_msg, hs->cert->certificate_msg_len);
    if (flight_commit(c, mark, "Certificate") < 0)
        return -1;
    if (choice.suite->kex != KEX_RSA && server_write_key_exchange(c, choice.group) < 0)
        return -1;
    if (cfg->client_auth != PARLEY_CLIENT_AUTH_NONE && server_write_certificate_request(c) < 0)
        return -1;
    mark = flight_mark(c);
    hs_write_server_hello_done(&hs->out);
    if (flight_commit(c, mark, "ServerHelloDone") < 0 || flight_send(c) < 0)
        return -1;
    hs->state = hs->certificate_requested ? S_WAIT_CLIENT_CERTIFICATE : S_WAIT_CLIENT_KEY_EXCHANGE;
    return 0;
}

/* The client's chain, verified against the client CAs for TLS client authentication. */
static int server_client_certificate(parley_conn *c, const uint8_t *body, size_t len)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    hs_certificate cert;
    int alert = hs_parse_certificate(body, len, &cert);
    if (alert)
        return hs_parse_failed(c, alert, "Certificate");
    hs->state = S_WAIT_CLIENT_KEY_EXCHANGE;
    if (cert.count == 0) {
        /* RFC 5246 7.4.6: the client had none that fits; the server decides. */
        if (cfg->client_auth == PARLEY_CLIENT_AUTH_REQUIRED)
            return conn_fail(c, PARLEY_E_CERT, ALERT_HANDSHAKE_FAILURE,
                             "the client sent no certificate, and this server requires one");
        return 0;
    }
    x509_peer peer;
    if (hs_verify_peer(c, &cert, cfg->client_trust, X509_PEER_CLIENT, NULL, &peer) < 0)
        return -1;
    if (sigalg_before_tls12(peer.key_type) == 0)
        return conn_fail(c, PARLEY_E_CERT, ALERT_UNSUPPORTED_CERTIFICATE,
                         "client certificate %s has a %s key, which cannot sign here", peer.subject,
                         peer.key_name);
    hs->client_certificate = true;
    return 0;
}

/* Proof that the client holds its certificate's key: a signature over the handshake so far. */
static int server_certificate_verify(parley_conn *c, const uint8_t *body, size_t len)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    bool tls12 = c->version >= PARLEY_TLS1_2;
    hs_certificate_verify cv;
    int alert = hs_parse_certificate_verify(body, len, tls12, &cv);
    if (alert)
        return hs_parse_failed(c, alert, "CertificateVerify");
    uint16_t scheme = cv.scheme;
    if (!tls12) {
        scheme = sigalg_before_tls12(crypto_key_kind(hs->peer_key));
    } else {
        /* RFC 5246 7.4.8: one of the algorithms of our CertificateRequest, fitting the key. */
        if (!u16_list_has(cfg->sigalgs, cfg->n_sigalgs, scheme) ||
            !crypto_scheme_fits_key(hs->peer_key, scheme, true))
            return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                             "the client signed CertificateVerify with scheme 0x%04x, which this "
                             "server did not offer or which does not fit its %s key",
                             scheme, c->peer_key);
    }
    if (crypto_verify(hs->peer_key, scheme, hs->transcript, hs->transcript_len, cv.signature.p,
                      cv.signature.len) < 0)
        return conn_fail(c, PARLEY_E_CRYPTO, ALERT_DECRYPT_ERROR,
                         "the client's CertificateVerify does not verify with the key of its "
                         "certificate %s: it does not hold that key",
                         c->peer_subject);
    c->peer_authenticated = true;
    trace_step(c, "client certificate verified");
    hs->state = S_WAIT_CHANGE_CIPHER_SPEC;
    return transcript_add_current(c);
}

static int server_client_key_exchange(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    bool rsa = hs->suite->kex == KEX_RSA;
    hs_client_key_exchange cke;
    int alert = hs_parse_client_key_exchange(body, len, rsa, &cke);
    if (alert)
        return hs_parse_failed(c, alert, "ClientKeyExchange");
    if (rsa) {
        /* Never fails for anything the client sent (RFC 5246 7.4.7.1). */
        if (crypto_rsa_decrypt_pms(x509_chain_key(hs->cert->chain), cke.exchange.p,
                                   cke.exchange.len, hs->client_version, hs->pms) < 0)
            return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                             "the server's RSA key cannot decrypt");
        hs->pms_len = 48;
    } else if (crypto_kex_derive(hs->kex, cke.exchange.p, cke.exchange.len, hs->pms, &hs->pms_len) <
               0) {
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "client's %s public key is not a valid point",
                         parley_group_name(c->group));
    }
    int rc = keys_master_secret(c, hs->pms, hs->pms_len);
    crypto_wipe(hs->pms, sizeof(hs->pms));
    if (rc < 0)
        return -1;
    hs->state = hs->client_certificate ? S_WAIT_CERTIFICATE_VERIFY : S_WAIT_CHANGE_CIPHER_SPEC;
    return 0;
}

static int server_change_cipher_spec(parley_conn *c, const uint8_t *body, size_t len)
{
    (void)body;
    (void)len;
    if (record_state_install(&c->read, &c->hs->client_keys, 0) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "installing the client's keys failed");
    trace_step(c, "read keys on");
    c->hs->state = S_WAIT_FINISHED;
    return 0;
}

static int server_finished(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    if (hs_check_finished(c, body, len) < 0)
        return -1;
    if (hs->resumed) {
        hs->state = S_DONE; /* our Finished went first */
        return 0;
    }
    if (transcript_add_current(c) < 0)
        return -1;
    /* The client's Finished verified: the session is kept. Its ticket goes before
     * ChangeCipherSpec, under the old write state (RFC 5077 3.3). */
    if (resume_server_keep(c) < 0 || flight_send(c) < 0)
        return -1;
    if (conn_send_change_cipher_spec(c, &hs->server_keys) < 0)
        return -1;
    if (hs_write_our_finished(c) < 0 || flight_send(c) < 0)
        return -1;
    hs->state = S_DONE;
    return 0;
}

static const hs_step server_steps[] = {
    {S_WAIT_CLIENT_HELLO, HS_CLIENT_HELLO, false, server_client_hello},
    {S_WAIT_CLIENT_CERTIFICATE, HS_CERTIFICATE, false, server_client_certificate},
    {S_WAIT_CLIENT_KEY_EXCHANGE, HS_CLIENT_KEY_EXCHANGE, false, server_client_key_exchange},
    {S_WAIT_CERTIFICATE_VERIFY, HS_CERTIFICATE_VERIFY, true, server_certificate_verify},
    {S_WAIT_CHANGE_CIPHER_SPEC, HS_CHANGE_CIPHER_SPEC, false, server_change_cipher_spec},
    {S_WAIT_FINISHED, HS_FINISHED, true, server_finished},
};

static const char *server_state_name(int state)
{
    static const char *const names[] = {
        "start",
        "wait ClientHello",
        "wait Certificate",
        "wait ClientKeyExchange",
        "wait CertificateVerify",
        "wait ChangeCipherSpec",
        "wait Finished",
        "done",
    };
    return state >= 0 && state <= S_DONE ? names[state] : "?";
}

const hs_machine server_machine = {
    server_steps,      sizeof(server_steps) / sizeof(server_steps[0]), S_WAIT_CLIENT_HELLO, S_DONE,
    server_state_name,
};
