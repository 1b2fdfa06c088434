/*
 * TLS 1.3 0-RTT early data (RFC 8446 2.3, 4.2.10, 8). A client resuming a session whose ticket
 * allows it sends application data right after its ClientHello, under the client early traffic
 * secret. {} are messages under handshake keys, () under the early traffic key.
 *
 *   ClientHello + early_data + pre_shared_key, (Application Data)  -->
 *                   <--  ServerHello, {EncryptedExtensions + early_data}, {Finished}
 *   (EndOfEarlyData), {Finished}  -->
 *
 * Early data can be replayed: whoever recorded the first flight can send it again. The server
 * takes it only from the first PSK identity, with the suite, ALPN protocol and server name of
 * the ticket's session, at a ticket age within FRESHNESS_MS of the time since the ticket was
 * issued, and only the first time it sees the ticket (the configuration's single-use store).
 * Otherwise its EncryptedExtensions says nothing, and the client's 0-RTT records, which it
 * cannot open with the handshake key, are skipped up to max_early_data_size bytes.
 */
#include "handshake.h"
#include "keys13.h"
#include "resume_internal.h"

#include "../session/replay.h"
#include "../session/session.h"
#include "../trace/trace.h"

#include <string.h>

/* RFC 8446 8.3: how far the client's view of the ticket's age may be from the server's. */
#define FRESHNESS_MS 10000
/* What a server not configured for 0-RTT still skips of a client's early data. */
#define SKIP_WHEN_OFF 16384

/* client_early_traffic_secret from the resumption PSK and the ClientHello, the one message in
 * the transcript when 0-RTT is possible (there is none after a HelloRetryRequest). */
static int early_secret(parley_conn *c, crypto_hash_alg alg, uint8_t *out)
{
    hs_state *hs = c->hs;
    uint8_t early[CRYPTO_MAX_HASH], th[CRYPTO_MAX_HASH];
    int rc = crypto_digest(alg, hs->transcript, hs->transcript_len, th) < 0 ||
                     tls13_early_secret(alg, hs->psk, hs->psk_len, early) < 0 ||
                     tls13_derive(alg, early, TLS13_C_E_TRAFFIC, th, out) < 0
                 ? -1
                 : 0;
    crypto_wipe(early, sizeof(early));
    if (rc < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "deriving the early traffic secret failed");
    trace_keylog(c, "CLIENT_EARLY_TRAFFIC_SECRET", hs->client_random, out, crypto_hash_size(alg));
    return 0;
}

/* Derives the early traffic key of suite and installs it for dir. */
static int install_early_key(parley_conn *c, int dir, const suite_info *suite)
{
    uint8_t secret[CRYPTO_MAX_HASH];
    int rc = early_secret(c, suite_prf_at(suite, PARLEY_TLS1_3), secret);
    if (rc == 0)
        rc = hs13_install_suite(c, dir, suite, secret, EPOCH13_EARLY,
                                dir ? "write keys on (early data)" : "read keys on (early data)");
    crypto_wipe(secret, sizeof(secret));
    return rc;
}

/* ---- client --------------------------------------------------------------------------------- */

/* Whether the offered session allows 0-RTT from this configuration: a TLS 1.3 ticket with
 * max_early_data_size, a suite still enabled, and an ALPN offer the server can answer with the
 * session's protocol (RFC 8446 4.2.10). */
static bool session_allows_early(const parley_conn *c, const parley_session *s)
{
    const parley_config *cfg = c->cfg;
    if (s == NULL || s->version != PARLEY_TLS1_3 || s->max_early_data == 0 ||
        !u16_list_has(cfg->suites, cfg->n_suites, s->suite))
        return false;
    if (s->alpn[0] == '\0')
        return cfg->alpn_len == 0;
    size_t n = strlen(s->alpn);
    reader r = reader_init(cfg->alpn, cfg->alpn_len);
    while (r.left > 0) {
        span name = reader_vector(&r, 1, 1, 255);
        if (name.len == n && memcmp(name.p, s->alpn, n) == 0)
            return true;
    }
    return false;
}

void early13_client_offer(parley_conn *c, hs_client_hello *ch)
{
    hs_state *hs = c->hs;
    if (c->early_status != PARLEY_EARLY_DATA_OFFERED || hs->hrr)
        return;
    if (!hs->psk_offered || !session_allows_early(c, c->session)) {
        c->early_status = PARLEY_EARLY_DATA_NONE;
        trace_step(c, "early data not offered: the session does not allow it");
        return;
    }
    ch->has_early_data = true;
}

int early13_client_start(parley_conn *c)
{
    hs_state *hs = c->hs;
    const parley_session *s = c->session;
    /* Every record after the initial ClientHello says TLS 1.2 (RFC 8446 5.1), and the one dummy
     * ChangeCipherSpec goes first, while the write side is still plaintext. */
    c->record_version = PARLEY_TLS1_2;
    if (hs13_send_compat_ccs(c) < 0 || install_early_key(c, 1, suite_find(s->suite)) < 0)
        return -1;
    hs->early_mode = EARLY13_OPEN;
    hs->early_left = s->max_early_data;
    return 0;
}

int early13_client_retry(parley_conn *c)
{
    hs_state *hs = c->hs;
    if (c->early_status != PARLEY_EARLY_DATA_OFFERED)
        return 0;
    /* The second hello is plaintext again, and carries no early_data (RFC 8446 4.1.2). */
    record_state_clear(&c->write);
    hs->early_mode = EARLY13_OFF;
    c->early_status = PARLEY_EARLY_DATA_REJECTED;
    trace_step(c, "early data rejected: HelloRetryRequest");
    return 0;
}

int early13_client_answer(parley_conn *c, const hs_encrypted_extensions *ee)
{
    const parley_session *s = c->session;
    if (!ee->has_early_data) {
        if (c->early_status == PARLEY_EARLY_DATA_OFFERED) {
            c->early_status = PARLEY_EARLY_DATA_REJECTED;
            trace_step(c, "early data rejected by the server");
        }
        return 0;
    }
    if (c->early_status != PARLEY_EARLY_DATA_OFFERED)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNSUPPORTED_EXTENSION,
                         "server accepted early data, which was not offered");
    /* RFC 8446 4.2.10: accepted early data was sent under the first PSK's keys, with its suite
     * and ALPN protocol; a server that says otherwise read it under other keys. */
    if (!c->hs->psk_accepted || s == NULL || c->suite != s->suite || strcmp(c->alpn, s->alpn) != 0)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_ILLEGAL_PARAMETER,
                         "server accepted early data without resuming its session with the same "
                         "cipher suite and ALPN protocol");
    c->early_status = PARLEY_EARLY_DATA_ACCEPTED;
    trace_step(c, "early data accepted");
    return 0;
}

int early13_client_end(parley_conn *c)
{
    hs_state *hs = c->hs;
    if (c->early_status != PARLEY_EARLY_DATA_ACCEPTED)
        return 0;
    size_t mark = flight_mark(c);
    hs_write_end_of_early_data(&hs->out);
    if (flight_commit(c, mark, "EndOfEarlyData") < 0)
        return -1;
    return flight_send(c); /* still under the early traffic key */
}

int parley_write_early(parley_conn *c, const void *data, size_t len, size_t *written)
{
    if (written)
        *written = 0;
    if (c == NULL || c->role != PARLEY_CLIENT || (data == NULL && len > 0) ||
        c->state != PARLEY_STATE_HANDSHAKING)
        return PARLEY_ERROR;
    if (c->hs == NULL) {
        c->early_status = PARLEY_EARLY_DATA_OFFERED; /* the ClientHello asks for 0-RTT */
        if (parley_handshake(c) == PARLEY_ERROR)
            return PARLEY_ERROR;
    }
    hs_state *hs = c->hs;
    if (hs == NULL || hs->early_mode != EARLY13_OPEN)
        return PARLEY_ERROR;
    size_t n = len < hs->early_left ? len : hs->early_left;
    if (n > 0 && conn_send(c, CT_APPLICATION_DATA, data, n) < 0)
        return PARLEY_ERROR;
    hs->early_left -= (uint32_t)n;
    if (written)
        *written = n;
    return PARLEY_OK;
}

/* ---- server --------------------------------------------------------------------------------- */

/* Why the early data offered with session s (accepted from PSK identity index) may not be
 * taken, short of the single-use store, or NULL. */
static const char *refusal(parley_conn *c, const hs_client_hello *ch, const parley_session *s,
                           const suite_info *suite, size_t index)
{
    if (c->cfg->early_data_max == 0)
        return "not enabled";
    if (index != 0)
        return "the PSK accepted is not the first one offered";
    if (s->max_early_data == 0)
        return "the ticket was issued without early data";
    if (s->suite != suite->id)
        return "the ticket's session has another cipher suite";
    if (strcmp(s->alpn, c->alpn) != 0)
        return "the ticket's session has another ALPN protocol";
    /* RFC 8446 8.3: the age the client reports, less age_add, against the time since the
     * ticket was issued. A replayed hello keeps its age while time runs on. */
    uint32_t client_age = ch->psk[index].obfuscated_ticket_age - s->age_add;
    int64_t off = (int64_t)(session_now_ms() - s->ticket_received_ms) - (int64_t)client_age;
    if (off > FRESHNESS_MS || off < -FRESHNESS_MS) {
        resume_trace(c, "ticket age %u ms is %lld ms off the time since it was issued",
                     (unsigned)client_age, (long long)off);
        return "ticket age too far from the real one (stale or replayed ClientHello)";
    }
    return NULL;
}

void early13_server_consider(parley_conn *c, const hs_client_hello *ch, const parley_session *s,
                             const suite_info *suite, size_t index)
{
    hs_state *hs = c->hs;
    if (!ch->has_early_data)
        return;
    hs->early_refusal = refusal(c, ch, s, suite, index);
    if (hs->early_refusal != NULL)
        return;
    /* Last, so only a ticket whose early data would be taken uses up its one chance. */
    switch (early_replay_check(c->cfg->early_replay, ch->psk[index].identity.p,
                               ch->psk[index].identity.len, session_now(),
                               s->created + s->lifetime)) {
    case EARLY_REPLAY_FRESH:
        break;
    case EARLY_REPLAY_SEEN:
        hs->early_refusal = "replayed ticket (its early data was taken before)";
        return;
    case EARLY_REPLAY_FULL:
        hs->early_refusal = "the single-use store is full";
        return;
    default:
        hs->early_refusal = "the single-use store failed";
        return;
    }
    uint32_t max = c->cfg->early_data_max;
    hs->early_mode = EARLY13_OPEN;
    hs->early_left = s->max_early_data < max ? s->max_early_data : max;
}

/* How much refused early data is skipped: what we would have taken (RFC 8446 4.2.10). */
static uint32_t skip_limit(const parley_config *cfg)
{
    return cfg->early_data_max ? cfg->early_data_max : SKIP_WHEN_OFF;
}

static void refuse(parley_conn *c, const char *why)
{
    hs_state *hs = c->hs;
    hs->early_mode = EARLY13_SKIP;
    hs->early_left = skip_limit(c->cfg);
    c->early_status = PARLEY_EARLY_DATA_REJECTED;
    resume_trace(c, "early data rejected: %s", why);
}

int early13_server_decide(parley_conn *c, const hs_client_hello *ch)
{
    hs_state *hs = c->hs;
    if (!ch->has_early_data)
        return 0;
    if (hs->early_mode != EARLY13_OPEN) {
        const char *why = hs->early_refusal;
        if (why == NULL)
            why = c->cfg->early_data_max == 0 ? "not enabled" : "no ticket of ours was resumed";
        refuse(c, why);
        return 0;
    }
    if (install_early_key(c, 0, hs->suite) < 0)
        return -1;
    c->early_status = PARLEY_EARLY_DATA_ACCEPTED;
    trace_step(c, "early data accepted");
    return 0;
}

void early13_server_retry(parley_conn *c, const hs_client_hello *ch)
{
    if (ch->has_early_data)
        refuse(c, "HelloRetryRequest");
}

int early13_skip(parley_conn *c, size_t len)
{
    hs_state *hs = c->hs;
    /* What the record could hold: its length less the smallest protection overhead. */
    size_t content = len > CRYPTO_AEAD_TAG + 1 ? len - CRYPTO_AEAD_TAG - 1 : 0;
    if (content > hs->early_left)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                         "more early data to skip than the %u bytes allowed, or a record that "
                         "does not open (RFC 8446 4.2.10)",
                         (unsigned)skip_limit(c->cfg));
    hs->early_left -= (uint32_t)content;
    trace_step(c, "early data record skipped");
    return 0;
}

int early13_count(parley_conn *c, size_t len)
{
    hs_state *hs = c->hs;
    if (len > hs->early_left)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                         "the client sent more early data than max_early_data_size allows (RFC "
                         "8446 4.2.10)");
    hs->early_left -= (uint32_t)len;
    return 0;
}

parley_early_data parley_early_data_status(const parley_conn *c)
{
    return c ? (parley_early_data)c->early_status : PARLEY_EARLY_DATA_NONE;
}
