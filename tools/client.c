/*
 * parley client URL: an HTTPS GET like curl, or --raw like s_client. The body goes to stdout,
 * byte-exact; -v prints what was negotiated to stderr as `key: value` lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tool.h"

static const char client_usage[] =
    "usage: parley client https://HOST[:PORT]/PATH [options]\n"
    "  --cacert FILE        trust anchors (default: the system store)\n"
    "  --capath DIR         hashed trust directory\n"
    "  -k, --insecure       do not verify the server (explicit opt-out)\n"
    "  --cert FILE --key FILE   client certificate chain and key\n"
    "  --servername NAME    SNI and the name verified, instead of HOST\n"
    "  --connect-to H:P     connect there; the URL's name is still sent and verified\n"
    "  --tls-min V --tls-max V  version range (1.0 1.1 1.2 1.3)\n"
    "  --ciphers LIST       IANA suite names, comma separated\n"
    "  --groups LIST        x25519,secp256r1,secp384r1\n"
    "  --alpn LIST          protocols to offer\n"
    "  --raw                no HTTP: stdin to the server, the server's bytes to stdout\n"
    "  --timeout S          connect/handshake/read timeout (default 30)\n"
    "  --trace[=FORMAT]     draw the handshake: text (default), json or html\n"
    "  --trace-file FILE    write the trace there instead of stderr\n"
    "  --keylog FILE        append NSS key log lines (also SSLKEYLOGFILE)\n"
    "  -v, --verbose        print the negotiated parameters to stderr\n";

typedef struct client_opts {
    const char *url, *cacert, *capath, *cert, *key, *servername, *connect_to;
    const char *ciphers, *groups, *alpn, *keylog, *trace, *trace_file;
    uint16_t tls_min, tls_max;
    int insecure, raw, verbose, timeout;
    char host[256], port[16], path[2048];
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
        host_end = p + strcspn(p, ":/");
        snprintf(o->host, sizeof(o->host), "%.*s", (int)(host_end - p), p);
    }
    if (o->host[0] == '\0')
        return tool_fail("no host in %s", o->url);
    snprintf(o->port, sizeof(o->port), "443");
    if (*host_end == ':') {
        size_t n = strcspn(host_end + 1, "/");
        snprintf(o->port, sizeof(o->port), "%.*s", (int)n, host_end + 1);
        host_end += 1 + n;
    }
    snprintf(o->path, sizeof(o->path), "%s", *host_end == '/' ? host_end : "/");
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
        VALUE("--alpn", alpn)
        VALUE("--keylog", keylog)
        VALUE("--trace-file", trace_file)
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
    if (o->tls_min || o->tls_max)
        ok = parley_config_set_versions(cfg, o->tls_min ? o->tls_min : PARLEY_TLS1_2,
                                        o->tls_max ? o->tls_max : PARLEY_TLS1_2) == PARLEY_OK;
    if (ok && o->ciphers)
        ok = parley_config_set_ciphers(cfg, o->ciphers) == PARLEY_OK;
    if (ok && o->groups)
        ok = parley_config_set_groups(cfg, o->groups) == PARLEY_OK;
    if (ok && o->alpn)
        ok = parley_config_set_alpn(cfg, o->alpn) == PARLEY_OK;
    if (ok && o->cacert)
        ok = parley_config_set_ca_file(cfg, o->cacert) == PARLEY_OK;
    if (ok && o->capath)
        ok = parley_config_set_ca_dir(cfg, o->capath) == PARLEY_OK;
    if (ok && o->insecure)
        ok = parley_config_set_verify(cfg, 0) == PARLEY_OK;
    if (ok && tool_keylog(cfg, o->keylog) != 0)
        ok = 0;
    if (ok && (o->cert || o->key))
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

/* Whether buf holds a whole HTTP response; sets the body span when it does. */
static int http_complete(const char *buf, size_t len, size_t *body, size_t *body_len, int *status)
{
    const char *end = NULL;
    for (size_t i = 0; i + 1 < len && end == NULL; i++) {
        if (buf[i] == '\n' && buf[i + 1] == '\n')
            end = buf + i + 2;
        else if (i + 3 < len && memcmp(buf + i, "\r\n\r\n", 4) == 0)
            end = buf + i + 4;
    }
    if (end == NULL)
        return 0;
    *status = 0;
    sscanf(buf, "HTTP/%*d.%*d %d", status);
    size_t head = (size_t)(end - buf);
    long content_length = -1;
    int chunked = 0;
    for (const char *line = buf; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (eol == NULL)
            break;
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            content_length = atol(line + 15);
        if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 && strstr(line, "chunked") != NULL &&
            strstr(line, "chunked") < eol)
            chunked = 1;
        line = eol + 1;
    }
    *body = head;
    if (chunked)
        return 0; /* decoded at the end, once the connection closes */
    if (content_length >= 0) {
        *body_len = (size_t)content_length;
        return len - head >= (size_t)content_length;
    }
    *body_len = len - head;
    return 0;
}

/* Decodes a chunked body in place; returns its length. */
static size_t dechunk(char *p, size_t len)
{
    size_t in = 0, out = 0;
    while (in < len) {
        char *endp;
        unsigned long n = strtoul(p + in, &endp, 16);
        char *eol = memchr(p + in, '\n', len - in);
        if (eol == NULL || n == 0)
            break;
        in = (size_t)(eol - p) + 1;
        if (n > len - in)
            n = len - in;
        memmove(p + out, p + in, n);
        out += n;
        in += n;
        while (in < len && (p[in] == '\r' || p[in] == '\n'))
            in++;
    }
    return out;
}

static int run_http(parley_conn *c, int fd, const client_opts *o)
{
    char request[4096];
    int n = snprintf(request, sizeof(request),
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: parley/%s\r\n"
                     "Connection: close\r\n\r\n",
                     o->path, o->host, PARLEY_VERSION_STRING);
    if (parley_fd_write(c, fd, request, (size_t)n) != PARLEY_OK)
        return tool_fail("sending the request failed: %s", parley_error_message(c));
    size_t len = 0, cap = 65536, body = 0, body_len = 0;
    char *buf = malloc(cap);
    int status = 0, complete = 0, rc;
    for (;;) {
        if (cap - len < 16384) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got;
        rc = parley_fd_read(c, fd, buf + len, cap - len, &got);
        if (rc != PARLEY_OK)
            break;
        len += got;
        if ((complete = http_complete(buf, len, &body, &body_len, &status)))
            break;
    }
    if (!complete && http_complete(buf, len, &body, &body_len, &status) == 0 && body == 0) {
        free(buf);
        return tool_fail("no complete HTTP response: %s",
                         rc == PARLEY_ERROR ? parley_error_message(c) : "connection closed");
    }
    if (!complete && rc == PARLEY_ERROR && parley_error_code(c) != PARLEY_E_EOF) {
        free(buf);
        return tool_fail("%s", parley_error_message(c));
    }
    if (!complete) {
        /* Closed: the body is what arrived (chunked decoded). */
        char *p = buf + body;
        size_t rest = len - body;
        int chunked = 0;
        for (char *h = buf; h < buf + body; h++)
            if (strncasecmp(h, "chunked", 7) == 0)
                chunked = 1;
        body_len = chunked ? dechunk(p, rest) : (body_len < rest ? body_len : rest);
    }
    fwrite(buf + body, 1, body_len, stdout);
    fflush(stdout);
    free(buf);
    if (status < 200 || status > 299)
        return tool_fail("server answered HTTP status %d", status);
    return 0;
}

/* --raw: stdin to the peer; what comes back to stdout until the peer closes or stays quiet for a
 * second after stdin ended (an echo server waits for us), then close_notify. */
static int run_raw(parley_conn *c, int fd)
{
    char buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
        if (parley_fd_write(c, fd, buf, n) != PARLEY_OK)
            return tool_fail("%s", parley_error_message(c));
    struct timeval idle = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
    for (;;) {
        size_t got;
        if (parley_fd_read(c, fd, buf, sizeof(buf), &got) != PARLEY_OK)
            break;
        fwrite(buf, 1, got, stdout);
    }
    fflush(stdout);
    if (parley_state(c) == PARLEY_STATE_FAILED && parley_error_code(c) != PARLEY_E_EOF)
        return tool_fail("%s", parley_error_message(c));
    return 0;
}

/* The trace goes to stderr (so stdout stays the body) or to --trace-file. */
static int write_trace(parley_trace_log *log, const client_opts *o)
{
    parley_trace_format format = PARLEY_TRACE_TEXT;
    if (strcmp(o->trace, "json") == 0)
        format = PARLEY_TRACE_JSON;
    else if (strcmp(o->trace, "html") == 0)
        format = PARLEY_TRACE_HTML;
    else if (strcmp(o->trace, "text") != 0)
        return tool_fail("unknown trace format %s (text, json, html)", o->trace);
    FILE *out = o->trace_file ? fopen(o->trace_file, "w") : stderr;
    if (out == NULL)
        return tool_fail("cannot write %s", o->trace_file);
    char title[600];
    snprintf(title, sizeof(title), "parley client %s", o->url);
    parley_trace_log_write(log, format, out, title, out == stderr && isatty(2));
    if (out != stderr)
        fclose(out);
    return 0;
}

int cmd_client(int argc, char **argv)
{
    client_opts o;
    memset(&o, 0, sizeof(o));
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    parley_config *cfg = client_config(&o);
    if (cfg == NULL)
        return 1;
    char host[256], port[16];
    snprintf(host, sizeof(host), "%s", o.host);
    snprintf(port, sizeof(port), "%s", o.port);
    if (o.connect_to) {
        const char *colon = strrchr(o.connect_to, ':');
        if (colon == NULL)
            return tool_fail("--connect-to needs HOST:PORT");
        snprintf(host, sizeof(host), "%.*s", (int)(colon - o.connect_to), o.connect_to);
        snprintf(port, sizeof(port), "%s", colon + 1);
        if (host[0] == '[') {
            memmove(host, host + 1, strlen(host));
            host[strcspn(host, "]")] = '\0';
        }
    }
    int fd = tool_connect(host, port, o.timeout);
    if (fd < 0) {
        parley_config_free(cfg);
        return 1;
    }
    parley_conn *c = parley_conn_new(cfg, PARLEY_CLIENT);
    if (c == NULL) {
        close(fd);
        int rc = tool_fail("%s", parley_config_error(cfg));
        parley_config_free(cfg);
        return rc;
    }
    parley_conn_set_server_name(c, o.servername ? o.servername : o.host);
    parley_trace_log *log = o.trace ? parley_trace_log_new() : NULL;
    if (log)
        parley_conn_set_trace(c, parley_trace_log_add, log);
    int rc;
    if (parley_fd_handshake(c, fd) != PARLEY_OK) {
        rc = tool_fail("%s", parley_error_message(c));
    } else {
        if (o.verbose)
            print_negotiated(c);
        rc = o.raw ? run_raw(c, fd) : run_http(c, fd, &o);
        parley_fd_close(c, fd);
    }
    close(fd);
    if (log && write_trace(log, &o) != 0)
        rc = 1;
    parley_trace_log_free(log);
    parley_conn_free(c);
    parley_config_free(cfg);
    return rc;
}
