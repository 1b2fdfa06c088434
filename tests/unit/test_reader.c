/* The bounded reader and the writer (src/common/reader.h, writer.h). */
#include "check.h"
#include "common/reader.h"
#include "common/writer.h"

#include <stdint.h>

static void test_reader_integers(void)
{
    static const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    reader r = reader_init(in, sizeof(in));
    CHECK_EQ_INT(reader_u8(&r), 0x01);
    CHECK_EQ_INT(reader_u16(&r), 0x0203);
    CHECK_EQ_INT(reader_u24(&r), 0x040506);
    CHECK_EQ_INT(reader_u32(&r), 0x0708090a);
    CHECK(reader_done(&r));

    static const uint8_t high[] = {0xff, 0xfe, 0xfd, 0xfc};
    r = reader_init(high, sizeof(high));
    CHECK_EQ_INT(reader_u32(&r), 0xfffefdfcLL);
    CHECK(reader_done(&r));
}

static void test_reader_bytes_and_copy(void)
{
    static const uint8_t in[] = {'a', 'b', 'c', 'd', 'e'};
    reader r = reader_init(in, sizeof(in));
    const uint8_t *p = reader_bytes(&r, 2);
    CHECK(p == in);
    uint8_t out[3] = {0};
    CHECK(reader_copy(&r, out, 3));
    CHECK_MEM(out, "cde", 3);
    CHECK(reader_done(&r));
    /* Zero bytes at the end is not a short read. */
    CHECK(reader_bytes(&r, 0) != NULL);
    CHECK(reader_done(&r));
}

static void test_reader_short_read_is_sticky(void)
{
    static const uint8_t in[] = {0x12, 0x34, 0x56};
    reader r = reader_init(in, sizeof(in));
    CHECK_EQ_INT(reader_u32(&r), 0); /* only 3 bytes: fails and yields zero */
    CHECK(r.failed);
    CHECK_EQ_INT(r.left, 0);
    /* Everything after a failure fails too, even reads that would have fit before. */
    CHECK_EQ_INT(reader_u8(&r), 0);
    CHECK(reader_bytes(&r, 0) == NULL);
    CHECK(!reader_done(&r));

    r = reader_init(in, sizeof(in));
    uint8_t out[4] = {0xaa, 0xaa, 0xaa, 0xaa};
    CHECK(!reader_copy(&r, out, 4));
    CHECK(r.failed);
    CHECK_EQ_INT(out[0], 0xaa); /* nothing copied from a short read */

    /* Each width fails on one byte too few. */
    for (size_t n = 1; n <= 4; n++) {
        r = reader_init(in, n - 1);
        reader_uint(&r, n);
        CHECK(r.failed);
    }
}

static void test_reader_not_done_with_bytes_left(void)
{
    static const uint8_t in[] = {1, 2};
    reader r = reader_init(in, sizeof(in));
    reader_u8(&r);
    CHECK(!r.failed);
    CHECK(!reader_done(&r)); /* a trailing byte */
}

static void test_reader_vector_bounds(void)
{
    /* u8 length 3, then "xyz" */
    static const uint8_t in[] = {3, 'x', 'y', 'z'};
    reader r = reader_init(in, sizeof(in));
    span s = reader_vector(&r, 1, 3, 3); /* exactly at both bounds */
    CHECK_EQ_INT(s.len, 3);
    CHECK(s.p == in + 1);
    CHECK(reader_done(&r));

    r = reader_init(in, sizeof(in));
    s = reader_vector(&r, 1, 4, 10); /* below min */
    CHECK(r.failed);
    CHECK(s.p == NULL);
    CHECK_EQ_INT(s.len, 0);

    r = reader_init(in, sizeof(in));
    reader_vector(&r, 1, 0, 2); /* above max */
    CHECK(r.failed);

    /* A length that claims more than is there. */
    static const uint8_t lying[] = {0x00, 0x05, 'a', 'b'};
    r = reader_init(lying, sizeof(lying));
    s = reader_vector(&r, 2, 0, 0xffff);
    CHECK(r.failed);
    CHECK(s.p == NULL);
    CHECK_EQ_INT(s.len, 0);

    /* An empty vector where allowed. */
    static const uint8_t empty[] = {0, 0, 0};
    r = reader_init(empty, sizeof(empty));
    s = reader_vector(&r, 3, 0, 10);
    CHECK(!r.failed);
    CHECK_EQ_INT(s.len, 0);
    CHECK(reader_done(&r));

    /* The prefix itself cut short. */
    r = reader_init(empty, 2);
    reader_vector(&r, 3, 0, 10);
    CHECK(r.failed);
}

static void test_reader_sub(void)
{
    /* u16 length 4 { u8 1, u8 length 2 { 0xaa 0xbb } }, then 0x99 */
    static const uint8_t in[] = {0x00, 0x04, 0x01, 0x02, 0xaa, 0xbb, 0x99};
    reader r = reader_init(in, sizeof(in));
    reader sub = reader_sub(&r, 2, 1, 10);
    CHECK_EQ_INT(sub.left, 4);
    CHECK_EQ_INT(reader_u8(&sub), 1);
    span inner = reader_vector(&sub, 1, 1, 2);
    CHECK_EQ_INT(inner.len, 2);
    CHECK_EQ_INT(inner.p[1], 0xbb);
    CHECK(reader_done(&sub));
    CHECK_EQ_INT(reader_u8(&r), 0x99);
    CHECK(reader_done(&r));

    /* A sub-reader cannot read past its own end, even with parent bytes after it. */
    r = reader_init(in, sizeof(in));
    sub = reader_sub(&r, 2, 0, 10);
    reader_bytes(&sub, 5);
    CHECK(sub.failed);
    CHECK(!r.failed);

    /* A bad prefix fails both. */
    r = reader_init(in, sizeof(in));
    sub = reader_sub(&r, 2, 5, 10);
    CHECK(r.failed);
    CHECK(sub.failed);
    CHECK_EQ_INT(sub.left, 0);
}

static void test_writer_integers_and_bytes(void)
{
    uint8_t buf[16];
    writer w;
    writer_init(&w, buf, sizeof(buf));
    writer_u8(&w, 0x01);
    writer_u16(&w, 0x0203);
    writer_u24(&w, 0x040506);
    writer_u32(&w, 0x0708090a);
    writer_bytes(&w, "xy", 2);
    writer_bytes(&w, NULL, 0);
    CHECK(writer_done(&w));
    CHECK_EQ_INT(w.len, 12);
    static const uint8_t want[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 'x', 'y'};
    CHECK_MEM(buf, want, sizeof(want));
}

static void test_writer_overflow(void)
{
    uint8_t buf[4];
    writer w;
    writer_init(&w, buf, sizeof(buf));
    writer_u24(&w, 1);
    CHECK(!w.failed);
    writer_u16(&w, 2); /* one byte short */
    CHECK(w.failed);
    CHECK_EQ_INT(w.len, 3); /* nothing partial was written */
    writer_u8(&w, 3);       /* sticky, although it would fit */
    CHECK_EQ_INT(w.len, 3);
    CHECK(!writer_done(&w));

    writer_init(&w, buf, sizeof(buf));
    writer_bytes(&w, "12345", 5);
    CHECK(w.failed);
    CHECK_EQ_INT(w.len, 0);

    /* Exactly full is fine. */
    writer_init(&w, buf, sizeof(buf));
    writer_u32(&w, 0xdeadbeef);
    CHECK(writer_done(&w));
}

static void test_writer_nested_vectors(void)
{
    uint8_t buf[32];
    writer w;
    writer_init(&w, buf, sizeof(buf));
    writer_open(&w, 3);
    writer_u8(&w, 0xee);
    writer_open(&w, 2);
    writer_open(&w, 1);
    writer_bytes(&w, "abc", 3);
    writer_close(&w);
    writer_open(&w, 1); /* an empty vector */
    writer_close(&w);
    writer_close(&w);
    CHECK(!writer_done(&w)); /* the outer vector is still open */
    writer_close(&w);
    CHECK(writer_done(&w));
    static const uint8_t want[] = {0, 0, 8, 0xee, 0, 5, 3, 'a', 'b', 'c', 0};
    CHECK_EQ_INT(w.len, sizeof(want));
    CHECK_MEM(buf, want, sizeof(want));

    /* What the writer wrote, the reader reads back. */
    reader r = reader_init(buf, w.len);
    reader outer = reader_sub(&r, 3, 0, 0xffffff);
    CHECK_EQ_INT(reader_u8(&outer), 0xee);
    reader mid = reader_sub(&outer, 2, 0, 0xffff);
    span abc = reader_vector(&mid, 1, 1, 255);
    span none = reader_vector(&mid, 1, 0, 255);
    CHECK(abc.len == 3 && none.len == 0);
    CHECK(reader_done(&mid) && reader_done(&outer) && reader_done(&r));
}

static void test_writer_length_overflows_prefix(void)
{
    uint8_t buf[300];
    writer w;
    writer_init(&w, buf, sizeof(buf));
    writer_open(&w, 1);
    for (int i = 0; i < 256; i++) /* one more than a u8 prefix can say */
        writer_u8(&w, 0);
    writer_close(&w);
    CHECK(w.failed);
    CHECK(!writer_done(&w));

    writer_init(&w, buf, sizeof(buf));
    writer_open(&w, 1);
    for (int i = 0; i < 255; i++) /* the largest that fits */
        writer_u8(&w, 0);
    writer_close(&w);
    CHECK(writer_done(&w));
    CHECK_EQ_INT(buf[0], 255);
}

static void test_writer_unbalanced(void)
{
    uint8_t buf[64];
    writer w;
    writer_init(&w, buf, sizeof(buf));
    writer_close(&w); /* nothing open */
    CHECK(w.failed);

    writer_init(&w, buf, sizeof(buf));
    for (int i = 0; i < WRITER_MAX_DEPTH; i++)
        writer_open(&w, 1);
    CHECK(!w.failed);
    writer_open(&w, 1); /* one level too deep */
    CHECK(w.failed);

    /* An open whose prefix does not fit fails. */
    writer_init(&w, buf, 2);
    writer_open(&w, 3);
    CHECK(w.failed);
}

int main(void)
{
    test_reader_integers();
    test_reader_bytes_and_copy();
    test_reader_short_read_is_sticky();
    test_reader_not_done_with_bytes_left();
    test_reader_vector_bounds();
    test_reader_sub();
    test_writer_integers_and_bytes();
    test_writer_overflow();
    test_writer_nested_vectors();
    test_writer_length_overflows_prefix();
    test_writer_unbalanced();
    return check_summary("test_reader");
}
