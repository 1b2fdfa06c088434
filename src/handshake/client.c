/*
 * The TLS 1.0-1.2 client state machine (RFC 5246 7.3; the versions differ in the key schedule
 * and in how ServerKeyExchange is signed, not in the messages). Full handshake:
 *
 *   ClientHello        -->
 *                      <--  ServerHello, Certificate, [ServerKeyExchange],
 *                           [CertificateRequest], ServerHelloDone
 *   [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished  -->
 *                      <--  [NewSessionTicket], ChangeCipherSpec, Finished
 *
 * Abbreviated (the server resumed the offered session, resume.c):
 *
 *   ClientHello        -->
 *                      <--  ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished
 *   ChangeCipherSpec, Finished  -->
 */
#include "handshake.h"

#include "../session/session.h"

#include "../trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum client_state {
    C_WAIT_SERVER_HELLO = 1,
    C_WAIT_CERTIFICATE,
    C_WAIT_SERVER_KEY_EXCHANGE,
    C_WAIT_CERTIFICATE_REQUEST_OR_DONE,
    C_WAIT_SERVER_HELLO_DONE,
    C_WAIT_NEW_SESSION_TICKET,
    C_WAIT_CHANGE_CIPHER_SPEC,
    C_WAIT_FINISHED,
    C_DONE,
};

int client_send_hello(parley_conn *c)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    hs_client_hello ch;
    memset(&ch, 0, sizeof(ch));

    /* TLS 1.3 is offered in supported_versions; legacy_version says TLS 1.2 at most (RFC 8446
     * 4.1.2), and is what an RSA pre-master secret repeats if the server picks TLS 1.2. */
    hs->offered_max = config_max_version(cfg);
    hs->client_version = hs->offered_max < PARLEY_TLS1_2 ? hs->offered_max : PARLEY_TLS1_2;
    ch.version = hs->client_version;
    /* The ClientHello after a HelloRetryRequest keeps the first one's random. */
    if (!hs->hrr && hs_random(c, hs->client_random, 32) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, -1, "random generator failed");
    memcpy(ch.random, hs->client_random, 32);
    ch.cipher_suites = (span){cfg->wire_suites, cfg->wire_suites_len};
    static const uint8_t null_compression[1] = {0};
    ch.compression_methods = (span){null_compression, 1};

    if (c->send_sni) {
        ch.has_server_name = true;
        ch.server_name = (span){(const uint8_t *)c->server_name, strlen(c->server_name)};
    }
    static const uint8_t uncompressed[1] = {0};
    ch.has_groups = true;
    ch.groups = (span){cfg->wire_groups, cfg->wire_groups_len};
    ch.has_point_formats = true;
    ch.point_formats = (span){uncompressed, 1};
    /* Not meaningful before TLS 1.2, and not to be offered by a client that offers no more. */
    ch.has_sig_algs = hs->client_version >= PARLEY_TLS1_2;
    ch.sig_algs = (span){cfg->wire_sigalgs, cfg->wire_sigalgs_len};
    if (cfg->alpn_len) {
        ch.has_alpn = true;
        ch.alpn = (span){cfg->alpn, cfg->alpn_len};
    }
    ch.has_reneg_info = true; /* empty: RFC 5746 signalling on an initial handshake */
    ch.ems = cfg->min_version < PARLEY_TLS1_3; /* a TLS 1.2 notion */
    /* Every version: this is also where a session is loaded and checked before it is offered. */
    if (resume_client_offer(c, &ch) < 0)
        return -1;
    uint8_t shares[CONFIG_MAX_KEY_SHARES * (4 + CRYPTO_MAX_KEX_PUBLIC)];
    uint8_t identities[2 + 2 + SESSION_TICKET_MAX + 4];
    if (hs->offered_max == PARLEY_TLS1_3) {
        if (client13_hello_extensions(c, &ch, shares, sizeof(shares)) < 0 ||
            resume13_client_offer(c, &ch, identities, sizeof(identities)) < 0)
            return -1;
        early13_client_offer(c, &ch);
    }

    size_t mark = flight_mark(c);
    hs_write_client_hello(&hs->out, &ch);
    if (hs->out.failed)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "ClientHello does not fit");
    /* The PSK binder covers the hello up to the binders, and goes in before the hello joins the
     * transcript. */
    if (ch.has_pre_shared_key &&
        resume13_client_bind(c, hs->out.buf + mark, hs->out.len - mark) < 0)
        return -1;
    if (flight_commit(c, mark, "ClientHello") < 0)
        return -1;
    /* The first record goes out as TLS 1.0 for the benefit of old middleboxes, as deployed
     * clients do; the version inside the hello is what counts. The second hello of a TLS 1.3
     * handshake says TLS 1.2 (RFC 8446 5.1). */
    c->record_version = hs->hrr ? PARLEY_TLS1_2 : PARLEY_TLS1_0;
    hs->state = C_WAIT_SERVER_HELLO;
    if (flight_send(c) < 0)
        return -1;
    return ch.has_early_data ? early13_client_start(c) : 0;
}

int client_accept_alpn(parley_conn *c, span proto)
{
    const parley_config *cfg = c->cfg;
    bool offered = false;
    reader r = reader_init(cfg->alpn, cfg->alpn_len);
    while (!offered && r.left > 0) {
        span name = reader_vector(&r, 1, 1, 255);
        offered = name.len == proto.len && memcmp(name.p, proto.p, proto.len) == 0;
    }
    if (!offered)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server selected ALPN protocol \"%.*s\", which was not offered",
                         (int)proto.len, (const char *)proto.p);
    memcpy(c->alpn, proto.p, proto.len);
    c->alpn[proto.len] = '\0';
    return 0;
}

static int client_server_hello(parley_conn *c, const uint8_t *body, size_t len)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    hs_server_hello sh;
    int alert = hs_parse_server_hello(body, len, &sh);
    if (alert)
        return hs_parse_failed(c, alert, "ServerHello");
    /* TLS 1.3 is chosen in supported_versions; a HelloRetryRequest is TLS 1.3 by definition. */
    if (sh.is_hrr || sh.has_supported_version)
        return client13_server_hello(c, &sh);
    if (hs->hrr)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "after its HelloRetryRequest the server chose %s, not TLS 1.3",
                         parley_version_name(sh.version));
    /* RFC 8446 D.3: our 0-RTT data went out under a TLS 1.3 key; there is no going back. */
    if (c->early_status == PARLEY_EARLY_DATA_OFFERED)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_PROTOCOL_VERSION,
                         "server chose %s after we sent early data with a TLS 1.3 session",
                         parley_version_name(sh.version));
    if (transcript_add_current(c) < 0)
        return -1;
    if (sh.version < cfg->min_version || sh.version > hs->client_version)
        return conn_fail(c, PARLEY_E_NEGOTIATE, ALERT_PROTOCOL_VERSION,
                         "server chose %s, outside the allowed range %s to %s",
                         parley_version_name(sh.version), parley_version_name(cfg->min_version),
                         parley_version_name(hs->client_version));
    if (version_is_downgrade(sh.random, sh.version, hs->offered_max))
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server chose %s but its random carries the downgrade sentinel of a "
                         "server that supports %s: the ClientHello was altered on the way (RFC "
                         "8446 4.1.3)",
                         parley_version_name(sh.version), parley_version_name(hs->offered_max));
    const suite_info *suite = suite_find(sh.cipher_suite);
    if (suite == NULL || !u16_list_has(cfg->suites, cfg->n_suites, sh.cipher_suite) ||
        !suite_allowed_at(suite, sh.version))
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server chose cipher suite 0x%04x, which was not offered",
                         sh.cipher_suite);
    if (sh.has_reneg_info && sh.reneg_info.len != 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_HANDSHAKE_FAILURE,
                         "server sent a non-empty renegotiation_info on an initial handshake");
    if (sh.has_session_ticket && !cfg->tickets)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNSUPPORTED_EXTENSION,
                         "server sent session_ticket, which was not offered");
    if (sh.has_alpn && client_accept_alpn(c, sh.alpn_protocol) < 0)
        return -1;
    c->version = sh.version;
    c->record_version = sh.version;
    hs->ems = sh.ems;
    hs->secure_renegotiation = sh.has_reneg_info;
    memcpy(hs->server_random, sh.random, 32);
    c->session_id_len = sh.session_id.len;
    if (sh.session_id.len > 0)
        memcpy(c->session_id, sh.session_id.p, sh.session_id.len);
    if (hs_set_suite(c, suite) < 0)
        return -1;
    hs->ticket_expected = sh.has_session_ticket;
    int resumed = resume_client_accept(c, &sh);
    if (resumed < 0)
        return -1;
    if (resumed)
        hs->state = hs->ticket_expected ? C_WAIT_NEW_SESSION_TICKET : C_WAIT_CHANGE_CIPHER_SPEC;
    else
        hs->state = C_WAIT_CERTIFICATE;
    return 0;
}

static int client_certificate(parley_conn *c, const uint8_t *body, size_t len)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    hs_certificate cert;
    int alert = hs_parse_certificate(body, len, &cert);
    if (alert)
        return hs_parse_failed(c, alert, "Certificate");
    if (cert.count == 0)
        return conn_fail(c, PARLEY_E_CERT, ALERT_BAD_CERTIFICATE,
                         "server sent an empty certificate chain");
    const char *host =
        c->verify_name ? c->verify_name : (c->server_name[0] ? c->server_name : NULL);
    x509_peer peer;
    if (hs_verify_peer(c, &cert, cfg->verify ? cfg->trust : NULL, X509_PEER_SERVER,
                       cfg->verify ? host : NULL, &peer) < 0)
        return -1;
    c->peer_authenticated = cfg->verify;
    if (!suite_fits_key(hs->suite, peer.key_type))
        return conn_fail(c, PARLEY_E_CERT, ALERT_UNSUPPORTED_CERTIFICATE,
                         "server certificate has a %s key, which %s cannot use", c->peer_key,
                         hs->suite->name);
    hs->state =
        hs->suite->kex == KEX_RSA ? C_WAIT_CERTIFICATE_REQUEST_OR_DONE : C_WAIT_SERVER_KEY_EXCHANGE;
    return 0;
}

static int client_server_key_exchange(parley_conn *c, const uint8_t *body, size_t len)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    hs_server_key_exchange ske;
    bool tls12 = c->version >= PARLEY_TLS1_2;
    int alert = hs_parse_server_key_exchange(body, len, tls12, &ske);
    if (alert)
        return hs_parse_failed(c, alert, "ServerKeyExchange");
    if (!u16_list_has(cfg->groups, cfg->n_groups, ske.group))
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server chose group 0x%04x, which was not offered", ske.group);
    /* Before TLS 1.2 the certificate's key type alone decides the signature. */
    if (!tls12)
        ske.scheme = sigalg_before_tls12(crypto_key_kind(hs->peer_key));
    else if (!u16_list_has(cfg->sigalgs, cfg->n_sigalgs, ske.scheme) ||
             !crypto_scheme_fits_key(hs->peer_key, ske.scheme, true))
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server signed with scheme 0x%04x, which was not offered or does not "
                         "fit its key",
                         ske.scheme);

    /* The signature covers client_random + server_random + ServerECDHParams. */
    uint8_t signed_data[64 + 4 + 255];
    memcpy(signed_data, hs->client_random, 32);
    memcpy(signed_data + 32, hs->server_random, 32);
    memcpy(signed_data + 64, ske.params.p, ske.params.len);
    if (crypto_verify(hs->peer_key, ske.scheme, signed_data, 64 + ske.params.len, ske.signature.p,
                      ske.signature.len) < 0)
        return conn_fail(c, PARLEY_E_CRYPTO, ALERT_DECRYPT_ERROR,
                         "ServerKeyExchange signature does not verify with the server's "
                         "certificate key");

    hs->kex = crypto_kex_new(ske.group);
    if (hs->kex == NULL)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "key generation failed for group %s", parley_group_name(ske.group));
    if (crypto_kex_derive(hs->kex, ske.public_key.p, ske.public_key.len, hs->pms, &hs->pms_len) < 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server's %s public key is not a valid point",
                         parley_group_name(ske.group));
    c->group = ske.group;
    hs->state = C_WAIT_CERTIFICATE_REQUEST_OR_DONE;
    return 0;
}

/* Remembers what the server asks for; the answer goes out with our second flight. */
static int client_certificate_request(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    hs_certificate_request cr;
    int alert = hs_parse_certificate_request(body, len, c->version >= PARLEY_TLS1_2, &cr);
    if (alert)
        return hs_parse_failed(c, alert, "CertificateRequest");
    for (size_t i = 0; i < cr.cert_types.len; i++) {
        hs->cr_rsa |= cr.cert_types.p[i] == 1;
        hs->cr_ec |= cr.cert_types.p[i] == 64;
    }
    reader r = reader_init(cr.sig_algs.p, cr.sig_algs.len);
    while (r.left >= 2 && hs->n_cr_sigalgs < sizeof(hs->cr_sigalgs) / sizeof(hs->cr_sigalgs[0]))
        hs->cr_sigalgs[hs->n_cr_sigalgs++] = reader_u16(&r);
    if (cr.ca_names.len > 0) {
        hs->cr_names = malloc(cr.ca_names.len);
        if (hs->cr_names == NULL)
            return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
        memcpy(hs->cr_names, cr.ca_names.p, cr.ca_names.len);
        hs->cr_names_len = cr.ca_names.len;
    }
    hs->certificate_requested = true;
    hs->state = C_WAIT_SERVER_HELLO_DONE;
    return 0;
}

/* In TLS 1.2 and 1.3 the first of our schemes the server accepts that fits the key (in TLS 1.3
 * RSA only with PSS, and ECDSA only on its scheme's curve); before, the key type's one
 * signature. */
uint16_t client_scheme_for(const parley_conn *c, const x509_chain *chain)
{
    const hs_state *hs = c->hs;
    crypto_key *key = x509_chain_key(chain);
    bool tls13 = c->version == PARLEY_TLS1_3;
    if (c->version < PARLEY_TLS1_2)
        return sigalg_before_tls12(crypto_key_kind(key));
    for (size_t i = 0; i < c->cfg->n_sigalgs; i++) {
        uint16_t scheme = c->cfg->sigalgs[i];
        if ((tls13 && !sigalg_allowed_tls13(scheme)) ||
            !u16_list_has(hs->cr_sigalgs, hs->n_cr_sigalgs, scheme))
            continue;
        if (crypto_scheme_fits_key(key, scheme, !tls13))
            return scheme;
    }
    return 0;
}

/* Whether a chain answers the request: a key type it accepts, a scheme it accepts, and an
 * issuer it names (when it names any). */
static bool client_chain_fits(const parley_conn *c, const x509_chain *chain)
{
    const hs_state *hs = c->hs;
    crypto_key_type type = crypto_key_kind(x509_chain_key(chain));
    if (!(type == CRYPTO_KEY_RSA ? hs->cr_rsa : crypto_key_type_is_ec(type) && hs->cr_ec))
        return false;
    return client_scheme_for(c, chain) != 0 &&
           x509_chain_issued_by(chain, hs->cr_names, hs->cr_names_len);
}

int client_choose_certificate(parley_conn *c, const x509_chain **out)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    int choice = PARLEY_CERT_AUTO;
    *out = NULL;
    if (cfg->client_cert_fn != NULL) {
        parley_cert_request request = {hs->cr_names, hs->cr_names_len, hs->cr_rsa, hs->cr_ec};
        choice = cfg->client_cert_fn(c, &request, cfg->client_cert_arg);
        if (c->own_cert_failed) {
            /* Going on without it would send an empty Certificate the application never chose. */
            char why[CONN_ERROR_MAX];
            snprintf(why, sizeof(why), "%s", c->error_message ? c->error_message : "out of memory");
            return conn_fail(c, PARLEY_E_CONFIG, ALERT_INTERNAL_ERROR,
                             "the client certificate the callback supplied cannot be used: %s",
                             why);
        }
        if (c->own_cert != NULL) {
            *out = client_scheme_for(c, c->own_cert) ? c->own_cert : NULL;
            return 0;
        }
        if (choice >= 0 && (size_t)choice < cfg->n_certs) {
            const x509_chain *chain = cfg->certs[choice].chain;
            *out = client_scheme_for(c, chain) ? chain : NULL;
            return 0;
        }
    }
    if (choice != PARLEY_CERT_AUTO)
        return 0;
    for (size_t i = 0; i < cfg->n_certs && *out == NULL; i++)
        if (client_chain_fits(c, cfg->certs[i].chain))
            *out = cfg->certs[i].chain;
    return 0;
}

/* Certificate (ours, or empty: "none fits") in answer to a CertificateRequest. */
static int client_write_certificate(parley_conn *c, const x509_chain *chain)
{
    hs_state *hs = c->hs;
    size_t mark = flight_mark(c);
    if (chain != NULL) {
        hs_write_chain(&hs->out, chain);
    } else {
        hs_certificate none = {0};
        hs_write_certificate(&hs->out, &none);
    }
    return flight_commit(c, mark, "Certificate");
}

/* The signer is asked for the engine's own code for the TLS 1.0/1.1 RSA signature. */
_Static_assert(SIG_RSA_PKCS1_MD5_SHA1 == PARLEY_SIG_RSA_PKCS1_MD5_SHA1,
               "the public constant must name the engine's scheme");

/* The application's signer, for a key parley does not hold, over the transcript. */
static int client_sign_with_signer(parley_conn *c, uint16_t scheme, uint8_t *sig, size_t *sig_len)
{
    hs_state *hs = c->hs;
    size_t cap = *sig_len;
    int rc = c->own_sign(c->own_sign_arg, scheme, hs->transcript, hs->transcript_len, sig, sig_len);
    if (rc != 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "the certificate signer failed to sign CertificateVerify (scheme 0x%04x) "
                         "for %s",
                         scheme, x509_chain_subject(c->own_cert));
    if (*sig_len == 0 || *sig_len > cap)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "the certificate signer returned a signature of %zu bytes (room for %zu) "
                         "for CertificateVerify (scheme 0x%04x)",
                         *sig_len, cap, scheme);
    return 0;
}

/* CertificateVerify: the proof that we hold the key of the certificate we sent. */
static int client_write_certificate_verify(parley_conn *c, const x509_chain *chain)
{
    hs_state *hs = c->hs;
    uint16_t scheme = client_scheme_for(c, chain);
    uint8_t sig[CRYPTO_MAX_SIGNATURE];
    size_t sig_len = sizeof(sig);
    if (chain == c->own_cert && c->own_sign != NULL) {
        if (client_sign_with_signer(c, scheme, sig, &sig_len) < 0)
            return -1;
    } else if (hs_sign_transcript(c, x509_chain_key(chain), scheme, sig, &sig_len) < 0) {
        return -1;
    }
    hs_certificate_verify cv = {c->version >= PARLEY_TLS1_2, scheme, {sig, sig_len}};
    size_t mark = flight_mark(c);
    hs_write_certificate_verify(&hs->out, &cv);
    return flight_commit(c, mark, "CertificateVerify");
}

/* The client's key exchange value: the encrypted pre-master secret (RSA) or our public point. */
static int client_write_key_exchange(parley_conn *c)
{
    hs_state *hs = c->hs;
    hs_client_key_exchange cke;
    uint8_t exchange[CRYPTO_MAX_SIGNATURE];
    size_t exchange_len = sizeof(exchange);
    if (hs->suite->kex == KEX_RSA) {
        hs->pms[0] = (uint8_t)(hs->client_version >> 8);
        hs->pms[1] = (uint8_t)hs->client_version;
        if (crypto_random(hs->pms + 2, 46) < 0 ||
            crypto_rsa_encrypt(hs->peer_key, hs->pms, 48, exchange, &exchange_len) < 0)
            return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                             "encrypting the pre-master secret failed");
        hs->pms_len = 48;
    } else {
        exchange_len = crypto_kex_public(hs->kex, exchange, sizeof(exchange));
        if (exchange_len == 0)
            return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                             "encoding our public key failed");
    }
    cke.exchange = (span){exchange, exchange_len};
    size_t mark = flight_mark(c);
    hs_write_client_key_exchange(&hs->out, hs->suite->kex == KEX_RSA, &cke);
    return flight_commit(c, mark, "ClientKeyExchange");
}

static int client_server_hello_done(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    int alert = hs_parse_server_hello_done(body, len);
    if (alert)
        return hs_parse_failed(c, alert, "ServerHelloDone");
    const x509_chain *ours = NULL;
    if (hs->certificate_requested &&
        (client_choose_certificate(c, &ours) < 0 || client_write_certificate(c, ours) < 0))
        return -1;
    if (client_write_key_exchange(c) < 0)
        return -1;
    /* The master secret first: the extended master secret's session hash ends with
     * ClientKeyExchange and must not cover CertificateVerify (RFC 7627 section 3). */
    int rc = keys_master_secret(c, hs->pms, hs->pms_len);
    crypto_wipe(hs->pms, sizeof(hs->pms));
    if (rc < 0 || (ours != NULL && client_write_certificate_verify(c, ours) < 0) ||
        flight_send(c) < 0)
        return -1;
    if (conn_send_change_cipher_spec(c, &hs->client_keys) < 0)
        return -1;
    if (hs_write_our_finished(c) < 0 || flight_send(c) < 0)
        return -1;
    hs->state = hs->ticket_expected ? C_WAIT_NEW_SESSION_TICKET : C_WAIT_CHANGE_CIPHER_SPEC;
    return 0;
}

/* A ticket for this session, kept with it once the handshake completes. */
static int client_new_session_ticket(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    hs_new_session_ticket nst;
    int alert = hs_parse_new_session_ticket(body, len, &nst);
    if (alert)
        return hs_parse_failed(c, alert, "NewSessionTicket");
    /* An empty ticket: the server decided against one after all (RFC 5077 3.3). A ticket too
     * long to keep is dropped the same way; the session may still resume by ID. */
    if (nst.ticket.len > 0 && nst.ticket.len <= SESSION_TICKET_MAX) {
        hs->new_ticket = malloc(nst.ticket.len);
        if (hs->new_ticket == NULL)
            return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
        memcpy(hs->new_ticket, nst.ticket.p, nst.ticket.len);
        hs->new_ticket_len = nst.ticket.len;
        hs->new_ticket_lifetime = nst.lifetime_hint;
    }
    hs->state = C_WAIT_CHANGE_CIPHER_SPEC;
    return 0;
}

static int client_change_cipher_spec(parley_conn *c, const uint8_t *body, size_t len)
{
    (void)body;
    (void)len;
    if (record_state_install(&c->read, &c->hs->server_keys, 0) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "installing the server's keys failed");
    trace_step(c, "read keys on");
    c->hs->state = C_WAIT_FINISHED;
    return 0;
}

static int client_finished(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_state *hs = c->hs;
    if (hs_check_finished(c, body, len) < 0)
        return -1;
    /* Resumed, the server spoke first: our Finished covers its Finished. */
    if (hs->resumed &&
        (transcript_add_current(c) < 0 || conn_send_change_cipher_spec(c, &hs->client_keys) < 0 ||
         hs_write_our_finished(c) < 0 || flight_send(c) < 0))
        return -1;
    if (resume_client_keep(c) < 0)
        return -1;
    hs->state = C_DONE;
    return 0;
}

static const hs_step client_steps[] = {
    {C_WAIT_SERVER_HELLO, HS_SERVER_HELLO, true, client_server_hello},
    {C_WAIT_CERTIFICATE, HS_CERTIFICATE, false, client_certificate},
    {C_WAIT_SERVER_KEY_EXCHANGE, HS_SERVER_KEY_EXCHANGE, false, client_server_key_exchange},
    {C_WAIT_CERTIFICATE_REQUEST_OR_DONE, HS_CERTIFICATE_REQUEST, false, client_certificate_request},
    {C_WAIT_CERTIFICATE_REQUEST_OR_DONE, HS_SERVER_HELLO_DONE, false, client_server_hello_done},
    {C_WAIT_SERVER_HELLO_DONE, HS_SERVER_HELLO_DONE, false, client_server_hello_done},
    {C_WAIT_NEW_SESSION_TICKET, HS_NEW_SESSION_TICKET, false, client_new_session_ticket},
    {C_WAIT_CHANGE_CIPHER_SPEC, HS_CHANGE_CIPHER_SPEC, false, client_change_cipher_spec},
    {C_WAIT_FINISHED, HS_FINISHED, true, client_finished},
};

static const char *client_state_name(int state)
{
    static const char *const names[] = {
        "start",
        "wait ServerHello",
        "wait Certificate",
        "wait ServerKeyExchange",
        "wait CertificateRequest or ServerHelloDone",
        "wait ServerHelloDone",
        "wait NewSessionTicket",
        "wait ChangeCipherSpec",
        "wait Finished",
        "done",
    };
    return state >= 0 && state <= C_DONE ? names[state] : "?";
}

const hs_machine client_machine = {
    client_steps,      sizeof(client_steps) / sizeof(client_steps[0]), C_WAIT_SERVER_HELLO, C_DONE,
    client_state_name,
};
