/*
 * The text time diagram: the client lane on the left, the server lane on the right, one arrow
 * per message with its key fields beneath, each record shown where it travelled, and the steps
 * each side took in its own lane.
 */
#include <string.h>

#include "render.h"

#define WIDTH     76 /* from the client lane to the server lane, inclusive */
#define FIELD_MAX 64 /* characters of a field value shown; JSON and HTML carry the rest */

typedef struct palette {
    const char *name, *record, *step, *dim, *reset;
} palette;

static const palette plain = {"", "", "", "", ""};
static const palette ansi = {"\033[1m", "\033[36m", "\033[33m", "\033[2m", "\033[0m"};

static void arrow(FILE *out, const parley_trace_event *ev, const palette *p)
{
    bool right = render_client_to_server(ev);
    char line[WIDTH + 1];
    memset(line, '-', WIDTH);
    line[WIDTH] = '\0';
    line[0] = '|';
    line[WIDTH - 1] = '|';
    if (right)
        line[WIDTH - 2] = '>';
    else
        line[1] = '<';
    size_t name_len = strlen(ev->name);
    size_t at = right ? 4 : WIDTH - 5 - name_len;
    if (name_len + 8 < WIDTH) {
        line[at - 1] = ' ';
        memcpy(line + at, ev->name, name_len);
        line[at + name_len] = ' ';
    }
    /* Colour only the name: split the line around it. */
    fprintf(out, "%.*s%s%.*s%s%s  %7.3f ms\n", (int)at, line, p->name, (int)name_len, line + at,
            p->reset, line + at + name_len, (double)ev->time_us / 1000.0);
}

static void fields(FILE *out, const parley_trace_event *ev, const palette *p)
{
    for (size_t i = 0; i < ev->field_count; i++) {
        const char *v = ev->fields[i].value;
        size_t n = strlen(v);
        fprintf(out, "|      %s%-22s%s %.*s%s\n", p->dim, ev->fields[i].name, p->reset, FIELD_MAX,
                v, n > FIELD_MAX ? " ..." : "");
    }
}

static const char *version_name(uint16_t v)
{
    return parley_version_name(v);
}

int render_text(const parley_trace_log *log, FILE *out, const char *title, int color)
{
    const palette *p = color ? &ansi : &plain;
    fprintf(out, "%s%s%s\n\n", p->name, title, p->reset);
    fprintf(out, "client%*sserver\n", WIDTH - 12, "");
    for (size_t i = 0; i < log->count; i++) {
        const parley_trace_event *ev = &log->events[i];
        if (!render_visible(log, ev))
            continue;
        switch (ev->kind) {
        case PARLEY_TRACE_RECORD:
            fprintf(out, "|%*s%s[record: %s, %s, %zu bytes]%s\n", 3, "", p->record, ev->name,
                    version_name(ev->record_version), ev->length, p->reset);
            break;
        case PARLEY_TRACE_MESSAGE:
            arrow(out, ev, p);
            fields(out, ev, p);
            break;
        case PARLEY_TRACE_STEP:
            if (ev->role == PARLEY_CLIENT)
                fprintf(out, "%s* %s%s\n", p->step, ev->name, p->reset);
            else
                fprintf(out, "|%*s%s%s *%s\n", (int)(WIDTH - 4 - strlen(ev->name)), "", p->step,
                        ev->name, p->reset);
            break;
        }
    }
    return ferror(out) ? PARLEY_ERROR : PARLEY_OK;
}
