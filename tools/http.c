/* HTTP/1.1 framing for the parley command (RFC 9112): heads, and response bodies read as they
 * arrive so a large download never has to fit in memory. */
#define _GNU_SOURCE /* strcasestr */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

enum { PHASE_HEAD, PHASE_BODY, PHASE_CHUNK_SIZE, PHASE_CHUNK_DATA, PHASE_CHUNK_END, PHASE_TRAILER };

size_t http_head_length(const char *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

int http_header(const char *head, size_t head_len, const char *name, char *out, size_t cap)
{
    size_t name_len = strlen(name);
    const char *end = head + head_len;
    /* The first line is the request or status line, never a header. */
    const char *line = memchr(head, '\n', head_len);
    while (line != NULL && ++line < end) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (eol == NULL)
            eol = end;
        if ((size_t)(eol - line) > name_len && line[name_len] == ':' &&
            strncasecmp(line, name, name_len) == 0) {
            const char *v = line + name_len + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            const char *v_end = eol;
            while (v_end > v && (v_end[-1] == '\r' || v_end[-1] == ' ' || v_end[-1] == '\t'))
                v_end--;
            snprintf(out, cap, "%.*s", (int)(v_end - v), v);
            return 1;
        }
        line = eol;
    }
    return 0;
}

void http_response_init(http_response *r)
{
    memset(r, 0, sizeof(*r));
}

static int reject(http_response *r, const char *why)
{
    r->error = why;
    return -1;
}

/* Decides how the body is delimited once the head is in. */
static int parse_head(http_response *r)
{
    int major, minor;
    if (sscanf(r->head, "HTTP/%d.%d %d", &major, &minor, &r->status) != 3 || r->status < 100 ||
        r->status > 999)
        return reject(r, "the server did not answer with an HTTP response");
    if (r->status < 200 && r->status != 101) {
        r->head_len = 0; /* an interim response (100 Continue): the real one follows */
        return 0;
    }
    char value[256];
    r->phase = PHASE_BODY;
    if (r->status == 204 || r->status == 304) {
        r->kind = HTTP_BODY_NONE;
    } else if (http_header(r->head, r->head_len, "Transfer-Encoding", value, sizeof(value)) &&
               strcasestr(value, "chunked") != NULL) {
        r->kind = HTTP_BODY_CHUNKED;
        r->phase = PHASE_CHUNK_SIZE;
    } else if (http_header(r->head, r->head_len, "Content-Length", value, sizeof(value))) {
        char *end;
        r->remaining = strtoull(value, &end, 10);
        if (value[0] < '0' || value[0] > '9' || *end != '\0')
            return reject(r, "the response has an invalid Content-Length");
        r->kind = HTTP_BODY_LENGTH;
    } else {
        r->kind = HTTP_BODY_TO_CLOSE;
    }
    r->complete = r->kind == HTTP_BODY_NONE || (r->kind == HTTP_BODY_LENGTH && r->remaining == 0);
    return 0;
}

/* Collects the head; returns how many of the n bytes belonged to it, or -1. */
static long take_head(http_response *r, const char *p, size_t n)
{
    size_t room = sizeof(r->head) - 1 - r->head_len;
    size_t k = n < room ? n : room;
    memcpy(r->head + r->head_len, p, k);
    size_t before = r->head_len;
    r->head_len += k;
    r->head[r->head_len] = '\0';
    size_t head = http_head_length(r->head, r->head_len);
    if (head == 0)
        return r->head_len == sizeof(r->head) - 1 ? reject(r, "the response head is too large")
                                                  : (long)k;
    r->head_len = head;
    r->head[head] = '\0';
    if (parse_head(r) < 0)
        return -1;
    return (long)(head - before);
}

/* Collects one line (chunk size, chunk end, trailer); returns how many bytes it took, and sets
 * *whole once the line is complete (in r->line, without its line end). */
static long take_line(http_response *r, const char *p, size_t n, int *whole)
{
    const char *nl = memchr(p, '\n', n);
    size_t k = nl ? (size_t)(nl - p) + 1 : n;
    if (r->line_len + k >= sizeof(r->line))
        return reject(r, "a chunk line of the response is too long");
    memcpy(r->line + r->line_len, p, k);
    r->line_len += k;
    *whole = nl != NULL;
    if (*whole) {
        while (r->line_len > 0 &&
               (r->line[r->line_len - 1] == '\n' || r->line[r->line_len - 1] == '\r'))
            r->line_len--;
        r->line[r->line_len] = '\0';
    }
    return (long)k;
}

/* Acts on a complete chunk line. */
static int on_line(http_response *r)
{
    const char *line = r->line;
    r->line_len = 0;
    if (r->phase == PHASE_CHUNK_SIZE) {
        char *end;
        r->remaining = strtoull(line, &end, 16);
        if (end == line || (*end != '\0' && *end != ';' && *end != ' ' && *end != '\t'))
            return reject(r, "the response has an invalid chunk size");
        r->phase = r->remaining == 0 ? PHASE_TRAILER : PHASE_CHUNK_DATA;
    } else if (r->phase == PHASE_CHUNK_END) {
        if (line[0] != '\0')
            return reject(r, "a chunk of the response is longer than announced");
        r->phase = PHASE_CHUNK_SIZE;
    } else if (line[0] == '\0') {
        r->complete = 1; /* the blank line after the trailers */
    }
    return 0;
}

int http_response_feed(http_response *r, const char *p, size_t n, FILE *out)
{
    while (n > 0 && !r->complete) {
        long used;
        int whole = 0;
        if (r->phase == PHASE_HEAD) {
            used = take_head(r, p, n);
        } else if (r->phase == PHASE_BODY || r->phase == PHASE_CHUNK_DATA) {
            size_t k = n;
            if (r->kind != HTTP_BODY_TO_CLOSE && k > r->remaining)
                k = (size_t)r->remaining;
            fwrite(p, 1, k, out);
            used = (long)k;
            if (r->kind != HTTP_BODY_TO_CLOSE)
                r->remaining -= k;
            if (r->remaining == 0 && r->kind == HTTP_BODY_LENGTH)
                r->complete = 1;
            if (r->remaining == 0 && r->phase == PHASE_CHUNK_DATA)
                r->phase = PHASE_CHUNK_END;
        } else {
            used = take_line(r, p, n, &whole);
            if (used >= 0 && whole && on_line(r) < 0)
                return -1;
        }
        if (used < 0)
            return -1;
        p += used;
        n -= (size_t)used;
    }
    return r->complete;
}

int http_response_finish(http_response *r)
{
    if (r->phase == PHASE_BODY && r->kind == HTTP_BODY_TO_CLOSE)
        r->complete = 1;
    if (r->complete)
        return 0;
    return reject(r, r->phase == PHASE_HEAD
                         ? "the connection closed before a complete response"
                         : "the connection closed before the whole body arrived");
}
