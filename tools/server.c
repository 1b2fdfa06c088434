/*
 * parley server: an HTTPS/1.1 server on one poll() loop over non-blocking sockets, each client a
 * parley_conn driven with the sans-I/O calls, so a slow or broken client never stalls the others.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "server_http.h"
#include "tool.h"

#define MAX_CLIENTS 256
#define MAX_REQUEST (64 * 1024)
#define MAX_CERTS   4
#define WIRE_CHUNK  16384
/* How long a closed connection waits for the client to close its side (see drain_client). */
#define DRAIN_MS 2000

typedef struct server_opts {
    const char *certs[MAX_CERTS], *keys[MAX_CERTS];
    int n_certs, n_keys;
    const char *port, *bind, *root, *ciphers, *groups, *alpn, *keylog, *trace, *trace_file;
    const char *client_ca;
    parley_client_auth verify_client;
    int client_ca_names;
    uint16_t tls_min, tls_max;
    const char *session_cache, *ticket_keys;
    unsigned session_lifetime;
    unsigned long early_data; /* --early-data: max_early_data_size, 0 off */
    int no_tickets;
    long max_requests;
    int timeout;
} server_opts;

typedef struct client {
    int fd;
    parley_conn *conn;
    parley_trace_log *log; /* without --root: the handshake, drawn on the connection page */
    char peer[64];
    char *request; /* plaintext received, heads not yet answered */
    size_t request_len;
    size_t early_len;   /* of request: bytes that came as 0-RTT */
    server_reply reply; /* the reply being written, reply_off bytes of it given to the engine */
    size_t reply_off;
    unsigned char *wire; /* engine output the socket did not take yet */
    size_t wire_len;
    time_t last_active;
    int closing;     /* close_notify queued: the connection ends once it is sent */
    int draining;    /* close_notify sent and our side shut down: reading until the client's EOF */
    int peer_closed; /* TLS 1.3 close_notify received: what was asked is answered, then we close */
    long long drain_until; /* monotonic ms */
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
    "  --client-ca FILE  CAs that issue client certificates (their names are announced)\n"
    "  --verify-client optional|require   ask clients for a certificate\n"
    "  --client-ca-names none             announce no CA names in the request\n"
    "  --session-cache memory|redis://HOST:PORT|none   where sessions are kept (default memory)\n"
    "  --session-lifetime S   how long a session may resume (default 300)\n"
    "  --ticket-keys FILE     seal session tickets with keys from this secret (64 hex\n"
    "                         digits), shared by a fleet; default: a random one per process\n"
    "  --no-tickets           issue no session tickets (resume by session ID only)\n"
    "  --early-data N         TLS 1.3: accept up to N bytes of 0-RTT early data per connection,\n"
    "                         once per ticket (replayable data: requests must be idempotent);\n"
    "                         default off (early data is then skipped, in one round trip more)\n"
    "  --max-requests N  exit after N connections have finished\n"
    "  --trace[=FORMAT]  draw each connection when it ends: text, json or html\n"
    "  --trace-file FILE append the drawings there instead of stderr\n"
    "  --keylog FILE     append NSS key log lines (also SSLKEYLOGFILE)\n"
    "  --timeout S       idle timeout per connection (default 10)\n";

/* A decimal number from 0 to 2^32 - 1 into *out; 0 if text is not one. */
static int parse_u32(const char *text, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v > 0xffffffffUL)
        return 0;
    *out = v;
    return 1;
}

static int parse_args(int argc, char **argv, server_opts *o)
{
    o->port = "4433";
    o->bind = "127.0.0.1";
    o->alpn = "http/1.1";
    o->timeout = 10;
    o->client_ca_names = 1;
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
        if (strcmp(a, "--no-tickets") == 0) {
            o->no_tickets = 1;
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
        else if (strcmp(a, "--client-ca") == 0)
            o->client_ca = v;
        else if (strcmp(a, "--session-cache") == 0)
            o->session_cache = v;
        else if (strcmp(a, "--session-lifetime") == 0)
            o->session_lifetime = (unsigned)atol(v);
        else if (strcmp(a, "--ticket-keys") == 0)
            o->ticket_keys = v;
        else if (strcmp(a, "--early-data") == 0 && parse_u32(v, &o->early_data))
            ;
        else if (strcmp(a, "--verify-client") == 0 && strcmp(v, "optional") == 0)
            o->verify_client = PARLEY_CLIENT_AUTH_OPTIONAL;
        else if (strcmp(a, "--verify-client") == 0 && strcmp(v, "require") == 0)
            o->verify_client = PARLEY_CLIENT_AUTH_REQUIRED;
        else if (strcmp(a, "--client-ca-names") == 0 && strcmp(v, "none") == 0)
            o->client_ca_names = 0;
        else if ((strcmp(a, "--tls-min") == 0 || strcmp(a, "--tls-max") == 0) && tool_version(v))
            *(strcmp(a, "--tls-min") == 0 ? &o->tls_min : &o->tls_max) = tool_version(v);
        else {
            fputs(server_usage, stderr);
            return tool_fail("unknown option %s %s", a, v);
        }
    }
    if (o->n_certs == 0 || o->n_certs != o->n_keys)
        return tool_fail("give each --cert a --key (at least one pair)");
    if (o->verify_client != PARLEY_CLIENT_AUTH_NONE && o->client_ca == NULL)
        return tool_fail("--verify-client needs --client-ca FILE");
    return 0;
}

/* Warnings from the session cache (Redis down, back), one line each. */
static void cache_warning(const char *message, void *arg)
{
    (void)arg;
    fprintf(stderr, "warning: %s\n", message);
}

/* --session-cache: the embedded cache (the library's default), Redis, or none. */
static int set_session_cache(parley_config *cfg, const char *spec)
{
    if (spec == NULL || strcmp(spec, "memory") == 0)
        return PARLEY_OK;
    if (strcmp(spec, "none") == 0)
        return parley_config_set_session_cache(cfg, NULL);
    parley_session_cache *cache = parley_session_cache_redis(spec, 100, cache_warning, NULL);
    if (cache == NULL) {
        tool_fail("--session-cache: %s is not memory, none or redis://HOST:PORT", spec);
        return PARLEY_ERROR;
    }
    int rc = parley_config_set_session_cache(cfg, cache);
    parley_session_cache_free(cache);
    return rc;
}

static parley_config *server_config(const server_opts *o)
{
    parley_config *cfg = parley_config_new();
    int ok = cfg != NULL;
    for (int i = 0; ok && i < o->n_certs; i++)
        ok = parley_config_add_certificate(cfg, o->certs[i], o->keys[i]) == PARLEY_OK;
    if (ok)
        ok = tool_set_versions(cfg, o->tls_min, o->tls_max) == PARLEY_OK;
    if (ok && o->ciphers)
        ok = parley_config_set_ciphers(cfg, o->ciphers) == PARLEY_OK;
    if (ok && o->client_ca)
        ok = parley_config_set_client_ca_file(cfg, o->client_ca, o->client_ca_names) == PARLEY_OK;
    if (ok)
        ok = parley_config_set_client_auth(cfg, o->verify_client) == PARLEY_OK;
    if (ok && o->groups)
        ok = parley_config_set_groups(cfg, o->groups) == PARLEY_OK;
    if (ok && tool_keylog(cfg, o->keylog) != 0)
        ok = 0;
    if (ok && o->alpn && o->alpn[0])
        ok = parley_config_set_alpn(cfg, o->alpn) == PARLEY_OK;
    if (ok && o->session_lifetime)
        ok = parley_config_set_session_lifetime(cfg, o->session_lifetime) == PARLEY_OK;
    if (ok && o->no_tickets)
        ok = parley_config_set_session_tickets(cfg, 0) == PARLEY_OK;
    if (ok && o->ticket_keys)
        ok = parley_config_set_ticket_key_file(cfg, o->ticket_keys, 0) == PARLEY_OK;
    if (ok && o->early_data)
        ok = parley_config_set_early_data(cfg, (uint32_t)o->early_data) == PARLEY_OK;
    if (ok && set_session_cache(cfg, o->session_cache) != PARLEY_OK) {
        parley_config_free(cfg);
        return NULL;
    }
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

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Moves engine output to the socket. What the socket would not take waits in cl->wire (made
 * once, on the first short send) until poll says the socket is writable again. */
static int flush_client(client *cl)
{
    unsigned char buf[WIRE_CHUNK];
    for (;;) {
        const unsigned char *src = cl->wire;
        size_t n = cl->wire_len;
        if (n == 0) {
            n = parley_take(cl->conn, buf, sizeof(buf));
            if (n == 0)
                return 0;
            src = buf;
        }
        ssize_t w = send(cl->fd, src, n, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        size_t sent = w > 0 ? (size_t)w : 0;
        if (sent > 0)
            cl->last_active = time(NULL);
        if (src == cl->wire) {
            memmove(cl->wire, cl->wire + sent, n - sent);
            cl->wire_len = n - sent;
        } else if (sent < n) {
            if (cl->wire == NULL && (cl->wire = malloc(WIRE_CHUNK)) == NULL)
                return -1;
            memcpy(cl->wire, buf + sent, n - sent);
            cl->wire_len = n - sent;
        }
        if (sent < n)
            return 0;
    }
}

/* Starts the reply to the next complete request head, if any; 1 if one was started. */
static int next_request(client *cl, const server_opts *o)
{
    size_t head = http_head_length(cl->request, cl->request_len);
    int rc;
    if (head == 0 && cl->request_len < MAX_REQUEST)
        return 0;
    if (head == 0) {
        rc = server_http_too_large(&cl->reply);
        cl->request_len = 0;
    } else {
        rc = server_http_answer(cl->request, head, o->root, cl->conn, cl->log, &cl->reply);
        memmove(cl->request, cl->request + head, cl->request_len - head);
        cl->request_len -= head;
    }
    cl->reply_off = 0;
    return rc == 0;
}

/* Moves replies into the engine and the engine's output to the socket for as long as the socket
 * takes it; answers pipelined requests in order. -1 when the connection is broken. */
static int pump(client *cl, const server_opts *o)
{
    for (;;) {
        if (flush_client(cl) < 0)
            return -1;
        int writable = parley_state(cl->conn) == PARLEY_STATE_OPEN || cl->peer_closed;
        if (cl->wire_len > 0 || !writable)
            return 0; /* the socket is full, or there is nothing to write to */
        if (cl->reply_off < cl->reply.len) {
            /* A reply under 16 KiB goes in one call, so in one record. */
            size_t w;
            if (parley_write(cl->conn, cl->reply.data + cl->reply_off,
                             cl->reply.len - cl->reply_off, &w) != PARLEY_OK)
                return -1;
            cl->reply_off += w;
            continue;
        }
        if (cl->reply.data != NULL) {
            free(cl->reply.data);
            cl->reply.data = NULL;
            if (cl->reply.close_after) {
                cl->closing = 1;
                parley_close(cl->conn);
            }
            cl->reply.len = cl->reply_off = 0;
            continue;
        }
        if (cl->closing)
            return flush_client(cl);
        if (!next_request(cl, o)) {
            if (cl->peer_closed) { /* every request it sent is answered: our side closes too */
                cl->closing = 1;
                parley_close(cl->conn);
            }
            return flush_client(cl);
        }
    }
}

/* Reads from the socket into the engine and the request buffer; -1 when the client is done. */
static int on_readable(client *cl)
{
    unsigned char buf[WIRE_CHUNK];
    ssize_t r = recv(cl->fd, buf, sizeof(buf), 0);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    int was_handshaking = parley_state(cl->conn) == PARLEY_STATE_HANDSHAKING;
    if (r <= 0) {
        parley_feed_eof(cl->conn);
    } else {
        size_t off = 0;
        while (off < (size_t)r) {
            size_t used = parley_feed(cl->conn, buf + off, (size_t)r - off);
            off += used;
            size_t got = 0;
            /* What is read while the handshake runs is accepted 0-RTT data. */
            while (cl->request_len < MAX_REQUEST &&
                   parley_read(cl->conn, cl->request + cl->request_len,
                               MAX_REQUEST - cl->request_len, &got) == PARLEY_OK) {
                cl->request_len += got;
                if (parley_state(cl->conn) == PARLEY_STATE_HANDSHAKING)
                    cl->early_len += got;
            }
            if (used == 0 && cl->request_len == MAX_REQUEST)
                break; /* a head too large: answered with 431, the rest is dropped */
        }
    }
    parley_handshake(cl->conn);
    parley_conn_state state = parley_state(cl->conn);
    if (state == PARLEY_STATE_FAILED) {
        if (was_handshaking)
            fprintf(stderr, "handshake failed from %s: %s\n", cl->peer,
                    parley_error_message(cl->conn));
        flush_client(cl); /* the alert */
        return -1;
    }
    if (was_handshaking && state != PARLEY_STATE_HANDSHAKING && parley_session_resumed(cl->conn))
        fprintf(stderr, "session resumed from %s\n", cl->peer);
    if (was_handshaking && state != PARLEY_STATE_HANDSHAKING &&
        parley_early_data_status(cl->conn) == PARLEY_EARLY_DATA_ACCEPTED)
        fprintf(stderr, "early data from %s: %zu bytes accepted (0-RTT)\n", cl->peer,
                cl->early_len);
    else if (was_handshaking && state != PARLEY_STATE_HANDSHAKING &&
             parley_early_data_status(cl->conn) == PARLEY_EARLY_DATA_REJECTED)
        fprintf(stderr, "early data from %s: rejected (skipped)\n", cl->peer);
    if (was_handshaking && state != PARLEY_STATE_HANDSHAKING && parley_peer_authenticated(cl->conn))
        fprintf(stderr, "client certificate from %s: %s (%s)\n", cl->peer,
                parley_peer_subject(cl->conn), parley_peer_key(cl->conn));
    if (state == PARLEY_STATE_CLOSED && parley_version(cl->conn) == PARLEY_TLS1_3) {
        /* A half-close (gnutls-cli sends its request, then close_notify at the end of its
         * input): the requests already read are answered before our close_notify. */
        cl->peer_closed = 1;
        return 0;
    }
    if (state == PARLEY_STATE_CLOSED) {
        parley_close(cl->conn);
        flush_client(cl);
        return -1;
    }
    return r == 0 ? -1 : 0;
}

/* Closing a socket whose receive queue holds unread bytes (typically the client's own
 * close_notify, sent as it reads ours) makes the kernel answer with RST, which can overtake the
 * end of the response on the client's side ("Error in the pull function" in gnutls-cli). So once
 * our close_notify is out, only our direction is shut down and the client's remaining bytes are
 * read and dropped until its EOF or the deadline. 1 when the socket may as well be closed now. */
static int start_drain(client *cl)
{
    if (shutdown(cl->fd, SHUT_WR) < 0)
        return 1;
    cl->draining = 1;
    cl->drain_until = now_ms() + DRAIN_MS;
    return 0;
}

/* A draining client's turn: 1 once it has closed its side (or failed, or took too long). */
static int drain_client(client *cl, short revents)
{
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        unsigned char buf[WIRE_CHUNK];
        ssize_t r = recv(cl->fd, buf, sizeof(buf), 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return 1;
    }
    return now_ms() >= cl->drain_until;
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
    free(cl->reply.data);
    free(cl->wire);
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
    tool_nodelay(fd);
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

/* One client's turn in the loop: read, answer, flush, close. 1 when it is to be dropped. */
static int serve_client(client *cl, short revents, time_t now, const server_opts *o)
{
    if (!cl->peer_closed && (revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        cl->last_active = now;
        if (on_readable(cl) < 0)
            return 1;
    }
    if (pump(cl, o) < 0)
        return 1;
    if (cl->closing && cl->wire_len == 0 && parley_output_pending(cl->conn) == 0)
        return start_drain(cl);
    if (now - cl->last_active > o->timeout) {
        if (parley_state(cl->conn) == PARLEY_STATE_HANDSHAKING)
            fprintf(stderr, "handshake failed from %s: timed out after %d s\n", cl->peer,
                    o->timeout);
        /* An idle keep-alive client is told the connection ends, best effort. */
        if (parley_state(cl->conn) == PARLEY_STATE_OPEN && parley_close(cl->conn) == 0)
            flush_client(cl);
        return 1;
    }
    return 0;
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
        int map[MAX_CLIENTS + 1], n = 1, wait_ms = 1000;
        long long start = now_ms();
        pfd[0] = (struct pollfd){lfd, POLLIN, 0};
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i].fd < 0)
                continue;
            short ev = clients[i].peer_closed ? 0 : POLLIN; /* nothing more will come */
            if (clients[i].draining) {
                /* Wake for the deadline, not only for the once-a-second idle check. */
                long long left = clients[i].drain_until - start;
                if (left < wait_ms)
                    wait_ms = left > 0 ? (int)left : 0;
            } else if (clients[i].wire_len || parley_output_pending(clients[i].conn)) {
                ev |= POLLOUT;
            }
            pfd[n] = (struct pollfd){clients[i].fd, ev, 0};
            map[n++] = i;
        }
        if (poll(pfd, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
            break;
        time_t now = time(NULL);
        if (pfd[0].revents & POLLIN)
            accept_client(lfd, clients, cfg, o.root == NULL || o.trace != NULL);
        for (int k = 1; k < n; k++) {
            client *cl = &clients[map[k]];
            int done = cl->draining ? drain_client(cl, pfd[k].revents)
                                    : serve_client(cl, pfd[k].revents, now, &o);
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
