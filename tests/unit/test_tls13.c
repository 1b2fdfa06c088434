/*
 * TLS 1.3 end to end between a parley client and a parley server in memory: every suite with
 * RSA and ECDSA certificates, both HelloRetryRequest directions, client certificates, PSK
 * resumption from a ticket, KeyUpdate (asked for, and forced by the record limit), version
 * negotiation with TLS 1.2-only peers, and the failures RFC 8446 names an alert for: a tampered
 * Finished, a binder that does not verify, a retry that changes nothing, a hello without
 * key_share or PSK, an expired ticket.
 */
#include <string.h>
#include <unistd.h>

#include <parley.h>

#include "check.h"
#include "pair.h"

#include "engine/engine.h"
#include "handshake/keys13.h"
#include "handshake/messages.h"
#include "record/record.h"

static parley_config *server13(const char *cert)
{
    parley_config *sc = parley_config_new();
    CHECK(parley_config_set_versions(sc, PARLEY_TLS1_2, PARLEY_TLS1_3) == PARLEY_OK);
    char pem[64], key[64];
    snprintf(pem, sizeof(pem), "%s.pem", cert);
    snprintf(key, sizeof(key), "%s.key", cert);
    CHECK(parley_config_add_certificate(sc, cert_path(pem), cert_path(key)) == PARLEY_OK);
    return sc;
}

static parley_config *client13(void)
{
    parley_config *cc = client_config(NULL);
    CHECK(parley_config_set_versions(cc, PARLEY_TLS1_2, PARLEY_TLS1_3) == PARLEY_OK);
    return cc;
}

/* One connection: handshake, a message each way, and close_notify both ways. */
static int run(parley_config *cc, parley_config *sc, parley_session *session, parley_conn **out_c,
               parley_conn **out_s)
{
    parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn_set_server_name(c, "localhost");
    if (session)
        parley_conn_set_session(c, session);
    parley_handshake(c);
    pump(c, s);
    int ok = parley_state(c) == PARLEY_STATE_OPEN && parley_state(s) == PARLEY_STATE_OPEN;
    if (ok) {
        size_t w;
        uint8_t buf[64];
        size_t got = 0;
        parley_write(c, "ping", 4, &w);
        parley_take(c, buf, 0);
        uint8_t wire[4096];
        size_t n;
        while ((n = parley_take(c, wire, sizeof(wire))) > 0)
            parley_feed(s, wire, n);
        ok = parley_read(s, buf, sizeof(buf), &got) == PARLEY_OK && got == 4 &&
             memcmp(buf, "ping", 4) == 0;
        parley_write(s, "pong", 4, &w);
        while ((n = parley_take(s, wire, sizeof(wire))) > 0)
            parley_feed(c, wire, n);
        ok = ok && parley_read(c, buf, sizeof(buf), &got) == PARLEY_OK && got == 4 &&
             memcmp(buf, "pong", 4) == 0;
    } else {
        fprintf(stderr, "  client: %s\n  server: %s\n", parley_error_message(c),
                parley_error_message(s));
    }
    *out_c = c;
    *out_s = s;
    return ok;
}

static void test_suites_and_certificates(void)
{
    static const char *const suites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                         "TLS_CHACHA20_POLY1305_SHA256"};
    static const char *const certs[] = {"server-rsa", "server-ecdsa"};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 2; j++) {
            parley_config *sc = server13(certs[j]);
            parley_config *cc = client13();
            CHECK(parley_config_set_ciphers(cc, suites[i]) == PARLEY_OK);
            parley_conn *c, *s;
            CHECK(run(cc, sc, NULL, &c, &s));
            CHECK_EQ_INT(parley_version(c), PARLEY_TLS1_3);
            CHECK_EQ_INT(parley_version(s), PARLEY_TLS1_3);
            CHECK(strcmp(parley_cipher_suite_name(parley_cipher_suite(s)), suites[i]) == 0);
            CHECK_EQ_INT(parley_group(c), PARLEY_GROUP_X25519);
            CHECK(strstr(parley_peer_key(c), j == 0 ? "RSA" : "EC") != NULL);
            CHECK(parley_peer_authenticated(c));
            free_all(c, s, cc, sc);
        }
}

/* A client that speaks at most TLS 1.2 gets TLS 1.2 from a TLS 1.3 server, whose random says it
 * could have done better; a TLS 1.3 client gets TLS 1.2 from a TLS 1.2-only server. */
static void test_version_negotiation(void)
{
    parley_config *sc = server13("server-rsa");
    parley_config *cc = client_config(NULL);
    CHECK(parley_config_set_versions(cc, PARLEY_TLS1_2, PARLEY_TLS1_2) == PARLEY_OK);
    parley_conn *c, *s;
    CHECK(run(cc, sc, NULL, &c, &s));
    CHECK_EQ_INT(parley_version(c), PARLEY_TLS1_2);
    free_all(c, s, cc, sc);

    sc = server_config(NULL);
    CHECK(parley_config_set_versions(sc, PARLEY_TLS1_2, PARLEY_TLS1_2) == PARLEY_OK);
    cc = client13();
    CHECK(run(cc, sc, NULL, &c, &s));
    CHECK_EQ_INT(parley_version(c), PARLEY_TLS1_2);
    free_all(c, s, cc, sc);

    /* A server allowed TLS 1.3 but given only TLS 1.2 suites speaks TLS 1.2 and does not mark its
     * random as lowered: a TLS 1.3 client would otherwise refuse it as a downgrade. */
    sc = server13("server-rsa");
    CHECK(parley_config_set_ciphers(sc, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384") == PARLEY_OK);
    cc = client13();
    CHECK(run(cc, sc, NULL, &c, &s));
    CHECK_EQ_INT(parley_version(c), PARLEY_TLS1_2);
    free_all(c, s, cc, sc);

    /* A TLS 1.3-only client and a TLS 1.2-only server have nothing in common. */
    sc = server_config(NULL);
    CHECK(parley_config_set_versions(sc, PARLEY_TLS1_2, PARLEY_TLS1_2) == PARLEY_OK);
    cc = client_config(NULL);
    CHECK(parley_config_set_versions(cc, PARLEY_TLS1_3, PARLEY_TLS1_3) == PARLEY_OK);
    CHECK(!run(cc, sc, NULL, &c, &s));
    int sent;
    CHECK_EQ_INT(parley_error_alert(s, &sent), 70); /* protocol_version */
    free_all(c, s, cc, sc);
}

/* The client's steps, and whether a record after its first said other than TLS 1.2: RFC 8446
 * 5.1 allows TLS 1.0 in the initial ClientHello's record only. */
typedef struct client_trace {
    steps steps;
    size_t records;
    bool later_record_not_tls12;
} client_trace;

static void collect_client(const parley_trace_event *ev, void *arg)
{
    client_trace *t = arg;
    if (ev->kind == PARLEY_TRACE_RECORD && ev->outgoing && t->records++ > 0 &&
        ev->record_version != PARLEY_TLS1_2)
        t->later_record_not_tls12 = true;
    collect_steps(ev, &t->steps);
}

/* HelloRetryRequest both ways: the client's one share is not the server's first group. */
static void test_hello_retry(void)
{
    static const char *const server_groups[] = {"x25519,P-256", "P-256,x25519"};
    static const char *const client_shares[] = {"P-256", "x25519"};
    for (int i = 0; i < 2; i++) {
        parley_config *sc = server13("server-ecdsa");
        CHECK(parley_config_set_groups(sc, server_groups[i]) == PARLEY_OK);
        steps ss = {{0}};
        client_trace cs = {{{0}}, 0, false};
        parley_config_set_trace(sc, collect_steps, &ss);
        parley_config *cc = client13();
        CHECK(parley_config_set_key_shares(cc, client_shares[i]) == PARLEY_OK);
        parley_config_set_trace(cc, collect_client, &cs);
        parley_conn *c, *s;
        CHECK(run(cc, sc, NULL, &c, &s));
        CHECK_EQ_INT(parley_group(c), i == 0 ? PARLEY_GROUP_X25519 : PARLEY_GROUP_SECP256R1);
        CHECK(strstr(ss.text, "HelloRetryRequest") != NULL);
        CHECK(strstr(cs.steps.text, "server asks for another key share") != NULL);
        /* ClientHello, ChangeCipherSpec, ClientHello, Finished, ... */
        CHECK(cs.records > 3 && !cs.later_record_not_tls12);
        free_all(c, s, cc, sc);
    }
}

static void test_client_certificates(void)
{
    static const parley_client_auth modes[] = {PARLEY_CLIENT_AUTH_REQUIRED,
                                               PARLEY_CLIENT_AUTH_OPTIONAL};
    static const char *const chains[] = {"client-rsa", "client-ecdsa", NULL};
    for (int m = 0; m < 2; m++)
        for (int k = 0; k < 3; k++) {
            parley_config *sc = server13("server-rsa");
            CHECK(parley_config_set_client_ca_file(sc, cert_path("ca-bundle.pem"), 1) == PARLEY_OK);
            CHECK(parley_config_set_client_auth(sc, modes[m]) == PARLEY_OK);
            parley_config *cc = client13();
            if (chains[k]) {
                char pem[64], key[64];
                snprintf(pem, sizeof(pem), "%s.pem", chains[k]);
                snprintf(key, sizeof(key), "%s.key", chains[k]);
                CHECK(parley_config_add_certificate(cc, cert_path(pem), cert_path(key)) ==
                      PARLEY_OK);
            }
            parley_conn *c, *s;
            int ok = run(cc, sc, NULL, &c, &s);
            if (chains[k]) {
                CHECK(ok);
                CHECK(parley_peer_authenticated(s));
                CHECK(strstr(parley_peer_subject(s), chains[k]) != NULL ||
                      strstr(parley_peer_subject(s), "client") != NULL);
            } else if (modes[m] == PARLEY_CLIENT_AUTH_REQUIRED) {
                int sent;
                CHECK(!ok);
                CHECK_EQ_INT(parley_error_alert(s, &sent), 116); /* certificate_required */
                CHECK(sent);
            } else {
                CHECK(ok);
                CHECK(!parley_peer_authenticated(s));
            }
            free_all(c, s, cc, sc);
        }
}

/* Whether an outgoing ClientHello carried a pre_shared_key: *(int *)arg. */
static void note_psk_offer(const parley_trace_event *ev, void *arg)
{
    if (ev->kind != PARLEY_TRACE_MESSAGE || !ev->outgoing || strcmp(ev->name, "ClientHello") != 0)
        return;
    for (size_t i = 0; i < ev->field_count; i++)
        if (strcmp(ev->fields[i].name, "pre_shared_key") == 0)
            *(int *)arg = 1;
}

/* A client that speaks only TLS 1.3 checks a session before offering it, as any client does: one
 * made with another server name is not offered (its secret is that server's), a matching one is. */
static void test_tls13_only_client_checks_session(void)
{
    parley_config *sc = server13("server-rsa");
    parley_config *cc = client13();
    CHECK(parley_config_set_versions(cc, PARLEY_TLS1_3, PARLEY_TLS1_3) == PARLEY_OK);
    parley_conn *c, *s;
    CHECK(run(cc, sc, NULL, &c, &s));
    parley_session *session = parley_conn_get_session(c);
    CHECK(session != NULL);
    free_all(c, s, NULL, NULL);
    const char *names[] = {"a.parley.test", "localhost"};
    for (int i = 0; i < 2; i++) {
        c = parley_conn_new(cc, PARLEY_CLIENT);
        s = parley_conn_new(sc, PARLEY_SERVER);
        parley_conn_set_server_name(c, names[i]); /* both in the certificate's names */
        parley_conn_set_session(c, session);
        int offered = 0;
        parley_conn_set_trace(c, note_psk_offer, &offered);
        parley_handshake(c);
        pump(c, s);
        CHECK(parley_state(c) == PARLEY_STATE_OPEN);
        CHECK_EQ_INT(offered, i == 1);
        CHECK(parley_session_resumed(c) == (i == 1));
        free_all(c, s, NULL, NULL);
    }
    parley_session_free(session);
    free_all(NULL, NULL, cc, sc);
}

/* A ticket from the first connection resumes the second: no certificate, a fresh key share. */
static void test_resumption(void)
{
    parley_config *sc = server13("server-rsa");
    parley_config *cc = client13();
    parley_conn *c, *s;
    CHECK(run(cc, sc, NULL, &c, &s));
    CHECK(!parley_session_resumed(c));
    parley_session *session = parley_conn_get_session(c);
    CHECK(session != NULL);
    parley_conn_free(c);
    parley_conn_free(s);
    steps cs = {{0}};
    parley_config *cc2 = client13();
    parley_config_set_trace(cc2, collect_steps, &cs);
    CHECK(run(cc2, sc, session, &c, &s));
    CHECK(parley_session_resumed(c));
    CHECK(parley_session_resumed(s));
    CHECK(parley_peer_authenticated(c)); /* carried from the full handshake */
    CHECK(strstr(cs.text, "session resumed (PSK") != NULL);
    CHECK_EQ_INT(parley_version(c), PARLEY_TLS1_3);
    /* The resumed connection gets a ticket of its own. */
    parley_session *again = parley_conn_get_session(c);
    CHECK(again != NULL);
    parley_session_free(again);
    parley_session_free(session);
    parley_config_free(cc2);
    free_all(c, s, cc, sc);
}

/* KeyUpdate asked for by the client: both directions move to new keys and data still flows;
 * a record limit of 3 makes the server update on its own. */
static void test_key_update(void)
{
    parley_config *sc = server13("server-ecdsa");
    CHECK(parley_config_set_key_update_records(sc, 3) == PARLEY_OK);
    steps ss = {{0}}, cs = {{0}};
    parley_config_set_trace(sc, collect_steps, &ss);
    parley_config *cc = client13();
    parley_config_set_trace(cc, collect_steps, &cs);
    parley_conn *c, *s;
    CHECK(run(cc, sc, NULL, &c, &s));
    CHECK(parley_key_update(c, 1) == PARLEY_OK);
    pump(c, s);
    CHECK(strstr(cs.text, "write keys updated") != NULL);
    CHECK(strstr(ss.text, "read keys updated") != NULL);
    CHECK(strstr(ss.text, "write keys updated") != NULL); /* the answer the client asked for */
    CHECK(strstr(cs.text, "read keys updated") != NULL);
    for (int i = 0; i < 10; i++) {
        size_t w, got;
        uint8_t buf[16];
        CHECK(parley_write(s, "0123456789", 10, &w) == PARLEY_OK);
        pump(s, c);
        CHECK(parley_read(c, buf, sizeof(buf), &got) == PARLEY_OK && got == 10);
    }
    /* 10 records and a limit of 3: at least three updates of the server's own. */
    int updates = 0;
    for (const char *p = ss.text; (p = strstr(p, "write keys updated")) != NULL; p++)
        updates++;
    CHECK(updates >= 4);
    CHECK(parley_state(c) == PARLEY_STATE_OPEN && parley_state(s) == PARLEY_STATE_OPEN);
    CHECK(parley_key_update(c, 0) == PARLEY_OK);
    free_all(c, s, cc, sc);
}

/* A KeyUpdate's new secrets reach the key log as CLIENT/SERVER_TRAFFIC_SECRET_N (what Wireshark
 * needs to read on), identical on both sides. */
static void test_key_update_keylog(void)
{
    parley_config *sc = server13("server-ecdsa");
    parley_config *cc = client13();
    keylog_lines sk = {{0}}, ck = {{0}};
    parley_config_set_keylog(sc, collect_keylog, &sk);
    parley_config_set_keylog(cc, collect_keylog, &ck);
    parley_conn *c, *s;
    CHECK(run(cc, sc, NULL, &c, &s));
    CHECK(parley_key_update(c, 1) == PARLEY_OK); /* the server answers with its own */
    pump(c, s);
    CHECK(parley_key_update(c, 0) == PARLEY_OK);
    pump(c, s);
    const char *want[] = {"CLIENT_TRAFFIC_SECRET_1 ", "SERVER_TRAFFIC_SECRET_1 ",
                          "CLIENT_TRAFFIC_SECRET_2 "};
    for (size_t i = 0; i < 3; i++) {
        const char *a = strstr(ck.text, want[i]), *b = strstr(sk.text, want[i]);
        CHECK(a != NULL && b != NULL);
        if (a != NULL && b != NULL) /* label, client random, secret: the same line */
            CHECK(strncmp(a, b, strcspn(a, "\n")) == 0 && strcspn(a, "\n") == strcspn(b, "\n"));
    }
    CHECK(strstr(ck.text, "SERVER_TRAFFIC_SECRET_2") == NULL);
    free_all(c, s, cc, sc);
}

/* TLS 1.3's close_notify closes one direction (RFC 8446 6.1): the server answers after the
 * client's close_notify, then closes. Before 1.3 the same write is refused. */
static void test_half_close(void)
{
    for (int v = 0; v < 2; v++) {
        parley_config *sc = server13("server-ecdsa");
        parley_config *cc = client13();
        if (v == 1)
            CHECK(parley_config_set_versions(cc, PARLEY_TLS1_2, PARLEY_TLS1_2) == PARLEY_OK);
        parley_conn *c, *s;
        CHECK(run(cc, sc, NULL, &c, &s));
        size_t w, got;
        uint8_t buf[16];
        CHECK(parley_close(c) == PARLEY_OK);
        pump(c, s);
        CHECK(parley_read(s, buf, sizeof(buf), &got) == PARLEY_CLOSED);
        CHECK(parley_state(s) == PARLEY_STATE_CLOSED);
        if (v == 0) {
            CHECK(parley_write(s, "answer", 6, &w) == PARLEY_OK && w == 6);
            CHECK(parley_close(s) == PARLEY_OK);
            /* By hand, not pump(): pump drops application data it has to step over. */
            uint8_t wire[1024];
            size_t n = parley_take(s, wire, sizeof(wire)), used = parley_feed(c, wire, n);
            CHECK(parley_read(c, buf, sizeof(buf), &got) == PARLEY_OK && got == 6 &&
                  memcmp(buf, "answer", 6) == 0);
            parley_feed(c, wire + used, n - used);
            CHECK(parley_read(c, buf, sizeof(buf), &got) == PARLEY_CLOSED);
            CHECK(parley_write(s, "more", 4, &w) == PARLEY_ERROR); /* after our own close */
        } else {
            CHECK(parley_write(s, "answer", 6, &w) == PARLEY_ERROR);
        }
        free_all(c, s, cc, sc);
    }
}

/* ---- failures --------------------------------------------------------------------------- */

static char keylog_secret[256];

static void keep_server_hs_secret(const char *line, void *arg)
{
    (void)arg;
    if (strncmp(line, "SERVER_HANDSHAKE_TRAFFIC_SECRET ", 32) == 0)
        snprintf(keylog_secret, sizeof(keylog_secret), "%s", line + 32 + 65);
}

/* The server's Finished altered in flight by someone holding the handshake keys (the record
 * re-sealed, so only the Finished itself can tell): the client refuses with decrypt_error. */
static void test_tampered_finished(void)
{
    parley_config *sc = server13("server-ecdsa");
    parley_config_set_keylog(sc, keep_server_hs_secret, NULL);
    parley_config *cc = client13();
    CHECK(parley_config_set_ciphers(cc, "TLS_AES_128_GCM_SHA256") == PARLEY_OK);
    parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn_set_server_name(c, "localhost");
    parley_handshake(c);
    uint8_t buf[16384];
    size_t n = parley_take(c, buf, sizeof(buf));
    parley_feed(s, buf, n);
    n = parley_take(s, buf, sizeof(buf));
    /* ServerHello record, the dummy ChangeCipherSpec, then the protected flight. */
    size_t off = 0;
    uint8_t *flight = NULL;
    while (off + 5 <= n) {
        size_t len = (size_t)buf[off + 3] << 8 | buf[off + 4];
        if (buf[off] == CT_APPLICATION_DATA && flight == NULL)
            flight = buf + off;
        off += 5 + len;
    }
    CHECK(flight != NULL && keylog_secret[0] != '\0');
    uint8_t secret[32];
    CHECK_EQ_INT(check_hex(keylog_secret, secret, sizeof(secret)), 32);
    record_keys keys;
    CHECK(tls13_record_keys(CRYPTO_SHA256, CRYPTO_AES128_GCM, secret, &keys) == 0);
    record_state open = {0}, seal = {0};
    CHECK(record_state_install(&open, &keys, 0) == 0);
    CHECK(record_state_install(&seal, &keys, 1) == 0);
    size_t rec_len = 5 + ((size_t)flight[3] << 8 | flight[4]);
    uint8_t copy[16384];
    memcpy(copy, flight, rec_len);
    uint8_t *plain;
    size_t plain_len;
    CHECK(record_open(&open, copy, rec_len, &plain, &plain_len) == 0);
    /* The Finished ends the flight: its last byte is the verify_data's last. */
    CHECK(plain_len > 36 && plain[plain_len - 36] == HS_FINISHED);
    plain[plain_len - 1] ^= 0x01;
    uint8_t resealed[16384 + 300];
    size_t w = record_seal(&seal, CT_HANDSHAKE, 0x0303, plain, plain_len, resealed);
    CHECK(w == rec_len);
    memcpy(flight, resealed, w);
    parley_feed(c, buf, n);
    int sent;
    CHECK(parley_state(c) == PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_alert(c, &sent), 51); /* decrypt_error */
    CHECK(strstr(parley_error_message(c), "Finished does not verify") != NULL);
    record_state_clear(&open);
    record_state_clear(&seal);
    free_all(c, s, cc, sc);
}

/* A resumption hello with one bit of its binder flipped: decrypt_error from the server. */
static void test_bad_binder(void)
{
    parley_config *sc = server13("server-rsa");
    parley_config *cc = client13();
    parley_conn *c, *s;
    CHECK(run(cc, sc, NULL, &c, &s));
    parley_session *session = parley_conn_get_session(c);
    parley_conn_free(c);
    parley_conn_free(s);
    CHECK(session != NULL);
    c = parley_conn_new(cc, PARLEY_CLIENT);
    s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn_set_server_name(c, "localhost");
    parley_conn_set_session(c, session);
    parley_handshake(c);
    uint8_t buf[16384];
    size_t n = parley_take(c, buf, sizeof(buf));
    CHECK(n > 100);
    buf[n - 1] ^= 0x80; /* the binder is the hello's last bytes */
    parley_feed(s, buf, n);
    int sent;
    CHECK(parley_state(s) == PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_alert(s, &sent), 51);
    CHECK(strstr(parley_error_message(s), "binder") != NULL);
    parley_session_free(session);
    free_all(c, s, cc, sc);
}

/* Feeds a handshake message to conn as one plaintext record. */
static void feed_plain_message(parley_conn *conn, const uint8_t *msg, size_t len)
{
    uint8_t rec[4096];
    rec[0] = CT_HANDSHAKE;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = (uint8_t)(len >> 8);
    rec[4] = (uint8_t)len;
    memcpy(rec + 5, msg, len);
    parley_feed(conn, rec, 5 + len);
}

/* A HelloRetryRequest asking for the group the client already sent a share for changes
 * nothing: illegal_parameter. */
static void test_useless_retry(void)
{
    parley_config *cc = client13();
    CHECK(parley_config_set_key_shares(cc, "x25519") == PARLEY_OK);
    parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_handshake(c);
    uint8_t hello[4096];
    size_t n = parley_take(c, hello, sizeof(hello));
    hs_client_hello ch;
    CHECK(hs_parse_client_hello(hello + 5 + 4, n - 9, &ch) == 0);
    hs_server_hello hrr = {0};
    hrr.version = PARLEY_TLS1_2;
    memcpy(hrr.random, hs_hrr_random, 32);
    hrr.session_id = ch.session_id;
    hrr.cipher_suite = 0x1301;
    hrr.is_hrr = hrr.has_supported_version = hrr.has_key_share = true;
    hrr.selected_version = PARLEY_TLS1_3;
    hrr.key_share_group = PARLEY_GROUP_X25519;
    uint8_t msg[512];
    writer w;
    writer_init(&w, msg, sizeof(msg));
    CHECK(hs_write_server_hello(&w, &hrr) == 0);
    feed_plain_message(c, msg, w.len);
    int sent;
    CHECK(parley_state(c) == PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_alert(c, &sent), 47);
    CHECK(strstr(parley_error_message(c), "change nothing") != NULL);
    parley_conn_free(c);
    parley_config_free(cc);
}

/* A TLS 1.3 ClientHello with neither key_share nor pre_shared_key: missing_extension. */
static void test_hello_without_key_share(void)
{
    parley_config *sc = server13("server-rsa");
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
    static const uint8_t suites[] = {0x13, 0x01}, null_comp[] = {0}, versions[] = {0x03, 0x04};
    static const uint8_t groups[] = {0x00, 0x1d}, sigalgs[] = {0x08, 0x04};
    hs_client_hello ch = {0};
    ch.version = PARLEY_TLS1_2;
    ch.cipher_suites = (span){suites, 2};
    ch.compression_methods = (span){null_comp, 1};
    ch.has_supported_versions = ch.has_groups = ch.has_sig_algs = true;
    ch.supported_versions = (span){versions, 2};
    ch.groups = (span){groups, 2};
    ch.sig_algs = (span){sigalgs, 2};
    uint8_t msg[512];
    writer w;
    writer_init(&w, msg, sizeof(msg));
    CHECK(hs_write_client_hello(&w, &ch) == 0);
    feed_plain_message(s, msg, w.len);
    int sent;
    CHECK(parley_state(s) == PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_alert(s, &sent), 109);
    parley_conn_free(s);
    parley_config_free(sc);
}

/* A ticket past the lifetime its server gave it is not resumed: a full handshake, no alert. */
static void test_expired_ticket(void)
{
    parley_config *sc = server13("server-rsa");
    CHECK(parley_config_set_session_lifetime(sc, 1) == PARLEY_OK);
    parley_config *cc = client13();
    parley_conn *c, *s;
    CHECK(run(cc, sc, NULL, &c, &s));
    parley_session *session = parley_conn_get_session(c);
    CHECK(session != NULL);
    parley_conn_free(c);
    parley_conn_free(s);
    /* The client's copy is made to look young, so it is offered; the server's own view, sealed
     * in the ticket, says otherwise. */
    uint8_t bytes[8192];
    size_t len = parley_session_export(session, bytes, sizeof(bytes));
    CHECK(len > 20);
    bytes[16] = bytes[17] = 0;
    bytes[18] = 0x0e;
    bytes[19] = 0x10; /* lifetime 3600 s */
    parley_session_free(session);
    session = parley_session_import(bytes, len);
    CHECK(session != NULL);
    sleep(2);
    steps ss = {{0}};
    parley_config *cc2 = client13();
    parley_conn *c2 = parley_conn_new(cc2, PARLEY_CLIENT);
    parley_conn *s2 = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn_set_trace(s2, collect_steps, &ss);
    parley_conn_set_server_name(c2, "localhost");
    parley_conn_set_session(c2, session);
    parley_handshake(c2);
    pump(c2, s2);
    CHECK(parley_state(c2) == PARLEY_STATE_OPEN);
    CHECK(!parley_session_resumed(s2));
    CHECK(strstr(ss.text, "PSK identity 0") != NULL);
    parley_session_free(session);
    parley_conn_free(c2);
    parley_conn_free(s2);
    parley_config_free(cc2);
    free_all(NULL, NULL, cc, sc);
}

int main(void)
{
    if (pair_init() < 0)
        return 1;
    test_suites_and_certificates();
    test_version_negotiation();
    test_hello_retry();
    test_client_certificates();
    test_resumption();
    test_key_update();
    test_half_close();
    test_tls13_only_client_checks_session();
    test_key_update_keylog();
    test_tampered_finished();
    test_bad_binder();
    test_useless_retry();
    test_hello_without_key_share();
    test_expired_ticket();
    return check_summary("test_tls13");
}
