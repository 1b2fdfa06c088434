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
    const char *suite;
} demo_flow;

/* One row per flow: adding a flow is one line. */
static const demo_flow flows[] = {
    {"Full handshake, RSA key exchange", "references 001-003", "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {"ECDHE_RSA with a chain of three (leaf, intermediate, root)", "reference 004",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {"ECDHE_ECDSA", "RFC 8422", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
};
#define FLOW_COUNT (sizeof(flows) / sizeof(flows[0]))

typedef struct demo_server {
    int listen_fd;
    parley_config *cfg;
    parley_trace_log *logs[FLOW_COUNT]; /* flow i's connection logs into logs[i] */
} demo_server;

static void *serve(void *arg)
{
    demo_server *s = arg;
    for (size_t i = 0; i < FLOW_COUNT; i++) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
            break;
        parley_conn *c = parley_conn_new(s->cfg, PARLEY_SERVER);
        parley_conn_set_trace(c, parley_trace_log_add, s->logs[i]);
        if (parley_fd_handshake(c, fd) == PARLEY_OK) {
            char req[4096];
            size_t len = 0, got;
            while (len < sizeof(req) - 1 &&
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
    }
    return NULL;
}

static int run_flow(const demo_flow *f, const char *ca_file, int port, parley_trace_log *log)
{
    parley_config *cfg = parley_config_new();
    parley_config_set_ca_file(cfg, ca_file);
    parley_config_set_ciphers(cfg, f->suite);
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    int fd = tool_connect("127.0.0.1", portstr, 10);
    parley_conn *c = parley_conn_new(cfg, PARLEY_CLIENT);
    parley_conn_set_server_name(c, "localhost");
    parley_conn_set_trace(c, parley_trace_log_add, log);
    int ok = 0;
    if (fd >= 0 && parley_fd_handshake(c, fd) == PARLEY_OK) {
        static const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        parley_fd_write(c, fd, req, sizeof(req) - 1);
        char buf[2048];
        size_t total = 0, got;
        while (parley_fd_read(c, fd, buf, sizeof(buf), &got) == PARLEY_OK)
            total += got;
        parley_fd_close(c, fd);
        printf("\n   version %s, suite %s, group %s\n   server certificate %s (%s); %zu bytes "
               "of HTTP received\n\n",
               parley_version_name(parley_version(c)),
               parley_cipher_suite_name(parley_cipher_suite(c)),
               parley_group(c) ? parley_group_name(parley_group(c)) : "(RSA key transport)",
               parley_peer_subject(c), parley_peer_key(c), total);
        ok = total > 0;
    } else {
        printf("   FAILED: %s\n\n", parley_error_message(c));
    }
    if (fd >= 0)
        close(fd);
    parley_conn_free(c);
    parley_config_free(cfg);
    return ok;
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
    printf("parley demo: server on 127.0.0.1:%d with throwaway RSA and ECDSA chains\n\n", port);
    for (size_t i = 0; i < FLOW_COUNT; i++)
        server.logs[i] = parley_trace_log_new();
    pthread_t thread;
    pthread_create(&thread, NULL, serve, &server);

    size_t passed = 0;
    int color = isatty(STDOUT_FILENO);
    for (size_t i = 0; i < FLOW_COUNT; i++) {
        char title[256];
        snprintf(title, sizeof(title), "== %s (%s)", flows[i].title, flows[i].reference);
        int ok = run_flow(&flows[i], ca_file, port, server.logs[i]);
        /* The server side finishes its half of the log before the next flow starts. */
        if (i + 1 == FLOW_COUNT)
            pthread_join(thread, NULL);
        else
            usleep(20000);
        parley_trace_log_write(server.logs[i], PARLEY_TRACE_TEXT, stdout, title, color);
        passed += (size_t)ok;
    }
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
    unlink(ca_file);
    democerts_free(&certs);
    printf("%zu of %zu flows succeeded\n", passed, FLOW_COUNT);
    return passed == FLOW_COUNT ? 0 : 1;
}
