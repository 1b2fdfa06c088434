/*
 * JSON lines: one object per event per line, every event of both sides (nothing merged), so a
 * script sees exactly what each connection traced. Strings are escaped; bytes that are not
 * UTF-8 (a peer's server name can hold anything) become U+FFFD so every line stays valid JSON.
 */
#include <string.h>

#include "render.h"

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = render_utf8_len(p);
        if (n == 0) {
            fputs("\\ufffd", out);
            p++;
        } else if (*p == '"' || *p == '\\') {
            fputc('\\', out);
            fputc(*p++, out);
        } else if (*p == '\n') {
            fputs("\\n", out);
            p++;
        } else if (*p == '\t') {
            fputs("\\t", out);
            p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\u%04x", *p++);
        } else {
            fwrite(p, 1, n, out);
            p += n;
        }
    }
    fputc('"', out);
}

int render_json(const render_view *v, FILE *out)
{
    static const char *const kinds[] = {"record", "message", "step"};
    for (size_t i = 0; i < v->count; i++) {
        const parley_trace_event *ev = v->ev[i];
        fprintf(out, "{\"t_us\":%llu,\"role\":\"%s\",\"dir\":\"%s\",\"kind\":\"%s\",",
                (unsigned long long)ev->time_us, ev->role == PARLEY_CLIENT ? "client" : "server",
                ev->outgoing ? "out" : "in", kinds[ev->kind]);
        if (ev->kind != PARLEY_TRACE_STEP)
            fprintf(out, "\"content_type\":%u,", ev->content_type);
        fputs("\"name\":", out);
        json_string(out, ev->name);
        if (ev->kind != PARLEY_TRACE_STEP)
            fprintf(out, ",\"length\":%zu", ev->length);
        if (ev->kind == PARLEY_TRACE_MESSAGE && ev->content_type == 22)
            fprintf(out, ",\"handshake_type\":%u", ev->handshake_type);
        /* A message shows the version of the record that carried it, as the diagrams do. */
        const parley_trace_event *record = ev;
        if (ev->kind == PARLEY_TRACE_MESSAGE)
            record = v->carrier[i] != RENDER_NONE ? v->ev[v->carrier[i]] : NULL;
        if (ev->kind != PARLEY_TRACE_STEP && record != NULL)
            fprintf(out, ",\"record_version\":\"0x%04x\"", record->record_version);
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
