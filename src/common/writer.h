/*
 * The one writer for wire bytes, the mirror of reader.h. It writes into a caller-owned buffer
 * and never allocates; running out of room sets a sticky failure flag. Nested length prefixes
 * are opened and closed, never computed by hand.
 */
#ifndef PARLEY_WRITER_H
#define PARLEY_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WRITER_MAX_DEPTH 8

typedef struct writer {
    uint8_t *buf;
    size_t len;
    size_t cap;
    bool failed;
    int depth;
    size_t open_at[WRITER_MAX_DEPTH];    /* offset of each open length prefix */
    uint8_t open_size[WRITER_MAX_DEPTH]; /* its width in bytes */
} writer;

static inline void writer_init(writer *w, void *buf, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->buf = (uint8_t *)buf;
    w->cap = cap;
}

/* Room for n bytes at the end, or NULL (and failed). */
static inline uint8_t *writer_reserve(writer *w, size_t n)
{
    if (w->failed || w->cap - w->len < n) {
        w->failed = true;
        return NULL;
    }
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

static inline void writer_uint(writer *w, uint32_t v, size_t n)
{
    uint8_t *p = writer_reserve(w, n);
    if (p == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static inline void writer_u8(writer *w, uint8_t v)
{
    writer_uint(w, v, 1);
}
static inline void writer_u16(writer *w, uint16_t v)
{
    writer_uint(w, v, 2);
}
static inline void writer_u24(writer *w, uint32_t v)
{
    writer_uint(w, v, 3);
}
static inline void writer_u32(writer *w, uint32_t v)
{
    writer_uint(w, v, 4);
}

static inline void writer_bytes(writer *w, const void *p, size_t n)
{
    uint8_t *dst = writer_reserve(w, n);
    if (dst != NULL && n > 0)
        memcpy(dst, p, n);
}

/* Starts a vector with a lenbytes-byte length prefix, filled in by writer_close. */
static inline void writer_open(writer *w, size_t lenbytes)
{
    if (w->depth >= WRITER_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    w->open_at[w->depth] = w->len;
    w->open_size[w->depth] = (uint8_t)lenbytes;
    w->depth++;
    writer_reserve(w, lenbytes);
}

/* Ends the innermost vector; fails if its length does not fit its prefix. */
static inline void writer_close(writer *w)
{
    if (w->depth <= 0) {
        w->failed = true;
        return;
    }
    w->depth--;
    if (w->failed)
        return;
    size_t at = w->open_at[w->depth], n = w->open_size[w->depth];
    size_t body = w->len - at - n;
    if (n < sizeof(size_t) && body >> (8 * n) != 0) {
        w->failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        w->buf[at + i] = (uint8_t)(body >> (8 * (n - 1 - i)));
}

/* True when everything fit and every vector was closed. */
static inline bool writer_done(const writer *w)
{
    return !w->failed && w->depth == 0;
}

#endif
