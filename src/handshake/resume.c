/*
 * Session resumption for TLS 1.0-1.2 (RFC 5246 7.3 abbreviated handshake, RFC 5077 tickets,
 * RFC 7627 5.3 for the extended master secret). The rules that decide whether a session may
 * resume live here, for both roles; the state machines only ask.
 *
 *   ClientHello (session ID / ticket)  -->
 *                                      <--  ServerHello (same ID), [NewSessionTicket],
 *                                           ChangeCipherSpec, Finished
 *   ChangeCipherSpec, Finished         -->
 */
#include "handshake.h"
#include "resume_internal.h"

#include "../session/cache.h"
#include "../session/session.h"
#include "../session/ticket.h"
#include "../trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void resume_trace(parley_conn *c, const char *fmt, ...)
{
    if (!trace_on(c))
        return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    trace_step(c, line);
}

/* The client's key for its session in the configuration's cache. */
const char *resume_cache_key(const parley_conn *c)
{
    return c->session_key ? c->session_key : c->server_name;
}

/* The session this connection has established, as it is kept. */
void resume_session_of(const parley_conn *c, parley_session *s)
{
    memset(s, 0, sizeof(*s));
    s->version = c->version;
    s->suite = c->suite;
    s->peer_authenticated = c->peer_authenticated;
    s->lifetime = c->cfg->session_lifetime;
    snprintf(s->server_name, sizeof(s->server_name), "%s", c->server_name);
    snprintf(s->alpn, sizeof(s->alpn), "%s", c->alpn);
    snprintf(s->peer_subject, sizeof(s->peer_subject), "%s", c->peer_subject);
    snprintf(s->peer_key, sizeof(s->peer_key), "%s", c->peer_key);
}

/* The TLS 1.0-1.2 session this connection has established. */
static void session_of(const parley_conn *c, parley_session *s)
{
    const hs_state *hs = c->hs;
    resume_session_of(c, s);
    s->ems = hs->ems;
    memcpy(s->master_secret, hs->master_secret, 48);
    memcpy(s->id, c->session_id, c->session_id_len);
    s->id_len = c->session_id_len;
    s->created = hs->session_created;
}

/* A resumed session's identity of the peer carries over: the certificate is not sent again. */
void resume_take_peer_identity(parley_conn *c, const parley_session *s)
{
    c->peer_authenticated = s->peer_authenticated;
    snprintf(c->peer_subject, sizeof(c->peer_subject), "%s", s->peer_subject);
    snprintf(c->peer_key, sizeof(c->peer_key), "%s", s->peer_key);
}

/* ---- client ------------------------------------------------------------------------------- */

int resume_client_offer(parley_conn *c, hs_client_hello *ch)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    if (c->session == NULL && cfg->session_cache != NULL && resume_cache_key(c)[0]) {
        const char *key = resume_cache_key(c);
        uint8_t buf[SESSION_ENCODED_MAX];
        size_t n = session_cache_get(cfg->session_cache, (const uint8_t *)key, strlen(key), buf,
                                     sizeof(buf));
        if (n > 0)
            c->session = parley_session_import(buf, n);
        crypto_wipe(buf, n);
    }
    parley_session *s = c->session;
    /* A session we could not accept back is not worth offering. One made with another server,
     * or with one we did not verify, must not be offered: its master secret is that server's to
     * know, and resuming it would lend that server this name. */
    if (s != NULL &&
        (!session_alive(s, session_now()) || s->version < cfg->min_version ||
         s->version > cfg->max_version || !u16_list_has(cfg->suites, cfg->n_suites, s->suite) ||
         (s->id_len == 0 && (s->ticket_len == 0 || !cfg->tickets)) ||
         strcmp(s->server_name, c->server_name) != 0 || (cfg->verify && !s->peer_authenticated))) {
        parley_session_free(s);
        c->session = s = NULL;
    }
    /* A TLS 1.3 session is offered as a PSK (resume13.c), never by ID or TLS 1.2 ticket; a
     * client that speaks only TLS 1.3 sends nothing of TLS 1.2's resumption. */
    bool tls12_possible = cfg->min_version < PARLEY_TLS1_3;
    if ((s != NULL && s->version == PARLEY_TLS1_3) || !tls12_possible) {
        if (cfg->tickets && tls12_possible)
            ch->has_session_ticket = true;
        return 0;
    }
    if (s != NULL) {
        /* With a ticket, an ID of our own lets us see from the echo that the server resumed
         * (RFC 5077 3.4). The hello after a HelloRetryRequest repeats the first one's. */
        if (s->ticket_len > 0 && cfg->tickets) {
            if (hs->offered_id_len == 0 && crypto_random(hs->offered_id, 32) < 0)
                return conn_fail(c, PARLEY_E_INTERNAL, -1, "random generator failed");
            hs->offered_id_len = 32;
        } else {
            memcpy(hs->offered_id, s->id, s->id_len);
            hs->offered_id_len = s->id_len;
        }
        ch->session_id = (span){hs->offered_id, hs->offered_id_len};
    }
    if (cfg->tickets) {
        ch->has_session_ticket = true;
        if (s != NULL)
            ch->session_ticket = (span){s->ticket, s->ticket_len};
    }
    return 0;
}

int resume_client_accept(parley_conn *c, const hs_server_hello *sh)
{
    hs_state *hs = c->hs;
    const parley_session *s = c->session;
    if (s == NULL || s->version == PARLEY_TLS1_3 || hs->offered_id_len == 0 ||
        sh->session_id.len != hs->offered_id_len ||
        memcmp(sh->session_id.p, hs->offered_id, hs->offered_id_len) != 0)
        return 0;
    if (sh->version != s->version || sh->cipher_suite != s->suite)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server resumed our session with %s and suite 0x%04x, but it was made "
                         "with %s and 0x%04x",
                         parley_version_name(sh->version), sh->cipher_suite,
                         parley_version_name(s->version), s->suite);
    if (sh->ems != s->ems)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_HANDSHAKE_FAILURE,
                         "server resumed a session made %s the extended master secret %s it "
                         "(RFC 7627 5.3)",
                         s->ems ? "with" : "without", s->ems ? "without" : "with");
    hs->resumed = c->resumed = true;
    hs->session_created = s->created;
    resume_take_peer_identity(c, s);
    trace_step(c, "session resumed");
    memcpy(hs->master_secret, s->master_secret, 48);
    return keys_resume(c) < 0 ? -1 : 1;
}

int resume_client_keep(parley_conn *c)
{
    hs_state *hs = c->hs;
    parley_session *s = c->session;
    if (!hs->resumed) {
        parley_session_free(s);
        c->session = s = calloc(1, sizeof(*s));
        if (s == NULL)
            return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
        hs->session_created = session_now();
        session_of(c, s);
    }
    if (hs->new_ticket != NULL) {
        if (s->ticket != NULL) {
            crypto_wipe(s->ticket, s->ticket_len);
            free(s->ticket);
        }
        s->ticket = hs->new_ticket;
        s->ticket_len = hs->new_ticket_len;
        hs->new_ticket = NULL;
        /* The server's hint bounds how long the ticket is worth offering. */
        if (hs->new_ticket_lifetime != 0 && hs->new_ticket_lifetime < s->lifetime)
            s->lifetime = hs->new_ticket_lifetime;
    }
    c->session = NULL;
    resume_client_store(c, s);
    parley_session_free(s);
    return 0;
}

void resume_client_store(parley_conn *c, const parley_session *s)
{
    const parley_config *cfg = c->cfg;
    /* Kept serialized from here on: a third of the struct's size on an idle connection. */
    uint8_t buf[SESSION_ENCODED_MAX];
    size_t n = s->id_len == 0 && s->ticket_len == 0 ? 0 : session_encode(s, buf, sizeof(buf));
    if (n == 0)
        return; /* nothing to resume with */
    resume_drop_bytes(c);
    c->session_bytes = malloc(n);
    if (c->session_bytes != NULL) {
        memcpy(c->session_bytes, buf, n);
        c->session_bytes_len = n;
    }
    const char *key = resume_cache_key(c);
    if (cfg->session_cache != NULL && key[0])
        session_cache_put(cfg->session_cache, (const uint8_t *)key, strlen(key), buf, n,
                          s->lifetime);
    crypto_wipe(buf, n);
}

/* ---- server ------------------------------------------------------------------------------- */

/* Why s may not resume on this connection, or NULL if it may (RFC 5246 7.4.1.2, RFC 7627 5.3). */
static const char *resume_refusal(const parley_conn *c, const hs_client_hello *ch,
                                  const parley_session *s, char *why, size_t cap)
{
    const parley_config *cfg = c->cfg;
    const suite_info *suite = suite_find(s->suite);
    if (!session_alive(s, session_now()))
        return "it expired";
    if (s->version != c->version) {
        snprintf(why, cap, "it was made with %s and this connection is %s",
                 parley_version_name(s->version), parley_version_name(c->version));
        return why;
    }
    if (suite == NULL || !suite_allowed_at(suite, c->version) ||
        !u16_list_has(cfg->suites, cfg->n_suites, s->suite) ||
        !hs_list_has_u16(ch->cipher_suites, s->suite))
        return "its cipher suite is no longer offered";
    if (strcmp(s->server_name, c->server_name) != 0) {
        snprintf(why, cap, "it was made for server name \"%.60s\", not \"%.60s\"", s->server_name,
                 c->server_name);
        return why;
    }
    if (!s->ems && ch->ems)
        return "it was made without the extended master secret (RFC 7627 5.3)";
    if (cfg->client_auth == PARLEY_CLIENT_AUTH_REQUIRED && !s->peer_authenticated)
        return "it has no client certificate, which this server requires";
    return NULL;
}

int resume_server_find(parley_conn *c, const hs_client_hello *ch)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    uint8_t buf[SESSION_ENCODED_MAX];
    size_t n = 0;
    const char *source = "ticket";
    hs->session_created = session_now();
    hs->issue_ticket = cfg->ticket_keys != NULL && ch->has_session_ticket;
    if (cfg->ticket_keys != NULL && ch->has_session_ticket && ch->session_ticket.len > 0) {
        bool stale = true;
        n = ticket_open(cfg->ticket_keys, session_now(), ch->session_ticket.p,
                        ch->session_ticket.len, buf, sizeof(buf), &stale);
        /* A ticket under the current key is good as it is; renewing it would cost a seal per
         * resumption and buy nothing. */
        if (n > 0 && !stale)
            hs->issue_ticket = false;
        if (n == 0)
            trace_step(c, "session ticket refused: not sealed by our keys, altered, or too old");
    }
    if (n == 0 && cfg->session_cache != NULL && ch->session_id.len > 0) {
        source = "session cache";
        n = session_cache_get(cfg->session_cache, ch->session_id.p, ch->session_id.len, buf,
                              sizeof(buf));
        if (n == 0)
            trace_step(c, "session ID not in the session cache");
    }
    if (n == 0)
        return 0;
    parley_session s;
    int rc = session_decode(buf, n, &s);
    crypto_wipe(buf, n);
    if (rc < 0) {
        resume_trace(c, "session from the %s does not parse", source);
        return 0;
    }
    char why[160];
    const char *refusal = resume_refusal(c, ch, &s, why, sizeof(why));
    if (refusal == NULL && s.ems && !ch->ems) {
        session_clear(&s);
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_HANDSHAKE_FAILURE,
                         "client resumes a session made with the extended master secret without "
                         "offering it (RFC 7627 5.3)");
    }
    if (refusal != NULL) {
        resume_trace(c, "session not resumed (full handshake): %s", refusal);
        session_clear(&s);
        return 0;
    }
    hs->resumed = c->resumed = true;
    hs->ems = s.ems;
    hs->session_created = s.created;
    /* The ID the client sent is echoed, also for a ticket (RFC 5077 3.4). */
    memcpy(c->session_id, ch->session_id.p, ch->session_id.len);
    c->session_id_len = ch->session_id.len;
    c->session_stored = !strcmp(source, "session cache");
    resume_take_peer_identity(c, &s);
    resume_trace(c, "session resumed from the %s", source);
    memcpy(hs->master_secret, s.master_secret, 48);
    rc = hs_set_suite(c, suite_find(s.suite));
    session_clear(&s);
    return rc < 0 ? -1 : 1;
}

/* NewSessionTicket carrying plain (the serialized session) sealed under the current key. */
static int write_ticket(parley_conn *c, const uint8_t *plain, size_t n)
{
    const parley_config *cfg = c->cfg;
    uint8_t ticket[SESSION_ENCODED_MAX + TICKET_OVERHEAD];
    size_t ticket_len =
        n ? ticket_seal(cfg->ticket_keys, session_now(), plain, n, ticket, sizeof(ticket)) : 0;
    /* Without a ticket the session still resumes by ID: an empty one says so (RFC 5077 3.3). */
    hs_new_session_ticket nst = {cfg->session_lifetime, {ticket, ticket_len}};
    size_t mark = flight_mark(c);
    hs_write_new_session_ticket(&c->hs->out, &nst);
    return flight_commit(c, mark, "NewSessionTicket");
}

int resume_server_keep(parley_conn *c)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    bool store = cfg->session_cache != NULL && c->session_id_len > 0 && !hs->resumed;
    if (!store && !hs->issue_ticket)
        return 0;
    /* Serialized once, for the cache and the ticket alike. */
    parley_session s;
    session_of(c, &s);
    uint8_t plain[SESSION_ENCODED_MAX];
    size_t n = session_encode(&s, plain, sizeof(plain));
    session_clear(&s);
    if (store && n > 0 &&
        session_cache_put(cfg->session_cache, c->session_id, c->session_id_len, plain, n,
                          cfg->session_lifetime) == 0)
        c->session_stored = true;
    int rc = hs->issue_ticket ? write_ticket(c, plain, n) : 0;
    crypto_wipe(plain, n);
    return rc;
}

void resume_forget(parley_conn *c)
{
    parley_session_cache *cache = c->cfg->session_cache;
    if (c->role == PARLEY_SERVER) {
        if (cache != NULL && c->session_stored)
            session_cache_remove(cache, c->session_id, c->session_id_len);
        c->session_stored = false;
        return;
    }
    if ((c->session != NULL || c->session_bytes != NULL) && cache != NULL &&
        resume_cache_key(c)[0]) {
        const char *key = resume_cache_key(c);
        session_cache_remove(cache, (const uint8_t *)key, strlen(key));
    }
    parley_session_free(c->session);
    c->session = NULL;
    resume_drop_bytes(c);
}

void resume_drop_bytes(parley_conn *c)
{
    if (c->session_bytes != NULL) {
        crypto_wipe(c->session_bytes, c->session_bytes_len);
        free(c->session_bytes);
    }
    c->session_bytes = NULL;
    c->session_bytes_len = 0;
}
