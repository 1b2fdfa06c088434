/*
 * A parley client and a parley server joined in memory through parley_take/parley_feed, for the
 * unit tests that run whole handshakes. Include after check.h; call pair_init once.
 */
#ifndef PARLEY_PAIR_H
#define PARLEY_PAIR_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parley.h"

static char pair_certs[512];

static inline int pair_init(void)
{
    const char *dir = check_certs_dir();
    if (dir == NULL) {
        fprintf(stderr, "cannot make test certificates\n");
        return -1;
    }
    snprintf(pair_certs, sizeof(pair_certs), "%s", dir);
    return 0;
}

/* The path of a test certificate file (eight kept at once). */
static inline const char *cert_path(const char *name)
{
    static char paths[8][600];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 600, "%s/%s", pair_certs, name);
    return p;
}

/* Moves pending output from one side into the other until neither has anything to say. */
static inline void pump(parley_conn *a, parley_conn *b)
{
    uint8_t buf[8192];
    for (int rounds = 0; rounds < 100; rounds++) {
        int moved = 0;
        parley_conn *from[2] = {a, b}, *to[2] = {b, a};
        for (int i = 0; i < 2; i++) {
            size_t n;
            while ((n = parley_take(from[i], buf, sizeof(buf))) > 0) {
                size_t off = 0;
                moved = 1;
                while (off < n) {
                    size_t used = parley_feed(to[i], buf + off, n - off);
                    off += used;
                    if (used == 0) {
                        /* Application data waits to be read; drain it to make room. */
                        uint8_t sink[16384];
                        size_t got;
                        if (parley_read(to[i], sink, sizeof(sink), &got) != PARLEY_OK)
                            break;
                    }
                }
            }
            parley_handshake(from[i]);
        }
        if (!moved)
            return;
    }
}

/* A server with an RSA and an ECDSA certificate; suites NULL: the defaults. */
static inline parley_config *server_config(const char *suites)
{
    parley_config *cfg = parley_config_new();
    CHECK(parley_config_add_certificate(cfg, cert_path("server-rsa.pem"),
                                        cert_path("server-rsa.key")) == PARLEY_OK);
    CHECK(parley_config_add_certificate(cfg, cert_path("server-ecdsa.pem"),
                                        cert_path("server-ecdsa.key")) == PARLEY_OK);
    if (suites)
        CHECK(parley_config_set_ciphers(cfg, suites) == PARLEY_OK);
    return cfg;
}

/* A client trusting the test CA; suites NULL: the defaults. */
static inline parley_config *client_config(const char *suites)
{
    parley_config *cfg = parley_config_new();
    CHECK(parley_config_set_ca_file(cfg, cert_path("ca-bundle.pem")) == PARLEY_OK);
    if (suites)
        CHECK(parley_config_set_ciphers(cfg, suites) == PARLEY_OK);
    return cfg;
}

static inline void free_all(parley_conn *c, parley_conn *s, parley_config *cc, parley_config *sc)
{
    parley_conn_free(c);
    parley_conn_free(s);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* The trace's step lines, "|"-separated, for the checks (parley_config_set_trace or
 * parley_conn_set_trace with collect_steps and a steps). */
typedef struct steps {
    char text[16384];
} steps;

static inline void collect_steps(const parley_trace_event *ev, void *arg)
{
    steps *s = arg;
    if (ev->kind != PARLEY_TRACE_STEP)
        return;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof(s->text) - n, "%s|", ev->name);
}

/* Key log lines, one after another (parley_config_set_keylog with collect_keylog). */
typedef struct keylog_lines {
    char text[4096];
} keylog_lines;

static inline void collect_keylog(const char *line, void *arg)
{
    keylog_lines *k = arg;
    size_t n = strlen(k->text);
    snprintf(k->text + n, sizeof(k->text) - n, "%s\n", line);
}

#endif
