/*
 * Session resumption end to end in memory: session IDs and tickets, the rules that decide
 * whether a session may resume, sessions shared between servers (a cache or ticket keys), and
 * the client's session kept across a restart as bytes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pair.h"

/* These are TLS 1.0-1.2 resumption tests (session IDs, RFC 5077 tickets): every configuration
 * stops at TLS 1.2 unless a test says otherwise. TLS 1.3 resumption is test_tls13's. */
static inline parley_config *pin_tls12(parley_config *cfg)
{
    CHECK(parley_config_set_versions(cfg, PARLEY_TLS1_2, PARLEY_TLS1_2) == PARLEY_OK);
    return cfg;
}
#define server_config(suites) pin_tls12(server_config(suites))
#define client_config(suites) pin_tls12(client_config(suites))

/* What one connection showed. */
typedef struct outcome {
    bool open;
    int resumed_client, resumed_server;
    size_t certificates;    /* Certificate messages on the wire */
    size_t tickets;         /* NewSessionTicket messages */
    bool data_flows;        /* "ping" reached the server and "pong" the client */
    char server_peer[256];  /* the client subject the server saw */
    char client_error[256]; /* the client's error, if it failed */
    uint8_t sid[32];
    size_t sid_len;
    char steps[2048]; /* the traced steps of both sides, "; " between */
} outcome;

static size_t count_messages(const parley_trace_log *log, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        n += ev->kind == PARLEY_TRACE_MESSAGE && ev->outgoing && strcmp(ev->name, name) == 0;
    }
    return n;
}

/* Sends text from one side and checks the other reads exactly it (TLS 1.0 CBC splits it into
 * "p" and "ing" records, so it is read as it arrives). */
static bool send_text(parley_conn *from, parley_conn *to, const char *text)
{
    size_t n, len = strlen(text), have = 0;
    uint8_t wire[4096];
    char buf[16] = {0};
    if (parley_write(from, text, len, &n) != PARLEY_OK || n != len)
        return false;
    size_t got = parley_take(from, wire, sizeof(wire)), off = 0;
    while (off < got) {
        off += parley_feed(to, wire + off, got - off);
        while (have < len && parley_read(to, buf + have, sizeof(buf) - 1 - have, &n) == PARLEY_OK)
            have += n;
    }
    return strcmp(buf, text) == 0;
}

static bool exchange(parley_conn *c, parley_conn *s)
{
    return send_text(c, s, "ping") && send_text(s, c, "pong");
}

/* One connection from cc to sc for server name, offering offer (NULL: none, or what the client
 * cache holds). Returns the client's session afterwards (NULL if none). */
static parley_session *connect_once(parley_config *cc, parley_config *sc, const char *name,
                                    const parley_session *offer, outcome *o)
{
    memset(o, 0, sizeof(*o));
    parley_trace_log *log = parley_trace_log_new();
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
    CHECK(s != NULL && c != NULL);
    parley_conn_set_trace(s, parley_trace_log_add, log);
    parley_conn_set_trace(c, parley_trace_log_add, log);
    parley_conn_set_server_name(c, name);
    if (offer != NULL)
        CHECK(parley_conn_set_session(c, offer) == PARLEY_OK);
    parley_handshake(c);
    pump(c, s);
    o->open = parley_state(c) == PARLEY_STATE_OPEN && parley_state(s) == PARLEY_STATE_OPEN;
    o->resumed_client = parley_session_resumed(c);
    o->resumed_server = parley_session_resumed(s);
    o->certificates = count_messages(log, "Certificate");
    o->tickets = count_messages(log, "NewSessionTicket");
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        size_t used = strlen(o->steps);
        if (ev->kind == PARLEY_TRACE_STEP)
            snprintf(o->steps + used, sizeof(o->steps) - used, "%s; ", ev->name);
    }
    o->data_flows = o->open && exchange(c, s);
    snprintf(o->server_peer, sizeof(o->server_peer), "%s", parley_peer_subject(s));
    snprintf(o->client_error, sizeof(o->client_error), "%s", parley_error_message(c));
    uint8_t sid_c[32];
    o->sid_len = parley_session_id(s, o->sid);
    CHECK_EQ_INT(parley_session_id(c, sid_c), o->sid_len);
    CHECK_MEM(sid_c, o->sid, o->sid_len);
    parley_session *got = parley_conn_get_session(c);
    parley_conn_free(c);
    parley_conn_free(s);
    parley_trace_log_free(log);
    return got;
}

#define expect_full(o)    expect_full_at(o, __LINE__)
#define expect_resumed(o) expect_resumed_at(o, __LINE__)

static void expect_full_at(const outcome *o, int line)
{
    if (!o->open || !o->data_flows || o->resumed_client || o->resumed_server)
        fprintf(stderr, "line %d: expected a full handshake: %s\n", line, o->client_error);
    CHECK(o->open && o->data_flows);
    CHECK_EQ_INT(o->resumed_client, 0);
    CHECK_EQ_INT(o->resumed_server, 0);
    CHECK(o->certificates >= 1);
}

static void expect_resumed_at(const outcome *o, int line)
{
    if (!o->open || !o->data_flows || !o->resumed_client || !o->resumed_server)
        fprintf(stderr, "line %d: expected a resumed handshake: %s\n", line, o->client_error);
    CHECK(o->open && o->data_flows);
    CHECK_EQ_INT(o->resumed_client, 1);
    CHECK_EQ_INT(o->resumed_server, 1);
    CHECK_EQ_INT(o->certificates, 0); /* abbreviated: no certificate crossed the wire */
}

static parley_config *versions(parley_config *cfg, uint16_t max)
{
    CHECK(parley_config_set_versions(cfg, PARLEY_TLS1_0, max) == PARLEY_OK);
    return cfg;
}

/* By session ID (the client asks for no ticket), at every version, with the reference 000
 * suite among them. */
static void test_session_id(uint16_t version, const char *suite)
{
    parley_config *sc = versions(server_config(suite), PARLEY_TLS1_2);
    parley_config *cc = versions(client_config(suite), version);
    CHECK(parley_config_set_session_tickets(cc, 0) == PARLEY_OK);
    outcome first, second;
    parley_session *sess = connect_once(cc, sc, "localhost", NULL, &first);
    expect_full(&first);
    CHECK_EQ_INT(first.tickets, 0);
    CHECK(sess != NULL);
    parley_session *again = connect_once(cc, sc, "localhost", sess, &second);
    expect_resumed(&second);
    /* The ServerHello echoes the ID of the first session. */
    CHECK_EQ_INT(second.sid_len, 32);
    CHECK_MEM(second.sid, first.sid, 32);
    parley_session_free(again);
    parley_session_free(sess);
    parley_config_free(cc);
    parley_config_free(sc);
}

static const char *write_key_file(const char *name, const char *hex)
{
    static char path[2][256];
    static int next;
    char *p = path[next++ % 2];
    snprintf(p, 256, "/tmp/parley-test-%d-%s", (int)getpid(), name);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fprintf(f, "%s\n", hex);
        fclose(f);
    }
    return p;
}

/* By ticket, with no server-side cache at all: the ticket alone carries the session. */
static void test_ticket_stateless(void)
{
    parley_config *sc = server_config(NULL), *cc = client_config(NULL);
    CHECK(parley_config_set_session_cache(sc, NULL) == PARLEY_OK);
    outcome first, second, third;
    parley_session *sess = connect_once(cc, sc, "localhost", NULL, &first);
    expect_full(&first);
    CHECK_EQ_INT(first.tickets, 1);
    parley_session *renewed = connect_once(cc, sc, "localhost", sess, &second);
    expect_resumed(&second);
    CHECK_EQ_INT(second.tickets, 0); /* sealed under the current key: kept as it is */
    parley_session *last = connect_once(cc, sc, "localhost", renewed, &third);
    expect_resumed(&third);
    parley_session_free(last);
    parley_session_free(renewed);

    /* Keys that rotate every second: a ticket from an earlier period still opens, and is
     * renewed under the current key; the renewed one resumes too. */
    parley_config *rotating = server_config(NULL);
    const char *key = write_key_file("rot", "0123456789abcdef0123456789abcdef"
                                            "0123456789abcdef0123456789abcdef");
    CHECK(parley_config_set_ticket_key_file(rotating, key, 1) == PARLEY_OK);
    parley_session *old = connect_once(cc, rotating, "localhost", NULL, &first);
    sleep(2);
    renewed = connect_once(cc, rotating, "localhost", old, &second);
    expect_resumed(&second);
    CHECK_EQ_INT(second.tickets, 1);
    last = connect_once(cc, rotating, "localhost", renewed, &third);
    expect_resumed(&third);
    parley_session_free(last);
    parley_session_free(renewed);
    parley_session_free(old);
    parley_config_free(rotating);
    unlink(key);

    /* A ticket altered by one bit is refused and costs a full handshake, nothing more. */
    uint8_t bytes[8192];
    size_t n = parley_session_export(sess, bytes, sizeof(bytes));
    CHECK(n > 60 && n <= sizeof(bytes));
    bytes[n - 20] ^= 0x01; /* inside the ticket, which is last */
    parley_session *bent = parley_session_import(bytes, n);
    CHECK(bent != NULL);
    parley_session *fresh = connect_once(cc, sc, "localhost", bent, &second);
    expect_full(&second);
    parley_session_free(fresh);
    parley_session_free(bent);
    parley_session_free(sess);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* A fleet: server B resumes what server A issued, through shared ticket keys or a shared cache;
 * a server with other keys cannot. */
static void test_fleet(void)
{
    const char *k1 = write_key_file("k1", "00112233445566778899aabbccddeeff"
                                          "00112233445566778899aabbccddeeff");
    const char *k2 = write_key_file("k2", "ffeeddccbbaa99887766554433221100"
                                          "ffeeddccbbaa99887766554433221100");
    parley_config *a = server_config(NULL), *b = server_config(NULL), *other = server_config(NULL);
    CHECK(parley_config_set_ticket_key_file(a, k1, 0) == PARLEY_OK);
    CHECK(parley_config_set_ticket_key_file(b, k1, 0) == PARLEY_OK);
    CHECK(parley_config_set_ticket_key_file(other, k2, 0) == PARLEY_OK);
    parley_config *cc = client_config(NULL);
    outcome o;
    parley_session *sess = connect_once(cc, a, "localhost", NULL, &o);
    expect_full(&o);
    parley_session *s2 = connect_once(cc, b, "localhost", sess, &o);
    expect_resumed(&o);
    parley_session *s3 = connect_once(cc, other, "localhost", sess, &o);
    expect_full(&o);
    parley_session_free(s2);
    parley_session_free(s3);
    parley_session_free(sess);

    /* A shared cache and session IDs (what Redis gives a fleet). */
    parley_session_cache *shared = parley_session_cache_memory(100);
    parley_config *ca = server_config(NULL), *cb = server_config(NULL);
    CHECK(parley_config_set_session_cache(ca, shared) == PARLEY_OK);
    CHECK(parley_config_set_session_cache(cb, shared) == PARLEY_OK);
    parley_session_cache_free(shared); /* the configurations hold it */
    parley_config *noticket = client_config(NULL);
    CHECK(parley_config_set_session_tickets(noticket, 0) == PARLEY_OK);
    sess = connect_once(noticket, ca, "localhost", NULL, &o);
    expect_full(&o);
    s2 = connect_once(noticket, cb, "localhost", sess, &o);
    expect_resumed(&o);
    /* A server with its own cache does not know the ID: a full handshake and a new ID. */
    s3 = connect_once(noticket, a, "localhost", sess, &o);
    expect_full(&o);
    parley_session_free(s2);
    parley_session_free(s3);
    parley_session_free(sess);
    parley_config_free(ca);
    parley_config_free(cb);
    parley_config_free(noticket);

    parley_config *unused = parley_config_new();
    CHECK_EQ_INT(parley_config_set_ticket_key_file(unused, "/nonexistent", 0), PARLEY_ERROR);
    CHECK(strstr(parley_config_error(unused), "/nonexistent") != NULL);
    const char *bad = write_key_file("bad", "abcd");
    CHECK_EQ_INT(parley_config_set_ticket_key_file(unused, bad, 0), PARLEY_ERROR);
    CHECK(strstr(parley_config_error(unused), "64 hex digits") != NULL);
    parley_config_free(unused);
    unlink(k1);
    unlink(k2);
    unlink(bad);
    parley_config_free(a);
    parley_config_free(b);
    parley_config_free(other);
    parley_config_free(cc);
}

/* The rules: another server name, a suite or version the server no longer allows, an expired
 * session: each a clean full handshake. */
static void test_rules(void)
{
    parley_config *sc = versions(server_config(NULL), PARLEY_TLS1_2);
    parley_config *cc = versions(client_config(NULL), PARLEY_TLS1_2);
    CHECK(parley_config_set_session_tickets(cc, 0) == PARLEY_OK);
    outcome o;
    parley_session *sess = connect_once(cc, sc, "localhost", NULL, &o);
    expect_full(&o);

    /* The client offers a session only to the name it was made with... */
    parley_session *s2 = connect_once(cc, sc, "127.0.0.1", sess, &o);
    expect_full(&o);
    CHECK(strstr(o.steps, "session not resumed") == NULL); /* the server was not asked */
    parley_session_free(s2);
    /* ...and the server checks it too: the same session relabelled for another name. */
    uint8_t bytes[8192];
    size_t n = parley_session_export(sess, bytes, sizeof(bytes));
    uint8_t *name = NULL;
    for (size_t i = 0; name == NULL && i + 10 <= n; i++)
        if (memcmp(bytes + i, "\x09localhost", 10) == 0)
            name = bytes + i;
    CHECK(name != NULL);
    if (name)
        memcpy(name + 1, "127.0.0.1", 9);
    parley_session *relabelled = parley_session_import(bytes, n);
    s2 = connect_once(cc, sc, "127.0.0.1", relabelled, &o);
    expect_full(&o);
    CHECK(strstr(o.steps, "session not resumed (full handshake): it was made for server name") !=
          NULL);
    parley_session_free(s2);
    parley_session_free(relabelled);

    /* A session from a client that did not verify the server is not offered by one that does. */
    parley_config *insecure = client_config(NULL);
    CHECK(parley_config_set_verify(insecure, 0) == PARLEY_OK);
    parley_session *unverified = connect_once(insecure, sc, "localhost", NULL, &o);
    expect_full(&o);
    s2 = connect_once(cc, sc, "localhost", unverified, &o);
    expect_full(&o);
    parley_session_free(s2);
    parley_session_free(unverified);
    parley_config_free(insecure);

    /* The same cache behind a server that no longer enables the session's suite. */
    parley_session_cache *shared = parley_session_cache_memory(10);
    parley_config *s_a = server_config(NULL);
    parley_config *s_b = server_config("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    parley_config *s_old = versions(server_config(NULL), PARLEY_TLS1_2);
    CHECK(parley_config_set_versions(s_old, PARLEY_TLS1_0, PARLEY_TLS1_1) == PARLEY_OK);
    parley_config_set_session_cache(s_a, shared);
    parley_config_set_session_cache(s_b, shared);
    parley_config_set_session_cache(s_old, shared);
    parley_session *sa = connect_once(cc, s_a, "localhost", NULL, &o);
    expect_full(&o);
    s2 = connect_once(cc, s_b, "localhost", sa, &o);
    expect_full(&o);
    parley_session_free(s2);
    parley_config *cc_old = versions(client_config(NULL), PARLEY_TLS1_2);
    CHECK(parley_config_set_session_tickets(cc_old, 0) == PARLEY_OK);
    s2 = connect_once(cc_old, s_old, "localhost", sa, &o); /* made at 1.2, now 1.1 */
    expect_full(&o);
    parley_session_free(s2);
    parley_session_free(sa);

    /* Expiry (the clock counts whole seconds: 2 s is at least 1 s whatever the boundary). */
    parley_config *short_lived = server_config(NULL);
    CHECK(parley_config_set_session_lifetime(short_lived, 2) == PARLEY_OK);
    CHECK(parley_config_set_session_lifetime(cc, 0) == PARLEY_ERROR);
    parley_session *brief = connect_once(cc, short_lived, "localhost", NULL, &o);
    s2 = connect_once(cc, short_lived, "localhost", brief, &o);
    expect_resumed(&o);
    parley_session_free(s2);
    sleep(3);
    s2 = connect_once(cc, short_lived, "localhost", brief, &o);
    expect_full(&o);
    parley_session_free(s2);
    parley_session_free(brief);

    parley_session_cache_free(shared);
    parley_config_free(s_a);
    parley_config_free(s_b);
    parley_config_free(s_old);
    parley_config_free(short_lived);
    parley_config_free(cc_old);
    parley_session_free(sess);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* A connection that ends with a fatal alert takes its session with it. */
static void test_fatal_alert_forgets(void)
{
    parley_config *sc = server_config(NULL), *cc = client_config(NULL);
    CHECK(parley_config_set_session_tickets(cc, 0) == PARLEY_OK);
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER), *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn_set_server_name(c, "localhost");
    parley_handshake(c);
    pump(c, s);
    CHECK_EQ_INT(parley_state(s), PARLEY_STATE_OPEN);
    parley_session *sess = parley_conn_get_session(c);
    CHECK(sess != NULL);
    /* A record that does not authenticate: bad_record_mac, fatal. */
    static const uint8_t forged[] = {23, 3,  3,  0,  40, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                     11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                                     26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40};
    parley_feed(s, forged, sizeof(forged));
    CHECK_EQ_INT(parley_state(s), PARLEY_STATE_FAILED);
    pump(s, c); /* the client receives the alert */
    CHECK_EQ_INT(parley_state(c), PARLEY_STATE_FAILED);
    CHECK(parley_conn_get_session(c) == NULL);
    parley_conn_free(c);
    parley_conn_free(s);
    outcome o;
    parley_session *s2 = connect_once(cc, sc, "localhost", sess, &o);
    expect_full(&o);
    parley_session_free(s2);
    parley_session_free(sess);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* Client certificates: the identity carries over; a server requiring one does not resume a
 * session that had none. */
static void test_client_identity(void)
{
    parley_config *sc = server_config(NULL);
    CHECK(parley_config_set_client_auth(sc, PARLEY_CLIENT_AUTH_OPTIONAL) == PARLEY_OK);
    CHECK(parley_config_set_client_ca_file(sc, cert_path("ca-bundle.pem"), 1) == PARLEY_OK);
    parley_config *with = client_config(NULL), *without = client_config(NULL);
    CHECK(parley_config_add_certificate(with, cert_path("client-rsa.pem"),
                                        cert_path("client-rsa.key")) == PARLEY_OK);
    outcome o;
    parley_session *sess = connect_once(with, sc, "localhost", NULL, &o);
    expect_full(&o);
    char subject[256];
    snprintf(subject, sizeof(subject), "%s", o.server_peer);
    CHECK(subject[0] != '\0');
    parley_session *s2 = connect_once(with, sc, "localhost", sess, &o);
    expect_resumed(&o);
    CHECK(strcmp(o.server_peer, subject) == 0); /* restored from the session */
    parley_session_free(s2);
    parley_session_free(sess);

    /* A server that requires a certificate, sharing the cache: a session made without one
     * does not resume there, even offered by a client that has one. */
    parley_session_cache *shared = parley_session_cache_memory(10);
    parley_config *optional = server_config(NULL), *strict = server_config(NULL);
    CHECK(parley_config_set_client_auth(optional, PARLEY_CLIENT_AUTH_OPTIONAL) == PARLEY_OK);
    CHECK(parley_config_set_client_auth(strict, PARLEY_CLIENT_AUTH_REQUIRED) == PARLEY_OK);
    CHECK(parley_config_set_client_ca_file(optional, cert_path("ca-bundle.pem"), 1) == PARLEY_OK);
    CHECK(parley_config_set_client_ca_file(strict, cert_path("ca-bundle.pem"), 1) == PARLEY_OK);
    parley_config_set_session_cache(optional, shared);
    parley_config_set_session_cache(strict, shared);
    parley_session_cache_free(shared);
    CHECK(parley_config_set_session_tickets(without, 0) == PARLEY_OK);
    parley_session *anon = connect_once(without, optional, "localhost", NULL, &o);
    expect_full(&o);
    CHECK(o.server_peer[0] == '\0');
    s2 = connect_once(with, strict, "localhost", anon, &o);
    expect_full(&o);
    CHECK(strcmp(o.server_peer, subject) == 0);
    parley_session_free(s2);
    parley_config_free(optional);
    parley_session_free(anon);
    parley_config_free(strict);
    parley_config_free(with);
    parley_config_free(without);
    parley_config_free(sc);
}

/* The client's cache keeps sessions per key; bytes carry a session across a restart. */
static void test_client_cache_and_export(void)
{
    parley_config *sc = server_config(NULL), *cc = client_config(NULL);
    parley_session_cache *mine = parley_session_cache_memory(8);
    CHECK(parley_config_set_session_cache(cc, mine) == PARLEY_OK);
    parley_session_cache_free(mine);
    outcome o;
    parley_session_free(connect_once(cc, sc, "localhost", NULL, &o));
    expect_full(&o);
    parley_session *sess = connect_once(cc, sc, "localhost", NULL, &o);
    expect_resumed(&o); /* from the client's cache, with no session set by hand */

    uint8_t bytes[8192];
    size_t need = parley_session_export(sess, NULL, 0);
    CHECK(need > 0 && need <= sizeof(bytes));
    CHECK_EQ_INT(parley_session_export(sess, bytes, sizeof(bytes)), need);
    parley_session_free(sess);
    /* "A new process": a fresh client configuration, the session from bytes. */
    parley_config *restarted = client_config(NULL);
    parley_session *back = parley_session_import(bytes, need);
    CHECK(back != NULL);
    parley_session *s2 = connect_once(restarted, sc, "localhost", back, &o);
    expect_resumed(&o);
    parley_session_free(s2);
    parley_session_free(back);
    /* Bytes that are not a session. */
    CHECK(parley_session_import(bytes, need - 1) == NULL);
    CHECK(parley_session_import((const uint8_t *)"PS\x02", 3) == NULL);
    CHECK(parley_session_import(bytes, 0) == NULL);
    bytes[0] = 'X';
    CHECK(parley_session_import(bytes, need) == NULL);
    parley_config_free(restarted);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* The embedded cache alone: eviction of the least recently used, lifetime, removal. */
static void test_memory_cache(void)
{
    parley_session_cache *cache = parley_session_cache_memory(2);
    /* Reached through the public interface only, as an application's cache would be. */
    CHECK(cache != NULL);
    parley_config *sc = server_config(NULL), *cc = client_config(NULL);
    CHECK(parley_config_set_session_cache(sc, cache) == PARLEY_OK);
    CHECK(parley_config_set_session_tickets(cc, 0) == PARLEY_OK);
    outcome o;
    parley_session *one = connect_once(cc, sc, "localhost", NULL, &o);
    parley_session *two = connect_once(cc, sc, "localhost", NULL, &o);
    parley_session *again = connect_once(cc, sc, "localhost", one, &o); /* one is now recent */
    expect_resumed(&o);
    parley_session_free(again);
    parley_session *three = connect_once(cc, sc, "localhost", NULL, &o); /* evicts two */
    again = connect_once(cc, sc, "localhost", one, &o);
    expect_resumed(&o);
    parley_session_free(again);
    again = connect_once(cc, sc, "localhost", two, &o);
    expect_full(&o);
    parley_session_free(again);
    parley_session_free(one);
    parley_session_free(two);
    parley_session_free(three);
    parley_session_cache_free(cache);
    parley_config_free(cc);
    parley_config_free(sc);
}

int main(void)
{
    if (pair_init() < 0)
        return 1;
    test_session_id(PARLEY_TLS1_2, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    test_session_id(PARLEY_TLS1_1, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
    test_session_id(PARLEY_TLS1_0, "TLS_RSA_WITH_RC4_128_SHA");
    test_session_id(PARLEY_TLS1_0, "TLS_RSA_WITH_AES_128_CBC_SHA");
    test_ticket_stateless();
    test_fleet();
    test_rules();
    test_fatal_alert_forgets();
    test_client_identity();
    test_client_cache_and_export();
    test_memory_cache();
    return check_summary("test_resume");
}
