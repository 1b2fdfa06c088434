/*
 * Tracing: the exact ordered messages and key fields each side traces for an ECDHE and an RSA
 * handshake, the alert of a failed one, and the log and its three renderings: deep copies that
 * stay put, a text diagram that draws each message once within 78 columns, JSON lines that parse,
 * and HTML that marks every message and escapes what the peer sent.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Renders the log into a string the caller frees. */
static char *render(const parley_trace_log *log, parley_trace_format format, const char *title)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK(parley_trace_log_write(log, format, f, title, 0) == PARLEY_OK);
    fclose(f);
    return text;
}

static size_t count_of(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
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

/* A handshake in memory; the log takes the events of the sides asked for. */
static parley_trace_log *handshake(const char *client_suites, const char *server_suites,
                                   bool trace_client, bool trace_server)
{
    parley_trace_log *log = parley_trace_log_new();
    parley_config *sc = parley_config_new(), *cc = parley_config_new();
    parley_config_add_certificate(sc, cert("server-rsa.pem"), cert("server-rsa.key"));
    parley_config_set_ciphers(sc, server_suites);
    parley_config_set_ca_file(cc, cert("ca-bundle.pem"));
    parley_config_set_ciphers(cc, client_suites);
    /* The reference flows have no NewSessionTicket: the client does not ask for one. */
    parley_config_set_session_tickets(cc, 0);
    if (trace_server)
        parley_config_set_trace(sc, parley_trace_log_add, log);
    if (trace_client)
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

/* The text diagram's lines that head a message: the name alone between the lifelines, beside
 * its time ("|  ClientHello   +0.012 ms  |" or "|  +1.2 ms   ServerHello  |"). Returns how many
 * head a message called name, and which way the arrow under the first one points. */
static size_t headings(const char *text, const char *name, char *first_arrow)
{
    size_t n = 0;
    *first_arrow = '?';
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (end == NULL)
            break;
        char buf[256], t[5][64];
        snprintf(buf, sizeof(buf), "%.*s", (int)(end - line), line);
        line = end + 1;
        if (strncmp(buf, "   |", 4) != 0 ||
            sscanf(buf + 4, "%63s %63s %63s %63s %63s", t[0], t[1], t[2], t[3], t[4]) != 4 ||
            strcmp(t[3], "|") != 0)
            continue;
        bool name_first = strcmp(t[0], name) == 0 && t[1][0] == '+' && strcmp(t[2], "ms") == 0;
        bool time_first = t[0][0] == '+' && strcmp(t[1], "ms") == 0 && strcmp(t[2], name) == 0;
        if (!name_first && !time_first)
            continue;
        if (n++ == 0)
            *first_arrow = strncmp(line + 72, "->|", 3) == 0  ? '>'
                           : strncmp(line + 3, "|<-", 3) == 0 ? '<'
                                                              : '?';
    }
    return n;
}

static size_t longest_line(const char *text)
{
    size_t longest = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        longest = len > longest ? len : longest;
        line += len + (end != NULL);
    }
    return longest;
}

static void check_text(parley_trace_log *log, bool ecdhe)
{
    char *text = render(log, PARLEY_TRACE_TEXT, "test");
    CHECK(longest_line(text) <= 78);
    static const char *const names[] = {"ClientHello",       "ServerHello",     "Certificate",
                                        "ServerKeyExchange", "ServerHelloDone", "ClientKeyExchange",
                                        "ChangeCipherSpec",  "Finished"};
    /* Both sides logged every message; each is drawn once, from its sender's event. */
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char arrow;
        size_t expected =
            strcmp(names[i], "ServerKeyExchange") == 0 ? (ecdhe ? 1 : 0)
            : strcmp(names[i], "ChangeCipherSpec") == 0 || strcmp(names[i], "Finished") == 0 ? 2
                                                                                             : 1;
        CHECK_EQ_INT(headings(text, names[i], &arrow), expected);
        if (i == 0)
            CHECK(arrow == '>');
        if (i == 1)
            CHECK(arrow == '<');
    }
    /* The server's first flight travelled in one record, drawn once after its messages. */
    char flight[128];
    snprintf(flight, sizeof(flight), "bytes, the %d messages above]", ecdhe ? 4 : 3);
    CHECK_EQ_INT(count_of(text, flight), 1);
    CHECK(strstr(text, "[record: Handshake, TLSv1.0, ") != NULL);
    CHECK(strstr(text, "[record: ChangeCipherSpec, TLSv1.2, 1 byte]") != NULL);
    /* Steps sit in their own side's lane. */
    CHECK(strstr(text, "   |  * master secret derived") != NULL);
    CHECK(strstr(text, "handshake complete *  |\n") != NULL);
    free(text);
}

/* Every JSON line parses (Python's json module is the judge); returns the line count. */
static long json_lines_parse(const char *json, const char *probe)
{
    char path[] = "/tmp/parley-trace-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    fputs(json, f);
    fclose(f);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "python3 -c 'import json,sys\n"
             "events=[json.loads(l) for l in open(sys.argv[1], encoding=\"utf-8\")]\n"
             "%s\n"
             "sys.exit(100 + len(events) %% 100)' %s",
             probe, path);
    int rc = system(cmd);
    unlink(path);
    return rc >= 0 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void check_json(parley_trace_log *log)
{
    char *json = render(log, PARLEY_TRACE_JSON, NULL);
    size_t count = parley_trace_log_count(log);
    CHECK_EQ_INT(count_of(json, "\n"), count);
    /* The ClientHello names the TLS 1.0 record version it travelled in, as deployed. */
    CHECK_EQ_INT(json_lines_parse(json, "h=[e for e in events if e[\"name\"]==\"ClientHello\"]\n"
                                        "assert h[0][\"record_version\"]==\"0x0301\"\n"
                                        "assert h[0][\"fields\"][\"server_name\"]==\"localhost\""),
                 (long)(100 + count % 100));
    free(json);
}

static void check_html(parley_trace_log *log)
{
    char *html = render(log, PARLEY_TRACE_HTML, "flow");
    size_t sent = 0;
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        if (ev->kind != PARLEY_TRACE_MESSAGE || !ev->outgoing)
            continue;
        sent++;
        char attr[128];
        snprintf(attr, sizeof(attr), "data-message=\"%s\"", ev->name);
        CHECK(strstr(html, attr) != NULL);
    }
    /* One element per message: the arrow; the details block is keyed to it, not a second one. */
    CHECK_EQ_INT(count_of(html, "data-message=\""), sent);
    CHECK_EQ_INT(count_of(html, "<details id=\"m"), sent);
    CHECK(strstr(html, "<svg") != NULL && strstr(html, "</html>") != NULL);
    /* Self-contained: the SVG namespace is the only URL, and nothing is loaded. */
    CHECK(count_of(html, "http") == 1 && strstr(html, "http://www.w3.org/2000/svg") != NULL);
    CHECK(strstr(html, "src=") == NULL && strstr(html, "<link") == NULL);
    free(html);
}

static void test_flow(const char *suite, bool ecdhe)
{
    parley_trace_log *log = handshake(suite, suite, true, true);
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
    if (strcmp(got, ecdhe ? server_ecdhe : server_rsa) != 0)
        fprintf(stderr, "server traced: %s\n", got);

    const char *v = field(log, PARLEY_SERVER, "ClientHello", "server_name");
    CHECK(v && strcmp(v, "localhost") == 0);
    v = field(log, PARLEY_SERVER, "ClientHello", "cipher_suites");
    CHECK(v && strstr(v, suite) != NULL);
    v = field(log, PARLEY_CLIENT, "ServerHello", "cipher_suite");
    CHECK(v && strcmp(v, suite) == 0);
    v = field(log, PARLEY_SERVER, "ServerHello", "cipher_suite");
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

    check_text(log, ecdhe);
    check_json(log);
    check_html(log);
    parley_trace_log_free(log);
}

static bool equals(const char *value, const char *want)
{
    if (value != NULL && strcmp(value, want) == 0)
        return true;
    fprintf(stderr, "traced '%s', expected '%s'\n", value ? value : "(none)", want);
    return false;
}

/* TLS 1.3 decoded: a HelloRetryRequest named and its fields, the encrypted messages marked with
 * their keys, the 1.3 forms of Certificate and NewSessionTicket, then a PSK resumption with the
 * ticket and a KeyUpdate each way. */
static void test_tls13(void)
{
    parley_trace_log *log = parley_trace_log_new(), *log2 = parley_trace_log_new();
    parley_config *sc = parley_config_new(), *cc = parley_config_new();
    parley_config_add_certificate(sc, cert("server-rsa.pem"), cert("server-rsa.key"));
    CHECK(parley_config_set_versions(sc, PARLEY_TLS1_3, PARLEY_TLS1_3) == PARLEY_OK);
    CHECK(parley_config_set_ciphers(sc, "TLS_AES_128_GCM_SHA256") == PARLEY_OK);
    CHECK(parley_config_set_groups(sc, "x25519,secp256r1") == PARLEY_OK);
    parley_config_set_ca_file(cc, cert("ca-bundle.pem"));
    CHECK(parley_config_set_ciphers(cc, "TLS_AES_128_GCM_SHA256") == PARLEY_OK);
    CHECK(parley_config_set_groups(cc, "secp256r1,x25519") == PARLEY_OK);
    CHECK(parley_config_set_key_shares(cc, "secp256r1") == PARLEY_OK);
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER), *c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn_set_trace(s, parley_trace_log_add, log);
    parley_conn_set_trace(c, parley_trace_log_add, log);
    parley_conn_set_server_name(c, "localhost");
    parley_handshake(c);
    pump(c, s);
    CHECK_EQ_INT(parley_version(c), PARLEY_TLS1_3);

    CHECK(equals(field(log, PARLEY_SERVER, "ClientHello", "key_share"), "1: secp256r1 (65 bytes)"));
    CHECK(equals(field(log, PARLEY_SERVER, "ClientHello", "supported_versions"),
                 "2: TLSv1.3, TLSv1.2"));
    CHECK(equals(field(log, PARLEY_SERVER, "ClientHello", "psk_key_exchange_modes"),
                 "1: psk_dhe_ke"));
    CHECK(equals(field(log, PARLEY_CLIENT, "HelloRetryRequest", "key_share"),
                 "x25519 (the group it wants a share for)"));
    const char *v = field(log, PARLEY_CLIENT, "HelloRetryRequest", "cookie");
    CHECK(v != NULL && strncmp(v, "32 bytes", 8) == 0);
    CHECK(field(log, PARLEY_CLIENT, "HelloRetryRequest", "encrypted") == NULL);
    CHECK(equals(field(log, PARLEY_CLIENT, "ServerHello", "supported_versions"), "TLSv1.3"));
    CHECK(equals(field(log, PARLEY_CLIENT, "ServerHello", "key_share"), "x25519 (32 bytes)"));
    CHECK(equals(field(log, PARLEY_CLIENT, "EncryptedExtensions", "encrypted"),
                 "under the handshake traffic keys"));
    CHECK(equals(field(log, PARLEY_CLIENT, "EncryptedExtensions", "server_name"), "acknowledged"));
    CHECK(equals(field(log, PARLEY_SERVER, "Certificate", "encrypted"),
                 "under the handshake traffic keys"));
    CHECK(equals(field(log, PARLEY_SERVER, "Certificate", "request_context"), "empty"));
    CHECK(equals(field(log, PARLEY_SERVER, "Certificate", "entry_extensions"), "none"));
    v = field(log, PARLEY_CLIENT, "Certificate", "certificate[0]");
    CHECK(v && strstr(v, "CN=localhost") != NULL);
    CHECK(equals(field(log, PARLEY_CLIENT, "CertificateVerify", "signature_algorithm"),
                 "rsa_pss_rsae_sha256"));
    CHECK(equals(field(log, PARLEY_CLIENT, "CertificateVerify", "signature"), "256 bytes"));
    CHECK(equals(field(log, PARLEY_SERVER, "Finished", "verify_data"), "32 bytes"));
    CHECK(equals(field(log, PARLEY_SERVER, "Finished", "encrypted"),
                 "under the handshake traffic keys"));
    CHECK(equals(field(log, PARLEY_CLIENT, "NewSessionTicket", "encrypted"),
                 "under the application traffic keys"));
    CHECK(field(log, PARLEY_CLIENT, "NewSessionTicket", "age_add") != NULL);
    CHECK(field(log, PARLEY_CLIENT, "NewSessionTicket", "nonce") != NULL);
    v = field(log, PARLEY_CLIENT, "NewSessionTicket", "lifetime");
    CHECK(v && strstr(v, " s") != NULL);
    CHECK(has_step(log, PARLEY_CLIENT, "read keys on (handshake)"));
    CHECK(has_step(log, PARLEY_SERVER, "write keys on (application)"));

    /* A KeyUpdate each way: the second goes under the keys the first did not change. */
    CHECK(parley_key_update(c, 1) == PARLEY_OK);
    pump(c, s);
    char got[2048];
    messages_of(log, PARLEY_CLIENT, got, sizeof(got));
    CHECK(strstr(got, "out:KeyUpdate in:KeyUpdate") != NULL);
    CHECK(equals(field(log, PARLEY_SERVER, "KeyUpdate", "request_update"),
                 "update_requested (the peer updates its keys too)"));
    CHECK(equals(field(log, PARLEY_CLIENT, "KeyUpdate", "encrypted"),
                 "under the application traffic keys"));
    char *html = render(log, PARLEY_TRACE_HTML, "tls13");
    CHECK(strstr(html, ">{EncryptedExtensions}<") != NULL);
    CHECK(strstr(html, ">[NewSessionTicket]<") != NULL);
    CHECK(strstr(html, ">HelloRetryRequest<") != NULL);
    free(html);

    /* The ticket resumes: the offer and its binder, and the server's acceptance. */
    parley_session *session = parley_conn_get_session(c);
    CHECK(session != NULL);
    parley_conn_free(c);
    parley_conn_free(s);
    s = parley_conn_new(sc, PARLEY_SERVER);
    c = parley_conn_new(cc, PARLEY_CLIENT);
    parley_conn_set_trace(s, parley_trace_log_add, log2);
    parley_conn_set_trace(c, parley_trace_log_add, log2);
    parley_conn_set_server_name(c, "localhost");
    parley_conn_set_session(c, session);
    parley_handshake(c);
    pump(c, s);
    CHECK(parley_session_resumed(c));
    v = field(log2, PARLEY_SERVER, "ClientHello", "pre_shared_key");
    CHECK(v && strncmp(v, "1 identity: a ticket of ", 24) == 0);
    v = field(log2, PARLEY_SERVER, "ClientHello", "binder");
    CHECK(v && strncmp(v, "32 bytes", 8) == 0);
    CHECK(
        equals(field(log2, PARLEY_CLIENT, "ServerHello", "pre_shared_key"), "identity 0 accepted"));
    CHECK(field(log2, PARLEY_CLIENT, "Certificate", "certificates") == NULL);
    CHECK(has_step(log2, PARLEY_CLIENT, "session resumed (PSK"));
    parley_session_free(session);
    parley_conn_free(c);
    parley_conn_free(s);
    parley_config_free(cc);
    parley_config_free(sc);
    parley_trace_log_free(log);
    parley_trace_log_free(log2);
}

static void test_failure_traced(void)
{
    parley_trace_log *log = handshake("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                                      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true, true);
    const char *sent = NULL, *received = NULL, *level = NULL;
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        if (ev->kind == PARLEY_TRACE_MESSAGE && strcmp(ev->name, "Alert") == 0 &&
            ev->field_count == 2) {
            if (ev->role == PARLEY_SERVER && ev->outgoing) {
                sent = ev->fields[1].value;
                level = ev->fields[0].value;
            }
            if (ev->role == PARLEY_CLIENT && !ev->outgoing)
                received = ev->fields[1].value;
        }
    }
    CHECK(sent && strcmp(sent, "handshake_failure") == 0);
    CHECK(level && strcmp(level, "fatal") == 0);
    CHECK(received && strcmp(received, "handshake_failure") == 0);
    char *text = render(log, PARLEY_TRACE_TEXT, "no common suite");
    char arrow;
    CHECK_EQ_INT(headings(text, "Alert", &arrow), 1);
    CHECK(arrow == '<');
    CHECK(strstr(text, "description  handshake_failure") != NULL);
    CHECK_EQ_INT(headings(text, "ServerHello", &arrow), 0);
    free(text);
    parley_trace_log_free(log);
}

/* With only the client's events, its incoming messages are drawn toward it. */
static void test_one_side(void)
{
    parley_trace_log *log = handshake("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", true, false);
    for (size_t i = 0; i < parley_trace_log_count(log); i++)
        CHECK(parley_trace_log_get(log, i)->role == PARLEY_CLIENT);
    char *text = render(log, PARLEY_TRACE_TEXT, "client only");
    char arrow;
    CHECK_EQ_INT(headings(text, "ClientHello", &arrow), 1);
    CHECK(arrow == '>');
    CHECK_EQ_INT(headings(text, "ServerKeyExchange", &arrow), 1);
    CHECK(arrow == '<');
    CHECK_EQ_INT(headings(text, "Finished", &arrow), 2);
    CHECK(strstr(text, "master secret derived *") == NULL); /* no server steps to draw */
    free(text);
    parley_trace_log_free(log);
}

static parley_trace_event event(parley_trace_kind kind, parley_role role, int outgoing,
                                const char *name)
{
    parley_trace_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = kind;
    ev.role = role;
    ev.outgoing = outgoing;
    ev.name = name;
    ev.content_type = 22;
    ev.record_version = PARLEY_TLS1_2;
    return ev;
}

/* Copies are deep, and events stay where they are while the log grows. */
static void test_log(void)
{
    parley_trace_log *log = parley_trace_log_new();
    char name[32] = "ServerHello", value[32] = "TLS_RSA_WITH_AES_128_GCM_SHA256";
    parley_trace_field fields[1] = {{"cipher_suite", value}};
    parley_trace_event ev = event(PARLEY_TRACE_MESSAGE, PARLEY_SERVER, 1, name);
    ev.fields = fields;
    ev.field_count = 1;
    parley_trace_log_add(&ev, log);
    const parley_trace_event *first = parley_trace_log_get(log, 0);
    strcpy(name, "changed");
    strcpy(value, "changed");
    for (int i = 0; i < 5000; i++)
        parley_trace_log_add(&ev, log);
    CHECK_EQ_INT(parley_trace_log_count(log), 5001);
    CHECK(parley_trace_log_get(log, 0) == first);
    CHECK(strcmp(first->name, "ServerHello") == 0);
    CHECK(first->field_count == 1 &&
          strcmp(first->fields[0].value, "TLS_RSA_WITH_AES_128_GCM_SHA256") == 0);
    CHECK(strcmp(parley_trace_log_get(log, 5000)->name, "changed") == 0);
    CHECK(parley_trace_log_get(log, 5001) == NULL);
    parley_trace_log_free(log);
}

static void *add_many(void *arg)
{
    parley_trace_event ev = event(PARLEY_TRACE_STEP, PARLEY_CLIENT, 0, "step");
    for (int i = 0; i < 20000; i++)
        parley_trace_log_add(&ev, arg);
    return NULL;
}

static void test_log_threads(void)
{
    parley_trace_log *log = parley_trace_log_new();
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, add_many, log);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ_INT(parley_trace_log_count(log), 80000);
    size_t intact = 0;
    for (size_t i = 0; i < 80000; i++)
        intact += strcmp(parley_trace_log_get(log, i)->name, "step") == 0;
    CHECK_EQ_INT(intact, 80000);
    parley_trace_log_free(log);
}

/* A flight of two records: byte counting tells which record carried which message. */
static void test_records_split(void)
{
    parley_trace_log *log = parley_trace_log_new();
    parley_trace_event ev = event(PARLEY_TRACE_RECORD, PARLEY_SERVER, 1, "Handshake");
    ev.length = 100;
    parley_trace_log_add(&ev, log);
    ev.length = 50;
    parley_trace_log_add(&ev, log);
    ev = event(PARLEY_TRACE_MESSAGE, PARLEY_SERVER, 1, "Certificate");
    ev.length = 116; /* 120 bytes with its header: all of record 1, 20 of record 2 */
    parley_trace_log_add(&ev, log);
    ev.name = "ServerHelloDone";
    ev.length = 0;
    parley_trace_log_add(&ev, log);
    ev.name = "Extra";
    ev.length = 26;
    parley_trace_log_add(&ev, log);
    char *text = render(log, PARLEY_TRACE_TEXT, NULL);
    CHECK(strstr(text, "[record 1 of 2: Handshake, TLSv1.2, 100 bytes: Certificate (part)]") !=
          NULL);
    /* Too long for one line: wrapped after a comma, never cut. */
    CHECK(strstr(text, "[record 2 of 2: Handshake, TLSv1.2, 50 bytes: Certificate (part),") !=
          NULL);
    CHECK(strstr(text, "  ServerHelloDone, Extra]") != NULL);
    CHECK(strstr(text, "3 messages in 2 records") != NULL);
    free(text);
    parley_trace_log_free(log);
}

/* Peer-controlled text: escaped in HTML, valid in JSON, inert on a terminal. */
static void test_escaping(void)
{
    parley_trace_log *log = parley_trace_log_new();
    parley_trace_field fields[1] = {{"server_name", "<script>alert(1)</script>\"x\"\n\x1b[2J\xff"}};
    parley_trace_event ev = event(PARLEY_TRACE_MESSAGE, PARLEY_SERVER, 0, "ClientHello");
    ev.fields = fields;
    ev.field_count = 1;
    parley_trace_log_add(&ev, log);

    char *out = render(log, PARLEY_TRACE_HTML, "<b>title</b>");
    CHECK(strstr(out, "<script>alert") == NULL);
    CHECK(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;x&quot;") != NULL);
    CHECK(strstr(out, "&lt;b&gt;title") != NULL && strstr(out, "<b>title") == NULL);
    CHECK(strstr(out, "\x1b") == NULL && strstr(out, "\xff") == NULL);
    CHECK_EQ_INT(count_of(out, "data-message=\"ClientHello\""), 1);
    free(out);

    out = render(log, PARLEY_TRACE_JSON, NULL);
    CHECK(
        strstr(out, "\"server_name\":\"<script>alert(1)</script>\\\"x\\\"\\n\\u001b[2J\\ufffd\"") !=
        NULL);
    CHECK_EQ_INT(json_lines_parse(out, "assert events[0][\"fields\"][\"server_name\"]=="
                                       "\"<script>alert(1)</script>\\\"x\\\"\\n\\x1b[2J\\ufffd\""),
                 101);
    free(out);

    out = render(log, PARLEY_TRACE_TEXT, NULL);
    CHECK(strstr(out, "\x1b") == NULL);
    CHECK(strstr(out, "\\x0a\\x1b[2J\\xff") != NULL);
    free(out);
    parley_trace_log_free(log);
}

int main(void)
{
    test_log();
    test_log_threads();
    test_records_split();
    test_escaping();
    const char *env = check_certs_dir();
    if (env == NULL)
        return check_summary("test_trace (no test certificates)");
    snprintf(certs, sizeof(certs), "%s", env);
    test_flow("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", true);
    test_flow("TLS_RSA_WITH_AES_128_GCM_SHA256", false);
    test_tls13();
    test_failure_traced();
    test_one_side();
    return check_summary("test_trace");
}
