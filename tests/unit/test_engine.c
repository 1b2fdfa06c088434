/*
 * The engine end to end in memory: a parley client and a parley server connected through
 * parley_take/parley_feed, for every suite, plus the ways a handshake must fail.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "check.h"
#include "pair.h"

/* Handshake at version (both sides allow TLS 1.0 up to it), then a message each way, then
 * close_notify both ways. A legacy suite is named on the server too: never on by default. */
static void run_suite_at(const char *suite, const char *group, uint16_t version, bool legacy)
{
    parley_config *scfg = server_config(NULL);
    parley_config *ccfg = client_config(suite);
    if (group)
        CHECK(parley_config_set_groups(ccfg, group) == PARLEY_OK);
    if (version != PARLEY_TLS1_2) {
        CHECK(parley_config_set_versions(scfg, PARLEY_TLS1_0, PARLEY_TLS1_2) == PARLEY_OK);
        CHECK(parley_config_set_versions(ccfg, PARLEY_TLS1_0, version) == PARLEY_OK);
    }
    if (legacy)
        CHECK(parley_config_set_ciphers(scfg, suite) == PARLEY_OK);
    parley_conn *s = parley_conn_new(scfg, PARLEY_SERVER);
    parley_conn *c = parley_conn_new(ccfg, PARLEY_CLIENT);
    CHECK(s != NULL && c != NULL);
    CHECK(parley_conn_set_server_name(c, "localhost") == PARLEY_OK);
    CHECK_EQ_INT(parley_handshake(c), PARLEY_WANT_READ);
    pump(c, s);
    if (parley_state(c) != PARLEY_STATE_OPEN || parley_state(s) != PARLEY_STATE_OPEN)
        fprintf(stderr, "%s: client: %s / server: %s\n", suite, parley_error_message(c),
                parley_error_message(s));
    CHECK_EQ_INT(parley_state(c), PARLEY_STATE_OPEN);
    CHECK_EQ_INT(parley_state(s), PARLEY_STATE_OPEN);
    CHECK_EQ_INT(parley_version(c), version);
    CHECK_EQ_INT(parley_version(s), version);
    const char *name = parley_cipher_suite_name(parley_cipher_suite(c));
    CHECK(name != NULL && strcmp(name, suite) == 0);
    CHECK_EQ_INT(parley_cipher_suite(s), parley_cipher_suite(c));
    CHECK(strcmp(parley_server_name(s), "localhost") == 0);
    CHECK(strstr(parley_peer_subject(c), "localhost") != NULL);

    /* 40000 bytes client -> server crosses record boundaries. */
    static uint8_t msg[40000], got[40000];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    size_t written;
    CHECK(parley_write(c, msg, sizeof(msg), &written) == PARLEY_OK && written == sizeof(msg));
    uint8_t buf[20000];
    size_t n = 0;
    while (n < sizeof(got)) {
        size_t take = parley_take(c, buf, sizeof(buf));
        if (take == 0)
            break;
        size_t off = 0;
        while (off < take) {
            off += parley_feed(s, buf + off, take - off);
            size_t r;
            while (parley_read(s, got + n, sizeof(got) - n, &r) == PARLEY_OK)
                n += r;
        }
    }
    CHECK_EQ_INT(n, sizeof(msg));
    CHECK_MEM(got, msg, sizeof(msg));

    /* Server -> client, then close_notify each way. */
    CHECK(parley_write(s, "pong", 4, &written) == PARLEY_OK && written == 4);
    CHECK(parley_close(s) == PARLEY_OK);
    size_t take = parley_take(s, buf, sizeof(buf));
    size_t off = 0, r = 0;
    char text[8] = {0};
    while (off < take) {
        off += parley_feed(c, buf + off, take - off);
        size_t rr;
        while (parley_read(c, text + r, sizeof(text) - 1 - r, &rr) == PARLEY_OK)
            r += rr;
    }
    CHECK(strcmp(text, "pong") == 0);
    CHECK_EQ_INT(parley_read(c, text, sizeof(text), &r), PARLEY_CLOSED);
    CHECK_EQ_INT(parley_state(c), PARLEY_STATE_CLOSED);

    parley_conn_free(c);
    parley_conn_free(s);
    parley_config_free(ccfg);
    parley_config_free(scfg);
}

static void run_suite(const char *suite, const char *group)
{
    run_suite_at(suite, group, PARLEY_TLS1_2, false);
}

/* Feeds raw bytes to a fresh server and returns the alert it sends back (-1 if none). */
static int server_alert_for(const uint8_t *bytes, size_t len, char *why, size_t why_len)
{
    parley_config *scfg = server_config(NULL);
    parley_conn *s = parley_conn_new(scfg, PARLEY_SERVER);
    parley_handshake(s);
    parley_feed(s, bytes, len);
    uint8_t out[16384];
    size_t n = parley_take(s, out, sizeof(out));
    int alert = -1;
    /* Find the alert record in what the server sent. */
    for (size_t off = 0; off + 5 <= n;) {
        size_t rl = (size_t)out[off + 3] << 8 | out[off + 4];
        if (out[off] == 21 && rl == 2 && off + 7 <= n)
            alert = out[off + 6];
        off += 5 + rl;
    }
    snprintf(why, why_len, "%s", parley_error_message(s));
    CHECK_EQ_INT(parley_state(s), PARLEY_STATE_FAILED);
    parley_conn_free(s);
    parley_config_free(scfg);
    return alert;
}

/* A client's first flight, captured from a real parley client speaking at most TLS 1.2 (in
 * TLS 1.3 an early ChangeCipherSpec is the compatibility mode's, and dropped: test_tls13). */
static size_t client_hello_bytes(uint8_t *out, size_t cap)
{
    parley_config *ccfg = client_config(NULL);
    CHECK(parley_config_set_versions(ccfg, PARLEY_TLS1_2, PARLEY_TLS1_2) == PARLEY_OK);
    parley_conn *c = parley_conn_new(ccfg, PARLEY_CLIENT);
    parley_conn_set_server_name(c, "localhost");
    parley_handshake(c);
    size_t n = parley_take(c, out, cap);
    parley_conn_free(c);
    parley_config_free(ccfg);
    return n;
}

static void test_failures(void)
{
    char why[256];
    uint8_t hello[4096];
    size_t hello_len = client_hello_bytes(hello, sizeof(hello));
    CHECK(hello_len > 50);

    /* Garbage that is not TLS at all. */
    const char *garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    int alert = server_alert_for((const uint8_t *)garbage, strlen(garbage), why, sizeof(why));
    CHECK(alert == 10 || alert == 70);
    CHECK(strstr(why, "not TLS") != NULL);

    /* An early ChangeCipherSpec right after the ClientHello. */
    uint8_t early[4200];
    memcpy(early, hello, hello_len);
    static const uint8_t ccs[6] = {20, 3, 3, 0, 1, 1};
    memcpy(early + hello_len, ccs, sizeof(ccs));
    alert = server_alert_for(early, hello_len + sizeof(ccs), why, sizeof(why));
    CHECK_EQ_INT(alert, 10);
    CHECK(strstr(why, "ChangeCipherSpec") != NULL);

    /* A ChangeCipherSpec instead of the ClientHello. */
    alert = server_alert_for(ccs, sizeof(ccs), why, sizeof(why));
    CHECK_EQ_INT(alert, 10);

    /* A ClientHello with its body cut short but a consistent record length. */
    uint8_t cut[4096];
    memcpy(cut, hello, hello_len);
    size_t body = hello_len - 5 - 20;
    cut[3] = (uint8_t)(body >> 8);
    cut[4] = (uint8_t)body;
    cut[6] = 0;
    cut[7] = (uint8_t)((body - 4 + 10) >> 8); /* claims more than the record holds */
    cut[8] = (uint8_t)(body - 4 + 10);
    parley_config *scfg = server_config(NULL);
    parley_conn *s = parley_conn_new(scfg, PARLEY_SERVER);
    parley_handshake(s);
    parley_feed(s, cut, 5 + body);
    CHECK_EQ_INT(parley_state(s), PARLEY_STATE_HANDSHAKING); /* waits for the rest */
    parley_feed_eof(s);
    CHECK_EQ_INT(parley_state(s), PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_code(s), PARLEY_E_EOF);
    parley_conn_free(s);
    parley_config_free(scfg);

    /* A record over the 2^14 limit before encryption. */
    static const uint8_t huge[5] = {22, 3, 1, 0x40, 0x01};
    alert = server_alert_for(huge, sizeof(huge), why, sizeof(why));
    CHECK_EQ_INT(alert, 22);

    /* No suite in common. */
    parley_config *sc = server_config("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    parley_config *cc = client_config("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    parley_conn *server = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn *client = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn_set_server_name(client, "localhost");
    parley_handshake(client);
    pump(client, server);
    CHECK_EQ_INT(parley_state(server), PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_state(client), PARLEY_STATE_FAILED);
    int sent = -1;
    CHECK_EQ_INT(parley_error_alert(server, &sent), 40);
    CHECK_EQ_INT(sent, 1);
    CHECK_EQ_INT(parley_error_alert(client, &sent), 40);
    CHECK_EQ_INT(sent, 0);
    CHECK(strstr(parley_error_message(server), "no cipher suite in common") != NULL);
    CHECK(strstr(parley_error_message(client), "handshake_failure") != NULL);
    parley_conn_free(server);
    parley_conn_free(client);
    parley_config_free(sc);
    parley_config_free(cc);

    /* Wrong name: the client refuses and says which names did not match. */
    sc = server_config(NULL);
    cc = client_config(NULL);
    server = parley_conn_new(sc, PARLEY_SERVER);
    client = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn_set_server_name(client, "api.example.com");
    parley_handshake(client);
    pump(client, server);
    CHECK_EQ_INT(parley_state(client), PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_code(client), PARLEY_E_CERT);
    CHECK(strstr(parley_error_message(client), "api.example.com") != NULL);
    CHECK_EQ_INT(parley_error_alert(server, &sent), 42);
    parley_conn_free(server);
    parley_conn_free(client);
    parley_config_free(cc);

    /* The same name with verification explicitly off connects. */
    cc = client_config(NULL);
    CHECK(parley_config_set_verify(cc, 0) == PARLEY_OK);
    server = parley_conn_new(sc, PARLEY_SERVER);
    client = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn_set_server_name(client, "api.example.com");
    parley_handshake(client);
    pump(client, server);
    CHECK_EQ_INT(parley_state(client), PARLEY_STATE_OPEN);
    parley_conn_free(server);
    parley_conn_free(client);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* A flipped bit in the client's encrypted Finished must fail the handshake with
 * bad_record_mac, never complete it. */
static void test_tampered_finished(void)
{
    parley_config *sc = server_config(NULL);
    parley_config *cc = client_config("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn_set_server_name(c, "localhost");
    uint8_t buf[16384];
    parley_handshake(c);
    size_t n = parley_take(c, buf, sizeof(buf));
    parley_handshake(s);
    parley_feed(s, buf, n);
    n = parley_take(s, buf, sizeof(buf));
    parley_feed(c, buf, n);
    n = parley_take(c, buf, sizeof(buf)); /* ClientKeyExchange, CCS, Finished */
    buf[n - 1] ^= 1;                      /* inside the Finished record's tag */
    parley_feed(s, buf, n);
    CHECK_EQ_INT(parley_state(s), PARLEY_STATE_FAILED);
    int sent;
    CHECK_EQ_INT(parley_error_alert(s, &sent), 20);
    parley_conn_free(s);
    parley_conn_free(c);
    parley_config_free(sc);
    parley_config_free(cc);
}

/* Two connected connections from the two configurations, the handshake pumped to its end. */
static void connect_pair(parley_config *cc, parley_config *sc, parley_conn **c, parley_conn **s)
{
    *s = parley_conn_new(sc, PARLEY_SERVER);
    *c = parley_conn_new(cc, PARLEY_CLIENT);
    CHECK(*s != NULL && *c != NULL);
    parley_conn_set_server_name(*c, "localhost");
    parley_handshake(*c);
    pump(*c, *s);
}

static parley_config *versions(parley_config *cfg, uint16_t min, uint16_t max)
{
    CHECK(parley_config_set_versions(cfg, min, max) == PARLEY_OK);
    return cfg;
}

/* Expects the handshake to have failed with alert, sent by sender, and the sender's message to
 * contain text. */
static void expect_refusal(parley_conn *sender, parley_conn *receiver, int alert, const char *text)
{
    int sent = -1;
    CHECK_EQ_INT(parley_state(sender), PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_state(receiver), PARLEY_STATE_FAILED);
    CHECK_EQ_INT(parley_error_alert(sender, &sent), alert);
    CHECK_EQ_INT(sent, 1);
    CHECK_EQ_INT(parley_error_alert(receiver, &sent), alert);
    CHECK_EQ_INT(sent, 0);
    if (strstr(parley_error_message(sender), text) == NULL) {
        fprintf(stderr, "expected \"%s\" in: %s\n", text, parley_error_message(sender));
        CHECK(0);
    }
}

/* ALPN names are capped at 63 bytes (the selected one lives in every connection), with a
 * sentence saying so rather than a silent truncation. */
static void test_alpn_name_cap(void)
{
    parley_config *cfg = parley_config_new();
    char name[80];
    memset(name, 'a', 64);
    name[64] = '\0';
    CHECK_EQ_INT(parley_config_set_alpn(cfg, name), PARLEY_ERROR);
    CHECK(strstr(parley_config_error(cfg), "longer than 63 bytes") != NULL);
    name[63] = '\0';
    CHECK_EQ_INT(parley_config_set_alpn(cfg, name), PARLEY_OK);
    parley_config_free(cfg);
}

/* TLS 1.0/1.1 and the legacy suites are off unless configured; ranges are honoured or refused,
 * never narrowed. */
static void test_legacy_defaults(void)
{
    parley_config *cfg = parley_config_new();
    CHECK(parley_config_set_versions(cfg, PARLEY_TLS1_2, PARLEY_TLS1_3) == PARLEY_OK);
    CHECK(parley_config_set_versions(cfg, PARLEY_TLS1_3, 0x0305) == PARLEY_ERROR);
    CHECK(parley_config_set_versions(cfg, 0x0300, PARLEY_TLS1_2) == PARLEY_ERROR);
    CHECK(strstr(parley_config_error(cfg), "SSL 3.0") != NULL);
    parley_config_free(cfg);

    /* A default server refuses a TLS 1.0/1.1 client. */
    parley_config *sc = server_config(NULL);
    parley_config *cc = versions(client_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_1);
    parley_conn *c, *s;
    connect_pair(cc, sc, &c, &s);
    expect_refusal(s, c, 70, "requires TLSv1.2 or newer");
    free_all(c, s, cc, sc);

    /* A default client offers TLS 1.2 and 1.3 in supported_versions: a server that stops at
     * TLS 1.1 finds nothing in common there. */
    sc = versions(server_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_1);
    cc = client_config(NULL);
    connect_pair(cc, sc, &c, &s);
    expect_refusal(s, c, 70, "no version in common");
    free_all(c, s, cc, sc);

    /* Without supported_versions (a client at most TLS 1.2) the server picks TLS 1.1 from
     * legacy_version, and the client refuses it. */
    sc = versions(server_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_1);
    cc = versions(client_config(NULL), PARLEY_TLS1_2, PARLEY_TLS1_2);
    connect_pair(cc, sc, &c, &s);
    expect_refusal(c, s, 70, "outside the allowed range");
    free_all(c, s, cc, sc);

    /* The default suite list has no RC4 or 3DES: a server offering only those finds nothing. */
    sc = versions(server_config("TLS_RSA_WITH_RC4_128_SHA,TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
                  PARLEY_TLS1_0, PARLEY_TLS1_2);
    cc = versions(client_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_2);
    connect_pair(cc, sc, &c, &s);
    expect_refusal(s, c, 40, "no cipher suite in common");
    free_all(c, s, cc, sc);
}

/* RFC 7507: a fallback retry is refused by a server that could have done better. */
static void test_fallback_scsv(void)
{
    parley_config *sc = versions(server_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_2);
    parley_config *cc = versions(client_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_1);
    CHECK(parley_config_set_fallback_scsv(cc, 1) == PARLEY_OK);
    parley_conn *c, *s;
    connect_pair(cc, sc, &c, &s);
    expect_refusal(s, c, 86, "TLS_FALLBACK_SCSV");
    parley_conn_free(c);
    parley_conn_free(s);
    parley_config_free(sc);

    /* A server whose maximum is what the client offers sees no downgrade. */
    sc = versions(server_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_1);
    connect_pair(cc, sc, &c, &s);
    CHECK_EQ_INT(parley_state(c), PARLEY_STATE_OPEN);
    CHECK_EQ_INT(parley_version(c), PARLEY_TLS1_1);
    free_all(c, s, cc, sc);
}

static const uint8_t downgrade_tls11[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 0};

/* The ServerHello's random ends with the sentinel exactly when the server could have spoken
 * TLS 1.2 and negotiated less; a client that offered TLS 1.2 and sees it aborts. */
static void test_downgrade_sentinel(void)
{
    uint8_t buf[16384];
    for (int server_max = PARLEY_TLS1_1; server_max <= PARLEY_TLS1_2; server_max++) {
        parley_config *sc = versions(server_config(NULL), PARLEY_TLS1_0, (uint16_t)server_max);
        parley_config *cc = versions(client_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_1);
        parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
        parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
        parley_handshake(c);
        size_t n = parley_take(c, buf, sizeof(buf));
        parley_feed(s, buf, n);
        n = parley_take(s, buf, sizeof(buf));
        /* record header 5, handshake header 4, version 2, then the random */
        CHECK(n > 43 && buf[5] == 2);
        CHECK_EQ_INT(memcmp(buf + 11 + 24, downgrade_tls11, 8) == 0, server_max == PARLEY_TLS1_2);
        free_all(c, s, cc, sc);
    }

    /* An attacker rewrites the client's offer from TLS 1.2 to 1.1 on the way: the server answers
     * TLS 1.1 with the sentinel, and the client stops at the ServerHello. */
    parley_config *sc = versions(server_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_2);
    parley_config *cc = versions(client_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_2);
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_handshake(c);
    size_t n = parley_take(c, buf, sizeof(buf));
    CHECK(buf[9] == 3 && buf[10] == 3);
    buf[10] = 2;
    parley_feed(s, buf, n);
    n = parley_take(s, buf, sizeof(buf));
    parley_feed(c, buf, n);
    CHECK_EQ_INT(parley_state(c), PARLEY_STATE_FAILED);
    int sent;
    CHECK_EQ_INT(parley_error_alert(c, &sent), 47);
    CHECK(strstr(parley_error_message(c), "downgrade sentinel") != NULL);
    free_all(c, s, cc, sc);
}

/* TLS 1.0 CBC sends application data as a 1-byte record and then the rest; TLS 1.1 does not
 * need to. The peer reassembles either way (run_suite_at checks the bytes). */
static void test_one_n_minus_one_split(void)
{
    for (int version = PARLEY_TLS1_0; version <= PARLEY_TLS1_1; version++) {
        const char *suite = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
        parley_config *sc = versions(server_config(suite), PARLEY_TLS1_0, PARLEY_TLS1_2);
        parley_config *cc = versions(client_config(suite), PARLEY_TLS1_0, (uint16_t)version);
        parley_conn *c, *s;
        connect_pair(cc, sc, &c, &s);
        CHECK_EQ_INT(parley_state(c), PARLEY_STATE_OPEN);
        size_t written;
        CHECK(parley_write(c, "0123456789", 10, &written) == PARLEY_OK && written == 10);
        uint8_t buf[512];
        size_t n = parley_take(c, buf, sizeof(buf)), records = 0, first_len = 0;
        for (size_t off = 0; off + 5 <= n; records++) {
            size_t len = (size_t)buf[off + 3] << 8 | buf[off + 4];
            CHECK_EQ_INT(buf[off], 23);
            if (records == 0)
                first_len = len;
            off += 5 + len;
        }
        /* TLS 1.0: 1 byte + 20 MAC + padding = 32; then 9 + 20 + padding = 32. TLS 1.1: one
         * record with a 16-byte IV and 10 + 20 + padding = 32. */
        CHECK_EQ_INT(records, version == PARLEY_TLS1_0 ? 2 : 1);
        CHECK_EQ_INT(first_len, version == PARLEY_TLS1_0 ? 32 : 48);
        size_t off = 0, got = 0, r;
        char text[16] = {0};
        while (off < n) {
            off += parley_feed(s, buf + off, n - off);
            while (parley_read(s, text + got, sizeof(text) - 1 - got, &r) == PARLEY_OK)
                got += r;
        }
        CHECK(strcmp(text, "0123456789") == 0);
        free_all(c, s, cc, sc);
    }
}

/* A server asking for client certificates (mode), with the test CA as the client CA. */
static parley_config *auth_server(parley_client_auth mode)
{
    parley_config *sc = versions(server_config(NULL), PARLEY_TLS1_0, PARLEY_TLS1_2);
    CHECK(parley_config_set_client_ca_file(sc, cert_path("ca-bundle.pem"), 1) == PARLEY_OK);
    CHECK(parley_config_set_client_auth(sc, mode) == PARLEY_OK);
    return sc;
}

/* A client at version with the named chain (NULL: none). */
static parley_config *auth_client(uint16_t version, const char *chain, const char *key)
{
    parley_config *cc = versions(client_config(NULL), PARLEY_TLS1_0, version);
    if (chain)
        CHECK(parley_config_add_certificate(cc, cert_path(chain), cert_path(key)) == PARLEY_OK);
    return cc;
}

static void test_client_auth_accepted(void)
{
    static const char *const chains[][2] = {{"client-rsa.pem", "client-rsa.key"},
                                            {"client-ecdsa.pem", "client-ecdsa.key"}};
    for (uint16_t v = PARLEY_TLS1_0; v <= PARLEY_TLS1_2; v++) {
        for (size_t i = 0; i < 2; i++) {
            parley_config *sc = auth_server(PARLEY_CLIENT_AUTH_REQUIRED);
            CHECK(parley_config_set_keep_peer_chain(sc, 1) == PARLEY_OK);
            parley_config *cc = auth_client(v, chains[i][0], chains[i][1]);
            parley_conn *c, *s;
            connect_pair(cc, sc, &c, &s);
            CHECK_EQ_INT(parley_state(s), PARLEY_STATE_OPEN);
            CHECK_EQ_INT(parley_version(s), v);
            CHECK_EQ_INT(parley_peer_authenticated(s), 1);
            CHECK(strstr(parley_peer_subject(s), "parley client") != NULL);
            CHECK(strncmp(parley_peer_key(s), i == 0 ? "RSA" : "EC", 2) == 0);
            CHECK_EQ_INT(parley_peer_certificate_count(s), 2); /* leaf and intermediate */
            size_t len = 0;
            CHECK(parley_peer_certificate(s, 0, &len) != NULL && len > 100);
            CHECK(parley_peer_certificate(s, 2, &len) == NULL);
            free_all(c, s, cc, sc);
        }
    }
}

/* A client whose certificate does not fit sends an empty Certificate: the optional server
 * connects it unauthenticated; the requiring one refuses. */
static void test_client_auth_missing(void)
{
    parley_config *sc = auth_server(PARLEY_CLIENT_AUTH_OPTIONAL);
    parley_config *cc = auth_client(PARLEY_TLS1_2, NULL, NULL);
    parley_conn *c, *s;
    connect_pair(cc, sc, &c, &s);
    CHECK_EQ_INT(parley_state(s), PARLEY_STATE_OPEN);
    CHECK_EQ_INT(parley_peer_authenticated(s), 0);
    CHECK(strcmp(parley_peer_subject(s), "") == 0);
    CHECK_EQ_INT(parley_peer_authenticated(c), 1);
    free_all(c, s, cc, sc);

    sc = auth_server(PARLEY_CLIENT_AUTH_REQUIRED);
    cc = auth_client(PARLEY_TLS1_0, NULL, NULL);
    connect_pair(cc, sc, &c, &s);
    expect_refusal(s, c, 40, "requires one");
    free_all(c, s, cc, sc);

    /* A chain the request's CA names do not cover is not sent either. */
    sc = auth_server(PARLEY_CLIENT_AUTH_REQUIRED);
    cc = auth_client(PARLEY_TLS1_2, "client-untrusted.pem", "client-untrusted.key");
    connect_pair(cc, sc, &c, &s);
    expect_refusal(s, c, 40, "requires one");
    free_all(c, s, cc, sc);
}

/* Chooses the certificate at index *arg whatever the request says. */
static int pick_index(parley_conn *conn, const parley_cert_request *request, void *arg)
{
    (void)conn;
    CHECK_EQ_INT(parley_cert_request_name_count(request), 1);
    CHECK_EQ_INT(parley_cert_request_accepts(request, "RSA"), 1);
    CHECK_EQ_INT(parley_cert_request_accepts(request, "EC"), 1);
    return *(int *)arg;
}

/* Certificates the server must refuse, each with its alert and reason. */
static void test_client_auth_refused(void)
{
    static const struct {
        const char *chain, *key;
        int alert;
        const char *why;
    } cases[] = {
        {"client-untrusted.pem", "client-untrusted.key", 48, "not trusted"},
        {"client-expired.pem", "client-expired.key", 45, "expired"},
        {"server-rsa.pem", "server-rsa.key", 43, "not allowed for TLS client authentication"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        parley_config *sc = auth_server(PARLEY_CLIENT_AUTH_OPTIONAL);
        parley_config *cc = auth_client(PARLEY_TLS1_2, cases[i].chain, cases[i].key);
        int index = 0; /* sent even though the request's names do not cover it */
        CHECK(parley_config_set_client_cert_callback(cc, pick_index, &index) == PARLEY_OK);
        parley_conn *c, *s;
        connect_pair(cc, sc, &c, &s);
        expect_refusal(s, c, cases[i].alert, cases[i].why);
        free_all(c, s, cc, sc);
    }
}

/* Runs a client-authenticated handshake with the client's second flight altered by tamper. */
static void client_flight_tampered(uint16_t version, void (*tamper)(uint8_t *flight, size_t n),
                                   int alert, const char *why)
{
    parley_config *sc = auth_server(PARLEY_CLIENT_AUTH_REQUIRED);
    parley_config *cc = auth_client(version, "client-rsa.pem", "client-rsa.key");
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER);
    parley_conn *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn_set_server_name(c, "localhost");
    static uint8_t buf[32768];
    parley_handshake(c);
    size_t n = parley_take(c, buf, sizeof(buf));
    parley_feed(s, buf, n);
    n = parley_take(s, buf, sizeof(buf));
    parley_feed(c, buf, n);
    n = parley_take(c, buf, sizeof(buf)); /* Certificate, ClientKeyExchange, CertificateVerify... */
    tamper(buf, n);
    parley_feed(s, buf, n);
    n = parley_take(s, buf, sizeof(buf)); /* the alert */
    parley_feed(c, buf, n);
    expect_refusal(s, c, alert, why);
    free_all(c, s, cc, sc);
}

/* The CertificateVerify message inside the client's plaintext handshake record. */
static uint8_t *find_certificate_verify(uint8_t *flight, size_t n)
{
    size_t rec_len = (size_t)flight[3] << 8 | flight[4];
    for (size_t off = 5; off + 4 <= 5 + rec_len && off + 4 <= n;) {
        size_t len = (size_t)flight[off + 1] << 16 | (size_t)flight[off + 2] << 8 | flight[off + 3];
        if (flight[off] == 15)
            return flight + off;
        off += 4 + len;
    }
    CHECK(0);
    return flight;
}

/* Flips the signature's last byte: a signature the certificate's key did not make. */
static void forge_signature(uint8_t *flight, size_t n)
{
    uint8_t *cv = find_certificate_verify(flight, n);
    size_t len = (size_t)cv[1] << 16 | (size_t)cv[2] << 8 | cv[3];
    cv[4 + len - 1] ^= 0x01;
}

/* Names rsa_pkcs1_sha1 (0x0201), which the server's CertificateRequest did not offer. */
static void unoffered_scheme(uint8_t *flight, size_t n)
{
    uint8_t *cv = find_certificate_verify(flight, n);
    cv[4] = 0x02;
    cv[5] = 0x01;
}

static void test_client_auth_certificate_verify(void)
{
    client_flight_tampered(PARLEY_TLS1_2, forge_signature, 51, "does not hold that key");
    client_flight_tampered(PARLEY_TLS1_0, forge_signature, 51, "does not hold that key");
    client_flight_tampered(PARLEY_TLS1_2, unoffered_scheme, 47, "did not offer");
}

/* Stands in for a hardware token: a key parley never sees, and a signer that uses it. */
typedef struct test_signer {
    const char *chain; /* file whose PEM the callback supplies */
    EVP_PKEY *key;     /* the "token's" key */
    int fail;          /* the signer returns -1 */
    int calls;
    uint16_t scheme; /* the scheme it was last asked for */
} test_signer;

static EVP_PKEY *load_key(const char *name)
{
    FILE *f = fopen(cert_path(name), "r");
    EVP_PKEY *key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    CHECK(key != NULL);
    return key;
}

/* The whole of a file under the test certificates, NUL-terminated; free it. */
static char *load_pem(const char *name, size_t *len)
{
    FILE *f = fopen(cert_path(name), "r");
    CHECK(f != NULL);
    static char buf[16384];
    *len = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f)
        fclose(f);
    buf[*len] = '\0';
    return strdup(buf);
}

/* What a token does for each scheme parley may ask for: the message in, a signature out. */
static int test_sign(void *arg, uint16_t scheme, const uint8_t *data, size_t len, uint8_t *sig,
                     size_t *sig_len)
{
    test_signer *t = arg;
    t->calls++;
    t->scheme = scheme;
    if (t->fail)
        return -1;
    const EVP_MD *md = NULL;
    int padding = 0;
    switch (scheme) {
    case PARLEY_SIG_RSA_PKCS1_MD5_SHA1:
        md = EVP_md5_sha1(); /* PKCS#1 v1.5 signing of MD5-SHA1 leaves out the DigestInfo */
        padding = RSA_PKCS1_PADDING;
        break;
    case 0x0401:
        md = EVP_sha256();
        padding = RSA_PKCS1_PADDING;
        break;
    case 0x0804:
        md = EVP_sha256();
        padding = RSA_PKCS1_PSS_PADDING;
        break;
    case 0x0203:
        md = EVP_sha1();
        break;
    case 0x0403:
        md = EVP_sha256();
        break;
    default:
        fprintf(stderr, "signer asked for unexpected scheme 0x%04x\n", scheme);
        return -1;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = EVP_DigestSignInit(ctx, &pctx, md, NULL, t->key) == 1;
    if (ok && padding)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, padding) == 1;
    if (ok && padding == RSA_PKCS1_PSS_PADDING)
        ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    ok = ok && EVP_DigestSign(ctx, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* The client-cert callback handing over the chain and the signer. */
static int supply_signer(parley_conn *conn, const parley_cert_request *request, void *arg)
{
    (void)request;
    test_signer *t = arg;
    size_t len;
    char *pem = load_pem(t->chain, &len);
    CHECK_EQ_INT(parley_conn_use_certificate_signer(conn, pem, len, test_sign, t), PARLEY_OK);
    free(pem);
    return PARLEY_CERT_AUTO;
}

/* A client whose key only a signer can use, at version, for chain, signing with key_file. */
static parley_config *signer_client(uint16_t version, test_signer *t, const char *chain,
                                    const char *key_file)
{
    memset(t, 0, sizeof(*t));
    t->chain = chain;
    t->key = load_key(key_file);
    parley_config *cc = auth_client(version, NULL, NULL);
    CHECK(parley_config_set_client_cert_callback(cc, supply_signer, t) == PARLEY_OK);
    return cc;
}

static void test_client_auth_signer(void)
{
    static const struct {
        const char *chain, *key, *kind;
        uint16_t scheme10, scheme12; /* what the signer is asked for at TLS 1.0 and 1.2 */
    } keys[] = {
        {"client-rsa.pem", "client-rsa.key", "RSA", PARLEY_SIG_RSA_PKCS1_MD5_SHA1, 0x0804},
        {"client-ecdsa.pem", "client-ecdsa.key", "EC", 0x0203, 0x0403},
    };
    static const uint16_t versions_tried[] = {PARLEY_TLS1_0, PARLEY_TLS1_2};
    for (size_t k = 0; k < 2; k++) {
        for (size_t v = 0; v < 2; v++) {
            test_signer t;
            parley_config *sc = auth_server(PARLEY_CLIENT_AUTH_REQUIRED);
            parley_config *cc = signer_client(versions_tried[v], &t, keys[k].chain, keys[k].key);
            parley_conn *c, *s;
            connect_pair(cc, sc, &c, &s);
            if (parley_state(s) != PARLEY_STATE_OPEN)
                fprintf(stderr, "signer %s: client: %s / server: %s\n", keys[k].kind,
                        parley_error_message(c), parley_error_message(s));
            CHECK_EQ_INT(parley_state(s), PARLEY_STATE_OPEN);
            CHECK_EQ_INT(parley_version(s), versions_tried[v]);
            CHECK_EQ_INT(parley_peer_authenticated(s), 1);
            CHECK(strstr(parley_peer_subject(s), "parley client") != NULL);
            CHECK(strncmp(parley_peer_key(s), keys[k].kind, 2) == 0);
            CHECK_EQ_INT(t.calls, 1);
            CHECK_EQ_INT(t.scheme, v == 0 ? keys[k].scheme10 : keys[k].scheme12);
            free_all(c, s, cc, sc);
            EVP_PKEY_free(t.key);
        }
    }

    /* A token holding another key than the certificate's: the server sees through it. */
    for (size_t v = 0; v < 2; v++) {
        test_signer t;
        parley_config *sc = auth_server(PARLEY_CLIENT_AUTH_REQUIRED);
        parley_config *cc =
            signer_client(versions_tried[v], &t, "client-rsa.pem", "server-rsa.key");
        parley_conn *c, *s;
        connect_pair(cc, sc, &c, &s);
        expect_refusal(s, c, 51, "does not hold that key");
        free_all(c, s, cc, sc);
        EVP_PKEY_free(t.key);
    }

    /* A token that fails (removed, PIN refused): the client stops and says so. */
    test_signer t;
    parley_config *sc = auth_server(PARLEY_CLIENT_AUTH_OPTIONAL);
    parley_config *cc = signer_client(PARLEY_TLS1_2, &t, "client-ecdsa.pem", "client-ecdsa.key");
    t.fail = 1;
    parley_conn *c, *s;
    connect_pair(cc, sc, &c, &s);
    expect_refusal(c, s, 80, "certificate signer failed to sign CertificateVerify");
    CHECK(strstr(parley_error_message(c), "parley client") != NULL);
    CHECK_EQ_INT(parley_error_code(c), PARLEY_E_INTERNAL);
    free_all(c, s, cc, sc);
    EVP_PKEY_free(t.key);
}

/* The client-cert callback supplying a chain and key that do not load; arg: the key file. */
static int supply_bad_pem(parley_conn *conn, const parley_cert_request *request, void *arg)
{
    (void)request;
    size_t chain_len, key_len;
    char *chain = load_pem("client-rsa.pem", &chain_len);
    char *key = arg ? load_pem(arg, &key_len) : strdup("-----BEGIN PRIVATE KEY-----\nnot base64");
    if (arg == NULL)
        key_len = strlen(key);
    CHECK_EQ_INT(parley_conn_use_certificate_pem(conn, chain, chain_len, key, key_len),
                 PARLEY_ERROR);
    free(chain);
    free(key);
    return PARLEY_CERT_AUTO; /* parley must not carry on as if nothing had happened */
}

/* A certificate the callback supplies that does not load fails the handshake, even on a server
 * that would have let the client in without one. */
static void test_client_auth_bad_pem(void)
{
    static const struct {
        const char *key; /* NULL: not a PEM key at all */
        const char *why;
    } cases[] = {
        {NULL, "no private key found in the key PEM"},
        {"server-rsa.key", "does not match certificate"},
    };
    for (size_t i = 0; i < 2; i++) {
        parley_config *sc = auth_server(PARLEY_CLIENT_AUTH_OPTIONAL);
        parley_config *cc = auth_client(PARLEY_TLS1_2, "client-ecdsa.pem", "client-ecdsa.key");
        CHECK(parley_config_set_client_cert_callback(cc, supply_bad_pem, (void *)cases[i].key) ==
              PARLEY_OK);
        parley_conn *c, *s;
        connect_pair(cc, sc, &c, &s);
        expect_refusal(c, s, 80, "the callback supplied cannot be used");
        if (strstr(parley_error_message(c), cases[i].why) == NULL) {
            fprintf(stderr, "expected \"%s\" in: %s\n", cases[i].why, parley_error_message(c));
            CHECK(0);
        }
        CHECK_EQ_INT(parley_error_code(c), PARLEY_E_CONFIG);
        free_all(c, s, cc, sc);
    }
}

int main(void)
{
    if (pair_init() < 0)
        return 1;

    static const char *const suites[] = {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
    };
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
        run_suite(suites[i], NULL);
    run_suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "secp256r1");
    run_suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "secp384r1");

    /* Issue 5's suites at TLS 1.0 and 1.1; the legacy ones at TLS 1.2 too, when named. */
    static const char *const legacy_suites[] = {
        "TLS_RSA_WITH_RC4_128_MD5",
        "TLS_RSA_WITH_RC4_128_SHA",
        "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    };
    for (uint16_t v = PARLEY_TLS1_0; v <= PARLEY_TLS1_2; v++)
        for (size_t i = 0; i < sizeof(legacy_suites) / sizeof(legacy_suites[0]); i++)
            run_suite_at(legacy_suites[i], NULL, v,
                         strstr(legacy_suites[i], "RC4") || strstr(legacy_suites[i], "3DES"));
    test_alpn_name_cap();
    test_legacy_defaults();
    test_fallback_scsv();
    test_downgrade_sentinel();
    test_one_n_minus_one_split();
    test_client_auth_accepted();
    test_client_auth_missing();
    test_client_auth_refused();
    test_client_auth_certificate_verify();
    test_client_auth_signer();
    test_client_auth_bad_pem();
    test_failures();
    test_tampered_finished();
    return check_summary("test_engine");
}
