/* Shared by the trace log and its renderers. */
#ifndef PARLEY_TRACE_RENDER_H
#define PARLEY_TRACE_RENDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "parley.h"

struct parley_trace_log {
    pthread_mutex_t lock;
    parley_trace_event *events; /* deep copies */
    size_t count, cap;
};

/* Whether an event is drawn: with both sides in the log, each message and record is drawn once,
 * from its sender's event; steps are always drawn. */
bool render_visible(const parley_trace_log *log, const parley_trace_event *ev);
/* Whether the message goes from client to server. */
bool render_client_to_server(const parley_trace_event *ev);

int render_text(const parley_trace_log *log, FILE *out, const char *title, int color);
int render_json(const parley_trace_log *log, FILE *out);
int render_html(const parley_trace_log *log, FILE *out, const char *title);

#endif
