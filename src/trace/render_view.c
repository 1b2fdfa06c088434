/*
 * The view the renderers draw from, built once per rendering: which events are drawn, which
 * records carried which messages, and one timeline for both sides.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

bool render_client_to_server(const parley_trace_event *ev)
{
    return (ev->role == PARLEY_CLIENT) == (ev->outgoing != 0);
}

bool render_message_in_record(const render_view *v, size_t m, size_t pos)
{
    return v->rec_lo[m] != RENDER_NONE && v->rec_lo[m] <= pos && pos <= v->rec_hi[m];
}

size_t render_utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n;
    unsigned min;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    /* Overlong forms, UTF-16 surrogates and values past U+10FFFF are not characters. */
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

/* The bytes a message occupies in record payloads. */
static size_t wire_size(const parley_trace_event *ev)
{
    return ev->content_type == 22 ? ev->length + 4 : ev->length;
}

static void link_event(render_view *v, size_t g, size_t i)
{
    render_group *grp = &v->groups[g];
    size_t *last = v->ev[i]->kind == PARLEY_TRACE_RECORD ? &grp->last_record : &grp->last_message;
    size_t *first =
        v->ev[i]->kind == PARLEY_TRACE_RECORD ? &grp->first_record : &grp->first_message;
    /* Records precede their messages in the group's list, so a message links from the last
     * message, or else from the last record. */
    size_t prev = *last;
    if (prev == RENDER_NONE && v->ev[i]->kind == PARLEY_TRACE_MESSAGE)
        prev = grp->last_record;
    if (prev != RENDER_NONE)
        v->next[prev] = i;
    if (*first == RENDER_NONE)
        *first = i;
    *last = i;
    v->group[i] = g;
}

/* A group opens with the first record after a message of the same side and direction, and
 * holds the records until the messages decoded from or carried by them are done. */
static void form_groups(render_view *v)
{
    size_t open[2][2] = {{RENDER_NONE, RENDER_NONE}, {RENDER_NONE, RENDER_NONE}};
    for (size_t i = 0; i < v->count; i++) {
        const parley_trace_event *ev = v->ev[i];
        if (ev->kind == PARLEY_TRACE_STEP)
            continue;
        size_t *g = &open[ev->role == PARLEY_SERVER][ev->outgoing != 0];
        bool fresh = *g == RENDER_NONE ||
                     (ev->kind == PARLEY_TRACE_RECORD && v->groups[*g].message_count > 0);
        if (fresh) {
            *g = v->group_count++;
            render_group *grp = &v->groups[*g];
            memset(grp, 0, sizeof(*grp));
            grp->first_record = grp->last_record = RENDER_NONE;
            grp->first_message = grp->last_message = RENDER_NONE;
        }
        if (ev->kind == PARLEY_TRACE_RECORD)
            v->ordinal[i] = v->groups[*g].record_count++;
        else
            v->groups[*g].message_count++;
        link_event(v, *g, i);
    }
}

/*
 * Which records carried each message, by counting bytes. Protected records are longer than what
 * they carry; the expansion is spread evenly over the group's records (exact for AEAD, close for
 * CBC padding), and the last record takes whatever is left.
 */
static void attribute_bytes(render_view *v, const render_group *grp)
{
    if (grp->record_count == 0 || grp->message_count == 0)
        return;
    size_t record_bytes = 0, message_bytes = 0;
    for (size_t i = grp->first_record; i != RENDER_NONE; i = v->next[i]) {
        if (v->ev[i]->kind == PARLEY_TRACE_RECORD)
            record_bytes += v->ev[i]->length;
        else
            message_bytes += wire_size(v->ev[i]);
    }
    size_t expansion =
        record_bytes > message_bytes ? (record_bytes - message_bytes) / grp->record_count : 0;
    size_t record = grp->first_record, pos = 0, record_end = 0, message_start = 0;
    record_end = v->ev[record]->length > expansion ? v->ev[record]->length - expansion : 0;
    for (size_t m = grp->first_message; m != RENDER_NONE; m = v->next[m]) {
        size_t size = wire_size(v->ev[m]);
        size_t last_byte = message_start + (size ? size - 1 : 0);
        /* Skip records that ended before this message began. */
        while (message_start >= record_end && pos + 1 < grp->record_count) {
            record = v->next[record];
            pos++;
            size_t len = v->ev[record]->length;
            record_end += len > expansion ? len - expansion : 0;
        }
        v->rec_lo[m] = pos;
        v->carrier[m] = record;
        size_t r = record, hi = pos, end = record_end;
        while (last_byte >= end && hi + 1 < grp->record_count) {
            r = v->next[r];
            hi++;
            size_t len = v->ev[r]->length;
            end += len > expansion ? len - expansion : 0;
        }
        v->rec_hi[m] = hi;
        message_start += size;
    }
}

/*
 * Each connection's clock starts when it was created. With both sides in one log, the server's
 * clock is shifted by the least amount that keeps every server event at or after the client
 * events logged before it (the log's order is the order things happened).
 */
static void align_clocks(render_view *v)
{
    int64_t shift = INT64_MIN;
    int64_t client_latest = INT64_MIN;
    for (size_t i = 0; i < v->count; i++) {
        int64_t t = (int64_t)v->ev[i]->time_us;
        if (v->ev[i]->role == PARLEY_CLIENT) {
            client_latest = t > client_latest ? t : client_latest;
        } else if (client_latest != INT64_MIN && client_latest - t > shift) {
            shift = client_latest - t;
        }
    }
    if (!v->both_roles || shift == INT64_MIN)
        shift = 0;
    int64_t start = INT64_MAX;
    for (size_t i = 0; i < v->count; i++) {
        int64_t t = (int64_t)v->ev[i]->time_us + (v->ev[i]->role == PARLEY_SERVER ? shift : 0);
        v->t_us[i] = (uint64_t)t;
        start = t < start ? t : start;
    }
    for (size_t i = 0; i < v->count; i++)
        v->t_us[i] -= (uint64_t)start;
}

bool render_view_init(render_view *v, const parley_trace_log *log)
{
    memset(v, 0, sizeof(*v));
    v->count = parley_trace_log_count(log);
    size_t n = v->count ? v->count : 1;
    v->ev = calloc(n, sizeof(*v->ev));
    v->drawn = calloc(n, sizeof(*v->drawn));
    v->t_us = calloc(n, sizeof(*v->t_us));
    v->group = malloc(n * sizeof(*v->group));
    v->next = malloc(n * sizeof(*v->next));
    v->ordinal = malloc(n * sizeof(*v->ordinal));
    v->rec_lo = malloc(n * sizeof(*v->rec_lo));
    v->rec_hi = malloc(n * sizeof(*v->rec_hi));
    v->carrier = malloc(n * sizeof(*v->carrier));
    v->groups = calloc(n, sizeof(*v->groups));
    if (!v->ev || !v->drawn || !v->t_us || !v->group || !v->next || !v->ordinal || !v->rec_lo ||
        !v->rec_hi || !v->carrier || !v->groups) {
        render_view_free(v);
        return false;
    }
    bool client = false, server = false;
    for (size_t i = 0; i < v->count; i++) {
        v->ev[i] = parley_trace_log_get(log, i);
        client |= v->ev[i]->role == PARLEY_CLIENT;
        server |= v->ev[i]->role == PARLEY_SERVER;
        v->group[i] = v->next[i] = v->ordinal[i] = RENDER_NONE;
        v->rec_lo[i] = v->rec_hi[i] = v->carrier[i] = RENDER_NONE;
    }
    v->both_roles = client && server;
    for (size_t i = 0; i < v->count; i++)
        v->drawn[i] = v->ev[i]->kind == PARLEY_TRACE_STEP || !v->both_roles || v->ev[i]->outgoing;
    form_groups(v);
    for (size_t g = 0; g < v->group_count; g++)
        attribute_bytes(v, &v->groups[g]);
    align_clocks(v);
    return true;
}

void render_view_free(render_view *v)
{
    free(v->ev);
    free(v->drawn);
    free(v->t_us);
    free(v->group);
    free(v->next);
    free(v->ordinal);
    free(v->rec_lo);
    free(v->rec_hi);
    free(v->carrier);
    free(v->groups);
    memset(v, 0, sizeof(*v));
}
