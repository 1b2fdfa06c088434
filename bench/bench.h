/*
 * parley-bench: parley against OpenSSL's libssl in one process, on the same libcrypto, the same
 * certificate and the same handshake (TLS 1.2, ECDHE-RSA with AES-128-GCM, x25519, peer
 * verification on). Shared declarations of the harness files.
 */
#ifndef PARLEY_BENCH_H
#define PARLEY_BENCH_H

#include <stddef.h>
#include <stdio.h>

#define BENCH_SERVER_NAME "localhost"
#define BENCH_PATH_MAX    4096

/* The server certificate chain and key, and the CA bundle both clients trust. */
typedef struct bench_certs {
    char chain_file[BENCH_PATH_MAX];
    char key_file[BENCH_PATH_MAX];
    char ca_file[BENCH_PATH_MAX];
    char generated_dir[BENCH_PATH_MAX]; /* non-empty: throwaway files to remove at exit */
} bench_certs;

/* server-rsa.pem, server-rsa.key and ca-bundle.pem from dir (tests/certs/make-certs.sh). */
int bench_certs_from_dir(bench_certs *certs, const char *dir);
/* A throwaway RSA-2048 CA and a localhost leaf it signed, written to a private temp dir. */
int bench_certs_generate(bench_certs *certs);
void bench_certs_remove(bench_certs *certs);

/* Heap held per established, idle connection endpoint, in bytes. */
typedef struct bench_heap {
    double server;
    double client;
} bench_heap;

/* One TLS implementation under test. Every function returns 0 on success, -1 after printing
 * why on stderr. */
typedef struct bench_stack {
    const char *name;
    /* The shared server and client configurations, made once outside any timed loop.
     * release_buffers asks the stack to drop idle I/O buffers (OpenSSL's
     * SSL_MODE_RELEASE_BUFFERS); a stack that never holds them ignores it. */
    void *(*setup)(const bench_certs *certs, int release_buffers);
    void (*teardown)(void *stack);
    /* count full handshakes, each between a new client and a new server connection. */
    int (*handshakes)(void *stack, long count);
    /* One handshake, then total bytes client to server in chunk-sized writes, all read and
     * counted on the server; *seconds is the time of the transfer alone. */
    int (*bulk)(void *stack, size_t total, size_t chunk, double *seconds);
    /* Heap in use for pairs established connection pairs, nothing in flight. */
    int (*idle_heap)(void *stack, int pairs, bench_heap *out);
} bench_stack;

extern const bench_stack bench_parley;
extern const bench_stack bench_openssl;

/* Indexes of the stacks in results. */
enum { BENCH_PARLEY = 0, BENCH_OPENSSL = 1, BENCH_STACKS = 2 };
#define BENCH_MAX_ROUNDS 99

/* Everything one run measured; a count of 0 means the metric was not run. */
typedef struct bench_results {
    const char *cert_source; /* the directory, or "generated" */
    long handshakes;         /* per stack per round */
    int rounds;
    size_t bulk_bytes;
    size_t bulk_chunk;
    int heap_pairs;
    double handshake_rate[BENCH_STACKS][BENCH_MAX_ROUNDS]; /* handshakes per second */
    double bulk_rate[BENCH_STACKS][BENCH_MAX_ROUNDS];      /* MB (10^6 bytes) per second */
    double handshake_median[BENCH_STACKS];
    double bulk_median[BENCH_STACKS];
    bench_heap heap[BENCH_STACKS];
    bench_heap openssl_release_heap; /* OpenSSL with SSL_MODE_RELEASE_BUFFERS */
} bench_results;

void bench_print_table(const bench_results *r, FILE *out);
void bench_print_json(const bench_results *r, FILE *out);

/* Monotonic seconds. */
double bench_now(void);
/* Bytes the allocator has handed out and not had back (glibc mallinfo2); -1 if unknown. */
double bench_heap_in_use(void);
/* Median of n values (sorts them in place). */
double bench_median(double *values, size_t n);

#endif
