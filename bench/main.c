/*
 * parley-bench: handshake rate, bulk throughput and idle heap of parley against OpenSSL's
 * libssl, in one process on one libcrypto, runs interleaved so drift hits both stacks alike.
 * TLS 1.2 rows (full, resumed three ways, bulk, heap) and TLS 1.3 rows (full with an RSA and an
 * ECDSA certificate, resumed from a ticket, heap).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND_H 1
#endif
#endif
#ifndef HAVE_CALLGRIND_H
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

/* Untimed handshakes per stack first, so one-time lazy work (algorithm fetches, trust store
 * loading on the first connection) is not billed to the first round. */
#define WARMUP_HANDSHAKES 20
#define WARMUP_RESUMED    200
#define BULK_CHUNK        (16 * 1024)

typedef struct options {
    const char *certs_dir;
    long handshakes;
    long resumed;
    long bulk_mib;
    int rounds;
    int heap_pairs;
    int json;
    /* Per resumption variant: 0 off, 1 on by default, 2 asked for by name (--resume). */
    int resume[BENCH_RESUMES];
    int tls12;                   /* --versions */
    int tls13_version;           /* --versions: the TLS 1.3 heap row */
    int tls13[BENCH_TLS13_ROWS]; /* --tls13, and --versions */
    const bench_stack *callgrind_stack;
    bench_mode callgrind_mode;
    int no_verify_cache;
} options;

static const char *const mode_names[BENCH_MODES] = {
    "full", "id", "ticket", "redis", "tls13-rsa", "tls13-ecdsa", "tls13-resumed"};
static const char *const mode_titles[BENCH_MODES] = {
    "full handshakes/s",
    "resumed/s, session ID, embedded cache",
    "resumed/s, session ticket",
    "resumed/s, session ID, Redis cache",
    "TLS 1.3 full handshakes/s, RSA-2048",
    "TLS 1.3 full handshakes/s, ECDSA P-256",
    "TLS 1.3 resumed/s, ticket PSK, psk_dhe_ke",
};

unsigned bench_mode_version(bench_mode mode)
{
    return mode >= BENCH_FIRST_TLS13 ? 0x0304 : 0x0303;
}

bench_cert_kind bench_mode_cert(bench_mode mode)
{
    return mode == BENCH_MODE_TLS13_ECDSA ? BENCH_CERT_ECDSA : BENCH_CERT_RSA;
}

int bench_mode_resumes(bench_mode mode)
{
    return mode != BENCH_MODE_FULL && mode != BENCH_MODE_TLS13_RSA &&
           mode != BENCH_MODE_TLS13_ECDSA;
}

const char *bench_mode_name(bench_mode mode)
{
    return mode_names[mode];
}

const char *bench_mode_title(bench_mode mode)
{
    return mode_titles[mode];
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parley-bench [--certs DIR] [--handshakes N] [--resumed N] [--resume LIST]\n"
            "                    [--versions LIST] [--tls13 LIST] [--bulk-mib N] [--rounds R]\n"
            "                    [--heap-conns K] [--json] [--callgrind-one STACK[-MODE]]\n"
            "\n"
            "Compares parley with OpenSSL libssl in memory, same libcrypto and certificate:\n"
            "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 over x25519 (RSA certificate), and TLS 1.3\n"
            "TLS_AES_128_GCM_SHA256 over x25519 (RSA or ECDSA certificate); the client\n"
            "verifies the server.\n"
            "  --certs DIR        server-rsa.pem/.key, server-ecdsa.pem/.key, ca-bundle.pem\n"
            "                     from DIR (default: a throwaway RSA-2048 CA and certificates)\n"
            "  --handshakes N     full handshakes per stack per round, each version and\n"
            "                     certificate (default 2000; 0 skips)\n"
            "  --resumed N        resumed handshakes per stack per round and variant\n"
            "                     (default 5000; 0 skips)\n"
            "  --versions LIST    1.2, 1.3 or 1.2,1.3 (default): which versions' rows run\n"
            "  --tls13 LIST       TLS 1.3 rows, comma-separated: rsa (full handshakes, RSA\n"
            "                     certificate), ecdsa (the same, ECDSA P-256), resumed (PSK\n"
            "                     from a NewSessionTicket, psk_dhe_ke), or none (default: all)\n"
            "  --resume LIST      resumption variants, comma-separated: id (session ID, the\n"
            "                     server's embedded cache), ticket (session tickets), redis\n"
            "                     (session ID, server cache in a redis-server the benchmark\n"
            "                     starts), or none (default: id,ticket,redis; without\n"
            "                     redis-server the redis row is not run, which is an error\n"
            "                     only when this option names it)\n"
            "  --bulk-mib N       MiB sent client to server per stack per round (default 64)\n"
            "  --rounds R         interleaved rounds; medians are reported (default 3)\n"
            "  --heap-conns K     idle connection pairs for the heap measure (default 200)\n"
            "  --json             print the results as JSON\n"
            "  --no-verify-cache  parley's client verifies every chain afresh (its\n"
            "                     verified-chain cache off); default: on, so after the\n"
            "                     first pair the server's chain is met again, warm\n"
            "  --callgrind-one S  set up, warm up, then run exactly one handshake pair with\n"
            "                     callgrind instrumentation on around it only. S is parley or\n"
            "                     openssl (a full handshake), or parley-id, parley-ticket,\n"
            "                     parley-redis and the same for openssl (a resumed one;\n"
            "                     parley-resumed and openssl-resumed are the id variant);\n"
            "                     TLS 1.3: parley-tls13-rsa, parley-tls13-ecdsa (full),\n"
            "                     parley-tls13-resumed, and the same for openssl\n");
}

static int parse_count(const char *flag, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long value = text ? strtol(text, &end, 10) : 0;
    if (text == NULL || errno != 0 || end == text || *end != '\0' || value < min || value > max) {
        fprintf(stderr, "parley-bench: %s needs a whole number from %ld to %ld\n", flag, min, max);
        return -1;
    }
    *out = value;
    return 0;
}

/* A mode by its name; -1 if none. */
static int mode_by_name(const char *name, size_t len)
{
    for (int m = 0; m < BENCH_MODES; m++)
        if (strlen(mode_names[m]) == len && strncmp(name, mode_names[m], len) == 0)
            return m;
    if (len == 7 && strncmp(name, "resumed", 7) == 0)
        return BENCH_MODE_ID;
    return -1;
}

static int parse_tls13_list(const char *text, options *opt)
{
    for (int v = 0; v < BENCH_TLS13_ROWS; v++)
        opt->tls13[v] = 0;
    if (strcmp(text, "none") == 0)
        return 0;
    for (const char *p = text; *p != '\0';) {
        size_t len = strcspn(p, ",");
        int row = -1;
        for (int m = BENCH_FIRST_TLS13; m < BENCH_MODES; m++)
            if (strlen(mode_names[m]) == len + 6 && strncmp(p, mode_names[m] + 6, len) == 0)
                row = m - BENCH_FIRST_TLS13;
        if (row < 0) {
            fprintf(stderr, "parley-bench: --tls13 takes rsa, ecdsa, resumed (comma-separated) or "
                            "none\n");
            return -1;
        }
        opt->tls13[row] = 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int parse_versions(const char *text, options *opt)
{
    int tls12 =
        strcmp(text, "1.2") == 0 || strcmp(text, "1.2,1.3") == 0 || strcmp(text, "1.3,1.2") == 0;
    int tls13 =
        strcmp(text, "1.3") == 0 || strcmp(text, "1.2,1.3") == 0 || strcmp(text, "1.3,1.2") == 0;
    if (!tls12 && !tls13) {
        fprintf(stderr, "parley-bench: --versions takes 1.2, 1.3 or 1.2,1.3\n");
        return -1;
    }
    opt->tls12 = tls12;
    opt->tls13_version = tls13;
    if (!tls13)
        for (int v = 0; v < BENCH_TLS13_ROWS; v++)
            opt->tls13[v] = 0;
    return 0;
}

static int parse_resume_list(const char *text, options *opt)
{
    for (int v = 0; v < BENCH_RESUMES; v++)
        opt->resume[v] = 0;
    if (strcmp(text, "none") == 0)
        return 0;
    for (const char *p = text; *p != '\0';) {
        size_t len = strcspn(p, ",");
        int mode = mode_by_name(p, len);
        if (mode < BENCH_FIRST_RESUME) {
            fprintf(stderr, "parley-bench: --resume takes id, ticket, redis (comma-separated) or "
                            "none\n");
            return -1;
        }
        opt->resume[mode - BENCH_FIRST_RESUME] = 2;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int parse_callgrind(const char *text, options *opt)
{
    static const bench_stack *const stacks[] = {&bench_parley, &bench_openssl};
    for (size_t i = 0; i < sizeof(stacks) / sizeof(stacks[0]); i++) {
        size_t len = strlen(stacks[i]->name);
        if (strncmp(text, stacks[i]->name, len) != 0)
            continue;
        int mode = text[len] == '\0'  ? BENCH_MODE_FULL
                   : text[len] == '-' ? mode_by_name(text + len + 1, strlen(text + len + 1))
                                      : -1;
        if (mode < 0)
            break;
        opt->callgrind_stack = stacks[i];
        opt->callgrind_mode = (bench_mode)mode;
        return 0;
    }
    fprintf(stderr, "parley-bench: --callgrind-one takes parley or openssl, optionally followed "
                    "by -id, -ticket, -redis, -resumed, -tls13-rsa, -tls13-ecdsa or "
                    "-tls13-resumed\n");
    return -1;
}

static int parse_options(int argc, char **argv, options *opt)
{
    *opt = (options){.handshakes = 2000,
                     .resumed = 5000,
                     .bulk_mib = 64,
                     .rounds = 3,
                     .heap_pairs = 200,
                     .tls12 = 1,
                     .tls13_version = 1};
    for (int v = 0; v < BENCH_RESUMES; v++)
        opt->resume[v] = 1;
    for (int v = 0; v < BENCH_TLS13_ROWS; v++)
        opt->tls13[v] = 1;
    const char *versions = NULL; /* applied last: --versions 1.2 wins over --tls13 */
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(arg, "--json") == 0) {
            opt->json = 1;
            continue;
        } else if (strcmp(arg, "--no-verify-cache") == 0) {
            opt->no_verify_cache = 1;
            continue;
        } else if (strcmp(arg, "--certs") == 0 && value) {
            opt->certs_dir = value;
        } else if (strcmp(arg, "--callgrind-one") == 0 && value) {
            if (parse_callgrind(value, opt) < 0)
                return -1;
        } else if (strcmp(arg, "--resume") == 0 && value) {
            if (parse_resume_list(value, opt) < 0)
                return -1;
        } else if (strcmp(arg, "--tls13") == 0 && value) {
            if (parse_tls13_list(value, opt) < 0)
                return -1;
        } else if (strcmp(arg, "--versions") == 0 && value) {
            versions = value;
        } else if (strcmp(arg, "--handshakes") == 0) {
            if (parse_count(arg, value, 0, 100000000, &opt->handshakes) < 0)
                return -1;
        } else if (strcmp(arg, "--resumed") == 0) {
            if (parse_count(arg, value, 0, 100000000, &opt->resumed) < 0)
                return -1;
        } else if (strcmp(arg, "--bulk-mib") == 0) {
            if (parse_count(arg, value, 0, 1 << 20, &opt->bulk_mib) < 0)
                return -1;
        } else if (strcmp(arg, "--rounds") == 0) {
            if (parse_count(arg, value, 1, BENCH_MAX_ROUNDS, &n) < 0)
                return -1;
            opt->rounds = (int)n;
        } else if (strcmp(arg, "--heap-conns") == 0) {
            if (parse_count(arg, value, 0, 100000, &n) < 0)
                return -1;
            opt->heap_pairs = (int)n;
        } else {
            fprintf(stderr, "parley-bench: unknown option or missing value: %s\n", arg);
            usage(stderr);
            return -1;
        }
        i++;
    }
    return versions ? parse_versions(versions, opt) : 0;
}

/* count connection pairs of one stack: new client and server, handshake to completion on both
 * (resumed, with resume), free both. The first pair of the batch is checked. This loop is what
 * the handshake rows time, the same for both stacks. */
static int run_pairs(const bench_stack *stack, void *ctx, long count, int resume)
{
    for (long i = 0; i < count; i++) {
        void *client, *server;
        if (stack->connect(ctx, resume, &client, &server) < 0)
            return -1;
        int rc = i == 0 ? stack->check(ctx, client, resume) : 0;
        stack->release(client);
        stack->release(server);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Not inlined, so `valgrind --tool=callgrind --toggle-collect=measured_handshake` also works. */
__attribute__((noinline)) static int measured_handshake(const bench_stack *stack, void *ctx,
                                                        int resume)
{
    CALLGRIND_START_INSTRUMENTATION;
    int rc = run_pairs(stack, ctx, 1, resume);
    CALLGRIND_STOP_INSTRUMENTATION;
    return rc;
}

static int run_callgrind_one(const bench_stack *stack, bench_mode mode, const bench_certs *certs,
                             int no_verify_cache)
{
    char url[64] = "";
    if (mode == BENCH_MODE_REDIS && bench_redis_start(url, sizeof(url)) < 0) {
        fprintf(stderr, "parley-bench: no redis-server to run %s-redis against\n", stack->name);
        return -1;
    }
    bench_setup setup = {
        .certs = certs, .mode = mode, .redis_url = url, .no_verify_cache = no_verify_cache};
    void *ctx = stack->setup(&setup);
    if (ctx == NULL)
        return -1;
    int resume = bench_mode_resumes(mode);
    int rc = resume ? stack->prime(ctx) : 0;
    if (rc == 0)
        rc = run_pairs(stack, ctx, 2, resume);
    if (rc == 0)
        rc = measured_handshake(stack, ctx, resume);
    stack->teardown(ctx);
    if (rc == 0)
        fprintf(stderr, "parley-bench: one %s %s handshake pair measured\n", stack->name,
                mode == BENCH_MODE_FULL ? "full" : mode_names[mode]);
    return rc;
}

/* Times count pairs; a resumed batch first makes, untimed, the session its clients offer. */
static int run_handshakes(const bench_stack *stack, void *ctx, long count, int resume, double *rate)
{
    if (resume && stack->prime(ctx) < 0)
        return -1;
    double start = bench_now();
    if (run_pairs(stack, ctx, count, resume) < 0)
        return -1;
    *rate = (double)count / (bench_now() - start);
    return 0;
}

static int run_bulk(const bench_stack *stack, void *ctx, size_t bytes, double *rate)
{
    double seconds;
    if (stack->bulk(ctx, bytes, BULK_CHUNK, &seconds) < 0)
        return -1;
    *rate = (double)bytes / 1e6 / seconds;
    return 0;
}

/* The stacks' configurations of every mode that runs (NULL: not run). */
typedef struct bench_contexts {
    const bench_stack *stacks[BENCH_STACKS];
    void *ctx[BENCH_MODES][BENCH_STACKS];
} bench_contexts;

static int mode_runs(const bench_results *r, int mode)
{
    if (mode >= BENCH_FIRST_TLS13)
        return r->tls13[mode - BENCH_FIRST_TLS13] &&
               (bench_mode_resumes((bench_mode)mode) ? r->resumed : r->handshakes) > 0;
    if (!r->tls12)
        return 0;
    if (mode == BENCH_MODE_FULL)
        return 1;
    return r->resumed > 0 && r->resume_status[mode - BENCH_FIRST_RESUME] == BENCH_RESUME_RUN;
}

/* Where a mode's rates go, round by round. */
static double *mode_rates(bench_results *r, int mode, int s)
{
    if (mode == BENCH_MODE_FULL)
        return r->handshake_rate[s];
    if (mode >= BENCH_FIRST_TLS13)
        return r->tls13_rate[mode - BENCH_FIRST_TLS13][s];
    return r->resume_rate[mode - BENCH_FIRST_RESUME][s];
}

static double *mode_median(bench_results *r, int mode, int s)
{
    if (mode == BENCH_MODE_FULL)
        return &r->handshake_median[s];
    if (mode >= BENCH_FIRST_TLS13)
        return &r->tls13_median[mode - BENCH_FIRST_TLS13][s];
    return &r->resume_median[mode - BENCH_FIRST_RESUME][s];
}

static int run_rounds(const bench_contexts *c, bench_results *r)
{
    int bulk = r->tls12 && r->bulk_bytes > 0;
    for (int s = 0; s < BENCH_STACKS; s++) {
        double ignored;
        for (int m = 0; m < BENCH_MODES; m++) {
            if (!mode_runs(r, m))
                continue;
            void *ctx = c->ctx[m][s];
            if (bench_mode_resumes((bench_mode)m)
                    ? run_handshakes(c->stacks[s], ctx, WARMUP_RESUMED, 1, &ignored) < 0
                    : run_pairs(c->stacks[s], ctx, WARMUP_HANDSHAKES, 0) < 0)
                return -1;
            if (m == BENCH_MODE_FULL && bulk && run_bulk(c->stacks[s], ctx, 1 << 20, &ignored) < 0)
                return -1;
        }
    }
    for (int round = 0; round < r->rounds; round++) {
        /* Every row in turn: TLS 1.2 full, its resumption variants, then the TLS 1.3 rows. In
         * each, alternate who goes first, so neither always runs on a warmer or cooler machine. */
        for (int m = 0; m < BENCH_MODES; m++) {
            int resume = bench_mode_resumes((bench_mode)m);
            long count = resume ? r->resumed : r->handshakes;
            for (int k = 0; mode_runs(r, m) && count > 0 && k < BENCH_STACKS; k++) {
                int s = (round + k) % BENCH_STACKS;
                if (run_handshakes(c->stacks[s], c->ctx[m][s], count, resume,
                                   &mode_rates(r, m, s)[round]) < 0)
                    return -1;
            }
        }
        for (int k = 0; bulk && k < BENCH_STACKS; k++) {
            int s = (round + k) % BENCH_STACKS;
            if (run_bulk(c->stacks[s], c->ctx[BENCH_MODE_FULL][s], r->bulk_bytes,
                         &r->bulk_rate[s][round]) < 0)
                return -1;
        }
    }
    for (int s = 0; s < BENCH_STACKS; s++) {
        double sorted[BENCH_MAX_ROUNDS];
        memcpy(sorted, r->bulk_rate[s], sizeof(sorted));
        r->bulk_median[s] = bulk ? bench_median(sorted, (size_t)r->rounds) : 0;
        for (int m = 0; m < BENCH_MODES; m++) {
            long count = bench_mode_resumes((bench_mode)m) ? r->resumed : r->handshakes;
            memcpy(sorted, mode_rates(r, m, s), sizeof(sorted));
            *mode_median(r, m, s) =
                mode_runs(r, m) && count > 0 ? bench_median(sorted, (size_t)r->rounds) : 0;
        }
    }
    return 0;
}

/* Heap in use for pairs established connection pairs of one stack, nothing in flight: the
 * clients are freed first, so the drop is the clients' share and the rest the servers'. */
static int idle_heap(const bench_stack *stack, void *ctx, int pairs, bench_heap *out)
{
    void **clients = calloc((size_t)pairs, sizeof(*clients));
    void **servers = calloc((size_t)pairs, sizeof(*servers));
    int made = 0,
        rc = clients && servers && run_pairs(stack, ctx, WARMUP_HANDSHAKES, 0) == 0 ? 0 : -1;
    double before = bench_heap_in_use();
    for (; rc == 0 && made < pairs; made++) {
        if (stack->connect(ctx, 0, &clients[made], &servers[made]) < 0) {
            rc = -1;
            break;
        }
        if (stack->detach)
            stack->detach(clients[made], servers[made]);
    }
    double with_both = bench_heap_in_use();
    for (int i = 0; i < made; i++)
        stack->release(clients[i]);
    double servers_only = bench_heap_in_use();
    for (int i = 0; i < made; i++)
        stack->release(servers[i]);
    free(clients);
    free(servers);
    if (rc == 0) {
        out->server = (servers_only - before) / pairs;
        out->client = (with_both - servers_only) / pairs;
    }
    return rc;
}

/* Idle heap of both stacks in one mode, on configurations made for it, and of OpenSSL with
 * SSL_MODE_RELEASE_BUFFERS. */
static int heap_of_mode(const bench_certs *certs, bench_mode mode, int pairs,
                        bench_heap heap[BENCH_STACKS], bench_heap *openssl_release)
{
    static const bench_stack *const stacks[BENCH_STACKS] = {&bench_parley, &bench_openssl};
    int rc = 0;
    for (int s = 0; rc == 0 && s <= BENCH_STACKS; s++) {
        /* s == BENCH_STACKS: OpenSSL again, releasing its buffers. */
        const bench_stack *stack = s < BENCH_STACKS ? stacks[s] : &bench_openssl;
        bench_setup setup = {.certs = certs, .mode = mode, .release_buffers = s == BENCH_STACKS};
        void *ctx = stack->setup(&setup);
        rc = ctx && idle_heap(stack, ctx, pairs, s < BENCH_STACKS ? &heap[s] : openssl_release) == 0
                 ? 0
                 : -1;
        if (ctx)
            stack->teardown(ctx);
    }
    return rc;
}

/* TLS 1.2: after a full handshake with no session state (the full-handshake configuration).
 * TLS 1.3: after a full handshake with the RSA certificate and one NewSessionTicket, which the
 * client took and keeps: the resumption configuration, as a server with tickets on runs. */
static int run_heap(const bench_certs *certs, bench_results *r)
{
    if (bench_heap_in_use() < 0) {
        fprintf(stderr, "parley-bench: no glibc mallinfo2 heap counters here; heap not measured\n");
        r->heap_pairs = 0;
        r->heap13 = 0;
        return 0;
    }
    if (r->tls12 &&
        heap_of_mode(certs, BENCH_MODE_FULL, r->heap_pairs, r->heap, &r->openssl_release_heap) < 0)
        return -1;
    if (r->heap13 && heap_of_mode(certs, BENCH_MODE_TLS13_RESUMED, r->heap_pairs, r->heap13_stack,
                                  &r->openssl_release_heap13) < 0)
        return -1;
    return 0;
}

/* Starts redis-server for the Redis row if it runs. 0, or -1 for a failure that ends the run. */
static int prepare_redis(const options *opt, bench_results *r, char *url, size_t cap)
{
    bench_resume_status *status = &r->resume_status[BENCH_MODE_REDIS - BENCH_FIRST_RESUME];
    if (!r->tls12 || *status != BENCH_RESUME_RUN || r->resumed == 0)
        return 0;
    int rc = bench_redis_start(url, cap);
    if (rc == -1) {
        *status = BENCH_RESUME_NO_REDIS;
        fprintf(stderr, "parley-bench: redis-server is not installed: the Redis row is not run\n");
        return opt->resume[BENCH_MODE_REDIS - BENCH_FIRST_RESUME] == 2 ? -1 : 0;
    }
    return rc;
}

static int run_all(const options *opt, const bench_certs *certs, bench_results *r)
{
    bench_contexts c = {.stacks = {&bench_parley, &bench_openssl}};
    char url[64] = "";
    int rc = -1;
    /* Without redis-server, a --resume that named redis still prints the table, then fails. */
    int redis_rc = prepare_redis(opt, r, url, sizeof(url));
    if (redis_rc < 0 &&
        r->resume_status[BENCH_MODE_REDIS - BENCH_FIRST_RESUME] != BENCH_RESUME_NO_REDIS)
        return -1;
    for (int m = 0; m < BENCH_MODES; m++)
        for (int s = 0; mode_runs(r, m) && s < BENCH_STACKS; s++) {
            bench_setup setup = {.certs = certs,
                                 .mode = (bench_mode)m,
                                 .redis_url = url,
                                 .no_verify_cache = opt->no_verify_cache};
            if ((c.ctx[m][s] = c.stacks[s]->setup(&setup)) == NULL)
                goto done;
        }
    if (run_rounds(&c, r) < 0)
        goto done;
    if (r->heap_pairs > 0 && run_heap(certs, r) < 0)
        goto done;
    rc = redis_rc < 0 ? 1 : 0;
done:
    for (int m = 0; m < BENCH_MODES; m++)
        for (int s = 0; s < BENCH_STACKS; s++)
            if (c.ctx[m][s])
                c.stacks[s]->teardown(c.ctx[m][s]);
    bench_redis_stop();
    return rc;
}

int main(int argc, char **argv)
{
    options opt;
    if (parse_options(argc, argv, &opt) < 0)
        return 2;
    bench_certs certs;
    if ((opt.certs_dir ? bench_certs_from_dir(&certs, opt.certs_dir)
                       : bench_certs_generate(&certs)) < 0)
        return 1;
    int rc;
    if (opt.callgrind_stack) {
        rc =
            run_callgrind_one(opt.callgrind_stack, opt.callgrind_mode, &certs, opt.no_verify_cache);
        bench_redis_stop();
    } else {
        static bench_results results;
        results = (bench_results){
            .cert_source = opt.certs_dir ? opt.certs_dir : "generated",
            .handshakes = opt.handshakes,
            .resumed = opt.resumed,
            .rounds = opt.rounds,
            .bulk_bytes = (size_t)opt.bulk_mib << 20,
            .bulk_chunk = BULK_CHUNK,
            .heap_pairs = opt.heap_pairs,
        };
        for (int v = 0; v < BENCH_RESUMES; v++)
            results.resume_status[v] = opt.resume[v] ? BENCH_RESUME_RUN : BENCH_RESUME_OFF;
        results.tls12 = opt.tls12;
        for (int v = 0; v < BENCH_TLS13_ROWS; v++)
            results.tls13[v] = opt.tls13[v];
        results.heap13 = opt.tls13_version && opt.heap_pairs > 0;
        /* 1: measured, but a row asked for by name could not run. */
        rc = run_all(&opt, &certs, &results);
        if (rc >= 0) {
            if (opt.json)
                bench_print_json(&results, stdout);
            else
                bench_print_table(&results, stdout);
        }
    }
    bench_certs_remove(&certs);
    return rc == 0 ? 0 : 1;
}
