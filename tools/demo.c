/*
 * parley demo: the reference flows on loopback with throwaway certificates. A server thread
 * answers one connection per flow; the client fetches a page over each key exchange and prints
 * what was negotiated.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "democerts.h"
#include "tool.h"

typedef struct demo_flow {
    const char *title;
    const char *reference;
    const char *suites; /* the client's offer */
    /* The client's version range, always explicit: each flow reproduces a reference of a given
     * protocol version, and the library's default range (now up to TLS 1.3) must not move it. */
    uint16_t min_version, max_version;
    int client_cert; /* the server asks for a client certificate and the client sends one */
    int resume;      /* a second TCP connection resuming the previous flow's session */
    /* TLS 1.3 flows: the RFC 8446 server, tickets on (its only resumption), and the client's
     * groups and the groups its first hello carries shares for (NULL: the library's default). */
    int tls13;
    const char *groups, *key_shares;
    int hello_retry; /* the server must ask for another share: checked in the trace */
    int early_data;  /* the request goes as 0-RTT data with the resumed session's ClientHello */
} demo_flow;

#define TLS13_SUITES "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256"

/* One row per flow: adding a flow is one line. */
static const demo_flow flows[] = {
    {"Full handshake, RSA key exchange", "references 001-003", "TLS_RSA_WITH_AES_128_GCM_SHA256",
     PARLEY_TLS1_2, PARLEY_TLS1_2, 0, 0, 0, NULL, NULL, 0, 0},
    {"ECDHE_RSA with a chain of three (leaf, intermediate, root)", "reference 004, in TLS 1.2",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", PARLEY_TLS1_2, PARLEY_TLS1_2, 0, 0, 0, NULL, NULL, 0,
     0},
    {"ECDHE_ECDSA", "RFC 8422", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", PARLEY_TLS1_2,
     PARLEY_TLS1_2, 0, 0, 0, NULL, NULL, 0, 0},
    {"TLS 1.1 offered in a TLS 1.0 record, ECDHE_RSA, AES-128-CBC", "reference 004",
     "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,"
     "TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_256_CBC_SHA",
     PARLEY_TLS1_0, PARLEY_TLS1_1, 0, 0, 0, NULL, NULL, 0, 0},
    {"Client certificate, TLS 1.0, RSA key exchange, RC4", "references 000 and 003",
     "TLS_RSA_WITH_RC4_128_SHA", PARLEY_TLS1_0, PARLEY_TLS1_0, 1, 0, 0, NULL, NULL, 0, 0},
    {"Second connection resumes that session (session ID, abbreviated handshake)",
     "reference 000 steps 10-13, reference 001", "TLS_RSA_WITH_RC4_128_SHA", PARLEY_TLS1_0,
     PARLEY_TLS1_0, 1, 1, 0, NULL, NULL, 0, 0},
    {"TLS 1.3 full handshake, X25519, RSA-PSS, a ticket", "RFC 8446 2", TLS13_SUITES, PARLEY_TLS1_3,
     PARLEY_TLS1_3, 0, 0, 1, "x25519,secp256r1", "x25519", 0, 0},
    {"TLS 1.3 resumption with that ticket (PSK + X25519)", "RFC 8446 2.2", TLS13_SUITES,
     PARLEY_TLS1_3, PARLEY_TLS1_3, 0, 1, 1, "x25519,secp256r1", "x25519", 0, 0},
    /* The client supports X25519 but guessed P-256 for its one share; the server wants X25519. */
    {"TLS 1.3 HelloRetryRequest: P-256 share, server wants X25519", "RFC 8446 2.1", TLS13_SUITES,
     PARLEY_TLS1_3, PARLEY_TLS1_3, 0, 0, 1, "secp256r1,x25519", "secp256r1", 1, 0},
    /* The ticket of the flow before, from a server that allows 0-RTT: the GET rides in the
     * first flight, before the server has said a word. */
    {"TLS 1.3 0-RTT: the request as early data with the resumed ticket", "RFC 8446 2.3",
     TLS13_SUITES, PARLEY_TLS1_3, PARLEY_TLS1_3, 0, 1, 1, "x25519,secp256r1", "x25519", 0, 1},
};
#define FLOW_COUNT (sizeof(flows) / sizeof(flows[0]))

typedef struct demo_server {
    int listen_fd;
    int done_pipe[2]; /* the server writes a byte once a flow's connection is finished */
    parley_config *cfg;
    /* For the client-certificate flows only: asking every client would put a CertificateRequest
     * and an empty Certificate into the flows of references 001-004, which have neither. */
    parley_config *auth_cfg;
    parley_config *cfg13;               /* the TLS 1.3 flows' server, with its own ticket keys */
    parley_trace_log *logs[FLOW_COUNT]; /* flow i's connection logs into logs[i] */
    char client_seen[FLOW_COUNT][320];  /* the client certificate the server verified, or "" */
} demo_server;

static void *serve(void *arg)
{
    demo_server *s = arg;
    for (size_t i = 0; i < FLOW_COUNT; i++) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
            break;
        tool_nodelay(fd);
        parley_conn *c = parley_conn_new(flows[i].client_cert ? s->auth_cfg
                                         : flows[i].tls13     ? s->cfg13
                                                              : s->cfg,
                                         PARLEY_SERVER);
        s->client_seen[i][0] = '\0';
        if (c != NULL)
            parley_conn_set_trace(c, parley_trace_log_add, s->logs[i]);
        char req[4096] = "";
        size_t len = 0, got;
        int rc = c != NULL ? parley_fd_handshake(c, fd) : PARLEY_ERROR;
        /* Accepted 0-RTT data waits to be read before the handshake can go on: the request. */
        while (rc == PARLEY_WANT_READ) {
            if (parley_read(c, req + len, sizeof(req) - 1 - len, &got) == PARLEY_OK)
                len += got;
            req[len] = '\0';
            rc = parley_fd_handshake(c, fd);
        }
        if (rc == PARLEY_OK) {
            if (parley_peer_authenticated(c))
                snprintf(s->client_seen[i], sizeof(s->client_seen[i]), "%s (%s)",
                         parley_peer_subject(c), parley_peer_key(c));
            while (len < sizeof(req) - 1 && !strstr(req, "\r\n\r\n") &&
                   parley_fd_read(c, fd, req + len, sizeof(req) - 1 - len, &got) == PARLEY_OK) {
                len += got;
                req[len] = '\0';
                if (strstr(req, "\r\n\r\n"))
                    break;
            }
            char page[512];
            int body = snprintf(page, sizeof(page), "hello from parley over %s\n",
                                parley_cipher_suite_name(parley_cipher_suite(c)));
            char resp[768];
            int n = snprintf(resp, sizeof(resp),
                             "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                             body, page);
            parley_fd_write(c, fd, resp, (size_t)n);
            parley_fd_close(c, fd);
        }
        parley_conn_free(c);
        close(fd);
        /* Its half of the trace is complete: the flow may be drawn. */
        if (write(s->done_pipe[1], "x", 1) != 1)
            break;
    }
    return NULL;
}

typedef struct flow_result {
    int ok;
    int resumed;
    size_t bytes;            /* of HTTP response received */
    parley_early_data early; /* what became of the 0-RTT request */
    char version[16], suite[64], group[32], peer[256], peer_key[32];
    char failure[256];
} flow_result;

/* One client connection over the flow's suite: GET /, then close_notify. *session is offered
 * (if set) and replaced by the connection's session. */
static void run_flow(const demo_flow *f, const demo_certs *certs, const char *ca_file, int port,
                     parley_trace_log *log, parley_session **session, flow_result *res)
{
    memset(res, 0, sizeof(*res));
    parley_config *cfg = parley_config_new();
    parley_conn *c = NULL;
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    /* Connected before anything can fail: the server thread waits in accept for every flow. */
    int fd = tool_connect("127.0.0.1", portstr, 10);
    /* Session IDs, as in the references: no tickets, so no NewSessionTicket in their drawings.
     * TLS 1.3 resumes only from tickets. */
    if (parley_config_set_ca_file(cfg, ca_file) != PARLEY_OK ||
        parley_config_set_session_tickets(cfg, f->tls13) != PARLEY_OK ||
        (f->groups && parley_config_set_groups(cfg, f->groups) != PARLEY_OK) ||
        (f->key_shares && parley_config_set_key_shares(cfg, f->key_shares) != PARLEY_OK) ||
        parley_config_set_ciphers(cfg, f->suites) != PARLEY_OK ||
        parley_config_set_versions(cfg, f->min_version, f->max_version) != PARLEY_OK ||
        (f->client_cert && parley_config_add_certificate_pem(
                               cfg, certs->client_chain, strlen(certs->client_chain),
                               certs->client_key, strlen(certs->client_key)) != PARLEY_OK)) {
        snprintf(res->failure, sizeof(res->failure), "%s", parley_config_error(cfg));
        goto out;
    }
    c = parley_conn_new(cfg, PARLEY_CLIENT);
    if (fd < 0 || c == NULL) {
        snprintf(res->failure, sizeof(res->failure), "no connection");
        goto out;
    }
    parley_conn_set_server_name(c, "localhost");
    parley_conn_set_trace(c, parley_trace_log_add, log);
    if (f->resume && *session != NULL)
        parley_conn_set_session(c, *session);
    static const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    /* 0-RTT: the ClientHello and the request under the early traffic key, queued now and sent
     * by parley_fd_handshake's first flush, before any answer from the server. */
    size_t written = 0;
    if (f->early_data && (parley_write_early(c, req, sizeof(req) - 1, &written) != PARLEY_OK ||
                          written != sizeof(req) - 1)) {
        snprintf(res->failure, sizeof(res->failure), "0-RTT data could not be sent: %s",
                 parley_error_message(c));
        goto out;
    }
    if (parley_fd_handshake(c, fd) != PARLEY_OK) {
        snprintf(res->failure, sizeof(res->failure), "%s", parley_error_message(c));
        goto out;
    }
    const char *suite = parley_cipher_suite_name(parley_cipher_suite(c));
    uint16_t group = parley_group(c);
    snprintf(res->version, sizeof(res->version), "%s", parley_version_name(parley_version(c)));
    snprintf(res->suite, sizeof(res->suite), "%s", suite ? suite : "?");
    snprintf(res->group, sizeof(res->group), "%s",
             group ? parley_group_name(group) : "none (RSA key transport)");
    snprintf(res->peer, sizeof(res->peer), "%s", parley_peer_subject(c));
    snprintf(res->peer_key, sizeof(res->peer_key), "%s", parley_peer_key(c));
    char buf[2048];
    size_t got;
    /* A request the server refused as 0-RTT is sent again, now in the ordinary way. */
    res->early = parley_early_data_status(c);
    int rc = res->early == PARLEY_EARLY_DATA_ACCEPTED
                 ? PARLEY_OK
                 : parley_fd_write(c, fd, req, sizeof(req) - 1);
    while (rc == PARLEY_OK &&
           (rc = parley_fd_read(c, fd, buf + res->bytes, sizeof(buf) - 1 - res->bytes, &got)) ==
               PARLEY_OK)
        res->bytes += got;
    buf[res->bytes] = '\0';
    parley_fd_close(c, fd);
    /* Success is the whole exchange: a 200 and the server's close_notify; and for a
     * resumption flow, that it did resume. */
    res->resumed = parley_session_resumed(c);
    int early_ok = !f->early_data || res->early == PARLEY_EARLY_DATA_ACCEPTED;
    res->ok = rc == PARLEY_CLOSED && strncmp(buf, "HTTP/1.1 200 ", 13) == 0 &&
              (!f->resume || res->resumed) && early_ok;
    if (!res->ok)
        snprintf(res->failure, sizeof(res->failure), "%s",
                 rc != PARLEY_CLOSED          ? parley_error_message(c)
                 : f->resume && !res->resumed ? "the server did not resume the session"
                 : !early_ok                  ? "the server refused the 0-RTT request"
                                              : "no 200 response");
    parley_session *kept = parley_conn_get_session(c);
    if (kept != NULL) {
        parley_session_free(*session);
        *session = kept;
    }
out:
    if (fd >= 0)
        close(fd);
    parley_conn_free(c);
    parley_config_free(cfg);
}

/* The block under each diagram: what the client saw, and for a client-certificate flow whom the
 * server saw. */
static void print_result(const flow_result *res, const demo_flow *f, const char *client_seen)
{
    printf("\n%s\n", f->title);
    if (!res->ok) {
        printf("   FAILED: %s\n\n", res->failure);
        return;
    }
    printf("   version   %s\n   suite     %s\n   group     %s\n   peer      %s (%s)\n",
           res->version, res->suite, res->group, res->peer, res->peer_key);
    if (f->client_cert)
        printf("   client    %s, as verified by the server%s\n", client_seen,
               res->resumed ? " (in the first connection)" : "");
    if (f->hello_retry)
        printf("   retried   yes: a HelloRetryRequest for %s, then a second ClientHello\n",
               res->group);
    if (f->resume && f->tls13 && res->resumed)
        printf("   resumed   yes: PSK from the ticket, no certificates, a fresh %s exchange\n",
               res->group);
    else if (f->resume)
        printf("   resumed   %s\n", res->resumed ? "yes: no certificates, no key exchange" : "no");
    if (f->early_data)
        printf("   0-RTT     accepted: the GET went with the ClientHello, read before the "
               "server's Finished\n");
    printf("   received  %zu bytes of HTTP\n   ok\n\n", res->bytes);
}

/* Whether a message of that name is in the log: what a flow shows that the API does not say. */
static int logged(const parley_trace_log *log, const char *name)
{
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        if (ev->kind == PARLEY_TRACE_MESSAGE && strcmp(ev->name, name) == 0)
            return 1;
    }
    return 0;
}

/* Writes flow i's diagram as DIR/flow-N.html and adds it to the index. */
static void write_html(const char *dir, size_t i, parley_trace_log *log, FILE *index)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/flow-%zu.html", dir, i + 1);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        tool_fail("cannot write %s", path);
        return;
    }
    parley_trace_log_write(log, PARLEY_TRACE_HTML, f, flows[i].title, 0);
    fclose(f);
    fprintf(index, "<li><a href=\"flow-%zu.html\">%s</a> (%s)</li>\n", i + 1, flows[i].title,
            flows[i].reference);
}

int cmd_demo(int argc, char **argv)
{
    const char *html_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--html") == 0 && i + 1 < argc)
            html_dir = argv[++i];
        else
            return tool_fail("usage: parley demo [--html DIR]");
    }
    demo_certs certs;
    if (democerts_make(&certs) < 0)
        return tool_fail("cannot make demo certificates");
    char ca_file[] = "/tmp/parley-demo-ca-XXXXXX";
    int cafd = mkstemp(ca_file);
    if (cafd < 0 || write(cafd, certs.ca, strlen(certs.ca)) < 0)
        return tool_fail("cannot write the demo CA");
    close(cafd);

    demo_server server;
    server.cfg = parley_config_new();
    parley_config_add_certificate_pem(server.cfg, certs.rsa_chain, strlen(certs.rsa_chain),
                                      certs.rsa_key, strlen(certs.rsa_key));
    parley_config_add_certificate_pem(server.cfg, certs.ec_chain, strlen(certs.ec_chain),
                                      certs.ec_key, strlen(certs.ec_key));
    /* The server plays the reference's server too, which spoke TLS 1.1: the clients of the other
     * flows ask for TLS 1.2 only, so they are unaffected. */
    parley_config_set_versions(server.cfg, PARLEY_TLS1_0, PARLEY_TLS1_2);
    /* Reference 000's server: RC4 (a legacy suite, so named explicitly) and a client certificate
     * required from the demo CA. A setter that fails (RC4 without OpenSSL's legacy provider)
     * shows up as that flow's failure. */
    server.auth_cfg = parley_config_new();
    parley_config_add_certificate_pem(server.auth_cfg, certs.rsa_chain, strlen(certs.rsa_chain),
                                      certs.rsa_key, strlen(certs.rsa_key));
    parley_config_set_versions(server.auth_cfg, PARLEY_TLS1_0, PARLEY_TLS1_2);
    parley_config_set_ciphers(server.auth_cfg, "TLS_RSA_WITH_RC4_128_SHA");
    parley_config_set_client_ca_file(server.auth_cfg, ca_file, 1);
    parley_config_set_client_auth(server.auth_cfg, PARLEY_CLIENT_AUTH_REQUIRED);
    /* RFC 8446's server: TLS 1.3 only, the RSA chain (so CertificateVerify is RSA-PSS), X25519
     * preferred (a client without an X25519 share gets a HelloRetryRequest), tickets by default. */
    server.cfg13 = parley_config_new();
    parley_config_add_certificate_pem(server.cfg13, certs.rsa_chain, strlen(certs.rsa_chain),
                                      certs.rsa_key, strlen(certs.rsa_key));
    parley_config_set_versions(server.cfg13, PARLEY_TLS1_3, PARLEY_TLS1_3);
    parley_config_set_ciphers(server.cfg13, TLS13_SUITES);
    parley_config_set_groups(server.cfg13, "x25519,secp256r1");
    /* 0-RTT allowed, so its tickets say how much early data they carry (the last flow uses it). */
    parley_config_set_early_data(server.cfg13, 16384);
    server.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(server.listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(server.listen_fd, 8) < 0 ||
        getsockname(server.listen_fd, (struct sockaddr *)&addr, &len) < 0)
        return tool_fail("cannot listen on loopback");
    int port = ntohs(addr.sin_port);
    printf("parley demo: server on 127.0.0.1:%d with throwaway RSA and ECDSA chains and a client "
           "certificate\n\n",
           port);
    for (size_t i = 0; i < FLOW_COUNT; i++)
        server.logs[i] = parley_trace_log_new();
    pthread_t thread;
    if (pipe(server.done_pipe) < 0 || pthread_create(&thread, NULL, serve, &server) != 0)
        return tool_fail("cannot start the demo server");

    size_t passed = 0;
    int color = isatty(STDOUT_FILENO);
    parley_session *session = NULL;
    for (size_t i = 0; i < FLOW_COUNT; i++) {
        char title[256], done;
        snprintf(title, sizeof(title), "== %s (%s)", flows[i].title, flows[i].reference);
        flow_result res;
        run_flow(&flows[i], &certs, ca_file, port, server.logs[i], &session, &res);
        /* Draw only once the server has finished its half of the log. */
        if (read(server.done_pipe[0], &done, 1) != 1)
            res.ok = 0;
        parley_trace_log_write(server.logs[i], PARLEY_TRACE_TEXT, stdout, title, color);
        if (flows[i].client_cert && res.ok && server.client_seen[i][0] == '\0') {
            res.ok = 0;
            snprintf(res.failure, sizeof(res.failure), "the server saw no client certificate");
        }
        if (flows[i].hello_retry && res.ok && !logged(server.logs[i], "HelloRetryRequest")) {
            res.ok = 0;
            snprintf(res.failure, sizeof(res.failure), "the server sent no HelloRetryRequest");
        }
        print_result(&res, &flows[i], server.client_seen[i]);
        passed += (size_t)res.ok;
    }
    pthread_join(thread, NULL);
    parley_session_free(session);
    close(server.done_pipe[0]);
    close(server.done_pipe[1]);
    if (html_dir != NULL) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/index.html", html_dir);
        FILE *index = fopen(path, "w");
        if (index == NULL)
            return tool_fail("cannot write %s", path);
        fputs("<!doctype html><html><head><meta charset=\"utf-8\"><title>parley demo</title>"
              "</head><body><h1>parley demo</h1><ul>\n",
              index);
        for (size_t i = 0; i < FLOW_COUNT; i++)
            write_html(html_dir, i, server.logs[i], index);
        fputs("</ul></body></html>\n", index);
        fclose(index);
        printf("HTML diagrams in %s/index.html\n", html_dir);
    }
    for (size_t i = 0; i < FLOW_COUNT; i++)
        parley_trace_log_free(server.logs[i]);
    close(server.listen_fd);
    parley_config_free(server.cfg);
    parley_config_free(server.auth_cfg);
    parley_config_free(server.cfg13);
    unlink(ca_file);
    democerts_free(&certs);
    printf("%zu of %zu flows succeeded\n", passed, FLOW_COUNT);
    return passed == FLOW_COUNT ? 0 : 1;
}
