/* The HTTP side of `parley server`: forgiving about what it reads (bare LF, HTTP/1.0 without
 * Host), strict about what it serves (nothing outside --root, symlinks included). */
#define _GNU_SOURCE /* open_memstream, strcasestr */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "server_http.h"

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
        {".css", "text/css"},
        {".js", "text/javascript"},
        {".json", "application/json"},
        {".xml", "application/xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},
        {".pdf", "application/pdf"},
        {".wasm", "application/wasm"},
    };
    const char *dot = strrchr(path, '.');
    if (dot == NULL || strchr(dot, '/') != NULL)
        return "application/octet-stream";
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
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

/* A page describing the connection that carried the request: what was negotiated, then (with a
 * trace log) the diagram of the very handshake that delivered it. Returns a malloc'd page. */
static char *connection_page(parley_conn *c, parley_trace_log *log, size_t *len)
{
    uint8_t sid[32];
    char sid_hex[65];
    size_t sid_len = parley_session_id(c, sid);
    for (size_t i = 0; i < sid_len; i++)
        snprintf(sid_hex + 2 * i, 3, "%02x", sid[i]);
    sid_hex[2 * sid_len] = '\0';
    const char *suite = parley_cipher_suite_name(parley_cipher_suite(c));
    uint16_t group = parley_group(c);
    char *summary = NULL, *diagram = NULL;
    size_t summary_len = 0, diagram_len = 0;
    FILE *f = open_memstream(&summary, &summary_len);
    if (f == NULL)
        return NULL;
    fputs("<dl>", f);
    page_item(f, "version", "version", parley_version_name(parley_version(c)));
    page_item(f, "cipher suite", "suite", suite ? suite : "?");
    page_item(f, "group", "group",
              group                       ? parley_group_name(group)
              : parley_session_resumed(c) ? "none (resumed: no key exchange)"
                                          : "none (RSA key transport)");
    page_item(f, "server name", "sni", parley_server_name(c));
    page_item(f, "ALPN", "alpn", parley_alpn(c));
    page_item(f, "session id", "session", sid_hex);
    page_item(f, "resumed", "resumed", parley_session_resumed(c) ? "yes" : "no");
    page_item(f, "client certificate", "peer",
              parley_peer_subject(c)[0] ? parley_peer_subject(c) : "none");
    fputs("</dl>\n", f);
    fclose(f);
    if (log != NULL && (f = open_memstream(&diagram, &diagram_len)) != NULL) {
        parley_trace_log_write(log, PARLEY_TRACE_HTML, f,
                               "parley: the handshake that delivered this page", 0);
        fclose(f);
    }
    if (diagram == NULL) {
        static const char top[] = "<!doctype html><html><head><meta charset=\"utf-8\"><title>"
                                  "parley</title></head><body><h1>parley</h1>";
        static const char bottom[] = "</body></html>\n";
        char *page = malloc(sizeof(top) + summary_len + sizeof(bottom));
        if (page != NULL) {
            *len = (size_t)sprintf(page, "%s%s%s", top, summary, bottom);
        }
        free(summary);
        return page;
    }
    /* The summary goes right under the diagram page's heading. */
    const char *cut = strstr(diagram, "</h1>");
    size_t head = cut ? (size_t)(cut - diagram) + 5 : 0;
    *len = summary_len + diagram_len;
    char *page = malloc(*len + 1);
    if (page != NULL) {
        memcpy(page, diagram, head);
        memcpy(page + head, summary, summary_len);
        memcpy(page + head + summary_len, diagram + head, diagram_len - head);
    }
    free(summary);
    free(diagram);
    return page;
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The request target as a path: query dropped, %XX decoded. 0, or -1 if it is not a clean
 * absolute path (a NUL, or a ".." segment that could climb out of the root). */
static int target_path(const char *target, char *out, size_t cap)
{
    size_t n = 0;
    if (target[0] != '/')
        return -1;
    for (const char *p = target; *p && *p != '?' && *p != '#'; p++) {
        int ch = (unsigned char)*p;
        if (ch == '%') {
            int hi = hex_digit(p[1]), lo = hi < 0 ? -1 : hex_digit(p[2]);
            if (lo < 0)
                return -1;
            ch = hi * 16 + lo;
            p += 2;
        }
        if (ch == 0 || n + 1 >= cap)
            return -1;
        out[n++] = (char)ch;
    }
    out[n] = '\0';
    for (const char *seg = out; seg != NULL; seg = strchr(seg + 1, '/'))
        if (strncmp(seg, "/..", 3) == 0 && (seg[3] == '/' || seg[3] == '\0'))
            return -1;
    return 0;
}

/* Reads the file the path names under root (index.html for a directory) into a malloc'd
 * buffer; sets *status to 200, 403 (outside the root, through a symlink) or 404. */
static char *read_under_root(const char *root, const char *path, char *resolved, size_t *len,
                             int *status)
{
    char want[PATH_MAX], real_root[PATH_MAX];
    *status = 404;
    if (realpath(root, real_root) == NULL)
        return NULL;
    /* A name too long to resolve is one that cannot exist under the root. */
    if (strlen(real_root) + strlen(path) + sizeof("/index.html") > sizeof(want))
        return NULL;
    memcpy(want, real_root, strlen(real_root) + 1);
    strcat(want, path);
    struct stat st;
    if (stat(want, &st) == 0 && S_ISDIR(st.st_mode))
        strcat(want, path[strlen(path) - 1] == '/' ? "index.html" : "/index.html");
    if (realpath(want, resolved) == NULL)
        return NULL;
    size_t root_len = strlen(real_root);
    if (strncmp(resolved, real_root, root_len) != 0 ||
        (resolved[root_len] != '/' && resolved[root_len] != '\0' && root_len > 1)) {
        *status = 403;
        return NULL;
    }
    int fd = open(resolved, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SERVER_MAX_FILE) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf != NULL && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (buf == NULL || got != (size_t)st.st_size) {
        free(buf);
        return NULL;
    }
    *len = got;
    *status = 200;
    return buf;
}

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Internal Server Error";
    }
}

/* Status line, headers and (unless HEAD) the body in one buffer, so a small reply goes out in
 * one parley_write and one record. Takes ownership of body. */
static int build_reply(server_reply *reply, int status, const char *type, char *body,
                       size_t body_len, int head_only)
{
    const char *text = reason(status);
    if (body == NULL) {
        type = "text/plain; charset=utf-8";
        body_len = strlen(text) + 1;
    }
    size_t cap = 512 + body_len;
    reply->data = malloc(cap);
    if (reply->data == NULL) {
        free(body);
        return -1;
    }
    int n = snprintf(reply->data, cap,
                     "HTTP/1.1 %d %s\r\nServer: parley/%s\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\n%sConnection: %s\r\n\r\n",
                     status, text, PARLEY_VERSION_STRING, type, body_len,
                     status == 405 ? "Allow: GET, HEAD\r\n" : "",
                     reply->close_after ? "close" : "keep-alive");
    reply->len = (size_t)n;
    if (!head_only) {
        if (body != NULL)
            memcpy(reply->data + reply->len, body, body_len);
        else
            snprintf(reply->data + reply->len, cap - reply->len, "%s\n", text);
        reply->len += body_len;
    }
    free(body);
    return 0;
}

static int is_token(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

int server_http_answer(const char *head, size_t head_len, const char *root, parley_conn *conn,
                       parley_trace_log *log, server_reply *reply)
{
    char line[4200], method[32] = "", target[4096] = "", version[16] = "", value[64];
    size_t line_len = strcspn(head, "\r\n");
    if (line_len >= sizeof(line))
        line_len = sizeof(line) - 1;
    memcpy(line, head, line_len);
    line[line_len] = '\0';
    int fields = sscanf(line, "%31s %4095s %15s", method, target, version);
    memset(reply, 0, sizeof(*reply));
    if (fields != 3 || !is_token(method) || strncmp(version, "HTTP/1.", 7) != 0) {
        reply->close_after = 1; /* garbage: nothing after it can be trusted to be a request */
        return build_reply(reply, 400, NULL, NULL, 0, 0);
    }
    int head_only = strcmp(method, "HEAD") == 0;
    reply->close_after = strcmp(version, "HTTP/1.0") == 0 ||
                         (http_header(head, head_len, "Connection", value, sizeof(value)) &&
                          strcasestr(value, "close") != NULL);
    if (strcmp(method, "GET") != 0 && !head_only)
        return build_reply(reply, 405, NULL, NULL, 0, 0);
    char path[4096];
    if (target_path(target, path, sizeof(path)) < 0)
        return build_reply(reply, 400, NULL, NULL, 0, head_only);
    int status = 200;
    size_t body_len = 0;
    char *body;
    const char *type = "text/html; charset=utf-8";
    if (root != NULL) {
        char resolved[PATH_MAX] = "";
        body = read_under_root(root, path, resolved, &body_len, &status);
        type = content_type(resolved);
    } else {
        body = connection_page(conn, log, &body_len);
        status = body ? 200 : 500;
    }
    return build_reply(reply, status, type, body, body_len, head_only);
}

int server_http_too_large(server_reply *reply)
{
    memset(reply, 0, sizeof(*reply));
    reply->close_after = 1;
    return build_reply(reply, 431, NULL, NULL, 0, 0);
}
