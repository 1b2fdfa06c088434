/*
 * Tracing: the exact ordered messages and key fields each side traces, an alert traced when a
 * handshake fails, and renderers that draw each message once and escape what the peer sent.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "parley.h"

static char certs[512];

static const char *cert(const char *name)
{
    static char buf[4][600];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 600, "%s/%s", certs, name);
    return p;
}

static void pump(parley_conn *a, parley_conn *b)
{
    uint8_t buf[16384];
    for (int round = 0; round < 50; round++) {
        size_t n, moved = 0;
        while ((n = parley_take(a, buf, sizeof(buf))) > 0)
            moved += parley_feed(b, buf, n);
        while ((n = parley_take(b, buf, sizeof(buf))) > 0)
            moved += parley_feed(a, buf, n);
        parley_handshake(a);
        if (moved == 0)
            return;
    }
}

/* "out:ClientHello in:ServerHello ..." for one role's MESSAGE events. */
static void messages_of(parley_trace_log *log, parley_role role, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        if (ev->role != role || ev->kind != PARLEY_TRACE_MESSAGE)
            continue;
        n += (size_t)snprintf(out + n, cap - n, "%s%s:%s", n ? " " : "",
                              ev->outgoing ? "out" : "in", ev->name);
    }
}

/* The value of a field of the first event of role/name, or NULL. */
static const char *field(parley_trace_log *log, parley_role role, const char *name, const char *key)
{
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        if (ev->role != role || ev->kind != PARLEY_TRACE_MESSAGE || strcmp(ev->name, name) != 0)
            continue;
        for (size_t f = 0; f < ev->field_count; f++)
            if (strcmp(ev->fields[f].name, key) == 0)
                return ev->fields[f].value;
    }
    return NULL;
}

static bool has_step(parley_trace_log *log, parley_role role, const char *step)
{
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        if (ev->role == role && ev->kind == PARLEY_TRACE_STEP && strstr(ev->name, step))
            return true;
    }
    return false;
}

static parley_trace_log *handshake(const char *client_suites, const char *server_suites)
{
    parley_trace_log *log = parley_trace_log_new();
    parley_config *sc = parley_config_new(), *cc = parley_config_new();
    parley_config_add_certificate(sc, cert("server-rsa.pem"), cert("server-rsa.key"));
    parley_config_set_ciphers(sc, server_suites);
    parley_config_set_ca_file(cc, cert("ca-bundle.pem"));
    parley_config_set_ciphers(cc, client_suites);
    parley_config_set_trace(sc, parley_trace_log_add, log);
    parley_config_set_trace(cc, parley_trace_log_add, log);
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER), *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn_set_server_name(c, "localhost");
    parley_handshake(c);
    pump(c, s);
    parley_conn_free(c);
    parley_conn_free(s);
    parley_config_free(cc);
    parley_config_free(sc);
    return log;
}

static void test_flow(const char *suite, bool ecdhe)
{
    parley_trace_log *log = handshake(suite, suite);
    char got[1024];
    messages_of(log, PARLEY_CLIENT, got, sizeof(got));
    const char *client_ecdhe =
        "out:ClientHello in:ServerHello in:Certificate in:ServerKeyExchange in:ServerHelloDone "
        "out:ClientKeyExchange out:ChangeCipherSpec out:Finished in:ChangeCipherSpec in:Finished";
    const char *client_rsa = "out:ClientHello in:ServerHello in:Certificate in:ServerHelloDone "
                             "out:ClientKeyExchange out:ChangeCipherSpec out:Finished "
                             "in:ChangeCipherSpec in:Finished";
    CHECK(strcmp(got, ecdhe ? client_ecdhe : client_rsa) == 0);
    if (strcmp(got, ecdhe ? client_ecdhe : client_rsa) != 0)
        fprintf(stderr, "client traced: %s\n", got);
    messages_of(log, PARLEY_SERVER, got, sizeof(got));
    const char *server_ecdhe =
        "in:ClientHello out:ServerHello out:Certificate out:ServerKeyExchange out:ServerHelloDone "
        "in:ClientKeyExchange in:ChangeCipherSpec in:Finished out:ChangeCipherSpec out:Finished";
    const char *server_rsa = "in:ClientHello out:ServerHello out:Certificate out:ServerHelloDone "
                             "in:ClientKeyExchange in:ChangeCipherSpec in:Finished "
                             "out:ChangeCipherSpec out:Finished";
    CHECK(strcmp(got, ecdhe ? server_ecdhe : server_rsa) == 0);

    const char *v = field(log, PARLEY_SERVER, "ClientHello", "server_name");
    CHECK(v && strcmp(v, "localhost") == 0);
    v = field(log, PARLEY_SERVER, "ClientHello", "cipher_suites");
    CHECK(v && strstr(v, suite) != NULL);
    v = field(log, PARLEY_CLIENT, "ServerHello", "cipher_suite");
    CHECK(v && strcmp(v, suite) == 0);
    v = field(log, PARLEY_CLIENT, "Certificate", "certificate[0]");
    CHECK(v && strstr(v, "CN=localhost") != NULL);
    v = field(log, PARLEY_CLIENT, "Certificate", "issuer[0]");
    CHECK(v && strstr(v, "intermediate") != NULL);
    if (ecdhe) {
        v = field(log, PARLEY_CLIENT, "ServerKeyExchange", "curve");
        CHECK(v && strcmp(v, "x25519") == 0);
        v = field(log, PARLEY_CLIENT, "ServerKeyExchange", "signature_algorithm");
        CHECK(v && strcmp(v, "rsa_pss_rsae_sha256") == 0);
    }
    v = field(log, PARLEY_SERVER, "Finished", "verify_data");
    CHECK(v && strcmp(v, "12 bytes") == 0);
    for (int role = 0; role < 2; role++) {
        CHECK(has_step(log, (parley_role)role, "master secret derived"));
        CHECK(has_step(log, (parley_role)role, "write keys on"));
        CHECK(has_step(log, (parley_role)role, "read keys on"));
        CHECK(has_step(log, (parley_role)role, "handshake complete"));
    }
    /* The first record's version is TLS 1.0 (as deployed), later ones TLS 1.2. */
    const parley_trace_event *first = parley_trace_log_get(log, 0);
    CHECK(first->kind == PARLEY_TRACE_RECORD && first->record_version == PARLEY_TLS1_0);

    /* The text diagram draws each message once although both sides logged it. */
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    CHECK(parley_trace_log_write(log, PARLEY_TRACE_TEXT, f, "test", 0) == PARLEY_OK);
    fclose(f);
    size_t hellos = 0;
    for (const char *p = text; (p = strstr(p, " ClientHello ")) != NULL; p++)
        hellos++;
    CHECK_EQ_INT(hellos, 1);
    CHECK(strstr(text, "|-- ClientHello --") != NULL);
    CHECK(strstr(text, " ServerHello ---|") != NULL);
    free(text);
    parley_trace_log_free(log);
}

static void test_failure_traced(void)
{
    parley_trace_log *log = handshake("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                                      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    const char *sent = NULL, *received = NULL;
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        if (ev->kind == PARLEY_TRACE_MESSAGE && strcmp(ev->name, "Alert") == 0 &&
            ev->field_count == 2) {
            if (ev->role == PARLEY_SERVER && ev->outgoing)
                sent = ev->fields[1].value;
            if (ev->role == PARLEY_CLIENT && !ev->outgoing)
                received = ev->fields[1].value;
        }
    }
    CHECK(sent && strcmp(sent, "handshake_failure") == 0);
    CHECK(received && strcmp(received, "handshake_failure") == 0);
    parley_trace_log_free(log);
}

static void test_escaping(void)
{
    parley_trace_log *log = parley_trace_log_new();
    parley_trace_field fields[1] = {{"server_name", "<script>alert(1)</script>\"x\""}};
    parley_trace_event ev = {0};
    ev.kind = PARLEY_TRACE_MESSAGE;
    ev.role = PARLEY_SERVER;
    ev.name = "ClientHello";
    ev.fields = fields;
    ev.field_count = 1;
    parley_trace_log_add(&ev, log);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    parley_trace_log_write(log, PARLEY_TRACE_HTML, f, "<b>title</b>", 0);
    fclose(f);
    CHECK(strstr(out, "<script>alert") == NULL);
    CHECK(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;x&quot;") != NULL);
    CHECK(strstr(out, "&lt;b&gt;title") != NULL);
    CHECK(strstr(out, "data-message=\"ClientHello\"") != NULL);
    free(out);
    f = open_memstream(&out, &len);
    parley_trace_log_write(log, PARLEY_TRACE_JSON, f, NULL, 0);
    fclose(f);
    CHECK(strstr(out, "\"server_name\":\"<script>alert(1)</script>\\\"x\\\"\"") != NULL);
    free(out);
    parley_trace_log_free(log);
}

int main(void)
{
    const char *env = check_certs_dir();
    if (env == NULL)
        return check_summary("no test certificates");
    snprintf(certs, sizeof(certs), "%s", env);
    test_flow("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", true);
    test_flow("TLS_RSA_WITH_AES_128_GCM_SHA256", false);
    test_failure_traced();
    test_escaping();
    return check_summary("test_trace");
}
