/*
 * A self-contained HTML page: an SVG sequence diagram (client and server lifelines, one arrow per
 * message, the records beneath each flight, each side's steps) and every message's fields in a
 * <details> block that a click on its arrow opens. No external resources. Every string is
 * escaped: names, subjects and server names come from the peer.
 */
#include <string.h>

#include "render.h"

#define SVG_WIDTH   760
#define CLIENT_X    150
#define SERVER_X    610
#define MESSAGE_ROW 36 /* an arrow and its label */
#define NOTE_ROW    20 /* a record or a step */

static void html_escape(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = render_utf8_len(p);
        /* Bytes that are not UTF-8 and control characters would make the page malformed. */
        if (n == 0 || (*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
            fputs("&#xfffd;", out);
            p += n ? n : 1;
            continue;
        }
        switch (*p) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            fwrite(p, 1, n, out);
        }
        p += n;
    }
}

static const char style[] =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:60em}"
    "h1{font-size:1.4em}svg{max-width:100%;height:auto}svg "
    "text{font-family:ui-monospace,monospace;font-size:13px}"
    ".lane{font-weight:bold;font-size:15px}.life{stroke:#999;stroke-width:2}"
    ".c2s line{stroke:#1a7f37}.s2c line{stroke:#8250df}.fatal line{stroke:#cf222e}"
    ".msg line{stroke-width:2}.msg .name{font-weight:bold}.msg:hover .name,.msg.current .name{"
    "fill:#c60}.time{fill:#777;font-size:11px}.record{fill:#077;font-size:11px}"
    ".step{fill:#9a6700;font-size:11px}.hit{fill:transparent}"
    "details{margin:.3em 0;font-family:ui-monospace,monospace;border-left:3px solid #ddd;"
    "padding-left:.6em}details.current{border-color:#c60}summary{cursor:pointer}"
    ".dir{color:#666}td{padding:0 1em 0 0;vertical-align:top;word-break:break-all}"
    "td:first-child{color:#666;white-space:nowrap;word-break:normal}";

/* The arrows are links to their details, so the page works without script; the script opens
 * the block and marks the pair. */
static const char script[] =
    "document.querySelectorAll('g.msg').forEach(function(g){g.addEventListener('click',"
    "function(){var d=document.getElementById('m'+g.dataset.index);d.open=true;"
    "document.querySelectorAll('.current').forEach(function(e){e.classList.remove('current');});"
    "d.classList.add('current');g.classList.add('current');});});";

static void time_text(char *dst, size_t cap, uint64_t t_us)
{
    snprintf(dst, cap, "+%.3f ms", (double)t_us / 1000.0);
}

static const char *direction(const parley_trace_event *ev)
{
    return render_client_to_server(ev) ? "client &rarr; server" : "server &rarr; client";
}

static bool is_fatal_alert(const parley_trace_event *ev)
{
    return ev->content_type == 21 && ev->field_count > 0 &&
           strcmp(ev->fields[0].value, "fatal") == 0;
}

/* RFC 8446 2's notation for a TLS 1.3 message's protection, from the field the trace adds:
 * () under the early traffic keys, {} under the handshake ones, [] under the application ones;
 * NULL when in the clear. */
static const char *brackets(const parley_trace_event *ev)
{
    for (size_t f = 0; f < ev->field_count; f++) {
        if (strcmp(ev->fields[f].name, "encrypted") != 0)
            continue;
        static const char early[] = "under the early", handshake[] = "under the handshake",
                          application[] = "under the application";
        if (strncmp(ev->fields[f].value, early, sizeof(early) - 1) == 0)
            return "()";
        if (strncmp(ev->fields[f].value, handshake, sizeof(handshake) - 1) == 0)
            return "{}";
        if (strncmp(ev->fields[f].value, application, sizeof(application) - 1) == 0)
            return "[]";
    }
    return NULL;
}

/* "Handshake, TLSv1.2, 1995 bytes" */
static void record_text(FILE *out, const parley_trace_event *rec)
{
    html_escape(out, rec->name);
    const char *version = parley_version_name(rec->record_version);
    if (strcmp(version, "unknown") == 0)
        fprintf(out, ", 0x%04x", rec->record_version);
    else
        fprintf(out, ", %s", version);
    fprintf(out, ", %zu byte%s", rec->length, rec->length == 1 ? "" : "s");
}

static void draw_message(FILE *out, const render_view *v, size_t i, size_t y)
{
    const parley_trace_event *ev = v->ev[i];
    bool right = render_client_to_server(ev);
    char when[32];
    time_text(when, sizeof(when), v->t_us[i]);
    fprintf(out, "<a href=\"#m%zu\"><g class=\"msg %s%s\" data-message=\"", i,
            right ? "c2s" : "s2c", is_fatal_alert(ev) ? " fatal" : "");
    html_escape(out, ev->name);
    fprintf(out, "\" data-index=\"%zu\"><title>", i);
    html_escape(out, ev->name);
    fprintf(out, ": %s, %s, %zu byte%s", right ? "client to server" : "server to client", when,
            ev->length, ev->length == 1 ? "" : "s");
    for (size_t f = 0; f < ev->field_count; f++) {
        fputc('\n', out);
        html_escape(out, ev->fields[f].name);
        fputs(": ", out);
        html_escape(out, ev->fields[f].value);
    }
    const char *marker = is_fatal_alert(ev) ? "fatal" : right ? "to-server" : "to-client";
    fprintf(out,
            "</title><rect class=\"hit\" x=\"%d\" y=\"%zu\" width=\"%d\" height=\"%d\"/>"
            "<line x1=\"%d\" y1=\"%zu\" x2=\"%d\" y2=\"%zu\" marker-end=\"url(#%s)\"/>"
            "<text class=\"time\" x=\"8\" y=\"%zu\">%s</text>"
            "<text class=\"name\" x=\"%d\" y=\"%zu\" text-anchor=\"middle\">",
            CLIENT_X, y - 22, SERVER_X - CLIENT_X, MESSAGE_ROW - 4, right ? CLIENT_X : SERVER_X, y,
            right ? SERVER_X - 2 : CLIENT_X + 2, y, marker, y + 4, when, (CLIENT_X + SERVER_X) / 2,
            y - 7);
    const char *enclose = brackets(ev);
    if (enclose)
        fputc(enclose[0], out);
    html_escape(out, ev->name);
    if (enclose)
        fputc(enclose[1], out);
    fputs("</text></g></a>\n", out);
}

static void draw_records(FILE *out, const render_view *v, const render_group *grp, size_t *y)
{
    for (size_t r = grp->first_record; r != RENDER_NONE && v->ev[r]->kind == PARLEY_TRACE_RECORD;
         r = v->next[r]) {
        size_t pos = v->ordinal[r], carried = 0;
        fprintf(out, "<text class=\"record\" x=\"%d\" y=\"%zu\" text-anchor=\"middle\"><title>",
                (CLIENT_X + SERVER_X) / 2, *y + 4);
        for (size_t m = grp->first_message; m != RENDER_NONE; m = v->next[m]) {
            if (!render_message_in_record(v, m, pos))
                continue;
            fputs(carried++ ? ", " : "carried: ", out);
            html_escape(out, v->ev[m]->name);
        }
        fputs("</title>", out);
        if (grp->record_count > 1)
            fprintf(out, "record %zu of %zu: ", pos + 1, grp->record_count);
        else
            fputs("record: ", out);
        record_text(out, v->ev[r]);
        if (carried > 1)
            fprintf(out, " (%zu messages)", carried);
        fputs("</text>\n", out);
        *y += NOTE_ROW;
    }
}

static void draw_step(FILE *out, const parley_trace_event *ev, size_t y)
{
    bool client = ev->role == PARLEY_CLIENT;
    fprintf(out,
            "<circle cx=\"%d\" cy=\"%zu\" r=\"3\" fill=\"#9a6700\"/>"
            "<text class=\"step\" x=\"%d\" y=\"%zu\" text-anchor=\"%s\">",
            client ? CLIENT_X : SERVER_X, y, client ? CLIENT_X + 8 : SERVER_X - 8, y + 4,
            client ? "start" : "end");
    html_escape(out, ev->name);
    fputs("</text>\n", out);
}

/* Where each record group is drawn: after its last message, or where its last record arrived
 * when it carried no whole message. */
static const render_group *records_after(const render_view *v, size_t i)
{
    if (v->group[i] == RENDER_NONE)
        return NULL;
    const render_group *grp = &v->groups[v->group[i]];
    bool last = grp->message_count ? grp->last_message == i : grp->last_record == i;
    return last ? grp : NULL;
}

static size_t diagram_height(const render_view *v)
{
    size_t y = 60;
    for (size_t i = 0; i < v->count; i++) {
        if (!v->drawn[i])
            continue;
        if (v->ev[i]->kind == PARLEY_TRACE_MESSAGE)
            y += MESSAGE_ROW;
        else if (v->ev[i]->kind == PARLEY_TRACE_STEP)
            y += NOTE_ROW;
        const render_group *grp = records_after(v, i);
        if (grp != NULL)
            y += grp->record_count * NOTE_ROW;
    }
    return y + 10;
}

static void draw_diagram(FILE *out, const render_view *v)
{
    size_t height = diagram_height(v);
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
            "viewBox=\"0 0 %d %zu\" role=\"img\" aria-label=\"sequence diagram\"><defs>",
            SVG_WIDTH, height, SVG_WIDTH, height);
    static const char *const markers[][2] = {
        {"to-server", "#1a7f37"}, {"to-client", "#8250df"}, {"fatal", "#cf222e"}};
    for (size_t m = 0; m < 3; m++)
        fprintf(out,
                "<marker id=\"%s\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" "
                "markerHeight=\"8\" refX=\"10\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L10,4 "
                "L0,8 z\" fill=\"%s\"/></marker>",
                markers[m][0], markers[m][1]);
    fprintf(out,
            "</defs>\n<text class=\"lane\" x=\"%d\" y=\"20\" text-anchor=\"middle\">client</text>"
            "<text class=\"lane\" x=\"%d\" y=\"20\" text-anchor=\"middle\">server</text>"
            "<line class=\"life\" x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%zu\"/>"
            "<line class=\"life\" x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%zu\"/>\n",
            CLIENT_X, SERVER_X, CLIENT_X, CLIENT_X, height - 5, SERVER_X, SERVER_X, height - 5);
    size_t y = 50;
    for (size_t i = 0; i < v->count; i++) {
        if (!v->drawn[i])
            continue;
        if (v->ev[i]->kind == PARLEY_TRACE_MESSAGE) {
            y += MESSAGE_ROW;
            draw_message(out, v, i, y - 12);
        } else if (v->ev[i]->kind == PARLEY_TRACE_STEP) {
            draw_step(out, v->ev[i], y);
            y += NOTE_ROW;
        }
        const render_group *grp = records_after(v, i);
        if (grp != NULL)
            draw_records(out, v, grp, &y);
    }
    fputs("</svg>\n", out);
}

static void draw_details(FILE *out, const render_view *v, size_t i)
{
    const parley_trace_event *ev = v->ev[i];
    char when[32];
    time_text(when, sizeof(when), v->t_us[i]);
    fprintf(out, "<details id=\"m%zu\" class=\"fields\" data-fields-of=\"", i);
    html_escape(out, ev->name);
    fprintf(out, "\"><summary><span class=\"dir\">%s</span> <b>", direction(ev));
    html_escape(out, ev->name);
    fprintf(out, "</b> %s, %zu byte%s</summary><table>", when, ev->length,
            ev->length == 1 ? "" : "s");
    if (v->carrier[i] != RENDER_NONE) {
        fputs("<tr><td>record</td><td>", out);
        record_text(out, v->ev[v->carrier[i]]);
        fputs("</td></tr>", out);
    }
    for (size_t f = 0; f < ev->field_count; f++) {
        fputs("<tr><td>", out);
        html_escape(out, ev->fields[f].name);
        fputs("</td><td>", out);
        html_escape(out, ev->fields[f].value);
        fputs("</td></tr>", out);
    }
    fputs("</table></details>\n", out);
}

int render_html(const render_view *v, FILE *out, const char *title)
{
    size_t messages = 0;
    for (size_t i = 0; i < v->count; i++)
        messages += v->drawn[i] && v->ev[i]->kind == PARLEY_TRACE_MESSAGE;
    fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width\"><title>",
          out);
    html_escape(out, title);
    fprintf(out, "</title><style>%s</style></head><body><h1>", style);
    html_escape(out, title);
    bool encrypted = false;
    for (size_t i = 0; i < v->count && !encrypted; i++)
        encrypted = v->drawn[i] && brackets(v->ev[i]) != NULL;
    fprintf(out, "</h1>\n<p>%zu message%s. Click an arrow for its fields.%s</p>\n", messages,
            messages == 1 ? "" : "s",
            encrypted ? " As in RFC 8446: () encrypted under the early traffic keys (0-RTT), {} "
                        "under the handshake traffic keys, [] under the application traffic keys."
                      : "");
    draw_diagram(out, v);
    fputs("<h2>Messages</h2>\n", out);
    for (size_t i = 0; i < v->count; i++)
        if (v->drawn[i] && v->ev[i]->kind == PARLEY_TRACE_MESSAGE)
            draw_details(out, v, i);
    fprintf(out, "<script>%s</script></body></html>\n", script);
    return ferror(out) ? PARLEY_ERROR : PARLEY_OK;
}
