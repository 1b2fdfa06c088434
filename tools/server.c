/*
 * parley server: an HTTPS/1.1 server on one poll() loop over non-blocking sockets, each client a
 * parley_conn driven with the sans-I/O calls, so a slow or broken client never stalls the others.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define MAX_CLIENTS  256
#define MAX_REQUEST  (64 * 1024)
#define MAX_RESPONSE (1024 * 1024)
#define MAX_CERTS    4

typedef struct server_opts {
    const char *certs[MAX_CERTS], *keys[MAX_CERTS];
    int n_certs, n_keys;
    const char *port, *bind, *root, *ciphers, *groups, *alpn, *keylog, *trace, *trace_file;
    uint16_t tls_min, tls_max;
    long max_requests;
    int timeout;
} server_opts;

typedef struct client {
    int fd;
    parley_conn *conn;
    parley_trace_log *log; /* without --root: the handshake, drawn on the connection page */
    char peer[64];
    char *request;
    size_t request_len;
    unsigned char *pending; /* wire bytes the socket did not take yet */
    size_t pending_len;
    time_t last_active;
    int closing;
} client;

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static const char server_usage[] =
    "usage: parley server --cert FILE --key FILE [--cert FILE --key FILE ...] [options]\n"
    "  --port N          port (default 4433; 0 picks a free one)\n"
    "  --bind ADDR       address (default 127.0.0.1)\n"
    "  --root DIR        serve files under DIR (default: a page describing the connection)\n"
    "  --ciphers LIST --groups LIST --alpn LIST --tls-min V --tls-max V\n"
    "  --max-requests N  exit after N connections have finished\n"
    "  --trace[=FORMAT]  draw each connection when it ends: text, json or html\n"
    "  --trace-file FILE append the drawings there instead of stderr\n"
    "  --keylog FILE     append NSS key log lines (also SSLKEYLOGFILE)\n"
    "  --timeout S       idle timeout per connection (default 10)\n";

static int parse_args(int argc, char **argv, server_opts *o)
{
    o->port = "4433";
    o->bind = "127.0.0.1";
    o->alpn = "http/1.1";
    o->timeout = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(server_usage, stdout);
            exit(0);
        }
        if (strcmp(a, "--trace") == 0 || strncmp(a, "--trace=", 8) == 0) {
            o->trace = a[7] == '=' ? a + 8 : "text";
            continue;
        }
        if (v == NULL) {
            fputs(server_usage, stderr);
            return tool_fail("%s needs a value", a);
        }
        i++;
        if (strcmp(a, "--cert") == 0 && o->n_certs < MAX_CERTS)
            o->certs[o->n_certs++] = v;
        else if (strcmp(a, "--key") == 0 && o->n_keys < MAX_CERTS)
            o->keys[o->n_keys++] = v;
        else if (strcmp(a, "--port") == 0)
            o->port = v;
        else if (strcmp(a, "--bind") == 0)
            o->bind = v;
        else if (strcmp(a, "--root") == 0)
            o->root = v;
        else if (strcmp(a, "--ciphers") == 0)
            o->ciphers = v;
        else if (strcmp(a, "--groups") == 0)
            o->groups = v;
        else if (strcmp(a, "--alpn") == 0)
            o->alpn = v;
        else if (strcmp(a, "--keylog") == 0)
            o->keylog = v;
        else if (strcmp(a, "--trace-file") == 0)
            o->trace_file = v;
        else if (strcmp(a, "--max-requests") == 0)
            o->max_requests = atol(v);
        else if (strcmp(a, "--timeout") == 0)
            o->timeout = atoi(v);
        else if ((strcmp(a, "--tls-min") == 0 || strcmp(a, "--tls-max") == 0) && tool_version(v))
            *(strcmp(a, "--tls-min") == 0 ? &o->tls_min : &o->tls_max) = tool_version(v);
        else {
            fputs(server_usage, stderr);
            return tool_fail("unknown option %s %s", a, v);
        }
    }
    if (o->n_certs == 0 || o->n_certs != o->n_keys)
        return tool_fail("give each --cert a --key (at least one pair)");
    return 0;
}

static parley_config *server_config(const server_opts *o)
{
    parley_config *cfg = parley_config_new();
    int ok = cfg != NULL;
    for (int i = 0; ok && i < o->n_certs; i++)
        ok = parley_config_add_certificate(cfg, o->certs[i], o->keys[i]) == PARLEY_OK;
    if (ok && (o->tls_min || o->tls_max))
        ok = parley_config_set_versions(cfg, o->tls_min ? o->tls_min : PARLEY_TLS1_2,
                                        o->tls_max ? o->tls_max : PARLEY_TLS1_2) == PARLEY_OK;
    if (ok && o->ciphers)
        ok = parley_config_set_ciphers(cfg, o->ciphers) == PARLEY_OK;
    if (ok && o->groups)
        ok = parley_config_set_groups(cfg, o->groups) == PARLEY_OK;
    if (ok && tool_keylog(cfg, o->keylog) != 0)
        ok = 0;
    if (ok && o->alpn && o->alpn[0])
        ok = parley_config_set_alpn(cfg, o->alpn) == PARLEY_OK;
    if (!ok) {
        tool_fail("%s", cfg ? parley_config_error(cfg) : "cannot initialise libcrypto");
        parley_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static int listen_on(const server_opts *o)
{
    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    if (getaddrinfo(o->bind, o->port, &hints, &res) != 0)
        return tool_fail("cannot bind to %s port %s", o->bind, o->port), -1;
    int fd = socket(res->ai_family, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 128) < 0) {
        tool_fail("cannot listen on %s port %s: %s", o->bind, o->port, strerror(errno));
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    char host[64], serv[16];
    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv, sizeof(serv),
                NI_NUMERICHOST | NI_NUMERICSERV);
    printf("listening on %s%s%s:%s\n", strchr(host, ':') ? "[" : "", host,
           strchr(host, ':') ? "]" : "", serv);
    fflush(stdout);
    return fd;
}

/* Moves engine output to the socket; keeps what the socket would not take. */
static int flush_client(client *cl)
{
    unsigned char buf[16384];
    for (;;) {
        if (cl->pending_len == 0) {
            size_t n = parley_take(cl->conn, buf, sizeof(buf));
            if (n == 0)
                return 0;
            cl->pending = malloc(n);
            if (cl->pending == NULL)
                return -1;
            memcpy(cl->pending, buf, n);
            cl->pending_len = n;
        }
        ssize_t w = send(cl->fd, cl->pending, cl->pending_len, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return 0;
        if (w <= 0)
            return -1;
        memmove(cl->pending, cl->pending + w, cl->pending_len - (size_t)w);
        cl->pending_len -= (size_t)w;
        if (cl->pending_len == 0) {
            free(cl->pending);
            cl->pending = NULL;
        }
    }
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = '\0';
}

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const char *const types[][2] = {
        {".html", "text/html"},     {".txt", "text/plain"},        {".css", "text/css"},
        {".js", "text/javascript"}, {".json", "application/json"}, {".png", "image/png"},
        {".svg", "image/svg+xml"},
    };
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcasecmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

/* Text from the peer (SNI, certificate subjects) goes into HTML escaped. */
static void html_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else if (*s == '"')
            fputs("&quot;", out);
        else
            fputc(*s, out);
    }
}

static void page_item(FILE *out, const char *label, const char *id, const char *value)
{
    fprintf(out, "<dt>%s</dt><dd id=\"%s\">", label, id);
    html_text(out, value);
    fputs("</dd>", out);
}

/* A page describing the connection that carried the request: what was negotiated, then the
 * diagram of the very handshake that delivered it. Returns a malloc'd page. */
static char *connection_page(client *cl, size_t *len)
{
    parley_conn *c = cl->conn;
    uint8_t sid[32];
    char sid_hex[65];
    hex(sid, parley_session_id(c, sid), sid_hex);
    const char *suite = parley_cipher_suite_name(parley_cipher_suite(c));
    char *summary = NULL, *diagram = NULL, *page = NULL;
    size_t summary_len = 0, diagram_len = 0;
    FILE *f = open_memstream(&summary, &summary_len);
    if (f == NULL)
        return NULL;
    fputs("<dl>", f);
    page_item(f, "version", "version", parley_version_name(parley_version(c)));
    page_item(f, "cipher suite", "suite", suite ? suite : "?");
    page_item(f, "group", "group", parley_group_name(parley_group(c)));
    page_item(f, "server name", "sni", parley_server_name(c));
    page_item(f, "ALPN", "alpn", parley_alpn(c));
    page_item(f, "session id", "session", sid_hex);
    page_item(f, "client certificate", "peer",
              parley_peer_subject(c)[0] ? parley_peer_subject(c) : "none");
    fputs("</dl>\n", f);
    fclose(f);
    f = open_memstream(&diagram, &diagram_len);
    if (f != NULL) {
        parley_trace_log_write(cl->log, PARLEY_TRACE_HTML, f,
                               "parley: the handshake that delivered this page", 0);
        fclose(f);
    }
    /* The summary goes right under the diagram page's heading. */
    const char *cut = diagram ? strstr(diagram, "</h1>") : NULL;
    size_t head = cut ? (size_t)(cut - diagram) + 5 : 0;
    *len = summary_len + diagram_len;
    page = malloc(*len + 1);
    if (page != NULL) {
        memcpy(page, diagram, head);
        memcpy(page + head, summary, summary_len);
        memcpy(page + head + summary_len, diagram + head, diagram_len - head);
    }
    free(summary);
    free(diagram);
    return page;
}

/* Reads a file under root into a malloc'd buffer; refuses anything that resolves outside. */
static char *read_under_root(const char *root, const char *path, size_t *len, int *status)
{
    char want[PATH_MAX], real_root[PATH_MAX], real[PATH_MAX];
    *status = 404;
    if (strstr(path, "..") != NULL || realpath(root, real_root) == NULL)
        return NULL;
    snprintf(want, sizeof(want), "%s/%s", root, path[0] == '/' ? path + 1 : path);
    if (realpath(want, real) == NULL || strncmp(real, real_root, strlen(real_root)) != 0)
        return NULL;
    struct stat st;
    if (stat(real, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_RESPONSE)
        return NULL;
    FILE *f = fopen(real, "rb");
    char *buf = f ? malloc((size_t)st.st_size + 1) : NULL;
    if (buf == NULL || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        free(buf);
        if (f)
            fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)st.st_size;
    *status = 200;
    return buf;
}

/* Answers one request head; returns 1 if the connection should close afterwards. */
static int answer(client *cl, const server_opts *o, const char *head)
{
    char method[16] = "", path[2048] = "", version[16] = "";
    int fields = sscanf(head, "%15s %2047s %15s", method, path, version);
    int close_after = fields < 3 || strcmp(version, "HTTP/1.0") == 0 ||
                      strcasestr(head, "\nConnection: close") != NULL;
    int status = 200, head_only = strcmp(method, "HEAD") == 0;
    const char *type = "text/html";
    char *body = NULL;
    size_t body_len = 0;
    if (fields < 2 || strncmp(version, "HTTP/", 5) != 0) {
        status = 400;
        close_after = 1;
    } else if (strcmp(method, "GET") != 0 && !head_only) {
        status = 405;
    } else if (o->root) {
        path[strcspn(path, "?#")] = '\0';
        if (strcmp(path, "/") == 0)
            snprintf(path, sizeof(path), "/index.html");
        body = read_under_root(o->root, path, &body_len, &status);
        type = content_type(path);
    } else {
        body = connection_page(cl, &body_len);
        status = body ? 200 : 404;
    }
    static const char *const reasons[] = {
        [200] = "OK", [400] = "Bad Request", [404] = "Not Found", [405] = "Method Not Allowed"};
    const char *src = body ? body : reasons[status];
    if (status != 200) {
        body_len = strlen(src);
        type = "text/plain";
    }
    size_t cap = 512 + body_len;
    char *resp = malloc(cap);
    int n = snprintf(resp, cap,
                     "HTTP/1.1 %d %s\r\nServer: parley/%s\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
                     status, reasons[status], PARLEY_VERSION_STRING, type, body_len,
                     close_after ? "close" : "keep-alive");
    size_t total = (size_t)n;
    if (!head_only) {
        memcpy(resp + total, src, body_len);
        total += body_len;
    }
    /* One parley_write: a small page goes out in a single record. */
    size_t off = 0;
    while (off < total) {
        size_t w;
        if (parley_write(cl->conn, resp + off, total - off, &w) != PARLEY_OK)
            break;
        off += w;
        if (flush_client(cl) < 0)
            break;
    }
    free(resp);
    free(body);
    return close_after;
}

/* Extracts and answers every complete request head in the buffer. */
static void serve_requests(client *cl, const server_opts *o)
{
    for (;;) {
        char *end = NULL;
        size_t head_len = 0;
        for (size_t i = 0; i + 1 < cl->request_len && end == NULL; i++) {
            if (cl->request[i] == '\n' && cl->request[i + 1] == '\n')
                end = cl->request + i, head_len = i + 2;
            else if (i + 3 < cl->request_len && memcmp(cl->request + i, "\r\n\r\n", 4) == 0)
                end = cl->request + i, head_len = i + 4;
        }
        if (end == NULL)
            return;
        *end = '\0';
        int close_after = answer(cl, o, cl->request);
        memmove(cl->request, cl->request + head_len, cl->request_len - head_len);
        cl->request_len -= head_len;
        if (close_after) {
            parley_close(cl->conn);
            cl->closing = 1;
            return;
        }
    }
}

/* Reads from the socket into the engine and the request buffer; -1 when the client is done. */
static int on_readable(client *cl, const server_opts *o)
{
    unsigned char buf[16384];
    ssize_t r = recv(cl->fd, buf, sizeof(buf), 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    int was_handshaking = parley_state(cl->conn) == PARLEY_STATE_HANDSHAKING;
    if (r <= 0) {
        parley_feed_eof(cl->conn);
    } else {
        size_t off = 0;
        while (off < (size_t)r) {
            off += parley_feed(cl->conn, buf + off, (size_t)r - off);
            for (;;) {
                size_t got;
                if (cl->request_len == MAX_REQUEST)
                    return -1;
                if (parley_read(cl->conn, cl->request + cl->request_len,
                                MAX_REQUEST - cl->request_len, &got) != PARLEY_OK)
                    break;
                cl->request_len += got;
            }
            if (parley_state(cl->conn) == PARLEY_STATE_FAILED)
                break;
        }
    }
    parley_handshake(cl->conn);
    if (parley_state(cl->conn) == PARLEY_STATE_FAILED) {
        if (was_handshaking)
            fprintf(stderr, "handshake failed from %s: %s\n", cl->peer,
                    parley_error_message(cl->conn));
        flush_client(cl); /* the alert */
        return -1;
    }
    if (parley_state(cl->conn) == PARLEY_STATE_CLOSED) {
        parley_close(cl->conn);
        flush_client(cl);
        return -1;
    }
    if (r == 0)
        return -1;
    if (!cl->closing)
        serve_requests(cl, o);
    return 0;
}

/* --trace: the connection's diagram, written when it ends. */
static void write_trace(const client *cl, const server_opts *o)
{
    if (o->trace == NULL || cl->log == NULL)
        return;
    parley_trace_format format = strcmp(o->trace, "json") == 0   ? PARLEY_TRACE_JSON
                                 : strcmp(o->trace, "html") == 0 ? PARLEY_TRACE_HTML
                                                                 : PARLEY_TRACE_TEXT;
    FILE *out = o->trace_file ? fopen(o->trace_file, "a") : stderr;
    if (out == NULL)
        return;
    char title[128];
    snprintf(title, sizeof(title), "parley server: connection from %s", cl->peer);
    parley_trace_log_write(cl->log, format, out, title, out == stderr && isatty(2));
    if (out != stderr)
        fclose(out);
}

static void drop(client *cl)
{
    close(cl->fd);
    parley_conn_free(cl->conn);
    parley_trace_log_free(cl->log);
    free(cl->request);
    free(cl->pending);
    memset(cl, 0, sizeof(*cl));
    cl->fd = -1;
}

static void accept_client(int lfd, client *clients, parley_config *cfg, int draw)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int fd = accept(lfd, (struct sockaddr *)&ss, &len);
    if (fd < 0)
        return;
    client *cl = NULL;
    for (int i = 0; i < MAX_CLIENTS && cl == NULL; i++)
        if (clients[i].fd < 0)
            cl = &clients[i];
    if (cl == NULL) {
        close(fd);
        return;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    cl->fd = fd;
    cl->conn = parley_conn_new(cfg, PARLEY_SERVER);
    if (draw && cl->conn != NULL) {
        cl->log = parley_trace_log_new();
        parley_conn_set_trace(cl->conn, parley_trace_log_add, cl->log);
    }
    cl->request = malloc(MAX_REQUEST);
    cl->last_active = time(NULL);
    char host[48] = "?", serv[8] = "?";
    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv, sizeof(serv),
                NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(cl->peer, sizeof(cl->peer), "%s:%s", host, serv);
    if (cl->conn == NULL || cl->request == NULL)
        drop(cl);
}

int cmd_server(int argc, char **argv)
{
    server_opts o;
    memset(&o, 0, sizeof(o));
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    parley_config *cfg = server_config(&o);
    if (cfg == NULL)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    int lfd = listen_on(&o);
    if (lfd < 0)
        return 1;
    static client clients[MAX_CLIENTS];
    for (int i = 0; i < MAX_CLIENTS; i++)
        clients[i].fd = -1;
    long finished = 0;
    struct pollfd pfd[MAX_CLIENTS + 1];
    while (!stop && (o.max_requests == 0 || finished < o.max_requests)) {
        int map[MAX_CLIENTS + 1], n = 1;
        pfd[0] = (struct pollfd){lfd, POLLIN, 0};
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i].fd < 0)
                continue;
            short ev = POLLIN;
            if (clients[i].pending_len || parley_output_pending(clients[i].conn))
                ev |= POLLOUT;
            pfd[n] = (struct pollfd){clients[i].fd, ev, 0};
            map[n++] = i;
        }
        if (poll(pfd, (nfds_t)n, 1000) < 0 && errno != EINTR)
            break;
        time_t now = time(NULL);
        if (pfd[0].revents & POLLIN)
            accept_client(lfd, clients, cfg, o.root == NULL || o.trace != NULL);
        for (int k = 1; k < n; k++) {
            client *cl = &clients[map[k]];
            int done = 0;
            if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                cl->last_active = now;
                done = on_readable(cl, &o) < 0;
            }
            if (!done && flush_client(cl) < 0)
                done = 1;
            if (!done && cl->closing && cl->pending_len == 0 &&
                parley_output_pending(cl->conn) == 0)
                done = 1;
            if (!done && now - cl->last_active > o.timeout) {
                if (parley_state(cl->conn) == PARLEY_STATE_HANDSHAKING)
                    fprintf(stderr, "handshake failed from %s: timed out after %d s\n", cl->peer,
                            o.timeout);
                done = 1;
            }
            if (done) {
                write_trace(cl, &o);
                drop(cl);
                finished++;
            }
        }
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].fd >= 0)
            drop(&clients[i]);
    close(lfd);
    parley_config_free(cfg);
    return 0;
}
