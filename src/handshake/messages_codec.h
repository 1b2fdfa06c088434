/*
 * Pieces shared by the two message codec files (messages.c, messages_hello.c) and nothing else:
 * the handshake header writer and the duplicate-extension tracker.
 */
#ifndef PARLEY_MESSAGES_CODEC_H
#define PARLEY_MESSAGES_CODEC_H

#include <stdbool.h>
#include <stdint.h>

#include "messages.h"

/* Every message starts with type u8 and a u24 body length; the length is left open so the body
 * is measured, not computed. */
static inline void hs_begin_message(writer *w, uint8_t type)
{
    writer_u8(w, type);
    writer_open(w, 3);
}

static inline int hs_end_message(writer *w)
{
    writer_close(w);
    return w->failed ? -1 : 0;
}

/* A set of the 65536 extension types seen in one extensions block. An extensions block can hold
 * up to 16383 extensions, so a list scanned per extension would be quadratic; an 8 KiB bitmap
 * cleared on every hello would cost more than the parse. Words of the bitmap are instead
 * initialised on first touch, tracked by a 1024-bit mask that is the only part zeroed. */
typedef struct ext_seen {
    uint64_t touched[16];
    uint64_t words[1024];
} ext_seen;

static inline void ext_seen_init(ext_seen *s)
{
    for (size_t i = 0; i < 16; i++)
        s->touched[i] = 0;
}

/* Records type; returns false when it was already recorded. */
static inline bool ext_seen_add(ext_seen *s, uint16_t type)
{
    size_t word = type >> 6;
    uint64_t word_bit = (uint64_t)1 << (word & 63), bit = (uint64_t)1 << (type & 63);
    if (!(s->touched[word >> 6] & word_bit)) {
        s->touched[word >> 6] |= word_bit;
        s->words[word] = 0;
    }
    if (s->words[word] & bit)
        return false;
    s->words[word] |= bit;
    return true;
}

/* A span's bytes as a vector with a lenbytes-byte prefix. */
static inline void hs_write_vector(writer *w, size_t lenbytes, span s)
{
    writer_open(w, lenbytes);
    writer_bytes(w, s.p, s.len);
    writer_close(w);
}

/* The verdict of a parse: a decode failure outranks a forbidden value found along the way, so a
 * truncated message is always a decode_error whatever it contained before the cut. */
static inline int hs_verdict(const reader *r, int illegal)
{
    if (!reader_done(r))
        return HS_ALERT_DECODE_ERROR;
    return illegal;
}

#endif
