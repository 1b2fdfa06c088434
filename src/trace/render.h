/* Shared by the trace log and its renderers: the log's storage, and the view every renderer
 * draws from (which events are drawn, which records carried which messages, one timeline). */
#ifndef PARLEY_TRACE_RENDER_H
#define PARLEY_TRACE_RENDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "parley.h"

/* Events live in chunks that never move, so a pointer from parley_trace_log_get stays valid
 * while other threads keep adding; chunk k holds LOG_FIRST_CHUNK << k events. */
#define LOG_FIRST_CHUNK 64
#define LOG_CHUNKS      40

struct parley_trace_log {
    pthread_mutex_t lock;
    parley_trace_event *chunk[LOG_CHUNKS]; /* deep copies; each owns one block of its strings */
    size_t count;
};

#define RENDER_NONE ((size_t)-1)

/* Records travel in groups: the records a side sent or received in one go, followed by the
 * messages they carried. Indices are event indices in the view. */
typedef struct render_group {
    size_t record_count, message_count;
    size_t first_record, last_record;
    size_t first_message, last_message;
} render_group;

typedef struct render_view {
    const parley_trace_event **ev;
    size_t count;
    bool both_roles; /* then only senders' events draw messages and records */
    bool *drawn;
    uint64_t *t_us;          /* one timeline for both sides, 0 at the first event */
    size_t *group;           /* group of a RECORD or MESSAGE event */
    size_t *next;            /* next event of the same group */
    size_t *ordinal;         /* RECORD: its position in the group */
    size_t *rec_lo, *rec_hi; /* MESSAGE: positions of the records carrying its first/last byte */
    size_t *carrier;         /* MESSAGE: the RECORD event carrying its first byte */
    render_group *groups;
    size_t group_count;
} render_view;

/* Builds the view of the events logged so far. Returns false if out of memory. */
bool render_view_init(render_view *v, const parley_trace_log *log);
void render_view_free(render_view *v);

/* Whether the message goes from client to server. */
bool render_client_to_server(const parley_trace_event *ev);
/* Whether message m travelled (at least partly) in the record at position pos of its group. */
bool render_message_in_record(const render_view *v, size_t m, size_t pos);
/* The length of a well-formed UTF-8 sequence at s (1..4), or 0. */
size_t render_utf8_len(const unsigned char *s);

int render_text(const render_view *v, FILE *out, const char *title, int color);
int render_json(const render_view *v, FILE *out);
int render_html(const render_view *v, FILE *out, const char *title);

#endif
