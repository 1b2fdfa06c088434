/* The parley command's HTTP framing (tools/http.c): heads with CRLF or bare LF, bodies delimited
 * by Content-Length, chunks (RFC 9112 section 7.1) or the connection's end, fed whole or one
 * byte at a time as records would split them. */
#include "../../tools/http.c"

#include "check.h"

/* Feeds a response in pieces of `step` bytes; the decoded body lands in body (NUL-terminated).
 * Returns what the last feed returned, or the finish result when `at_eof` and not complete. */
static int feed(const char *wire, size_t step, int at_eof, http_response *r, char *body, size_t cap)
{
    FILE *out = tmpfile();
    http_response_init(r);
    size_t len = strlen(wire);
    int rc = 0;
    for (size_t off = 0; off < len && rc == 0; off += step)
        rc = http_response_feed(r, wire + off, len - off < step ? len - off : step, out);
    if (rc == 0 && at_eof)
        rc = http_response_finish(r) == 0 ? 1 : -1;
    rewind(out);
    size_t n = fread(body, 1, cap - 1, out);
    body[n] = '\0';
    fclose(out);
    return rc;
}

static void test_head_length(void)
{
    CHECK_EQ_INT(http_head_length("GET / HTTP/1.1\r\nHost: a\r\n\r\nrest", 31), 27);
    CHECK_EQ_INT(http_head_length("GET / HTTP/1.0\n\nrest", 20), 16);
    CHECK_EQ_INT(http_head_length("GET / HTTP/1.1\r\nHost: a\r\n\r", 26), 0);
    CHECK_EQ_INT(http_head_length("GET / HTTP/1.1\r\nHost: a\r\n", 25), 0);
}

static void test_header(void)
{
    static const char head[] = "HTTP/1.1 200 OK\r\ncontent-length:  42 \r\nX-Content-Length: 7\r\n"
                               "Connection: close\r\n\r\n";
    char v[32];
    CHECK(http_header(head, sizeof(head) - 1, "Content-Length", v, sizeof(v)));
    CHECK(strcmp(v, "42") == 0);
    CHECK(http_header(head, sizeof(head) - 1, "connection", v, sizeof(v)));
    CHECK(strcmp(v, "close") == 0);
    CHECK(!http_header(head, sizeof(head) - 1, "Transfer-Encoding", v, sizeof(v)));
    /* The status line is not a header even if it looks like one. */
    CHECK(!http_header("Host: x\r\n\r\n", 11, "Host", v, sizeof(v)));
}

static void test_content_length(void)
{
    static const char wire[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
    http_response r;
    char body[64];
    for (size_t step = 1; step <= sizeof(wire); step++) {
        CHECK_EQ_INT(feed(wire, step, 0, &r, body, sizeof(body)), 1);
        CHECK(strcmp(body, "hello") == 0);
        CHECK_EQ_INT(r.status, 200);
    }
    /* Cut short: an error at the end of the connection, not a silent partial body. */
    CHECK_EQ_INT(
        feed("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello", 7, 1, &r, body, sizeof(body)),
        -1);
    CHECK(r.error != NULL && strstr(r.error, "whole body") != NULL);
    CHECK_EQ_INT(
        feed("HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello", 64, 0, &r, body, sizeof(body)),
        -1);
}

static void test_chunked(void)
{
    /* Chunk extensions and a trailer field, as RFC 9112 7.1 allows. */
    static const char wire[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "5;name=value\r\nhello\r\n1\r\n \r\nC\r\nworld\r\n0\r\n\r\n\r\n"
                               "0\r\nTrailer: yes\r\n\r\n";
    http_response r;
    char body[64];
    for (size_t step = 1; step <= sizeof(wire); step++) {
        CHECK_EQ_INT(feed(wire, step, 0, &r, body, sizeof(body)), 1);
        CHECK(strcmp(body, "hello world\r\n0\r\n\r\n") == 0);
    }
    CHECK_EQ_INT(feed("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n", 3, 0, &r,
                      body, sizeof(body)),
                 1);
    CHECK(strcmp(body, "abc") == 0);
    CHECK_EQ_INT(feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 64, 0, &r,
                      body, sizeof(body)),
                 -1);
    CHECK_EQ_INT(feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 64, 0,
                      &r, body, sizeof(body)),
                 -1);
    CHECK_EQ_INT(feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 64, 1,
                      &r, body, sizeof(body)),
                 -1);
}

static void test_other_framings(void)
{
    http_response r;
    char body[64];
    /* Neither length nor chunks: the body is everything until the connection ends. */
    CHECK_EQ_INT(feed("HTTP/1.0 404 Not Found\r\n\r\nnope", 2, 1, &r, body, sizeof(body)), 1);
    CHECK(strcmp(body, "nope") == 0);
    CHECK_EQ_INT(r.status, 404);
    /* An interim 100 Continue is skipped; the final response counts. */
    CHECK_EQ_INT(feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n"
                      "\r\nok",
                      5, 0, &r, body, sizeof(body)),
                 1);
    CHECK_EQ_INT(r.status, 201);
    CHECK(strcmp(body, "ok") == 0);
    CHECK_EQ_INT(feed("HTTP/1.1 204 No Content\r\n\r\n", 64, 0, &r, body, sizeof(body)), 1);
    CHECK_EQ_INT(feed("SSH-2.0-OpenSSH\r\n\r\n", 64, 0, &r, body, sizeof(body)), -1);
    CHECK_EQ_INT(feed("HTTP/1.1 200 OK\r\nContent-Le", 64, 1, &r, body, sizeof(body)), -1);
}

int main(void)
{
    test_head_length();
    test_header();
    test_content_length();
    test_chunked();
    test_other_framings();
    return check_summary("test_tool_http");
}
