/*
 * Trace events from inside the engine. Every emitter is a no-op unless a callback is set, and
 * callers test trace_on() first so that nothing is decoded or formatted for nobody.
 */
#ifndef PARLEY_TRACE_H
#define PARLEY_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../engine/engine.h"

static inline bool trace_on(const parley_conn *c)
{
    return c->trace_fn != NULL;
}

/* A record of wire bytes, header first. */
void trace_record(parley_conn *c, int outgoing, const uint8_t *header);
/* Every handshake message in data (whole messages, headers included), decoded. */
void trace_handshake(parley_conn *c, int outgoing, const uint8_t *data, size_t len);
/* A ChangeCipherSpec, an alert (2 bytes) or application data (only its length is shown). */
void trace_content(parley_conn *c, int outgoing, uint8_t content_type, const uint8_t *data,
                   size_t len);
/* An internal step, e.g. "master secret derived". */
void trace_step(parley_conn *c, const char *what);

/* A key log line for this connection, if the configuration asked for key logging. */
void trace_keylog(parley_conn *c, const char *label, const uint8_t *client_random,
                  const uint8_t *secret, size_t secret_len);

/* Microseconds on a monotonic clock. */
uint64_t trace_now_us(void);

/* Decodes one handshake message body into fields; strings live in store. Returns the field
 * count. Used by the emitters and by tests. */
typedef struct trace_fields {
    parley_trace_field field[32];
    size_t count;
    char store[8192];
    size_t used;
} trace_fields;
void trace_decode_handshake(uint8_t type, const uint8_t *body, size_t len, uint16_t version,
                            trace_fields *out);
/* Puts a field before the decoded ones (value copied into the store). */
void trace_fields_prepend(trace_fields *f, const char *name, const char *value);

#endif
