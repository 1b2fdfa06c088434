/*
 * Pieces shared by the message codec files (messages.c, messages_hello.c, messages13.c) and
 * nothing else: the handshake header writer, the duplicate-extension tracker, the extensions
 * block walker and the readers and writers of extension bodies more than one message carries.
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

/* A set of the 65536 extension types seen in one extensions block (also used for other u16
 * values that must not repeat, such as the groups of a ClientHello's key shares). An extensions
 * block can hold up to 16383 extensions, so a list scanned per extension would be quadratic; an
 * 8 KiB bitmap cleared on every hello would cost more than the parse. Words of the bitmap are
 * instead initialised on first touch, tracked by a 1024-bit mask that is the only part zeroed. */
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

/* One extension: type, then its body as a u16 vector left open for the caller to fill and
 * close. */
static inline void hs_begin_extension(writer *w, uint16_t type)
{
    writer_u16(w, type);
    writer_open(w, 2);
}

static inline void hs_write_empty_extension(writer *w, uint16_t type)
{
    hs_begin_extension(w, type);
    writer_close(w);
}

static inline void hs_write_vector_extension(writer *w, uint16_t type, size_t lenbytes, span s)
{
    hs_begin_extension(w, type);
    hs_write_vector(w, lenbytes, s);
    writer_close(w);
}

/* An ALPN extension naming one protocol (RFC 7301 3.1: a server's reply). */
static inline void hs_write_alpn_protocol(writer *w, span protocol)
{
    hs_begin_extension(w, EXT_ALPN);
    writer_open(w, 2);
    hs_write_vector(w, 1, protocol);
    writer_close(w);
    writer_close(w);
}

/* Reads one extension body of a known message type; the body must be consumed exactly. A value
 * that is well-formed but forbidden sets *illegal to the alert (illegal may be NULL for a
 * message where nothing is). */
typedef void (*hs_extension_reader)(void *msg, uint16_t type, reader *body, int *illegal);

/* Walks an extensions block with a u16 length in [min, max], handing each body to read_one.
 * Duplicates of any type, known or not, are a decode error (RFC 5246 7.4.1.4, RFC 8446 4.2). */
void hs_read_extensions(reader *r, size_t min, size_t max, hs_extension_reader read_one, void *msg,
                        int *illegal);
/* A u16 list (groups, signature algorithms) filling body: non-empty and even. */
span hs_read_u16_list(reader *body);
/* ProtocolNameList (RFC 7301 3.1): names of 1..255 bytes; the span is the list contents. */
span hs_read_alpn_list(reader *body, size_t *count);
/* A ProtocolNameList of exactly one name, as a server sends it; the span is that name. */
span hs_read_alpn_protocol(reader *body);

/* The verdict of a parse: a decode failure outranks a forbidden value found along the way, so a
 * truncated message is always a decode_error whatever it contained before the cut. */
static inline int hs_verdict(const reader *r, int illegal)
{
    if (!reader_done(r))
        return HS_ALERT_DECODE_ERROR;
    return illegal;
}

#endif
