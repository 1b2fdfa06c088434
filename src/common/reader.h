/*
 * The one bounded reader for untrusted bytes. Every read checks the remaining length; a short
 * read sets a sticky failure flag and yields zeros, so a parser reads its fields straight through
 * and checks reader_done() once at the end (a failure there becomes a decode_error alert).
 */
#ifndef PARLEY_READER_H
#define PARLEY_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A view of bytes owned by someone else (a message buffer, our own configuration). */
typedef struct span {
    const uint8_t *p;
    size_t len;
} span;

typedef struct reader {
    const uint8_t *p;
    size_t left;
    bool failed;
} reader;

static inline reader reader_init(const void *p, size_t len)
{
    reader r = {(const uint8_t *)p, len, false};
    return r;
}

/* The next n bytes, or NULL (and failed) if fewer remain. */
static inline const uint8_t *reader_bytes(reader *r, size_t n)
{
    if (r->failed || r->left < n) {
        r->failed = true;
        r->left = 0;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

static inline uint32_t reader_uint(reader *r, size_t n)
{
    const uint8_t *p = reader_bytes(r, n);
    uint32_t v = 0;
    if (p == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static inline uint8_t reader_u8(reader *r)
{
    return (uint8_t)reader_uint(r, 1);
}
static inline uint16_t reader_u16(reader *r)
{
    return (uint16_t)reader_uint(r, 2);
}
static inline uint32_t reader_u24(reader *r)
{
    return reader_uint(r, 3);
}
static inline uint32_t reader_u32(reader *r)
{
    return reader_uint(r, 4);
}

/* Copies n bytes out; false (and failed) if fewer remain. */
static inline bool reader_copy(reader *r, void *out, size_t n)
{
    const uint8_t *p = reader_bytes(r, n);
    if (p == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)out)[i] = p[i];
    return true;
}

/* A vector with a lenbytes-byte length prefix, as a span. A length outside [min, max] fails. */
static inline span reader_vector(reader *r, size_t lenbytes, size_t min, size_t max)
{
    span s = {NULL, 0};
    size_t n = reader_uint(r, lenbytes);
    if (r->failed)
        return s;
    if (n < min || n > max) {
        r->failed = true;
        return s;
    }
    s.p = reader_bytes(r, n);
    s.len = s.p ? n : 0;
    return s;
}

/* A sub-reader over a length-prefixed vector; failure propagates to the parent. */
static inline reader reader_sub(reader *r, size_t lenbytes, size_t min, size_t max)
{
    span s = reader_vector(r, lenbytes, min, max);
    reader sub = reader_init(s.p, s.len);
    sub.failed = r->failed;
    return sub;
}

/* True when every byte was consumed and nothing failed. */
static inline bool reader_done(const reader *r)
{
    return !r->failed && r->left == 0;
}

#endif
