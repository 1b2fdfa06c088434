/* The trace log: deep copies of events, added under a lock so a client and a server in two
 * threads can share one log, in chunks that never move once handed out. */
#include <stdlib.h>
#include <string.h>

#include "render.h"

parley_trace_log *parley_trace_log_new(void)
{
    parley_trace_log *log = calloc(1, sizeof(*log));
    if (log != NULL && pthread_mutex_init(&log->lock, NULL) != 0) {
        free(log);
        return NULL;
    }
    return log;
}

/* Chunk k starts at event LOG_FIRST_CHUNK * (2^k - 1). */
static size_t chunk_of(size_t i, size_t *offset)
{
    size_t blocks = i / LOG_FIRST_CHUNK + 1;
    size_t k = (size_t)(63 - __builtin_clzll((unsigned long long)blocks));
    *offset = i - LOG_FIRST_CHUNK * (((size_t)1 << k) - 1);
    return k;
}

static parley_trace_event *slot(const parley_trace_log *log, size_t i)
{
    size_t offset;
    size_t k = chunk_of(i, &offset);
    return &log->chunk[k][offset];
}

void parley_trace_log_free(parley_trace_log *log)
{
    if (log == NULL)
        return;
    /* Each event's fields and strings are one block, owned through its fields pointer. */
    for (size_t i = 0; i < log->count; i++)
        free((void *)slot(log, i)->fields);
    for (size_t k = 0; k < LOG_CHUNKS; k++)
        free(log->chunk[k]);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

static char *put_string(char **cursor, const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *dst = *cursor;
    memcpy(dst, s ? s : "", n);
    *cursor += n;
    return dst;
}

/* One allocation per event: the field array followed by every string it points to. */
static bool deep_copy(parley_trace_event *dst, const parley_trace_event *src)
{
    size_t bytes = (src->field_count + 1) * sizeof(parley_trace_field);
    bytes += strlen(src->name ? src->name : "") + 1;
    for (size_t i = 0; i < src->field_count; i++) {
        bytes += strlen(src->fields[i].name ? src->fields[i].name : "") + 1;
        bytes += strlen(src->fields[i].value ? src->fields[i].value : "") + 1;
    }
    parley_trace_field *fields = malloc(bytes);
    if (fields == NULL)
        return false;
    char *cursor = (char *)(fields + src->field_count + 1);
    *dst = *src;
    dst->name = put_string(&cursor, src->name);
    for (size_t i = 0; i < src->field_count; i++) {
        fields[i].name = put_string(&cursor, src->fields[i].name);
        fields[i].value = put_string(&cursor, src->fields[i].value);
    }
    dst->fields = fields;
    return true;
}

void parley_trace_log_add(const parley_trace_event *event, void *arg)
{
    parley_trace_log *log = arg;
    if (log == NULL || event == NULL)
        return;
    parley_trace_event copy;
    if (!deep_copy(&copy, event))
        return;
    pthread_mutex_lock(&log->lock);
    size_t offset;
    size_t k = chunk_of(log->count, &offset);
    if (k < LOG_CHUNKS && log->chunk[k] == NULL)
        log->chunk[k] = malloc((LOG_FIRST_CHUNK << k) * sizeof(parley_trace_event));
    if (k >= LOG_CHUNKS || log->chunk[k] == NULL) {
        pthread_mutex_unlock(&log->lock);
        free((void *)copy.fields);
        return;
    }
    log->chunk[k][offset] = copy;
    log->count++;
    pthread_mutex_unlock(&log->lock);
}

static size_t locked_count(const parley_trace_log *log)
{
    /* The lock is part of a log that is never itself const; only this view of it is. */
    pthread_mutex_t *lock = (pthread_mutex_t *)&log->lock;
    pthread_mutex_lock(lock);
    size_t n = log->count;
    pthread_mutex_unlock(lock);
    return n;
}

size_t parley_trace_log_count(const parley_trace_log *log)
{
    return log ? locked_count(log) : 0;
}

const parley_trace_event *parley_trace_log_get(const parley_trace_log *log, size_t i)
{
    return log && i < locked_count(log) ? slot(log, i) : NULL;
}

int parley_trace_log_write(const parley_trace_log *log, parley_trace_format format, FILE *out,
                           const char *title, int color)
{
    if (log == NULL || out == NULL)
        return PARLEY_ERROR;
    render_view view;
    if (!render_view_init(&view, log))
        return PARLEY_ERROR;
    int rc = PARLEY_ERROR;
    switch (format) {
    case PARLEY_TRACE_TEXT:
        rc = render_text(&view, out, title ? title : "TLS handshake", color);
        break;
    case PARLEY_TRACE_JSON:
        rc = render_json(&view, out);
        break;
    case PARLEY_TRACE_HTML:
        rc = render_html(&view, out, title ? title : "TLS handshake");
        break;
    }
    render_view_free(&view);
    return rc;
}
