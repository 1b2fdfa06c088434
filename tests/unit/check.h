/*
 * A minimal test harness for the unit tests: CHECK records a failure with its location and goes
 * on; check_summary prints "N passed, N failed" and gives the exit status.
 */
#ifndef PARLEY_CHECK_H
#define PARLEY_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ == check_b_) {                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__, __LINE__,  \
                    #a, #b, check_a_, check_b_);                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

/* Decodes a hex string into out; returns the byte count. */
static inline size_t check_hex(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = 0;
    while (hex[0] && hex[1] && n < cap) {
        unsigned v;
        if (sscanf(hex, "%2x", &v) != 1)
            break;
        out[n++] = (unsigned char)v;
        hex += 2;
    }
    return n;
}

/* The directory of test certificates: the one CTest's fixture made (PARLEY_TEST_CERTS), or one
 * made here with tests/certs/make-certs.sh when a test runs on its own. NULL if that fails. */
static inline const char *check_certs_dir(void)
{
    const char *dir = getenv("PARLEY_TEST_CERTS");
    if (dir != NULL)
        return dir;
    dir = "/tmp/parley-test-certs";
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "bash %s/../certs/make-certs.sh %s >/dev/null", PARLEY_TEST_DIR,
             dir);
    return system(cmd) == 0 ? dir : NULL;
}

static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed == 0 && check_passed > 0 ? 0 : 1;
}

#endif
