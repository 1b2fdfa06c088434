/*
 * parley-bench: parley against OpenSSL's libssl in one process, on the same libcrypto, the same
 * certificate and the same handshake (TLS 1.2, ECDHE-RSA with AES-128-GCM, x25519, peer
 * verification on; and TLS 1.3, TLS_AES_128_GCM_SHA256 over x25519 with an RSA or an ECDSA
 * certificate, full and resumed from a ticket). Shared declarations of the harness files.
 */
#ifndef PARLEY_BENCH_H
#define PARLEY_BENCH_H

#include <stddef.h>
#include <stdio.h>

#define BENCH_SERVER_NAME "localhost"
#define BENCH_PATH_MAX    4096

/* The kinds of server certificate: an RSA-2048 and an ECDSA P-256 leaf, same CA. */
typedef enum bench_cert_kind { BENCH_CERT_RSA, BENCH_CERT_ECDSA, BENCH_CERT_KINDS } bench_cert_kind;

/* The server certificate chains and keys, and the CA bundle both clients trust. */
typedef struct bench_certs {
    char chain_file[BENCH_CERT_KINDS][BENCH_PATH_MAX];
    char key_file[BENCH_CERT_KINDS][BENCH_PATH_MAX];
    char ca_file[BENCH_PATH_MAX];
    char generated_dir[BENCH_PATH_MAX]; /* non-empty: throwaway files to remove at exit */
} bench_certs;

/* server-rsa.pem/.key, server-ecdsa.pem/.key and ca-bundle.pem from dir
 * (tests/certs/make-certs.sh). */
int bench_certs_from_dir(bench_certs *certs, const char *dir);
/* A throwaway RSA-2048 CA and two localhost leaves it signed (an RSA-2048 and an ECDSA P-256
 * key), written to a private temp dir. */
int bench_certs_generate(bench_certs *certs);
void bench_certs_remove(bench_certs *certs);

/* Heap held per established, idle connection endpoint, in bytes. */
typedef struct bench_heap {
    double server;
    double client;
} bench_heap;

/* What a stack's configurations are made for. Each mode gets configurations of its own. The
 * first four are TLS 1.2 only (both stacks pinned to it) with the RSA certificate; the last
 * three TLS 1.3 only, TLS_AES_128_GCM_SHA256. */
typedef enum bench_mode {
    BENCH_MODE_FULL,        /* no session state anywhere: every handshake is a full one */
    BENCH_MODE_ID,          /* resume by session ID from the server's embedded cache, no tickets */
    BENCH_MODE_TICKET,      /* resume by session ticket (both stacks' defaults), no server cache */
    BENCH_MODE_REDIS,       /* resume by session ID from a server cache kept in Redis, no tickets */
    BENCH_MODE_TLS13_RSA,   /* TLS 1.3 full handshakes, RSA certificate, no tickets */
    BENCH_MODE_TLS13_ECDSA, /* TLS 1.3 full handshakes, ECDSA certificate, no tickets */
    BENCH_MODE_TLS13_RESUMED, /* TLS 1.3 resumption: PSK from a ticket, psk_dhe_ke, RSA cert */
    BENCH_MODES
} bench_mode;

/* The TLS 1.2 resumption variants, in the order they run and print. */
#define BENCH_FIRST_RESUME BENCH_MODE_ID
#define BENCH_RESUMES      (BENCH_MODE_REDIS + 1 - BENCH_FIRST_RESUME)
/* The TLS 1.3 rows, in the order they run and print. */
#define BENCH_FIRST_TLS13 BENCH_MODE_TLS13_RSA
#define BENCH_TLS13_ROWS  (BENCH_MODES - BENCH_FIRST_TLS13)

/* What a mode negotiates: PARLEY_TLS1_2 or PARLEY_TLS1_3 (0x0303, 0x0304). */
unsigned bench_mode_version(bench_mode mode);
/* The server certificate a mode uses. */
bench_cert_kind bench_mode_cert(bench_mode mode);
/* Whether a mode's handshakes resume a session (all but the full-handshake modes). */
int bench_mode_resumes(bench_mode mode);

typedef struct bench_setup {
    const bench_certs *certs;
    bench_mode mode;
    /* Asks the stack to drop idle I/O buffers (OpenSSL's SSL_MODE_RELEASE_BUFFERS); a stack that
     * never holds them ignores it. */
    int release_buffers;
    const char *redis_url; /* BENCH_MODE_REDIS: "redis://127.0.0.1:PORT" */
    /* parley: turn the client's verified-chain cache off (--no-verify-cache), to measure the
     * cold cost of meeting a chain for the first time; OpenSSL has no such cache. */
    int no_verify_cache;
} bench_setup;

/* One TLS implementation under test. The loops that make, time and free connection pairs live
 * in main.c and are the same for both stacks; a stack supplies the steps. Functions returning
 * int return 0 on success, -1 after printing why on stderr. */
typedef struct bench_stack {
    const char *name;
    /* The shared server and client configurations for setup->mode, made once outside any timed
     * loop. */
    void *(*setup)(const bench_setup *setup);
    void (*teardown)(void *stack);
    /* Resumption modes: one full handshake whose client session the stack keeps, replacing any
     * kept before, for connect to offer. */
    int (*prime)(void *stack);
    /* A new client and a new server connection, handshake completed on both, nothing left in
     * flight. With resume, the client offers the session prime kept and the handshake must have
     * resumed it on both sides: a full handshake there is an error, never a silent slow row. */
    int (*connect)(void *stack, int resume, void **client, void **server);
    /* That a connected pair negotiated what the benchmark claims (run on the first of a batch).
     * The first check of a configuration also looks at what only a trace of the handshake shows
     * (the server's signature scheme, how many NewSessionTickets the client took). */
    int (*check)(void *stack, void *client, int resume);
    /* Frees one connection of a pair. */
    void (*release)(void *conn);
    /* Drops the benchmark's transport from an established pair before its heap is counted, as a
     * socket would replace it; NULL when the stack holds none. */
    void (*detach)(void *client, void *server);
    /* One handshake, then total bytes client to server in chunk-sized writes, all read and
     * counted on the server; *seconds is the time of the transfer alone. */
    int (*bulk)(void *stack, size_t total, size_t chunk, double *seconds);
} bench_stack;

extern const bench_stack bench_parley;
extern const bench_stack bench_openssl;

/* Indexes of the stacks in results. */
enum { BENCH_PARLEY = 0, BENCH_OPENSSL = 1, BENCH_STACKS = 2 };
#define BENCH_MAX_ROUNDS 99

/* Why a resumption variant has no figures. */
typedef enum bench_resume_status {
    BENCH_RESUME_OFF,      /* not asked for */
    BENCH_RESUME_RUN,      /* measured */
    BENCH_RESUME_NO_REDIS, /* redis-server is not installed */
} bench_resume_status;

/* Everything one run measured; a count of 0 means the metric was not run. */
typedef struct bench_results {
    const char *cert_source; /* the directory, or "generated" */
    long handshakes;         /* per stack per round */
    long resumed;            /* resumed handshakes per stack per round and variant */
    int rounds;
    size_t bulk_bytes;
    size_t bulk_chunk;
    int heap_pairs;
    double handshake_rate[BENCH_STACKS][BENCH_MAX_ROUNDS]; /* handshakes per second */
    double bulk_rate[BENCH_STACKS][BENCH_MAX_ROUNDS];      /* MB (10^6 bytes) per second */
    double handshake_median[BENCH_STACKS];
    double bulk_median[BENCH_STACKS];
    /* Resumed handshakes per second, per variant (index mode - BENCH_FIRST_RESUME). */
    bench_resume_status resume_status[BENCH_RESUMES];
    double resume_rate[BENCH_RESUMES][BENCH_STACKS][BENCH_MAX_ROUNDS];
    double resume_median[BENCH_RESUMES][BENCH_STACKS];
    int tls12;                   /* the TLS 1.2 rows run (full, resumed, bulk, heap) */
    int tls13[BENCH_TLS13_ROWS]; /* which TLS 1.3 rows run (index mode - BENCH_FIRST_TLS13) */
    double tls13_rate[BENCH_TLS13_ROWS][BENCH_STACKS][BENCH_MAX_ROUNDS];
    double tls13_median[BENCH_TLS13_ROWS][BENCH_STACKS];
    bench_heap heap[BENCH_STACKS];
    bench_heap openssl_release_heap; /* OpenSSL with SSL_MODE_RELEASE_BUFFERS */
    /* The same at TLS 1.3 (0: not measured): after a full handshake with the RSA certificate
     * and one NewSessionTicket, which the client has processed and keeps. */
    int heap13;
    bench_heap heap13_stack[BENCH_STACKS];
    bench_heap openssl_release_heap13;
} bench_results;

/* Short and long names of a mode (for the full mode: "full", "full handshakes/s"). */
const char *bench_mode_name(bench_mode mode);
const char *bench_mode_title(bench_mode mode);

/* A redis-server of the benchmark's own on a free loopback port, killed at exit. Writes its
 * "redis://127.0.0.1:PORT" url; 0, -1 when redis-server is not installed, -2 when it did not
 * come up (said on stderr). */
int bench_redis_start(char *url, size_t cap);
void bench_redis_stop(void);

void bench_print_table(const bench_results *r, FILE *out);
void bench_print_json(const bench_results *r, FILE *out);

/* Monotonic seconds. */
double bench_now(void);
/* Bytes the allocator has handed out and not had back (glibc mallinfo2); -1 if unknown. */
double bench_heap_in_use(void);
/* Median of n values (sorts them in place). */
double bench_median(double *values, size_t n);

#endif
