/*
 * Handshake plumbing shared by both roles: message reassembly, table dispatch, the transcript
 * and the outgoing flight.
 */
#include "handshake.h"

#include "messages_codec.h"

#include "../trace/trace.h"
#include "../x509/verify_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the flight besides our certificate chain. */
#define FLIGHT_BASE 4096

static const hs_machine *machine_of(const parley_conn *c)
{
    return c->hs->machine;
}

/* Grows buf to hold need bytes, doubling; false beyond limit or out of memory. */
static bool grow(uint8_t **buf, size_t *cap, size_t need, size_t limit)
{
    if (need <= *cap)
        return true;
    if (need > limit)
        return false;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    if (n > limit)
        n = limit;
    uint8_t *p = realloc(*buf, n);
    if (p == NULL)
        return false;
    *buf = p;
    *cap = n;
    return true;
}

int hs_start(parley_conn *c)
{
    hs_state *hs = calloc(1, sizeof(*hs));
    if (hs == NULL)
        return conn_fail(c, PARLEY_E_MEMORY, -1, "out of memory starting the handshake");
    c->hs = hs;
    size_t chain = 0;
    for (size_t i = 0; i < c->cfg->n_certs; i++)
        if (c->cfg->certs[i].certificate_msg_len > chain)
            chain = c->cfg->certs[i].certificate_msg_len;
    hs->flight_cap = FLIGHT_BASE + chain;
    hs->flight = malloc(hs->flight_cap);
    if (hs->flight == NULL)
        return conn_fail(c, PARLEY_E_MEMORY, -1, "out of memory starting the handshake");
    writer_init(&hs->out, hs->flight, hs->flight_cap);
    hs->machine = c->role == PARLEY_CLIENT ? &client_machine : &server_machine;
    hs->state = machine_of(c)->start_state;
    if (c->role == PARLEY_CLIENT)
        return client_send_hello(c);
    return 0;
}

void hs_free(parley_conn *c)
{
    hs_state *hs = c->hs;
    if (hs == NULL)
        return;
    crypto_hash_free(hs->hash);
    crypto_prf_key_free(hs->master_prf);
    crypto_kex_free(hs->kex);
    for (size_t i = 0; i < hs->n_shares; i++)
        crypto_kex_free(hs->shares[i]);
    free(hs->cookie);
    crypto_key_free(hs->peer_key);
    free(hs->cr_names);
    if (hs->new_ticket != NULL)
        crypto_wipe(hs->new_ticket, hs->new_ticket_len);
    free(hs->new_ticket);
    if (hs->msg)
        crypto_wipe(hs->msg, hs->msg_cap);
    free(hs->msg);
    free(hs->transcript);
    if (hs->flight)
        crypto_wipe(hs->flight, hs->flight_cap);
    free(hs->flight);
    crypto_wipe(hs, sizeof(*hs));
    free(hs);
    c->hs = NULL;
}

int hs_random(parley_conn *c, void *out, size_t len)
{
    hs_state *hs = c->hs;
    if (len > sizeof(hs->random_pool))
        return crypto_random(out, len);
    if (hs->random_left < len) {
        /* What is left of the previous draw is never used: the new one overwrites it. */
        if (crypto_random(hs->random_pool, sizeof(hs->random_pool)) < 0)
            return -1;
        hs->random_left = sizeof(hs->random_pool);
    }
    uint8_t *p = hs->random_pool + sizeof(hs->random_pool) - hs->random_left;
    memcpy(out, p, len);
    crypto_wipe(p, len);
    hs->random_left -= len;
    return 0;
}

crypto_kex *hs_kex_new(parley_conn *c, uint16_t group)
{
    size_t len = crypto_kex_private_len(group);
    if (len == 0)
        return crypto_kex_new(group);
    uint8_t priv[32];
    crypto_kex *k = len <= sizeof(priv) && hs_random(c, priv, len) == 0
                        ? crypto_kex_new_from_private(group, priv, len)
                        : NULL;
    crypto_wipe(priv, sizeof(priv));
    return k;
}

int hs_parse_failed(parley_conn *c, int alert, const char *message_name)
{
    if (alert == HS_ALERT_ILLEGAL_PARAMETER)
        return conn_fail(c, PARLEY_E_PROTOCOL, alert, "%s carries a forbidden value", message_name);
    return conn_fail(c, PARLEY_E_DECODE, alert ? alert : ALERT_DECODE_ERROR,
                     "%s from the peer is malformed", message_name);
}

/* Lists the messages acceptable in the current state, for the error sentence. */
static void expected_list(const hs_machine *m, int state, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < m->count; i++) {
        if (m->steps[i].state != state)
            continue;
        const char *name = m->steps[i].msg_type == HS_CHANGE_CIPHER_SPEC
                               ? "ChangeCipherSpec"
                               : hs_message_name((uint8_t)m->steps[i].msg_type);
        int w = snprintf(out + n, cap - n, "%s%s", n ? " or " : "", name);
        if (w < 0 || (size_t)w >= cap - n)
            return;
        n += (size_t)w;
    }
}

static const hs_step *find_step(const hs_machine *m, int state, uint16_t type)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->steps[i].state == state && m->steps[i].msg_type == type)
            return &m->steps[i];
    return NULL;
}

static int unexpected(parley_conn *c, uint16_t type)
{
    const hs_machine *m = machine_of(c);
    char expected[128];
    expected_list(m, c->hs->state, expected, sizeof(expected));
    const char *got =
        type == HS_CHANGE_CIPHER_SPEC ? "ChangeCipherSpec" : hs_message_name((uint8_t)type);
    return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                     "unexpected %s from the peer (expected %s)", got,
                     expected[0] ? expected : "nothing");
}

static int dispatch(parley_conn *c, uint8_t type, const uint8_t *msg, size_t len)
{
    trace_handshake(c, 0, msg, len);
    const hs_step *step = find_step(machine_of(c), c->hs->state, type);
    if (step == NULL)
        return unexpected(c, type);
    if (!step->transcript_after && transcript_add(c, msg, len) < 0)
        return -1;
    c->hs->current = msg;
    c->hs->current_len = len;
    c->hs->key_change = false;
    if (step->handle(c, msg + HS_HEADER_LEN, len - HS_HEADER_LEN) < 0)
        return -1;
    if (c->hs->state == machine_of(c)->done_state) {
        hs_free(c);
        c->state = PARLEY_STATE_OPEN;
        trace_step(c, "handshake complete");
    }
    return 0;
}

int hs_receive(parley_conn *c, const uint8_t *data, size_t len)
{
    hs_state *hs = c->hs;
    if (len == 0)
        return conn_fail(c, PARLEY_E_DECODE, ALERT_DECODE_ERROR,
                         "peer sent an empty handshake record");
    if (!grow(&hs->msg, &hs->msg_cap, hs->msg_len + len, HS_MAX_MESSAGE + HS_HEADER_LEN + 16384))
        return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR,
                         "out of memory buffering a handshake message");
    memcpy(hs->msg + hs->msg_len, data, len);
    hs->msg_len += len;

    size_t off = 0;
    while (c->hs != NULL && hs->msg_len - off >= HS_HEADER_LEN) {
        reader r = reader_init(hs->msg + off, HS_HEADER_LEN);
        uint8_t type = reader_u8(&r);
        uint32_t body = reader_u24(&r);
        if (body > HS_MAX_MESSAGE)
            return conn_fail(c, PARLEY_E_DECODE, ALERT_DECODE_ERROR,
                             "%s of %u bytes exceeds the %u-byte limit", hs_message_name(type),
                             (unsigned)body, HS_MAX_MESSAGE);
        if (hs->msg_len - off < HS_HEADER_LEN + body)
            break;
        bool last_in_record = off + HS_HEADER_LEN + body == hs->msg_len;
        if (dispatch(c, type, hs->msg + off, HS_HEADER_LEN + body) < 0)
            return -1;
        off += HS_HEADER_LEN + body;
        /* RFC 8446 5.1: a message that changes keys must end its record, so no bytes read under
         * the old keys are taken as sent under the new ones. */
        bool key_change = c->hs != NULL ? c->hs->key_change : c->version == PARLEY_TLS1_3;
        if (key_change && !last_in_record)
            return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                             "%s is followed by more handshake data in its record, across a "
                             "change of keys",
                             hs_message_name(type));
    }
    if (c->hs == NULL)
        return 0; /* handshake finished; nothing may follow in this record */
    memmove(hs->msg, hs->msg + off, hs->msg_len - off);
    hs->msg_len -= off;
    return 0;
}

int hs_receive_change_cipher_spec(parley_conn *c)
{
    hs_state *hs = c->hs;
    /* A message split across the ChangeCipherSpec would mix keys: not allowed. */
    if (hs->msg_len != 0)
        return unexpected(c, HS_CHANGE_CIPHER_SPEC);
    const hs_step *step = find_step(machine_of(c), hs->state, HS_CHANGE_CIPHER_SPEC);
    if (step == NULL)
        return unexpected(c, HS_CHANGE_CIPHER_SPEC);
    return step->handle(c, NULL, 0);
}

int transcript_add(parley_conn *c, const uint8_t *data, size_t len)
{
    hs_state *hs = c->hs;
    if (!grow(&hs->transcript, &hs->transcript_cap, hs->transcript_len + len, SIZE_MAX / 2))
        return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
    memcpy(hs->transcript + hs->transcript_len, data, len);
    hs->transcript_len += len;
    if (hs->hash != NULL && crypto_hash_update(hs->hash, data, len) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "transcript hash failed");
    return 0;
}

int transcript_add_current(parley_conn *c)
{
    return transcript_add(c, c->hs->current, c->hs->current_len);
}

int hs_set_suite(parley_conn *c, const suite_info *suite)
{
    hs_state *hs = c->hs;
    hs->suite = suite;
    hs->prf = suite_prf_at(suite, c->version);
    c->suite = suite->id;
    crypto_hash_free(hs->hash);
    hs->hash = crypto_hash_new(hs->prf);
    if (hs->hash == NULL || crypto_hash_update(hs->hash, hs->transcript, hs->transcript_len) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "transcript hash failed");
    return 0;
}

int transcript_hash(parley_conn *c, uint8_t *out, size_t *out_len)
{
    hs_state *hs = c->hs;
    if (crypto_hash_peek(hs->hash, out) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "transcript hash failed");
    *out_len = crypto_hash_size(hs->prf);
    return 0;
}

int flight_commit(parley_conn *c, size_t mark, const char *what)
{
    hs_state *hs = c->hs;
    if (hs->out.failed)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "%s does not fit", what);
    return transcript_add(c, hs->out.buf + mark, hs->out.len - mark);
}

int flight_send(parley_conn *c)
{
    hs_state *hs = c->hs;
    if (hs->out.len == 0)
        return 0;
    int rc = conn_send(c, CT_HANDSHAKE, hs->out.buf, hs->out.len);
    if (rc == 0)
        trace_handshake(c, 1, hs->out.buf, hs->out.len);
    if (c->hs != NULL)
        writer_init(&hs->out, hs->flight, hs->flight_cap);
    return rc;
}

int hs_write_our_finished(parley_conn *c)
{
    uint8_t verify[12];
    if (keys_finished(c, c->role, verify) < 0)
        return -1;
    size_t mark = flight_mark(c);
    hs_finished fin = {{verify, sizeof(verify)}};
    hs_write_finished(&c->hs->out, &fin);
    return flight_commit(c, mark, "Finished");
}

int hs_check_finished(parley_conn *c, const uint8_t *body, size_t len)
{
    hs_finished fin;
    int alert = hs_parse_finished(body, len, 12, &fin);
    if (alert)
        return hs_parse_failed(c, alert, "Finished");
    uint8_t expected[12];
    parley_role peer = c->role == PARLEY_CLIENT ? PARLEY_SERVER : PARLEY_CLIENT;
    if (keys_finished(c, peer, expected) < 0)
        return -1;
    if (!crypto_memeq(expected, fin.verify_data.p, sizeof(expected)))
        return conn_fail(c, PARLEY_E_CRYPTO, ALERT_DECRYPT_ERROR,
                         "the peer's Finished does not verify: the handshake was altered or the "
                         "keys differ");
    return 0;
}

/* The Certificate message of a chain of ours. */
static void chain_message(const x509_chain *chain, hs_certificate *msg)
{
    memset(msg, 0, sizeof(*msg));
    msg->count = x509_chain_count(chain);
    for (size_t i = 0; i < msg->count && i < HS_MAX_CERTS; i++)
        msg->certs[i].p = x509_chain_der(chain, i, &msg->certs[i].len);
}

size_t hs_chain_message_len(const x509_chain *chain)
{
    hs_certificate msg;
    chain_message(chain, &msg);
    size_t total = HS_HEADER_LEN + 3;
    for (size_t i = 0; i < msg.count; i++)
        total += 3 + msg.certs[i].len;
    return total;
}

int hs_write_chain(writer *w, const x509_chain *chain)
{
    hs_certificate msg;
    chain_message(chain, &msg);
    return hs_write_certificate(w, &msg);
}

int hs_write_chain13(writer *w, const x509_chain *chain, span context)
{
    hs_certificate msg;
    chain_message(chain, &msg);
    hs_certificate13 msg13 = {context, msg.count, {{0}}};
    memcpy(msg13.certs, msg.certs, sizeof(msg.certs));
    return hs_write_certificate13(w, &msg13);
}

/* Keeps the peer's chain as a TLS 1.2 certificate_list, whichever form it came in. */
static int keep_peer_chain(parley_conn *c, const hs_certificate *cert)
{
    size_t len = 0;
    for (size_t i = 0; i < cert->count; i++)
        len += 3 + cert->certs[i].len;
    free(c->peer_chain);
    c->peer_chain = malloc(len ? len : 1);
    if (c->peer_chain == NULL)
        return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
    writer w;
    writer_init(&w, c->peer_chain, len);
    for (size_t i = 0; i < cert->count; i++)
        hs_write_vector(&w, 3, cert->certs[i]);
    c->peer_chain_len = w.len;
    return 0;
}

int hs_verify_peer(parley_conn *c, const hs_certificate *cert, const x509_trust *trust,
                   x509_peer_role role, const char *host, x509_peer *peer)
{
    const uint8_t *der[HS_MAX_CERTS];
    size_t der_len[HS_MAX_CERTS];
    for (size_t i = 0; i < cert->count; i++) {
        der[i] = cert->certs[i].p;
        der_len[i] = cert->certs[i].len;
    }
    /* The cache serves verifying connections only: with trust NULL (verification off) nothing
     * is looked up or stored. */
    x509_verify_cache *vc = trust != NULL ? c->cfg->verify_cache : NULL;
    uint8_t key[X509_VERIFY_CACHE_KEY_LEN];
    if (vc != NULL && x509_verify_cache_key(role, der, der_len, cert->count, host, key) < 0)
        vc = NULL;
    bool hit = vc != NULL && x509_verify_cache_get(vc, key, peer);
    if (!hit) {
        char why[CONN_ERROR_MAX];
        int alert =
            x509_verify_peer(trust, role, der, der_len, cert->count, host, peer, why, sizeof(why));
        if (alert)
            return conn_fail(c, PARLEY_E_CERT, alert, "%s%s",
                             role == X509_PEER_CLIENT ? "client certificate refused: " : "", why);
        if (vc != NULL)
            x509_verify_cache_put(vc, key, peer);
    }
    if (trust != NULL && trace_on(c))
        trace_step(c, hit ? "certificate chain verified (cached)" : "certificate chain verified");
    c->hs->peer_key = peer->key;
    snprintf(c->peer_subject, sizeof(c->peer_subject), "%s", peer->subject);
    snprintf(c->peer_key, sizeof(c->peer_key), "%s", peer->key_name);
    if (c->cfg->keep_peer_chain)
        return keep_peer_chain(c, cert);
    return 0;
}

int hs_sign_transcript(parley_conn *c, crypto_key *key, uint16_t scheme, uint8_t *sig,
                       size_t *sig_len)
{
    hs_state *hs = c->hs;
    if (crypto_sign(key, scheme, hs->transcript, hs->transcript_len, sig, sig_len) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR,
                         "signing CertificateVerify failed");
    return 0;
}
