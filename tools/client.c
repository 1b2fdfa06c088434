/*
 * parley client URL: an HTTPS GET like curl, or --raw like s_client. The body goes to stdout,
 * byte-exact; -v prints what was negotiated to stderr as `key: value` lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "tool.h"

static const char client_usage[] =
    "usage: parley client https://HOST[:PORT]/PATH [options]\n"
    "  --cacert FILE        trust anchors (default: the system store)\n"
    "  --capath DIR         hashed trust directory\n"
    "  -k, --insecure       do not verify the server (explicit opt-out)\n"
    "  --cert FILE --key FILE   client certificate chain and key\n"
    "  --servername NAME    SNI and the name verified, instead of HOST\n"
    "  --connect-to H:P     connect there; the URL's name is still sent and verified\n"
    "  --tls-min V --tls-max V  version range (1.0 to 1.3; default 1.2 to 1.3)\n"
    "  --fallback-scsv      send TLS_FALLBACK_SCSV: this is a retry at a lower version\n"
    "  --ciphers LIST       IANA suite names, comma separated (RC4 and 3DES only by name)\n"
    "  --groups LIST        x25519,secp256r1,secp384r1\n"
    "  --key-shares LIST    TLS 1.3: groups whose key shares the first hello carries\n"
    "  --key-update         TLS 1.3: send a KeyUpdate asking the server for one too, first\n"
    "  --alpn LIST          protocols to offer\n"
    "  --raw                no HTTP: stdin to the server, the server's bytes to stdout\n"
    "  --reconnect N        then N more connections resuming the session, each reported\n"
    "  --sess-in FILE       offer the session saved in FILE (a full handshake if it fails)\n"
    "  --sess-out FILE      save the session to FILE (it holds the master secret: mode 0600)\n"
    "  --no-tickets         do not ask for session tickets (resume by session ID only)\n"
    "  --early-data STRING  TLS 1.3: send STRING first (\\r \\n \\\\ are unescaped), as 0-RTT\n"
    "                       early data when resuming a session whose ticket allows it (with\n"
    "                       --sess-in or --reconnect), else after the handshake; what the server\n"
    "                       rejects is sent again after it; -v says which. With HTTP the GET\n"
    "                       follows it, so make it a whole request or use --raw\n"
    "  --timeout S          connect/handshake/read timeout (default 30)\n"
    "  --trace[=FORMAT]     draw the handshake: text (default), json or html\n"
    "  --trace-file FILE    write the trace there instead of stderr\n"
    "  --keylog FILE        append NSS key log lines (also SSLKEYLOGFILE)\n"
    "  -v, --verbose        print the negotiated parameters to stderr\n";

typedef struct client_opts {
    const char *url, *cacert, *capath, *cert, *key, *servername, *connect_to;
    const char *ciphers, *groups, *key_shares, *alpn, *keylog, *trace, *trace_file, *sess_in,
        *sess_out, *early_data;
    uint16_t tls_min, tls_max;
    int insecure, raw, verbose, timeout, fallback_scsv, reconnect, no_tickets, key_update;
    char host[256], port[16], path[2048];
    char early[4096]; /* --early-data, unescaped */
    size_t early_len;
} client_opts;

static int parse_url(client_opts *o)
{
    const char *p = o->url;
    if (strncmp(p, "https://", 8) != 0)
        return tool_fail("URL must start with https:// (got %s)", o->url);
    p += 8;
    const char *host_end;
    if (*p == '[') {
        host_end = strchr(p, ']');
        if (host_end == NULL)
            return tool_fail("bad IPv6 literal in %s", o->url);
        snprintf(o->host, sizeof(o->host), "%.*s", (int)(host_end - p - 1), p + 1);
        host_end++;
    } else {
        host_end = p + strcspn(p, ":/?#");
        snprintf(o->host, sizeof(o->host), "%.*s", (int)(host_end - p), p);
    }
    if (o->host[0] == '\0')
        return tool_fail("no host in %s", o->url);
    snprintf(o->port, sizeof(o->port), "443");
    if (*host_end == ':') {
        size_t n = strcspn(host_end + 1, "/?#");
        snprintf(o->port, sizeof(o->port), "%.*s", (int)n, host_end + 1);
        host_end += 1 + n;
    }
    if (o->port[0] == '\0' || strspn(o->port, "0123456789") != strlen(o->port))
        return tool_fail("bad port in %s", o->url);
    /* The fragment stays with the client; "https://h?q" asks for "/?q". */
    snprintf(o->path, sizeof(o->path), "%s%.*s", *host_end == '/' ? "" : "/",
             (int)strcspn(host_end, "#"), host_end);
    return 0;
}

/* --early-data's text with \r, \n and \\ made into the bytes they stand for; -1 if too long. */
static int unescape(const char *in, char *out, size_t cap, size_t *len)
{
    size_t n = 0;
    for (; *in; in++) {
        char ch = *in;
        if (ch == '\\' && (in[1] == 'r' || in[1] == 'n' || in[1] == '\\')) {
            in++;
            ch = *in == 'r' ? '\r' : *in == 'n' ? '\n' : '\\';
        }
        if (n == cap)
            return -1;
        out[n++] = ch;
    }
    *len = n;
    return 0;
}

static int parse_args(int argc, char **argv, client_opts *o)
{
    o->timeout = 30;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define VALUE(name, field)                                                                         \
    if (strcmp(a, name) == 0) {                                                                    \
        if (next == NULL)                                                                          \
            return tool_fail("%s needs a value", name);                                            \
        o->field = next;                                                                           \
        i++;                                                                                       \
        continue;                                                                                  \
    }
        VALUE("--cacert", cacert)
        VALUE("--capath", capath)
        VALUE("--cert", cert)
        VALUE("--key", key)
        VALUE("--servername", servername)
        VALUE("--connect-to", connect_to)
        VALUE("--ciphers", ciphers)
        VALUE("--groups", groups)
        VALUE("--key-shares", key_shares)
        VALUE("--alpn", alpn)
        VALUE("--keylog", keylog)
        VALUE("--trace-file", trace_file)
        VALUE("--sess-in", sess_in)
        VALUE("--sess-out", sess_out)
        VALUE("--early-data", early_data)
#undef VALUE
        if ((strcmp(a, "--tls-min") == 0 || strcmp(a, "--tls-max") == 0) && next) {
            uint16_t v = tool_version(next);
            if (v == 0)
                return tool_fail("unknown TLS version %s (use 1.0 1.1 1.2 1.3)", next);
            *(a[6] == 'm' && a[7] == 'i' ? &o->tls_min : &o->tls_max) = v;
            i++;
        } else if (strcmp(a, "--timeout") == 0 && next) {
            o->timeout = atoi(next);
            i++;
        } else if (strcmp(a, "--reconnect") == 0 && next) {
            o->reconnect = atoi(next);
            if (o->reconnect < 0 || o->reconnect > 1000)
                return tool_fail("--reconnect takes 0 to 1000");
            i++;
        } else if (strcmp(a, "--key-update") == 0) {
            o->key_update = 1;
        } else if (strcmp(a, "--no-tickets") == 0) {
            o->no_tickets = 1;
        } else if (strcmp(a, "--fallback-scsv") == 0) {
            o->fallback_scsv = 1;
        } else if (strcmp(a, "-k") == 0 || strcmp(a, "--insecure") == 0) {
            o->insecure = 1;
        } else if (strcmp(a, "--trace") == 0 || strncmp(a, "--trace=", 8) == 0) {
            o->trace = a[7] == '=' ? a + 8 : "text";
        } else if (strcmp(a, "--raw") == 0) {
            o->raw = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(client_usage, stdout);
            exit(0);
        } else if (a[0] != '-' && o->url == NULL) {
            o->url = a;
        } else {
            fputs(client_usage, stderr);
            return tool_fail("unknown option %s", a);
        }
    }
    if (o->url == NULL) {
        fputs(client_usage, stderr);
        return 1;
    }
    if (o->raw && o->reconnect)
        return tool_fail("--reconnect needs HTTP: --raw has one stdin to send");
    if (o->early_data && unescape(o->early_data, o->early, sizeof(o->early), &o->early_len) < 0)
        return tool_fail("--early-data is longer than %zu bytes", sizeof(o->early));
    return parse_url(o);
}

static parley_config *client_config(const client_opts *o)
{
    parley_config *cfg = parley_config_new();
    if (cfg == NULL) {
        tool_fail("cannot initialise libcrypto");
        return NULL;
    }
    int ok = 1;
    ok = tool_set_versions(cfg, o->tls_min, o->tls_max) == PARLEY_OK;
    if (ok && o->fallback_scsv)
        ok = parley_config_set_fallback_scsv(cfg, 1) == PARLEY_OK;
    if (ok && o->ciphers)
        ok = parley_config_set_ciphers(cfg, o->ciphers) == PARLEY_OK;
    if (ok && o->groups)
        ok = parley_config_set_groups(cfg, o->groups) == PARLEY_OK;
    if (ok && o->key_shares)
        ok = parley_config_set_key_shares(cfg, o->key_shares) == PARLEY_OK;
    if (ok && o->alpn)
        ok = parley_config_set_alpn(cfg, o->alpn) == PARLEY_OK;
    if (ok && o->cacert)
        ok = parley_config_set_ca_file(cfg, o->cacert) == PARLEY_OK;
    if (ok && o->capath)
        ok = parley_config_set_ca_dir(cfg, o->capath) == PARLEY_OK;
    if (ok && o->insecure)
        ok = parley_config_set_verify(cfg, 0) == PARLEY_OK;
    if (ok && o->no_tickets)
        ok = parley_config_set_session_tickets(cfg, 0) == PARLEY_OK;
    if (ok && tool_keylog(cfg, o->keylog) != 0)
        ok = 0;
    if (ok && (o->cert == NULL) != (o->key == NULL)) {
        parley_config_free(cfg);
        tool_fail("--cert and --key go together");
        return NULL;
    }
    if (ok && o->cert)
        ok = parley_config_add_certificate(cfg, o->cert, o->key) == PARLEY_OK;
    if (!ok) {
        tool_fail("%s", parley_config_error(cfg));
        parley_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static void print_negotiated(parley_conn *c)
{
    fprintf(stderr, "version: %s\n", parley_version_name(parley_version(c)));
    const char *suite = parley_cipher_suite_name(parley_cipher_suite(c));
    fprintf(stderr, "cipher: %s\n", suite ? suite : "unknown");
    if (parley_group(c))
        fprintf(stderr, "group: %s\n", parley_group_name(parley_group(c)));
    if (parley_alpn(c)[0])
        fprintf(stderr, "alpn: %s\n", parley_alpn(c));
    fprintf(stderr, "server-name: %s\n", parley_server_name(c));
    fprintf(stderr, "peer: %s\n", parley_peer_subject(c));
    fprintf(stderr, "peer-key: %s\n", parley_peer_key(c));
}

/* Why a parley_fd_* call failed: the engine's sentence, or the socket's (a timeout, a reset)
 * when the engine itself saw nothing wrong. */
static const char *io_failure(parley_conn *c, int saved_errno, const client_opts *o)
{
    static char text[128];
    if (parley_state(c) == PARLEY_STATE_FAILED || (saved_errno == 0 && parley_error_message(c)[0]))
        return parley_error_message(c);
    if (saved_errno == 0)
        return "the connection failed";
    if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
        snprintf(text, sizeof(text), "timed out after %d s waiting for the server", o->timeout);
    else
        snprintf(text, sizeof(text), "connection failed: %s", strerror(saved_errno));
    return text;
}

/* The Host header: the URL's authority, with the port only when it is not 443. */
static void host_header(const client_opts *o, char *out, size_t cap)
{
    int v6 = strchr(o->host, ':') != NULL;
    snprintf(out, cap, "%s%s%s%s%s", v6 ? "[" : "", o->host, v6 ? "]" : "",
             strcmp(o->port, "443") == 0 ? "" : ":", strcmp(o->port, "443") == 0 ? "" : o->port);
}

/* GET PATH; the body goes to stdout as it arrives, decoded from chunks if need be. */
static int run_http(parley_conn *c, int fd, const client_opts *o)
{
    char request[4096], host[300];
    host_header(o, host, sizeof(host));
    int n = snprintf(request, sizeof(request),
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: parley/%s\r\n"
                     "Connection: close\r\n\r\n",
                     o->path, host, PARLEY_VERSION_STRING);
    errno = 0;
    if (n < 0 || (size_t)n >= sizeof(request))
        return tool_fail("URL too long");
    if (parley_fd_write(c, fd, request, (size_t)n) != PARLEY_OK)
        return tool_fail("sending the request failed: %s", io_failure(c, errno, o));
    static http_response response; /* static: its head buffer is large */
    http_response_init(&response);
    char buf[16384];
    int done = 0, rc;
    while (!done) {
        size_t got;
        errno = 0;
        rc = parley_fd_read(c, fd, buf, sizeof(buf), &got);
        if (rc == PARLEY_CLOSED || (rc == PARLEY_ERROR && parley_error_code(c) == PARLEY_E_EOF)) {
            /* The end of the connection may be what delimits the body. */
            if (http_response_finish(&response) < 0)
                return tool_fail("%s", response.error);
            break;
        }
        if (rc != PARLEY_OK)
            return tool_fail("%s", io_failure(c, errno, o));
        done = http_response_feed(&response, buf, got, stdout);
        if (done < 0)
            return tool_fail("%s", response.error);
    }
    if (fflush(stdout) != 0)
        return tool_fail("cannot write the body: %s", strerror(errno));
    if (response.status < 200 || response.status > 299)
        return tool_fail("server answered HTTP status %d", response.status);
    return 0;
}

/* Copies one decrypted record to stdout; 1 on data (or none yet), 0 once the peer closed, -1 on
 * failure. */
static int raw_receive(parley_conn *c, int fd, const client_opts *o)
{
    char buf[16384];
    size_t got;
    errno = 0;
    int rc = parley_fd_read(c, fd, buf, sizeof(buf), &got);
    if (rc == PARLEY_OK) {
        fwrite(buf, 1, got, stdout);
        fflush(stdout);
        return 1;
    }
    if (rc == PARLEY_WANT_READ)
        return 1;
    /* A peer that hangs up without close_notify still delivered what came before. */
    if (rc == PARLEY_CLOSED || parley_error_code(c) == PARLEY_E_EOF)
        return 0;
    tool_fail("%s", io_failure(c, errno, o));
    return -1;
}

/* --raw: stdin to the peer and the peer's bytes to stdout, both as they come (like s_client);
 * once stdin ends, close_notify, then everything the peer still sends until it closes (an echo
 * server answers what it got, then closes too). Each decrypted record fits the read buffer, so
 * nothing waits inside the engine where poll cannot see it. While stdin is open the socket is
 * non-blocking: a readable socket may hold only a record without data (a TLS 1.3
 * NewSessionTicket), and waiting there for data would stop stdin from being sent. */
static int run_raw(parley_conn *c, int fd, const client_opts *o)
{
    char buf[16384];
    int stdin_open = 1, flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    while (stdin_open) {
        struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {fd, POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return tool_fail("poll: %s", strerror(errno));
        }
        if (p[1].revents != 0) {
            int r = raw_receive(c, fd, o);
            if (r <= 0) {
                fcntl(fd, F_SETFL, flags);
                return r < 0;
            }
        }
        if (p[0].revents != 0) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                stdin_open = 0;
            } else if (parley_fd_write(c, fd, buf, (size_t)n) != PARLEY_OK) {
                return tool_fail("%s", io_failure(c, errno, o));
            }
        }
    }
    fcntl(fd, F_SETFL, flags);
    errno = 0;
    if (parley_fd_close(c, fd) != PARLEY_OK)
        return tool_fail("%s", io_failure(c, errno, o));
    int r;
    while ((r = raw_receive(c, fd, o)) > 0)
        ;
    return r < 0;
}

/* The trace goes to stderr (so stdout stays the body) or to --trace-file; each connection's
 * trace follows the previous one's. */
static int write_trace(parley_trace_log *log, const client_opts *o, int index, int resumed)
{
    parley_trace_format format = PARLEY_TRACE_TEXT;
    if (strcmp(o->trace, "json") == 0)
        format = PARLEY_TRACE_JSON;
    else if (strcmp(o->trace, "html") == 0)
        format = PARLEY_TRACE_HTML;
    else if (strcmp(o->trace, "text") != 0)
        return tool_fail("unknown trace format %s (text, json, html)", o->trace);
    FILE *out = o->trace_file ? fopen(o->trace_file, index == 0 ? "w" : "a") : stderr;
    if (out == NULL)
        return tool_fail("cannot write %s", o->trace_file);
    char title[700];
    if (index == 0)
        snprintf(title, sizeof(title), "parley client %s", o->url);
    else
        snprintf(title, sizeof(title), "parley client %s, connection %d (%s)", o->url, index + 1,
                 resumed ? "resumed" : "full handshake");
    parley_trace_log_write(log, format, out, title, out == stderr && isatty(2));
    if (out != stderr)
        fclose(out);
    return 0;
}

/* --sess-in: the saved session, or NULL (with a warning: a full handshake follows). */
static parley_session *session_load(const char *path)
{
    uint8_t buf[8192];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    if (f)
        fclose(f);
    parley_session *s = n ? parley_session_import(buf, n) : NULL;
    if (s == NULL)
        fprintf(stderr, "parley: no usable session in %s; a full handshake follows\n", path);
    return s;
}

/* --sess-out: the session's bytes, readable by the owner only. */
static int session_save(const parley_session *s, const char *path)
{
    uint8_t buf[8192];
    size_t n = parley_session_export(s, buf, sizeof(buf));
    FILE *f = n && n <= sizeof(buf) ? fopen(path, "wb") : NULL;
    if (f == NULL)
        return tool_fail("cannot save the session to %s", path);
    fchmod(fileno(f), 0600);
    size_t w = fwrite(buf, 1, n, f);
    if (fclose(f) != 0 || w != n)
        return tool_fail("cannot save the session to %s", path);
    return 0;
}

/* The address to connect to: the URL's, or --connect-to's. */
static int connect_address(const client_opts *o, char *host, size_t host_cap, char *port,
                           size_t port_cap)
{
    snprintf(host, host_cap, "%s", o->host);
    snprintf(port, port_cap, "%s", o->port);
    if (o->connect_to == NULL)
        return 0;
    const char *colon = strrchr(o->connect_to, ':');
    if (colon == NULL)
        return tool_fail("--connect-to needs HOST:PORT");
    snprintf(host, host_cap, "%.*s", (int)(colon - o->connect_to), o->connect_to);
    snprintf(port, port_cap, "%s", colon + 1);
    if (host[0] == '[') {
        memmove(host, host + 1, strlen(host));
        host[strcspn(host, "]")] = '\0';
    }
    return 0;
}

/* --early-data after the handshake: says what became of the 0-RTT part (-v) and sends whatever
 * did not arrive as 0-RTT. */
static int early_data_rest(parley_conn *c, int fd, const client_opts *o, size_t sent)
{
    parley_early_data status = parley_early_data_status(c);
    size_t from = status == PARLEY_EARLY_DATA_ACCEPTED ? sent : 0;
    if (o->verbose) {
        if (status == PARLEY_EARLY_DATA_ACCEPTED)
            fprintf(stderr, "early-data: accepted (%zu of %zu bytes as 0-RTT)\n", sent,
                    o->early_len);
        else if (status == PARLEY_EARLY_DATA_REJECTED)
            fprintf(stderr, "early-data: rejected (the server skipped it; sent again)\n");
        else
            fprintf(stderr, "early-data: not sent as 0-RTT (no session allowing it)\n");
    }
    errno = 0;
    if (from < o->early_len &&
        parley_fd_write(c, fd, o->early + from, o->early_len - from) != PARLEY_OK)
        return tool_fail("sending the early data failed: %s", io_failure(c, errno, o));
    return 0;
}

/* One connection: handshake (offering *session, if any), the request or --raw, close. On
 * success *session becomes this connection's session. */
static int one_connection(parley_config *cfg, const client_opts *o, const char *host,
                          const char *port, int index, parley_session **session)
{
    int fd = tool_connect(host, port, o->timeout);
    if (fd < 0)
        return 1;
    parley_conn *c = parley_conn_new(cfg, PARLEY_CLIENT);
    if (c == NULL) {
        close(fd);
        return tool_fail("%s", parley_config_error(cfg));
    }
    parley_conn_set_server_name(c, o->servername ? o->servername : o->host);
    if (*session != NULL)
        parley_conn_set_session(c, *session);
    parley_trace_log *log = o->trace ? parley_trace_log_new() : NULL;
    if (log)
        parley_conn_set_trace(c, parley_trace_log_add, log);
    int rc;
    size_t early_sent = 0;
    if (o->early_data && *session != NULL &&
        parley_write_early(c, o->early, o->early_len, &early_sent) != PARLEY_OK)
        early_sent = 0;
    errno = 0;
    if (parley_fd_handshake(c, fd) != PARLEY_OK) {
        rc = tool_fail("%s", io_failure(c, errno, o));
    } else {
        if (o->verbose)
            print_negotiated(c);
        rc = o->early_data ? early_data_rest(c, fd, o, early_sent) : 0;
        if (index > 0 || o->verbose || *session != NULL)
            fprintf(stderr, "connection %d: %s\n", index + 1,
                    parley_session_resumed(c)
                        ? "resumed the session (abbreviated handshake)"
                        : (*session ? "full handshake (the session was not resumed)"
                                    : "full handshake"));
        if (rc == 0 && o->key_update && parley_key_update(c, 1) != PARLEY_OK)
            rc = tool_fail("--key-update: %s is not TLS 1.3",
                           parley_version_name(parley_version(c)));
        if (rc == 0)
            rc = o->raw ? run_raw(c, fd, o) : run_http(c, fd, o);
        if (parley_state(c) == PARLEY_STATE_OPEN || parley_state(c) == PARLEY_STATE_CLOSED)
            parley_fd_close(c, fd);
    }
    close(fd);
    if (log && write_trace(log, o, index, parley_session_resumed(c)) != 0)
        rc = 1;
    parley_trace_log_free(log);
    parley_session *got = parley_conn_get_session(c);
    if (got != NULL) {
        parley_session_free(*session);
        *session = got;
    }
    parley_conn_free(c);
    return rc;
}

int cmd_client(int argc, char **argv)
{
    client_opts o;
    memset(&o, 0, sizeof(o));
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    char host[256], port[16];
    if (connect_address(&o, host, sizeof(host), port, sizeof(port)) != 0)
        return 2;
    parley_config *cfg = client_config(&o);
    if (cfg == NULL)
        return 1;
    parley_session *session = o.sess_in ? session_load(o.sess_in) : NULL;
    int rc = 0;
    for (int i = 0; i <= o.reconnect && rc == 0; i++)
        rc = one_connection(cfg, &o, host, port, i, &session);
    if (rc == 0 && o.sess_out) {
        if (session == NULL)
            rc = tool_fail("the server gave no session to save (no session ID, no ticket)");
        else
            rc = session_save(session, o.sess_out);
    }
    parley_session_free(session);
    parley_config_free(cfg);
    return rc;
}
