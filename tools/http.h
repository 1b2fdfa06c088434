/* The little HTTP/1.1 the parley command speaks: finding a request or response head, and reading
 * a response body delimited by Content-Length, chunked encoding or the end of the connection. */
#ifndef PARLEY_TOOL_HTTP_H
#define PARLEY_TOOL_HTTP_H

#include <stddef.h>
#include <stdio.h>

/* The length of the head in buf up to and including its blank line ("\r\n\r\n", or "\n\n" from
 * forgiving peers), or 0 while the head is incomplete. */
size_t http_head_length(const char *buf, size_t len);

/* The value of header `name` in a head (case-insensitive name, leading blanks skipped) copied
 * into out; 1 if present, 0 if not. */
int http_header(const char *head, size_t head_len, const char *name, char *out, size_t cap);

#define HTTP_HEAD_MAX 16384

typedef enum http_body_kind {
    HTTP_BODY_NONE = 0, /* 204, 304, or nothing announced and nothing may follow */
    HTTP_BODY_LENGTH,   /* Content-Length */
    HTTP_BODY_CHUNKED,  /* Transfer-Encoding: chunked */
    HTTP_BODY_TO_CLOSE, /* neither: the body ends when the connection does */
} http_body_kind;

/* An incremental response reader: bytes go in as they arrive, the decoded body comes out. */
typedef struct http_response {
    int status;
    http_body_kind kind;
    int phase; /* private: where in the message the reader is */
    int complete;
    unsigned long long remaining; /* of the body (LENGTH) or of the current chunk */
    char head[HTTP_HEAD_MAX];
    size_t head_len;
    char line[128]; /* a chunk-size line or trailer line being collected */
    size_t line_len;
    const char *error; /* why the response was rejected */
} http_response;

void http_response_init(http_response *r);
/* Consumes n bytes and writes body bytes to out. Returns 1 once the response is complete, 0 if
 * more is needed, -1 if the response is malformed (r->error says why). */
int http_response_feed(http_response *r, const char *p, size_t n, FILE *out);
/* Called when the connection ended: 0 if the response is whole, -1 if it was cut short. */
int http_response_finish(http_response *r);

#endif
