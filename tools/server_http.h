/* What `parley server` answers to one request head: files under --root, or a page describing
 * the connection that carried the request. */
#ifndef PARLEY_TOOL_SERVER_HTTP_H
#define PARLEY_TOOL_SERVER_HTTP_H

#include <stddef.h>

#include "parley.h"

/* Largest file served from --root. */
#define SERVER_MAX_FILE (16 * 1024 * 1024)

typedef struct server_reply {
    char *data; /* status line, headers and body, malloc'd */
    size_t len;
    int close_after; /* the connection ends after this reply */
} server_reply;

/* Builds the reply to the request head (head_len bytes, through its blank line). root is NULL
 * for the connection page, which shows conn's parameters and, if log is not NULL, the diagram of
 * its handshake. Returns 0, or -1 when out of memory. */
int server_http_answer(const char *head, size_t head_len, const char *root, parley_conn *conn,
                       parley_trace_log *log, server_reply *reply);

/* The reply to a request head too large to buffer. */
int server_http_too_large(server_reply *reply);

#endif
