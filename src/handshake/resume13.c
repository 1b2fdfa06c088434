/*
 * TLS 1.3 resumption (RFC 8446 2.2, 4.2.11, 4.6.1): after the handshake the server sends a
 * NewSessionTicket; the ticket is the session sealed under the rotating ticket keys (as in TLS
 * 1.2, ticket.c), the session's secret being the resumption PSK. A later ClientHello offers the
 * ticket as a PSK identity with a binder proving it holds the PSK; with psk_dhe_ke, the only
 * mode parley offers or accepts, a fresh (EC)DHE still gives forward secrecy.
 *
 *   ClientHello + key_share + pre_shared_key  -->
 *                     <--  ServerHello + key_share + pre_shared_key, {EncryptedExtensions},
 *                          {Finished}
 *   {Finished}  -->
 */
#include "handshake.h"
#include "keys13.h"
#include "resume_internal.h"

#include "../session/session.h"
#include "../session/ticket.h"
#include "../trace/trace.h"

#include <stdlib.h>
#include <string.h>

#define PSK_DHE_KE 1
/* RFC 8446 4.6.1: a ticket lives at most seven days. */
#define TICKET_LIFETIME_MAX 604800u

/* ---- client --------------------------------------------------------------------------------- */

int resume13_client_offer(parley_conn *c, hs_client_hello *ch, uint8_t *identities, size_t cap)
{
    hs_state *hs = c->hs;
    const parley_session *s = c->session; /* already checked by resume_client_offer */
    if (s == NULL || s->version != PARLEY_TLS1_3 || s->ticket_len == 0)
        return 0;
    const suite_info *suite = suite_find(s->suite);
    if (suite == NULL || !suite_allowed_at(suite, PARLEY_TLS1_3))
        return 0;
    /* After a HelloRetryRequest only a PSK for the hash of the suite it named can be used. */
    if (hs->hrr && suite->prf != hs->prf)
        return 0;
    hs->psk_hash = suite->prf;
    hs->psk_len = crypto_hash_size(suite->prf);
    memcpy(hs->psk, s->master_secret, hs->psk_len);
    /* The age is obscured with age_add so the ticket's holder cannot be linked by it. */
    uint32_t age = (uint32_t)(session_now_ms() - s->ticket_received_ms) + s->age_add;
    writer w;
    writer_init(&w, identities, cap);
    writer_u16(&w, (uint16_t)s->ticket_len);
    writer_bytes(&w, s->ticket, s->ticket_len);
    writer_u32(&w, age);
    if (w.failed)
        return 0;
    ch->has_pre_shared_key = true;
    ch->psk_identities_wire = (span){identities, w.len};
    ch->psk_binder_count = 1;
    ch->psk_binder_sizes[0] = (uint8_t)hs->psk_len;
    ch->binders_len = 2 + 1 + hs->psk_len;
    hs->psk_offered = true;
    return 0;
}

/* binder = Finished-style MAC under the binder key of psk, over the hash of the transcript so
 * far followed by the ClientHello truncated before its binders (RFC 8446 4.2.11.2). */
static int compute_binder(parley_conn *c, crypto_hash_alg alg, const uint8_t *psk, size_t psk_len,
                          const uint8_t *before, size_t before_len, const uint8_t *hello,
                          size_t hello_len, uint8_t *binder)
{
    uint8_t th[CRYPTO_MAX_HASH];
    crypto_hash *h = crypto_hash_new(alg);
    int rc = h == NULL || crypto_hash_update(h, before, before_len) < 0 ||
                     crypto_hash_update(h, hello, hello_len) < 0 || crypto_hash_peek(h, th) < 0 ||
                     tls13_binder(alg, psk, psk_len, th, binder) < 0
                 ? -1
                 : 0;
    crypto_hash_free(h);
    if (rc < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "computing a PSK binder failed");
    return 0;
}

int resume13_client_bind(parley_conn *c, uint8_t *msg, size_t len)
{
    hs_state *hs = c->hs;
    size_t binders_len = 2 + 1 + hs->psk_len;
    if (len < binders_len)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "ClientHello too short");
    return compute_binder(c, hs->psk_hash, hs->psk, hs->psk_len, hs->transcript, hs->transcript_len,
                          msg, len - binders_len, msg + len - hs->psk_len);
}

int resume13_client_accept(parley_conn *c, const hs_server_hello *sh)
{
    hs_state *hs = c->hs;
    if (!sh->has_pre_shared_key)
        return 0;
    if (!hs->psk_offered || sh->selected_identity != 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server selected PSK identity %u, which was not offered",
                         sh->selected_identity);
    if (hs->prf != hs->psk_hash)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server resumed with a suite whose hash differs from the session's");
    hs->psk_accepted = hs->resumed = c->resumed = true;
    resume_take_peer_identity(c, c->session);
    trace_step(c, "session resumed (PSK from a ticket)");
    return 1;
}

int resume13_client_ticket(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_new_session_ticket13 nst;
    int alert = hs_parse_new_session_ticket13(body, len, &nst);
    if (alert)
        return hs_parse_failed(c, alert, "NewSessionTicket");
    /* A lifetime of zero says to discard the ticket at once (RFC 8446 4.6.1). */
    if (nst.lifetime == 0 || nst.ticket.len > SESSION_TICKET_MAX)
        return 0;
    parley_session s;
    resume_session_of(c, &s);
    s.created = session_now();
    s.ticket_received_ms = session_now_ms();
    if (nst.lifetime < s.lifetime || s.lifetime == 0)
        s.lifetime = nst.lifetime;
    s.age_add = nst.age_add;
    s.max_early_data = nst.has_early_data ? nst.max_early_data : 0;
    if (tls13_resumption_psk(c->hash13, c->res_master, nst.nonce.p, nst.nonce.len,
                             s.master_secret) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "deriving the ticket's PSK failed");
    s.ticket = (uint8_t *)nst.ticket.p;
    s.ticket_len = nst.ticket.len;
    resume_client_store(c, &s);
    crypto_wipe(&s, sizeof(s));
    trace_step(c, "session ticket kept");
    return 0;
}

/* ---- server --------------------------------------------------------------------------------- */

/* Why a session from a ticket may not resume here, or NULL if it may. */
static const char *refusal13(const parley_conn *c, const parley_session *s, const suite_info *suite)
{
    const suite_info *made_with = suite_find(s->suite);
    if (s->version != PARLEY_TLS1_3)
        return "it is not a TLS 1.3 session";
    if (!session_alive(s, session_now()))
        return "its ticket is past its lifetime";
    if (made_with == NULL || made_with->prf != suite->prf)
        return "it was made with a suite of another hash";
    if (strcmp(s->server_name, c->server_name) != 0)
        return "it was made for another server name";
    if (c->cfg->client_auth == PARLEY_CLIENT_AUTH_REQUIRED && !s->peer_authenticated)
        return "it has no client certificate, which this server requires";
    return NULL;
}

int resume13_server_find(parley_conn *c, const hs_client_hello *ch, const suite_info *suite)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    if (!ch->has_pre_shared_key)
        return 0;
    if (!ch->has_psk_modes)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_MISSING_EXTENSION,
                         "client offers a PSK without psk_key_exchange_modes (RFC 8446 4.2.9)");
    if (memchr(ch->psk_modes.p, PSK_DHE_KE, ch->psk_modes.len) == NULL) {
        trace_step(c, "PSK not used: the client does not offer psk_dhe_ke");
        return 0;
    }
    if (cfg->ticket_keys == NULL)
        return 0;
    size_t hlen = crypto_hash_size(suite->prf);
    for (size_t i = 0; i < ch->n_psk; i++) {
        uint8_t buf[SESSION_ENCODED_MAX];
        size_t n = ticket_open(cfg->ticket_keys, session_now(), ch->psk[i].identity.p,
                               ch->psk[i].identity.len, buf, sizeof(buf), NULL);
        parley_session s;
        int rc = n > 0 ? session_decode(buf, n, &s) : -1;
        crypto_wipe(buf, sizeof(buf));
        if (rc < 0) {
            resume_trace(c, "PSK identity %zu refused: not a ticket of ours, or too old", i);
            continue;
        }
        const char *why = refusal13(c, &s, suite);
        if (why != NULL) {
            resume_trace(c, "PSK identity %zu not resumed (full handshake): %s", i, why);
            session_clear(&s);
            continue;
        }
        /* The binder proves the client holds the PSK and binds it to this hello; the hello is
         * the last thing in the transcript. */
        uint8_t binder[CRYPTO_MAX_HASH];
        size_t hello_len = c->hs->current_len;
        size_t before = hs->transcript_len - hello_len;
        rc = compute_binder(c, suite->prf, s.master_secret, hlen, hs->transcript, before,
                            hs->transcript + before, hello_len - ch->binders_len, binder);
        bool ok = rc == 0 && ch->psk[i].binder.len == hlen &&
                  crypto_memeq(binder, ch->psk[i].binder.p, hlen);
        if (!ok) {
            session_clear(&s);
            return rc < 0 ? -1
                          : conn_fail(c, PARLEY_E_CRYPTO, ALERT_DECRYPT_ERROR,
                                      "the binder of PSK identity %zu does not verify: the "
                                      "client does not hold the ticket's key",
                                      i);
        }
        memcpy(hs->psk, s.master_secret, hlen);
        hs->psk_len = hlen;
        hs->psk_accepted = hs->resumed = c->resumed = true;
        hs->psk_identity = (uint16_t)i;
        hs->session_created = s.created;
        resume_take_peer_identity(c, &s);
        trace_step(c, "session resumed (PSK from a ticket)");
        early13_server_consider(c, ch, &s, suite, i);
        session_clear(&s);
        return 1;
    }
    return 0;
}

int resume13_server_issue(parley_conn *c)
{
    const parley_config *cfg = c->cfg;
    hs_state *hs = c->hs;
    if (!cfg->tickets || cfg->ticket_keys == NULL)
        return 0;
    if (hs13_resumption_secret(c) < 0)
        return -1;
    /* One ticket per connection, so its nonce can be constant: the PSK differs per connection
     * through the resumption master secret. */
    static const uint8_t nonce[1] = {0};
    parley_session s;
    resume_session_of(c, &s);
    s.created = session_now();
    s.ticket_received_ms = session_now_ms(); /* issued: the server's clock for the ticket age */
    s.max_early_data = cfg->early_data_max;
    if (s.lifetime > TICKET_LIFETIME_MAX)
        s.lifetime = TICKET_LIFETIME_MAX;
    int rc = hs_random(c, &s.age_add, sizeof(s.age_add)) < 0 ||
                     tls13_resumption_psk(hs->prf, c->res_master, nonce, sizeof(nonce),
                                          s.master_secret) < 0
                 ? -1
                 : 0;
    crypto_wipe(c->res_master, sizeof(c->res_master)); /* the server needs it no more */
    uint8_t plain[SESSION_ENCODED_MAX], ticket[SESSION_ENCODED_MAX + TICKET_OVERHEAD];
    size_t n = rc == 0 ? session_encode(&s, plain, sizeof(plain)) : 0;
    size_t ticket_len =
        n ? ticket_seal(cfg->ticket_keys, session_now(), plain, n, ticket, sizeof(ticket)) : 0;
    crypto_wipe(plain, sizeof(plain));
    hs_new_session_ticket13 nst = {
        .lifetime = s.lifetime,
        .age_add = s.age_add,
        .nonce = {nonce, sizeof(nonce)},
        .ticket = {ticket, ticket_len},
        .has_early_data = s.max_early_data > 0,
        .max_early_data = s.max_early_data,
    };
    crypto_wipe(&s, sizeof(s));
    if (ticket_len == 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "sealing a ticket failed");
    /* After the handshake: not part of the transcript. */
    hs_write_new_session_ticket13(&hs->out, &nst);
    if (hs->out.failed)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "NewSessionTicket does not fit");
    trace_step(c, "session ticket issued");
    return flight_send(c);
}
