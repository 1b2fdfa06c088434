/* The trace log: deep copies of events, added under a lock so a client and a server in two
 * threads can share one log. */
#include <stdlib.h>
#include <string.h>

#include "render.h"

parley_trace_log *parley_trace_log_new(void)
{
    parley_trace_log *log = calloc(1, sizeof(*log));
    if (log != NULL)
        pthread_mutex_init(&log->lock, NULL);
    return log;
}

static void event_free(parley_trace_event *ev)
{
    for (size_t i = 0; i < ev->field_count; i++) {
        free((char *)ev->fields[i].name);
        free((char *)ev->fields[i].value);
    }
    free((parley_trace_field *)ev->fields);
    free((char *)ev->name);
}

void parley_trace_log_free(parley_trace_log *log)
{
    if (log == NULL)
        return;
    for (size_t i = 0; i < log->count; i++)
        event_free(&log->events[i]);
    free(log->events);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

static char *copy(const char *s)
{
    return strdup(s ? s : "");
}

void parley_trace_log_add(const parley_trace_event *event, void *arg)
{
    parley_trace_log *log = arg;
    parley_trace_event ev = *event;
    parley_trace_field *fields =
        calloc(event->field_count ? event->field_count : 1, sizeof(*fields));
    ev.name = copy(event->name);
    for (size_t i = 0; fields && i < event->field_count; i++) {
        fields[i].name = copy(event->fields[i].name);
        fields[i].value = copy(event->fields[i].value);
    }
    ev.fields = fields;
    if (fields == NULL)
        ev.field_count = 0;
    pthread_mutex_lock(&log->lock);
    if (log->count == log->cap) {
        size_t cap = log->cap ? 2 * log->cap : 64;
        parley_trace_event *grown = realloc(log->events, cap * sizeof(*grown));
        if (grown == NULL) {
            pthread_mutex_unlock(&log->lock);
            event_free(&ev);
            return;
        }
        log->events = grown;
        log->cap = cap;
    }
    log->events[log->count++] = ev;
    pthread_mutex_unlock(&log->lock);
}

size_t parley_trace_log_count(const parley_trace_log *log)
{
    return log ? log->count : 0;
}

const parley_trace_event *parley_trace_log_get(const parley_trace_log *log, size_t i)
{
    return log && i < log->count ? &log->events[i] : NULL;
}

bool render_visible(const parley_trace_log *log, const parley_trace_event *ev)
{
    if (ev->kind == PARLEY_TRACE_STEP)
        return true;
    bool client = false, server = false;
    for (size_t i = 0; i < log->count; i++) {
        client |= log->events[i].role == PARLEY_CLIENT;
        server |= log->events[i].role == PARLEY_SERVER;
    }
    return !(client && server) || ev->outgoing;
}

bool render_client_to_server(const parley_trace_event *ev)
{
    return (ev->role == PARLEY_CLIENT) == (ev->outgoing != 0);
}

int parley_trace_log_write(const parley_trace_log *log, parley_trace_format format, FILE *out,
                           const char *title, int color)
{
    if (log == NULL || out == NULL)
        return PARLEY_ERROR;
    switch (format) {
    case PARLEY_TRACE_TEXT:
        return render_text(log, out, title ? title : "TLS handshake", color);
    case PARLEY_TRACE_JSON:
        return render_json(log, out);
    case PARLEY_TRACE_HTML:
        return render_html(log, out, title ? title : "TLS handshake");
    }
    return PARLEY_ERROR;
}
