/*
 * The text time diagram, at most 78 columns: the client's lifeline on the left, the server's on
 * the right; each message a heading at its sender's end, an arrow, and its key fields beneath;
 * after the messages of a flight, one bracket line per record that carried them; each side's
 * steps in its own lane. Long values are wrapped or summarised: JSON and HTML carry them whole.
 */
#include <string.h>

#include "render.h"

#define WIDTH       78
#define LANE_LEFT   3  /* column of the client's lifeline */
#define LANE_RIGHT  74 /* column of the server's lifeline */
#define INNER       (LANE_RIGHT - LANE_LEFT - 1)
#define FIELD_LINES 3 /* lines one field value may take */
#define TEXT_MAX    1024

typedef struct palette {
    const char *reset, *bold, *dim, *to_server, *to_client, *fatal, *record, *step;
} palette;

static const palette plain = {"", "", "", "", "", "", "", ""};
static const palette ansi = {"\033[0m",  "\033[1m",  "\033[2m",  "\033[32m",
                             "\033[35m", "\033[31m", "\033[36m", "\033[33m"};

/* One output line: bytes with colour codes, and the columns it takes on screen. */
typedef struct line {
    char buf[TEXT_MAX];
    size_t len, width;
} line;

static void put(line *l, const char *color, const palette *p, const char *text)
{
    size_t n = strlen(text);
    if (l->len + strlen(color) + n + strlen(p->reset) >= sizeof(l->buf))
        return;
    if (*color) {
        memcpy(l->buf + l->len, color, strlen(color));
        l->len += strlen(color);
    }
    memcpy(l->buf + l->len, text, n);
    l->len += n;
    l->width += n;
    if (*color) {
        memcpy(l->buf + l->len, p->reset, strlen(p->reset));
        l->len += strlen(p->reset);
    }
}

static void pad_to(line *l, size_t column)
{
    while (l->width < column && l->len + 1 < sizeof(l->buf)) {
        l->buf[l->len++] = ' ';
        l->width++;
    }
}

/* Starts a line inside the lanes: "   |". */
static void lane_open(line *l)
{
    l->len = l->width = 0;
    pad_to(l, LANE_LEFT);
    l->buf[l->len++] = '|';
    l->width++;
}

static void lane_close(FILE *out, line *l)
{
    pad_to(l, LANE_RIGHT);
    l->buf[l->len++] = '|';
    fprintf(out, "%.*s\n", (int)l->len, l->buf);
}

/*
 * Text that came from the peer never reaches the terminal raw: anything but printable ASCII is
 * shown as \xNN, so an escape sequence in a server name cannot drive the user's terminal (and
 * every byte is one column). Cut to max columns with "..." when longer.
 */
static size_t clean(char *dst, size_t cap, const char *src, size_t max)
{
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)src; *s && n + 5 < cap; s++) {
        if (*s >= 0x20 && *s < 0x7f)
            dst[n++] = (char)*s;
        else
            n += (size_t)snprintf(dst + n, cap - n, "\\x%02x", *s);
    }
    dst[n] = '\0';
    if (n > max && max >= 3 && max < cap) {
        memcpy(dst + max - 3, "...", 4);
        n = max;
    }
    return n;
}

static void time_text(char *dst, size_t cap, uint64_t t_us)
{
    if (t_us < 100000000u)
        snprintf(dst, cap, "+%.3f ms", (double)t_us / 1000.0);
    else
        snprintf(dst, cap, "+%.3f s", (double)t_us / 1e6);
}

static const char *message_color(const parley_trace_event *ev, const palette *p)
{
    if (ev->content_type == 21 && ev->field_count > 0 && strcmp(ev->fields[0].value, "fatal") == 0)
        return p->fatal;
    return render_client_to_server(ev) ? p->to_server : p->to_client;
}

/* The name at the sender's end of the lane, the time at the other, then the arrow. */
static void draw_arrow(FILE *out, const render_view *v, size_t i, const palette *p)
{
    const parley_trace_event *ev = v->ev[i];
    bool right = render_client_to_server(ev);
    char when[32], name[TEXT_MAX], color[32];
    time_text(when, sizeof(when), v->t_us[i]);
    clean(name, sizeof(name), ev->name, INNER - 6 - strlen(when));
    snprintf(color, sizeof(color), "%s%s", p->bold, message_color(ev, p));
    line l;
    lane_open(&l);
    pad_to(&l, LANE_LEFT + 3);
    put(&l, right ? color : p->dim, p, right ? name : when);
    pad_to(&l, LANE_RIGHT - 2 - strlen(right ? when : name));
    put(&l, right ? p->dim : color, p, right ? when : name);
    lane_close(out, &l);

    char shaft[INNER + 1];
    memset(shaft, '-', INNER);
    shaft[INNER] = '\0';
    shaft[right ? INNER - 1 : 0] = right ? '>' : '<';
    lane_open(&l);
    put(&l, message_color(ev, p), p, shaft);
    lane_close(out, &l);
}

/* A list value from the decoder reads "N: a, b, c". */
static bool is_list(const char *value)
{
    const char *s = value;
    while (*s >= '0' && *s <= '9')
        s++;
    return s != value && s[0] == ':' && s[1] == ' ';
}

typedef struct token {
    const char *p;
    size_t len;
} token;

static size_t tokenize(const char *text, bool list, token *tok, size_t cap)
{
    const char *sep = list ? ", " : " ";
    size_t n = 0, sep_len = strlen(sep);
    for (const char *s = text; *s && n < cap;) {
        const char *end = strstr(s, sep);
        size_t len = end ? (size_t)(end - s) : strlen(s);
        tok[n++] = (token){s, len};
        s += len + (end ? sep_len : 0);
    }
    return n;
}

/* Fills up to FIELD_LINES lines of width columns from tokens; the last line is last_width
 * wide. Returns how many tokens were placed. */
static size_t fill(const token *tok, size_t n, bool list, size_t width, size_t last_width,
                   char lines[FIELD_LINES][TEXT_MAX], size_t *line_count)
{
    size_t row = 0, used = 0, placed = 0;
    lines[0][0] = '\0';
    for (; placed < n; placed++) {
        size_t room = row + 1 == FIELD_LINES ? last_width : width;
        size_t sep = used ? (list ? 2 : 1) : 0;
        if (used && used + sep + tok[placed].len > room) {
            if (row + 1 == FIELD_LINES)
                break;
            if (list)
                strcat(lines[row], ",");
            lines[++row][0] = '\0';
            used = sep = 0;
            room = row + 1 == FIELD_LINES ? last_width : width;
        }
        char *dst = lines[row] + strlen(lines[row]);
        if (sep)
            dst += sprintf(dst, "%s", list ? ", " : " ");
        if (tok[placed].len <= room - sep) {
            memcpy(dst, tok[placed].p, tok[placed].len);
            dst[tok[placed].len] = '\0';
            used += sep + tok[placed].len;
        } else {
            /* One token wider than the line (a random, a hash): keep both ends. */
            size_t keep = room - sep > 3 ? room - sep - 3 : 0;
            size_t head = (keep + 1) / 2, tail = keep - head;
            sprintf(dst, "%.*s...%.*s", (int)head, tok[placed].p, (int)tail,
                    tok[placed].p + tok[placed].len - tail);
            used += sep + keep + 3;
        }
    }
    *line_count = row + 1;
    return placed;
}

static void draw_field(FILE *out, const parley_trace_field *f, size_t name_width, const palette *p)
{
    char value[4096];
    token tok[512];
    char name[64], lines[FIELD_LINES][TEXT_MAX];
    clean(name, sizeof(name), f->name, name_width);
    clean(value, sizeof(value), f->value, sizeof(value));
    size_t value_col = LANE_LEFT + 5 + name_width + 2;
    size_t width = LANE_RIGHT - 2 - value_col, count;
    bool list = is_list(value);
    size_t n = tokenize(value, list, tok, sizeof(tok) / sizeof(tok[0]));
    size_t placed = fill(tok, n, list, width, width, lines, &count);
    if (placed < n) {
        /* Summarise what does not fit: the count of items left, or an ellipsis. */
        char more[32];
        snprintf(more, sizeof(more), list ? " (+%zu more)" : " ...", n - placed);
        placed = fill(tok, n, list, width, width - strlen(more), lines, &count);
        snprintf(more, sizeof(more), list ? " (+%zu more)" : " ...", n - placed);
        strcat(lines[count - 1], more);
    }
    for (size_t row = 0; row < count; row++) {
        line l;
        lane_open(&l);
        pad_to(&l, LANE_LEFT + 5);
        if (row == 0)
            put(&l, p->dim, p, name);
        pad_to(&l, value_col);
        put(&l, "", p, lines[row]);
        lane_close(out, &l);
    }
}

static void draw_fields(FILE *out, const parley_trace_event *ev, const palette *p)
{
    size_t name_width = 0;
    for (size_t f = 0; f < ev->field_count; f++) {
        size_t n = strlen(ev->fields[f].name);
        name_width = n > name_width ? n : name_width;
    }
    if (name_width > 24)
        name_width = 24;
    for (size_t f = 0; f < ev->field_count; f++)
        draw_field(out, &ev->fields[f], name_width, p);
}

static const char *version_text(uint16_t version, char *buf, size_t cap)
{
    const char *name = parley_version_name(version);
    if (strcmp(name, "unknown") != 0)
        return name;
    snprintf(buf, cap, "0x%04x", version);
    return buf;
}

/* Centred when it fits on one line; otherwise wrapped after commas, continuation indented. */
static void draw_record_text(FILE *out, const char *text, size_t n, const palette *p)
{
    line l;
    size_t width = INNER - 4;
    if (n <= width) {
        lane_open(&l);
        pad_to(&l, LANE_LEFT + 1 + (INNER - n) / 2);
        put(&l, p->record, p, text);
        lane_close(out, &l);
        return;
    }
    const char *s = text;
    for (int row = 0; *s && row < 4; row++) {
        size_t room = row ? width - 2 : width, take = strlen(s);
        if (take > room) {
            /* Break after the last comma that fits; a comma-less run is cut. */
            take = room;
            for (size_t k = room; k > 0; k--)
                if (s[k - 1] == ',') {
                    take = k;
                    break;
                }
            if (row == 3)
                take = room - 4;
        }
        char chunk[TEXT_MAX];
        snprintf(chunk, sizeof(chunk), "%.*s%s", (int)take, s, row == 3 && s[take] ? "...]" : "");
        lane_open(&l);
        pad_to(&l, LANE_LEFT + 3 + (row ? 2 : 0));
        put(&l, p->record, p, chunk);
        lane_close(out, &l);
        s += take;
        while (*s == ' ')
            s++;
    }
}

/* "[record: Handshake, TLSv1.2, 1995 bytes, the 4 messages above]" for a record that carried a
 * whole flight; with several records, each names its messages. */
static void draw_record(FILE *out, const render_view *v, const render_group *grp, size_t r,
                        const palette *p)
{
    const parley_trace_event *ev = v->ev[r];
    char text[TEXT_MAX], version[16], name[64];
    size_t n = 0, pos = v->ordinal[r];
    clean(name, sizeof(name), ev->name, 24);
    if (grp->record_count > 1)
        n += (size_t)snprintf(text, sizeof(text), "[record %zu of %zu: ", pos + 1,
                              grp->record_count);
    else
        n += (size_t)snprintf(text, sizeof(text), "[record: ");
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s, %s, %zu byte%s", name,
                          version_text(ev->record_version, version, sizeof(version)), ev->length,
                          ev->length == 1 ? "" : "s");
    if (grp->record_count == 1 && grp->message_count > 1) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, ", the %zu messages above",
                              grp->message_count);
    } else if (grp->record_count > 1) {
        const char *sep = ": ";
        for (size_t m = grp->first_message; m != RENDER_NONE && n + 64 < sizeof(text);
             m = v->next[m]) {
            if (!render_message_in_record(v, m, pos))
                continue;
            clean(name, sizeof(name), v->ev[m]->name, 40);
            bool part = v->rec_lo[m] != v->rec_hi[m];
            n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s%s", sep, name,
                                  part ? " (part)" : "");
            sep = ", ";
        }
    }
    if (n + 1 < sizeof(text))
        text[n++] = ']';
    text[n] = '\0';
    draw_record_text(out, text, n, p);
}

static void draw_records(FILE *out, const render_view *v, const render_group *grp, const palette *p)
{
    for (size_t r = grp->first_record; r != RENDER_NONE && v->ev[r]->kind == PARLEY_TRACE_RECORD;
         r = v->next[r])
        draw_record(out, v, grp, r, p);
}

/* A step sits at the edge of its own side's lane. */
static void draw_step(FILE *out, const parley_trace_event *ev, const palette *p)
{
    char text[TEXT_MAX], name[TEXT_MAX];
    clean(name, sizeof(name), ev->name, INNER - 6);
    bool client = ev->role == PARLEY_CLIENT;
    snprintf(text, sizeof(text), client ? "* %s" : "%s *", name);
    line l;
    lane_open(&l);
    pad_to(&l, client ? LANE_LEFT + 3 : LANE_RIGHT - 2 - strlen(text));
    put(&l, p->step, p, text);
    lane_close(out, &l);
}

int render_text(const render_view *v, FILE *out, const char *title, int color)
{
    const palette *p = color ? &ansi : &plain;
    char text[TEXT_MAX];
    clean(text, sizeof(text), title, WIDTH);
    fprintf(out, "%s%s%s\n\n", p->bold, text, p->reset);
    fprintf(out, "%sclient%*sserver%s\n", p->bold, WIDTH - 12, "", p->reset);
    line l;
    lane_open(&l);
    lane_close(out, &l);
    size_t messages = 0, records = 0;
    for (size_t i = 0; i < v->count; i++) {
        const parley_trace_event *ev = v->ev[i];
        if (!v->drawn[i])
            continue;
        const render_group *grp = v->group[i] != RENDER_NONE ? &v->groups[v->group[i]] : NULL;
        switch (ev->kind) {
        case PARLEY_TRACE_RECORD:
            records++;
            /* Records that carried no whole message are drawn where they arrived. */
            if (grp->message_count == 0 && grp->last_record == i)
                draw_records(out, v, grp, p);
            break;
        case PARLEY_TRACE_MESSAGE:
            messages++;
            draw_arrow(out, v, i, p);
            draw_fields(out, ev, p);
            if (grp->last_message == i)
                draw_records(out, v, grp, p);
            break;
        case PARLEY_TRACE_STEP:
            draw_step(out, ev, p);
            break;
        }
    }
    lane_open(&l);
    lane_close(out, &l);
    uint64_t last = 0;
    for (size_t i = 0; i < v->count; i++)
        last = v->t_us[i] > last ? v->t_us[i] : last;
    time_text(text, sizeof(text), last);
    fprintf(out, "%s%zu message%s in %zu record%s, %s%s\n", p->dim, messages,
            messages == 1 ? "" : "s", records, records == 1 ? "" : "s", text + 1, p->reset);
    return ferror(out) ? PARLEY_ERROR : PARLEY_OK;
}
