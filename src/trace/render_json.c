/* JSON lines: one object per event per line, every string escaped. */
#include "render.h"

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

int render_json(const parley_trace_log *log, FILE *out)
{
    static const char *const kinds[] = {"record", "message", "step"};
    for (size_t i = 0; i < log->count; i++) {
        const parley_trace_event *ev = &log->events[i];
        fprintf(out, "{\"t_us\":%llu,\"role\":\"%s\",\"dir\":\"%s\",\"kind\":\"%s\",",
                (unsigned long long)ev->time_us, ev->role == PARLEY_CLIENT ? "client" : "server",
                ev->outgoing ? "out" : "in", kinds[ev->kind]);
        fprintf(out, "\"content_type\":%u,\"length\":%zu,", ev->content_type, ev->length);
        if (ev->kind == PARLEY_TRACE_RECORD)
            fprintf(out, "\"record_version\":\"0x%04x\",", ev->record_version);
        fputs("\"name\":", out);
        json_string(out, ev->name);
        fputs(",\"fields\":{", out);
        for (size_t f = 0; f < ev->field_count; f++) {
            if (f)
                fputc(',', out);
            json_string(out, ev->fields[f].name);
            fputc(':', out);
            json_string(out, ev->fields[f].value);
        }
        fputs("}}\n", out);
    }
    return ferror(out) ? PARLEY_ERROR : PARLEY_OK;
}
