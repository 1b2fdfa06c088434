/*
 * TLS 1.3 0-RTT early data between a parley client and a parley server in memory: accepted once
 * and delivered byte-exact; refused (and skipped, the handshake completing) when the same ticket
 * comes again, when the very same bytes are replayed, when the server is not configured for it,
 * for a stale ticket age, another ALPN protocol and after a HelloRetryRequest; too much early
 * data is unexpected_message, accepted or skipped; a client whose 0-RTT is answered with TLS 1.2
 * fails; the single-use store's bounds; and sessions that keep max_early_data_size (format 3)
 * next to older ones (format 2) that still load.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <parley.h>

#include "check.h"
#include "pair.h"

#include "session/replay.h"
#include "session/session.h"

/* What the server's application read: during the handshake (0-RTT) and after it. */
typedef struct received {
    uint8_t early[65536], late[65536];
    size_t early_len, late_len;
} received;

static void drain(parley_conn *s, received *r)
{
    uint8_t buf[16384];
    size_t got;
    for (;;) {
        int handshaking = parley_state(s) == PARLEY_STATE_HANDSHAKING;
        if (parley_read(s, buf, sizeof(buf), &got) != PARLEY_OK)
            return;
        uint8_t *to = handshaking ? r->early : r->late;
        size_t *len = handshaking ? &r->early_len : &r->late_len;
        if (*len + got <= sizeof(r->early))
            memcpy(to + *len, buf, got);
        *len += got;
    }
}

/* Moves bytes both ways until neither side has anything to say; the server's application reads
 * whatever arrives (pair.h's pump would drop it). wire, if not NULL, records what the client sent
 * (for a replay). */
static void pump_early(parley_conn *c, parley_conn *s, received *r, uint8_t *wire, size_t *wire_len)
{
    uint8_t buf[8192];
    for (int rounds = 0; rounds < 100; rounds++) {
        int moved = 0;
        size_t n;
        while ((n = parley_take(c, buf, sizeof(buf))) > 0) {
            moved = 1;
            if (wire != NULL && *wire_len + n <= 65536) {
                memcpy(wire + *wire_len, buf, n);
                *wire_len += n;
            }
            size_t off = 0;
            while (off < n) {
                size_t used = parley_feed(s, buf + off, n - off);
                off += used;
                drain(s, r);
                if (used == 0 && parley_state(s) == PARLEY_STATE_FAILED)
                    break;
            }
        }
        parley_handshake(c);
        while ((n = parley_take(s, buf, sizeof(buf))) > 0) {
            moved = 1;
            size_t off = 0;
            while (off < n) {
                size_t used = parley_feed(c, buf + off, n - off);
                off += used;
                if (used == 0) {
                    uint8_t sink[16384];
                    size_t got;
                    if (parley_read(c, sink, sizeof(sink), &got) != PARLEY_OK)
                        break;
                }
            }
        }
        if (!moved)
            return;
    }
}

static parley_config *early_server(uint32_t max)
{
    parley_config *sc = parley_config_new();
    CHECK(parley_config_add_certificate(sc, cert_path("server-ecdsa.pem"),
                                        cert_path("server-ecdsa.key")) == PARLEY_OK);
    if (max)
        CHECK(parley_config_set_early_data(sc, max) == PARLEY_OK);
    return sc;
}

/* A session from a full handshake with sc (its ticket says what sc allows). */
static parley_session *ticket_from(parley_config *cc, parley_config *sc)
{
    parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn_set_server_name(c, "localhost");
    parley_handshake(c);
    pump(c, s);
    CHECK(parley_state(c) == PARLEY_STATE_OPEN);
    parley_session *session = parley_conn_get_session(c);
    CHECK(session != NULL);
    parley_conn_free(c);
    parley_conn_free(s);
    return session;
}

/* The session with some fields changed, as a client (or an attacker holding its copy) could. */
static parley_session *altered(const parley_session *session, uint32_t max_early_data,
                               int64_t received_shift_ms)
{
    uint8_t bytes[8192];
    size_t n = parley_session_export(session, bytes, sizeof(bytes));
    parley_session s;
    CHECK(n > 0 && session_decode(bytes, n, &s) == 0);
    if (max_early_data)
        s.max_early_data = max_early_data;
    s.ticket_received_ms = (uint64_t)((int64_t)s.ticket_received_ms + received_shift_ms);
    n = session_encode(&s, bytes, sizeof(bytes));
    session_clear(&s);
    return parley_session_import(bytes, n);
}

typedef struct attempt {
    parley_conn *c, *s;
    steps cs, ss;
    received r;
    size_t written;
    int write_rc;
} attempt;

/* A resumed connection that sends data as 0-RTT first. */
static void try_early(attempt *a, parley_config *cc, parley_config *sc,
                      const parley_session *session, const void *data, size_t len)
{
    memset(a, 0, sizeof(*a));
    a->c = parley_conn_new(cc, PARLEY_CLIENT);
    a->s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn_set_trace(a->c, collect_steps, &a->cs);
    parley_conn_set_trace(a->s, collect_steps, &a->ss);
    parley_conn_set_server_name(a->c, "localhost");
    parley_conn_set_session(a->c, session);
    a->write_rc = parley_write_early(a->c, data, len, &a->written);
    pump_early(a->c, a->s, &a->r, NULL, NULL);
}

static void end_attempt(attempt *a)
{
    parley_conn_free(a->c);
    parley_conn_free(a->s);
}

/* After the handshake, data flows both ways (what a client resends after a rejection). */
static int data_flows(attempt *a)
{
    size_t w, before = a->r.late_len;
    if (parley_write(a->c, "after", 5, &w) != PARLEY_OK || w != 5)
        return 0;
    pump_early(a->c, a->s, &a->r, NULL, NULL);
    if (a->r.late_len != before + 5 || memcmp(a->r.late + before, "after", 5) != 0)
        return 0;
    if (parley_write(a->s, "back", 4, &w) != PARLEY_OK)
        return 0;
    uint8_t wire[256], buf[16];
    size_t n = parley_take(a->s, wire, sizeof(wire)), got = 0;
    parley_feed(a->c, wire, n);
    return parley_read(a->c, buf, sizeof(buf), &got) == PARLEY_OK && got == 4;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

/* Accepted once, byte-exact, read before the handshake completes; then the same ticket again is
 * refused, and so are the very same bytes replayed to another connection. */
static void test_accepted_then_replayed(void)
{
    parley_config *sc = early_server(4096);
    parley_config *cc = client_config(NULL);
    keylog_lines ck = {{0}}, sk = {{0}};
    parley_config_set_keylog(cc, collect_keylog, &ck);
    parley_config_set_keylog(sc, collect_keylog, &sk);
    parley_session *session = ticket_from(cc, sc);
    static uint8_t data[3000];
    fill(data, sizeof(data), 1);

    static attempt a;
    memset(&a, 0, sizeof(a));
    a.c = parley_conn_new(cc, PARLEY_CLIENT);
    a.s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn_set_trace(a.c, collect_steps, &a.cs);
    parley_conn_set_trace(a.s, collect_steps, &a.ss);
    parley_conn_set_server_name(a.c, "localhost");
    parley_conn_set_session(a.c, session);
    CHECK(parley_write_early(a.c, data, 1000, &a.written) == PARLEY_OK);
    CHECK_EQ_INT(a.written, 1000);
    CHECK_EQ_INT(parley_early_data_status(a.c), PARLEY_EARLY_DATA_OFFERED);
    size_t more;
    CHECK(parley_write_early(a.c, data + 1000, 2000, &more) == PARLEY_OK);
    CHECK_EQ_INT(more, 2000);
    static uint8_t wire[65536];
    size_t wire_len = 0;
    pump_early(a.c, a.s, &a.r, wire, &wire_len);
    CHECK(parley_state(a.c) == PARLEY_STATE_OPEN && parley_state(a.s) == PARLEY_STATE_OPEN);
    /* On the wire: the ClientHello (0x0301), the compatibility ChangeCipherSpec and the 0-RTT
     * records, which say 0x0303 like every record after the first hello (RFC 8446 5.1; OpenSSL
     * refuses anything else once it reads early data). */
    size_t at = 0;
    for (int i = 0; i < 3 && at + 5 <= wire_len; i++) {
        static const uint8_t type[3] = {22, 20, 23}, minor[3] = {1, 3, 3};
        CHECK_EQ_INT(wire[at], type[i]);
        CHECK_EQ_INT(wire[at + 2], minor[i]);
        at += 5 + ((size_t)wire[at + 3] << 8 | wire[at + 4]);
    }
    CHECK(parley_session_resumed(a.s));
    CHECK_EQ_INT(parley_early_data_status(a.c), PARLEY_EARLY_DATA_ACCEPTED);
    CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_ACCEPTED);
    CHECK_EQ_INT(a.r.early_len, sizeof(data));
    CHECK(a.r.early_len == sizeof(data) && memcmp(a.r.early, data, sizeof(data)) == 0);
    CHECK_EQ_INT(a.r.late_len, 0);
    CHECK(strstr(a.ss.text, "early data accepted") != NULL);
    CHECK(strstr(a.ss.text, "read keys on (early data)") != NULL);
    CHECK(strstr(a.cs.text, "write keys on (early data)") != NULL);
    CHECK(strstr(a.cs.text, "early data accepted") != NULL);
    /* The early secret reaches both key logs, the same line. */
    const char *x = strstr(ck.text, "CLIENT_EARLY_TRAFFIC_SECRET "),
               *y = strstr(sk.text, "CLIENT_EARLY_TRAFFIC_SECRET ");
    CHECK(x != NULL && y != NULL && strncmp(x, y, strcspn(x, "\n")) == 0);
    /* After the handshake, 0-RTT is over. */
    CHECK(parley_write_early(a.c, "x", 1, &more) == PARLEY_ERROR);
    CHECK(data_flows(&a));
    end_attempt(&a);

    /* The same bytes again, to a new connection of the same server: the ticket was used. */
    parley_conn *s2 = parley_conn_new(sc, PARLEY_SERVER);
    steps ss2 = {{0}};
    parley_conn_set_trace(s2, collect_steps, &ss2);
    static received r2;
    memset(&r2, 0, sizeof(r2));
    for (size_t off = 0; off < wire_len && parley_state(s2) != PARLEY_STATE_FAILED;) {
        off += parley_feed(s2, wire + off, wire_len - off);
        drain(s2, &r2);
    }
    CHECK(parley_state(s2) == PARLEY_STATE_HANDSHAKING); /* waits for a Finished never coming */
    CHECK_EQ_INT(r2.early_len, 0);
    CHECK_EQ_INT(parley_early_data_status(s2), PARLEY_EARLY_DATA_REJECTED);
    CHECK(strstr(ss2.text, "early data rejected: replayed ticket") != NULL);
    CHECK(strstr(ss2.text, "early data record skipped") != NULL);
    parley_conn_free(s2);

    /* The client offering the same ticket again: refused, resent after the handshake. */
    try_early(&a, cc, sc, session, data, 500);
    CHECK(a.write_rc == PARLEY_OK && a.written == 500);
    CHECK(parley_state(a.c) == PARLEY_STATE_OPEN && parley_state(a.s) == PARLEY_STATE_OPEN);
    CHECK(parley_session_resumed(a.c));
    CHECK_EQ_INT(parley_early_data_status(a.c), PARLEY_EARLY_DATA_REJECTED);
    CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_REJECTED);
    CHECK_EQ_INT(a.r.early_len, 0);
    CHECK(strstr(a.ss.text, "early data rejected: replayed ticket") != NULL);
    CHECK(strstr(a.cs.text, "early data rejected by the server") != NULL);
    size_t w;
    CHECK(parley_write(a.c, data, 500, &w) == PARLEY_OK && w == 500);
    pump_early(a.c, a.s, &a.r, NULL, NULL);
    CHECK(a.r.late_len == 500 && memcmp(a.r.late, data, 500) == 0);
    CHECK(data_flows(&a));
    /* The resumed connection's own ticket allows 0-RTT once more. */
    parley_session *next = parley_conn_get_session(a.c);
    end_attempt(&a);
    try_early(&a, cc, sc, next, "GET / HTTP/1.1\r\n\r\n", 18);
    CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_ACCEPTED);
    CHECK(a.r.early_len == 18 && memcmp(a.r.early, "GET / HTTP/1.1\r\n\r\n", 18) == 0);
    end_attempt(&a);
    parley_session_free(next);
    parley_session_free(session);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* Writes a fresh ticket key file; returns its path. */
static const char *ticket_key_file(void)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/parley-early-keys-%d", (int)getpid());
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", f);
        fclose(f);
    }
    return path;
}

/* A server without the setting (the default) resumes the ticket another server of the fleet
 * issued with early data, but refuses the data: skipped, the handshake completes. Beyond what it
 * skips (16384 bytes), unexpected_message, never bad_record_mac. */
static void test_off_by_default(void)
{
    const char *keys = ticket_key_file();
    parley_config *on = early_server(65536), *off = early_server(0);
    CHECK(parley_config_set_ticket_key_file(on, keys, 0) == PARLEY_OK);
    CHECK(parley_config_set_ticket_key_file(off, keys, 0) == PARLEY_OK);
    parley_config *cc = client_config(NULL);

    /* Its own tickets do not allow early data, so the client does not even try. */
    parley_session *plain = ticket_from(cc, off);
    static attempt a;
    try_early(&a, cc, off, plain, "data", 4);
    CHECK(a.write_rc == PARLEY_ERROR && a.written == 0);
    CHECK(parley_state(a.c) == PARLEY_STATE_OPEN && parley_session_resumed(a.c));
    CHECK_EQ_INT(parley_early_data_status(a.c), PARLEY_EARLY_DATA_NONE);
    CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_NONE);
    end_attempt(&a);
    parley_session_free(plain);

    parley_session *session = ticket_from(cc, on);
    static uint8_t data[12000];
    fill(data, sizeof(data), 3);
    try_early(&a, cc, off, session, data, sizeof(data));
    CHECK(a.write_rc == PARLEY_OK && a.written == sizeof(data));
    CHECK(parley_state(a.c) == PARLEY_STATE_OPEN && parley_state(a.s) == PARLEY_STATE_OPEN);
    CHECK(parley_session_resumed(a.s));
    CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_REJECTED);
    CHECK_EQ_INT(parley_early_data_status(a.c), PARLEY_EARLY_DATA_REJECTED);
    CHECK_EQ_INT(a.r.early_len, 0);
    CHECK(strstr(a.ss.text, "early data rejected: not enabled") != NULL);
    CHECK(strstr(a.ss.text, "early data record skipped") != NULL);
    CHECK(data_flows(&a));
    end_attempt(&a);

    /* More than the server skips: the client claims a larger allowance than its ticket's. */
    parley_session *big = altered(session, 40000, 0);
    static uint8_t lots[20000];
    fill(lots, sizeof(lots), 5);
    try_early(&a, cc, off, big, lots, sizeof(lots));
    CHECK(a.written == sizeof(lots));
    int sent;
    CHECK(parley_state(a.s) == PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_alert(a.s, &sent), 10); /* unexpected_message */
    CHECK(sent);
    end_attempt(&a);
    parley_session_free(big);

    parley_session_free(session);
    parley_config_free(cc);
    parley_config_free(on);
    parley_config_free(off);
    unlink(keys);
}

/* Accepted early data beyond max_early_data_size: unexpected_message (RFC 8446 4.2.10). The
 * client's copy of the session is altered to claim more than its ticket allows. */
static void test_too_much(void)
{
    parley_config *sc = early_server(1000);
    parley_config *cc = client_config(NULL);
    parley_session *session = ticket_from(cc, sc);
    parley_session *big = altered(session, 100000, 0);
    static uint8_t data[5000];
    fill(data, sizeof(data), 9);
    static attempt a;
    /* Without the alteration the client stops at the ticket's limit. */
    try_early(&a, cc, sc, session, data, sizeof(data));
    CHECK_EQ_INT(a.written, 1000);
    CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_ACCEPTED);
    CHECK(a.r.early_len == 1000 && memcmp(a.r.early, data, 1000) == 0);
    CHECK(parley_state(a.s) == PARLEY_STATE_OPEN);
    parley_session *next = parley_conn_get_session(a.c);
    end_attempt(&a);
    parley_session_free(big);
    big = altered(next, 100000, 0);
    try_early(&a, cc, sc, big, data, sizeof(data));
    CHECK_EQ_INT(a.written, sizeof(data));
    int sent;
    CHECK(parley_state(a.s) == PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_alert(a.s, &sent), 10);
    CHECK(strstr(parley_error_message(a.s), "max_early_data_size") != NULL);
    CHECK(a.r.early_len <= 1000);
    end_attempt(&a);
    parley_session_free(next);
    parley_session_free(big);
    parley_session_free(session);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* A ticket whose age, as the client reports it, is a minute off the server's clock: refused as
 * stale (a replay would look like this), the session still resumes. */
static void test_stale_age(void)
{
    parley_config *sc = early_server(4096);
    parley_config *cc = client_config(NULL);
    parley_session *session = ticket_from(cc, sc);
    static attempt a;
    for (int i = 0; i < 2; i++) {
        parley_session *aged = altered(session, 0, i == 0 ? -60000 : 60000);
        try_early(&a, cc, sc, aged, "stale", 5);
        CHECK(a.write_rc == PARLEY_OK && a.written == 5);
        CHECK(parley_state(a.c) == PARLEY_STATE_OPEN && parley_state(a.s) == PARLEY_STATE_OPEN);
        CHECK(parley_session_resumed(a.s));
        CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_REJECTED);
        CHECK_EQ_INT(parley_early_data_status(a.c), PARLEY_EARLY_DATA_REJECTED);
        CHECK(strstr(a.ss.text, "early data rejected: ticket age") != NULL);
        CHECK_EQ_INT(a.r.early_len, 0);
        CHECK(data_flows(&a));
        end_attempt(&a);
        parley_session_free(aged);
    }
    /* Refused for its age, the ticket was not used up: fresh, it is accepted. */
    try_early(&a, cc, sc, session, "fresh", 5);
    CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_ACCEPTED);
    CHECK(a.r.early_len == 5 && memcmp(a.r.early, "fresh", 5) == 0);
    end_attempt(&a);
    parley_session_free(session);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* A HelloRetryRequest refuses early data: the server skips the records that arrive before the
 * second hello, which goes out in plaintext without early_data; the PSK still resumes. */
static void test_hello_retry(void)
{
    parley_config *sc = early_server(4096);
    CHECK(parley_config_set_groups(sc, "P-256,x25519") == PARLEY_OK);
    parley_config *cc = client_config(NULL);
    parley_session *session = ticket_from(cc, sc);
    parley_config *retry = client_config(NULL);
    CHECK(parley_config_set_key_shares(retry, "x25519") == PARLEY_OK);
    static uint8_t data[2000];
    fill(data, sizeof(data), 11);
    static attempt a;
    try_early(&a, retry, sc, session, data, sizeof(data));
    CHECK(a.write_rc == PARLEY_OK && a.written == sizeof(data));
    CHECK(parley_state(a.c) == PARLEY_STATE_OPEN && parley_state(a.s) == PARLEY_STATE_OPEN);
    CHECK(strstr(a.ss.text, "HelloRetryRequest") != NULL);
    CHECK(parley_session_resumed(a.s));
    CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_REJECTED);
    CHECK_EQ_INT(parley_early_data_status(a.c), PARLEY_EARLY_DATA_REJECTED);
    CHECK(strstr(a.ss.text, "early data rejected: HelloRetryRequest") != NULL);
    CHECK(strstr(a.ss.text, "early data record skipped") != NULL);
    CHECK(strstr(a.cs.text, "early data rejected: HelloRetryRequest") != NULL);
    CHECK_EQ_INT(a.r.early_len, 0);
    CHECK(data_flows(&a));
    end_attempt(&a);
    parley_session_free(session);
    parley_config_free(retry);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* 0-RTT keeps the session's ALPN protocol: a client that would not offer it does not try, and
 * a server that would now pick another protocol refuses. */
static void test_alpn(void)
{
    parley_config *sc = early_server(4096);
    CHECK(parley_config_set_alpn(sc, "h2,http/1.1") == PARLEY_OK);
    parley_config *cc = client_config(NULL);
    CHECK(parley_config_set_alpn(cc, "h2") == PARLEY_OK);
    parley_session *session = ticket_from(cc, sc);

    parley_config *other = client_config(NULL);
    CHECK(parley_config_set_alpn(other, "http/1.1") == PARLEY_OK);
    static attempt a;
    try_early(&a, other, sc, session, "x", 1);
    CHECK(a.write_rc == PARLEY_ERROR);
    CHECK(parley_state(a.c) == PARLEY_STATE_OPEN);
    end_attempt(&a);

    /* Offering h2 and http/1.1 while preferring http/1.1 itself, the server would switch. */
    parley_config *both = client_config(NULL);
    CHECK(parley_config_set_alpn(both, "http/1.1,h2") == PARLEY_OK);
    parley_config *sc2 = early_server(4096);
    CHECK(parley_config_set_alpn(sc2, "http/1.1,h2") == PARLEY_OK);
    const char *keys = ticket_key_file();
    parley_config *sc1 = early_server(4096);
    CHECK(parley_config_set_alpn(sc1, "h2,http/1.1") == PARLEY_OK);
    CHECK(parley_config_set_ticket_key_file(sc1, keys, 0) == PARLEY_OK);
    CHECK(parley_config_set_ticket_key_file(sc2, keys, 0) == PARLEY_OK);
    parley_session *h2 = ticket_from(cc, sc1);
    try_early(&a, both, sc2, h2, "x", 1);
    CHECK(a.write_rc == PARLEY_OK);
    CHECK(parley_state(a.c) == PARLEY_STATE_OPEN && parley_session_resumed(a.s));
    CHECK(strcmp(parley_alpn(a.s), "http/1.1") == 0);
    CHECK_EQ_INT(parley_early_data_status(a.s), PARLEY_EARLY_DATA_REJECTED);
    CHECK(strstr(a.ss.text, "another ALPN protocol") != NULL);
    CHECK_EQ_INT(a.r.early_len, 0);
    end_attempt(&a);
    /* The same ALPN: accepted. */
    try_early(&a, cc, sc, session, "h2!", 3);
    CHECK_EQ_INT(parley_early_data_status(a.c), PARLEY_EARLY_DATA_ACCEPTED);
    CHECK(strcmp(parley_alpn(a.c), "h2") == 0);
    end_attempt(&a);
    unlink(keys);
    parley_session_free(h2);
    parley_session_free(session);
    parley_config_free(sc1);
    parley_config_free(sc2);
    parley_config_free(both);
    parley_config_free(other);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* A server that answers 0-RTT with TLS 1.2 (a fleet member not yet on TLS 1.3): the client
 * fails the connection (RFC 8446 D.3) rather than go on with its data under a TLS 1.3 key. */
static void test_server_tls12(void)
{
    const char *keys = ticket_key_file();
    parley_config *sc = early_server(4096), *old = early_server(0);
    CHECK(parley_config_set_ticket_key_file(sc, keys, 0) == PARLEY_OK);
    CHECK(parley_config_set_ticket_key_file(old, keys, 0) == PARLEY_OK);
    CHECK(parley_config_set_versions(old, PARLEY_TLS1_2, PARLEY_TLS1_2) == PARLEY_OK);
    parley_config *cc = client_config(NULL);
    parley_session *session = ticket_from(cc, sc);
    static attempt a;
    try_early(&a, cc, old, session, "x", 1);
    CHECK(a.write_rc == PARLEY_OK);
    int sent;
    CHECK(parley_state(a.c) == PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_alert(a.c, &sent), 70); /* protocol_version */
    CHECK(strstr(parley_error_message(a.c), "early data") != NULL);
    end_attempt(&a);
    unlink(keys);
    parley_session_free(session);
    parley_config_free(cc);
    parley_config_free(old);
    parley_config_free(sc);
}

/* parley_write_early without a session that allows it: an error, nothing sent, and the
 * handshake it started completes in one round trip. A server is not a client. */
static void test_no_session(void)
{
    parley_config *sc = early_server(4096);
    parley_config *cc = client_config(NULL);
    parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn_set_server_name(c, "localhost");
    size_t w = 99;
    CHECK(parley_write_early(c, "x", 1, &w) == PARLEY_ERROR);
    CHECK_EQ_INT(w, 0);
    CHECK(parley_write_early(s, "x", 1, &w) == PARLEY_ERROR);
    pump(c, s);
    CHECK(parley_state(c) == PARLEY_STATE_OPEN);
    CHECK_EQ_INT(parley_early_data_status(c), PARLEY_EARLY_DATA_NONE);
    CHECK_EQ_INT(parley_early_data_status(s), PARLEY_EARLY_DATA_NONE);
    CHECK_EQ_INT(parley_early_data_status(NULL), PARLEY_EARLY_DATA_NONE);
    free_all(c, s, cc, sc);
}

/* The single-use store: a ticket once, a full bucket refuses, expired entries make room. */
static void test_replay_store(void)
{
    early_replay *r = early_replay_new(8); /* one bucket */
    uint8_t t[32] = {0};
    for (int i = 0; i < 8; i++) {
        t[0] = (uint8_t)i;
        CHECK_EQ_INT(early_replay_check(r, t, sizeof(t), 1000, 1000 + (i < 4 ? 10 : 100)),
                     EARLY_REPLAY_FRESH);
    }
    t[0] = 3;
    CHECK_EQ_INT(early_replay_check(r, t, sizeof(t), 1001, 2000), EARLY_REPLAY_SEEN);
    t[0] = 8;
    CHECK_EQ_INT(early_replay_check(r, t, sizeof(t), 1001, 2000), EARLY_REPLAY_FULL);
    CHECK_EQ_INT(early_replay_check(r, t, sizeof(t), 1001, 2000), EARLY_REPLAY_FULL);
    /* At 1010 the first four have expired. */
    CHECK_EQ_INT(early_replay_check(r, t, sizeof(t), 1010, 2000), EARLY_REPLAY_FRESH);
    CHECK_EQ_INT(early_replay_check(r, t, sizeof(t), 1011, 2000), EARLY_REPLAY_SEEN);
    t[0] = 3;
    CHECK_EQ_INT(early_replay_check(r, t, sizeof(t), 1011, 2000), EARLY_REPLAY_FRESH);
    t[0] = 7; /* still alive, behind expired and reused slots */
    CHECK_EQ_INT(early_replay_check(r, t, sizeof(t), 1011, 2000), EARLY_REPLAY_SEEN);
    early_replay_free(r);
}

/* Format 3 keeps max_early_data_size and the ALPN protocol; a format 2 session still loads,
 * without early data; other formats are refused. */
static void test_session_format(void)
{
    parley_session s;
    memset(&s, 0, sizeof(s));
    s.version = PARLEY_TLS1_3;
    s.suite = 0x1301;
    s.lifetime = 300;
    s.max_early_data = 16384;
    snprintf(s.alpn, sizeof(s.alpn), "h2");
    uint8_t ticket[40] = {1, 2, 3};
    s.ticket = ticket;
    s.ticket_len = sizeof(ticket);
    uint8_t buf[1024];
    size_t n = session_encode(&s, buf, sizeof(buf));
    CHECK(n > 0 && buf[2] == 3);
    parley_session back;
    CHECK(session_decode(buf, n, &back) == 0);
    CHECK_EQ_INT(back.max_early_data, 16384);
    CHECK(strcmp(back.alpn, "h2") == 0);
    CHECK_EQ_INT(back.ticket_len, sizeof(ticket));
    session_clear(&back);
    /* Format 2: the same without the last two fields. */
    size_t n2 = n - 4 - 1 - 2;
    buf[2] = 2;
    CHECK(session_decode(buf, n2, &back) == 0);
    CHECK_EQ_INT(back.max_early_data, 0);
    CHECK(back.alpn[0] == '\0');
    CHECK_EQ_INT(back.ticket_len, sizeof(ticket));
    session_clear(&back);
    parley_session *imported = parley_session_import(buf, n2);
    CHECK(imported != NULL);
    parley_session_free(imported);
    CHECK(session_decode(buf, n, &back) < 0); /* format 2 with trailing bytes */
    buf[2] = 4;
    CHECK(session_decode(buf, n, &back) < 0);
    buf[2] = 1;
    CHECK(session_decode(buf, n2, &back) < 0);
}

int main(void)
{
    if (pair_init() < 0)
        return 1;
    test_accepted_then_replayed();
    test_off_by_default();
    test_too_much();
    test_stale_age();
    test_hello_retry();
    test_alpn();
    test_server_tls12();
    test_no_session();
    test_replay_store();
    test_session_format();
    return check_summary("test_early_data");
}
