/*
 * A self-contained HTML page: an SVG sequence diagram (client and server lifelines, one arrow per
 * message) and, beneath it, every message with all its fields; clicking an arrow opens its
 * fields. Every string is escaped: field values come from the peer.
 */
#include <string.h>

#include "render.h"

static void html_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
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
            fputc(*s, out);
        }
    }
}

static const char style[] =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "svg text{font-family:monospace;font-size:13px}.msg{cursor:pointer}"
    ".msg:hover line{stroke:#c60}.record{fill:#077;font-size:11px}.step{fill:#a60;font-size:11px}"
    "details{margin:.3em 0;font-family:monospace}summary{cursor:pointer}"
    "td{padding:0 1em 0 0;vertical-align:top}td:first-child{color:#666}";

static const char script[] =
    "document.querySelectorAll('.msg').forEach(function(g){g.addEventListener('click',"
    "function(){var d=document.getElementById('m'+g.dataset.index);d.open=true;"
    "d.scrollIntoView();});});";

int render_html(const parley_trace_log *log, FILE *out, const char *title)
{
    size_t rows = 0;
    for (size_t i = 0; i < log->count; i++)
        rows += render_visible(log, &log->events[i]);
    const int left = 110, right = 590, row = 28;
    fputs("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>", out);
    html_escape(out, title);
    fprintf(out, "</title><style>%s</style></head><body><h1>", style);
    html_escape(out, title);
    fprintf(out,
            "</h1>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"700\" height=\"%zu\">"
            "<defs><marker id=\"a\" markerWidth=\"10\" markerHeight=\"8\" refX=\"10\" refY=\"4\" "
            "orient=\"auto\"><path d=\"M0,0 L10,4 L0,8 z\"/></marker></defs>\n"
            "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">client</text>"
            "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">server</text>"
            "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%zu\" stroke=\"#999\"/>"
            "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%zu\" stroke=\"#999\"/>\n",
            60 + rows * (size_t)row, left, right, left, left, 50 + rows * (size_t)row, right, right,
            50 + rows * (size_t)row);
    size_t y = 50;
    for (size_t i = 0; i < log->count; i++) {
        const parley_trace_event *ev = &log->events[i];
        if (!render_visible(log, ev))
            continue;
        if (ev->kind == PARLEY_TRACE_MESSAGE) {
            bool to_server = render_client_to_server(ev);
            fputs("<g class=\"msg\" data-message=\"", out);
            html_escape(out, ev->name);
            fprintf(out,
                    "\" data-index=\"%zu\"><title>%.3f ms</title><line x1=\"%d\" y1=\"%zu\" "
                    "x2=\"%d\" y2=\"%zu\" stroke=\"#333\" marker-end=\"url(#a)\"/>"
                    "<text x=\"350\" y=\"%zu\" text-anchor=\"middle\">",
                    i, (double)ev->time_us / 1000.0, to_server ? left : right, y,
                    to_server ? right : left, y, y - 5);
            html_escape(out, ev->name);
            fputs("</text></g>\n", out);
        } else if (ev->kind == PARLEY_TRACE_RECORD) {
            fprintf(out,
                    "<text class=\"record\" x=\"350\" y=\"%zu\" text-anchor=\"middle\">"
                    "record: ",
                    y);
            html_escape(out, ev->name);
            fprintf(out, ", %s, %zu bytes</text>\n", parley_version_name(ev->record_version),
                    ev->length);
        } else {
            bool client = ev->role == PARLEY_CLIENT;
            fprintf(out, "<text class=\"step\" x=\"%d\" y=\"%zu\" text-anchor=\"%s\">* ",
                    client ? left + 6 : right - 6, y, client ? "start" : "end");
            html_escape(out, ev->name);
            fputs("</text>\n", out);
        }
        y += row;
    }
    fputs("</svg>\n<h2>Messages</h2>\n", out);
    for (size_t i = 0; i < log->count; i++) {
        const parley_trace_event *ev = &log->events[i];
        if (!render_visible(log, ev) || ev->kind != PARLEY_TRACE_MESSAGE)
            continue;
        fprintf(out, "<details id=\"m%zu\" data-message=\"", i);
        html_escape(out, ev->name);
        fputs("\"><summary>", out);
        html_escape(out, ev->name);
        fprintf(out, " &mdash; %s, %.3f ms, %zu bytes</summary><table>",
                render_client_to_server(ev) ? "client &rarr; server" : "server &rarr; client",
                (double)ev->time_us / 1000.0, ev->length);
        for (size_t f = 0; f < ev->field_count; f++) {
            fputs("<tr><td>", out);
            html_escape(out, ev->fields[f].name);
            fputs("</td><td>", out);
            html_escape(out, ev->fields[f].value);
            fputs("</td></tr>", out);
        }
        fputs("</table></details>\n", out);
    }
    fprintf(out, "<script>%s</script></body></html>\n", script);
    return ferror(out) ? PARLEY_ERROR : PARLEY_OK;
}
