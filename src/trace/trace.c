/*
 * The trace emitters: build an event and hand it to the connection's callback.
 */
#include "trace.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../handshake/messages.h"

uint64_t trace_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void emit(parley_conn *c, parley_trace_event *ev)
{
    ev->role = c->role;
    ev->time_us = trace_now_us() - c->created_us;
    c->trace_fn(ev, c->trace_arg);
}

static const char *content_name(uint8_t type)
{
    switch (type) {
    case CT_CHANGE_CIPHER_SPEC:
        return "ChangeCipherSpec";
    case CT_ALERT:
        return "Alert";
    case CT_HANDSHAKE:
        return "Handshake";
    case CT_APPLICATION_DATA:
        return "ApplicationData";
    default:
        return "Unknown";
    }
}

void trace_record(parley_conn *c, int outgoing, const uint8_t *header)
{
    if (!trace_on(c))
        return;
    parley_trace_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = PARLEY_TRACE_RECORD;
    ev.outgoing = outgoing;
    ev.content_type = header[0];
    ev.record_version = (uint16_t)(header[1] << 8 | header[2]);
    ev.length = (size_t)(header[3] << 8 | header[4]);
    ev.name = content_name(header[0]);
    emit(c, &ev);
}

/* TLS 1.3 encrypts most of the handshake: each such message says under which traffic keys, so a
 * diagram shows what an observer of the wire could not read. The record layer of that direction
 * still holds those keys here: the sender traces after sealing, the receiver before handling. */
static bool protection(const parley_conn *c, int outgoing, char *text, size_t cap)
{
    const record_state *rs = outgoing ? &c->write : &c->read;
    uint32_t epoch = c->epoch13[outgoing ? 1 : 0];
    if (rs->kind != RECORD_TLS13 || epoch == EPOCH13_NONE)
        return false;
    if (epoch == EPOCH13_EARLY)
        snprintf(text, cap, "under the early traffic keys (0-RTT)");
    else if (epoch == EPOCH13_HANDSHAKE)
        snprintf(text, cap, "under the handshake traffic keys");
    else if (epoch == EPOCH13_APPLICATION)
        snprintf(text, cap, "under the application traffic keys");
    else
        snprintf(text, cap, "under the application traffic keys, KeyUpdate %u",
                 (unsigned)(epoch - EPOCH13_APPLICATION));
    return true;
}

static void add_protection(const parley_conn *c, int outgoing, trace_fields *f)
{
    char text[96];
    if (protection(c, outgoing, text, sizeof(text)))
        trace_fields_prepend(f, "encrypted", text);
}

void trace_handshake(parley_conn *c, int outgoing, const uint8_t *data, size_t len)
{
    if (!trace_on(c))
        return;
    static _Thread_local trace_fields fields;
    reader r = reader_init(data, len);
    while (r.left >= HS_HEADER_LEN) {
        uint8_t type = reader_u8(&r);
        size_t body_len = reader_u24(&r);
        const uint8_t *body = reader_bytes(&r, body_len);
        if (body == NULL)
            break;
        trace_decode_handshake(type, body, body_len, c->version, &fields);
        add_protection(c, outgoing, &fields);
        parley_trace_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.kind = PARLEY_TRACE_MESSAGE;
        ev.outgoing = outgoing;
        ev.content_type = CT_HANDSHAKE;
        ev.handshake_type = type;
        ev.length = body_len;
        ev.name = hs_message_name(type);
        /* A HelloRetryRequest is a ServerHello with a special random (RFC 8446 4.1.3): named
         * for what it is. */
        if (type == HS_SERVER_HELLO && body_len >= 2 + 32 &&
            memcmp(body + 2, hs_hrr_random, 32) == 0)
            ev.name = "HelloRetryRequest";
        ev.fields = fields.field;
        ev.field_count = fields.count;
        emit(c, &ev);
    }
}

void trace_content(parley_conn *c, int outgoing, uint8_t content_type, const uint8_t *data,
                   size_t len)
{
    if (!trace_on(c))
        return;
    parley_trace_field field[3];
    char level[16], length[32], keys[96];
    parley_trace_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = PARLEY_TRACE_MESSAGE;
    ev.outgoing = outgoing;
    ev.content_type = content_type;
    ev.length = len;
    ev.name = content_name(content_type);
    ev.fields = field;
    if (content_type == CT_ALERT && len == 2) {
        snprintf(level, sizeof(level), "%s", data[0] == 1 ? "warning" : "fatal");
        field[0] = (parley_trace_field){"level", level};
        field[1] = (parley_trace_field){"description", parley_alert_name(data[1])};
        ev.field_count = 2;
    } else if (content_type == CT_APPLICATION_DATA) {
        snprintf(length, sizeof(length), "%zu bytes", len);
        field[0] = (parley_trace_field){"length", length};
        ev.field_count = 1;
    }
    /* In TLS 1.3 an alert is protected too once keys are on (a ChangeCipherSpec never is).
     * Last, since renderers and callers find an alert's level first. */
    if (content_type != CT_CHANGE_CIPHER_SPEC && protection(c, outgoing, keys, sizeof(keys)))
        field[ev.field_count++] = (parley_trace_field){"encrypted", keys};
    emit(c, &ev);
}

void trace_step(parley_conn *c, const char *what)
{
    if (!trace_on(c))
        return;
    parley_trace_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = PARLEY_TRACE_STEP;
    ev.name = what;
    emit(c, &ev);
}

int parley_config_set_trace(parley_config *cfg, parley_trace_fn fn, void *arg)
{
    if (cfg == NULL || atomic_load(&cfg->frozen))
        return PARLEY_ERROR;
    cfg->trace_fn = fn;
    cfg->trace_arg = arg;
    return PARLEY_OK;
}

int parley_config_set_keylog(parley_config *cfg, parley_keylog_fn fn, void *arg)
{
    if (cfg == NULL || atomic_load(&cfg->frozen))
        return PARLEY_ERROR;
    cfg->keylog_fn = fn;
    cfg->keylog_arg = arg;
    return PARLEY_OK;
}

void trace_keylog(parley_conn *c, const char *label, const uint8_t *client_random,
                  const uint8_t *secret, size_t secret_len)
{
    parley_keylog_fn fn = c->cfg->keylog_fn;
    if (fn == NULL)
        return;
    char line[32 + 2 * 32 + 2 * 64 + 4];
    size_t n = (size_t)snprintf(line, sizeof(line), "%s ", label);
    for (size_t i = 0; i < 32; i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", client_random[i]);
    line[n++] = ' ';
    for (size_t i = 0; i < secret_len && n + 3 <= sizeof(line); i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", secret[i]);
    fn(line, c->cfg->keylog_arg);
    crypto_wipe(line, sizeof(line));
}

int parley_conn_set_trace(parley_conn *c, parley_trace_fn fn, void *arg)
{
    if (c == NULL)
        return PARLEY_ERROR;
    c->trace_fn = fn;
    c->trace_arg = arg;
    return PARLEY_OK;
}
