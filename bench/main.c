/*
 * parley-bench: handshake rate, bulk throughput and idle heap of parley against OpenSSL's
 * libssl, in one process on one libcrypto, runs interleaved so drift hits both stacks alike.
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
#define BULK_CHUNK        (16 * 1024)

typedef struct options {
    const char *certs_dir;
    long handshakes;
    long bulk_mib;
    int rounds;
    int heap_pairs;
    int json;
    const char *callgrind_stack;
} options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: parley-bench [--certs DIR] [--handshakes N] [--bulk-mib N] [--rounds R]\n"
            "                    [--heap-conns K] [--json] [--callgrind-one parley|openssl]\n"
            "\n"
            "Compares parley with OpenSSL libssl in memory, same libcrypto and certificate:\n"
            "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 over x25519, client verifies the server.\n"
            "  --certs DIR        server-rsa.pem, server-rsa.key, ca-bundle.pem from DIR\n"
            "                     (default: a throwaway RSA-2048 CA and certificate)\n"
            "  --handshakes N     full handshakes per stack per round (default 2000; 0 skips)\n"
            "  --bulk-mib N       MiB sent client to server per stack per round (default 64)\n"
            "  --rounds R         interleaved rounds; medians are reported (default 3)\n"
            "  --heap-conns K     idle connection pairs for the heap measure (default 200)\n"
            "  --json             print the results as JSON\n"
            "  --callgrind-one S  set up, warm up, then run exactly one handshake of stack S\n"
            "                     with callgrind instrumentation on around it only\n");
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

static int parse_options(int argc, char **argv, options *opt)
{
    *opt = (options){.handshakes = 2000, .bulk_mib = 64, .rounds = 3, .heap_pairs = 200};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(arg, "--json") == 0) {
            opt->json = 1;
            continue;
        } else if (strcmp(arg, "--certs") == 0 && value) {
            opt->certs_dir = value;
        } else if (strcmp(arg, "--callgrind-one") == 0 && value) {
            if (strcmp(value, "parley") != 0 && strcmp(value, "openssl") != 0) {
                fprintf(stderr, "parley-bench: --callgrind-one takes parley or openssl\n");
                return -1;
            }
            opt->callgrind_stack = value;
        } else if (strcmp(arg, "--handshakes") == 0) {
            if (parse_count(arg, value, 0, 100000000, &opt->handshakes) < 0)
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
    return 0;
}

/* Not inlined, so `valgrind --tool=callgrind --toggle-collect=measured_handshake` also works. */
__attribute__((noinline)) static int measured_handshake(const bench_stack *stack, void *ctx)
{
    CALLGRIND_START_INSTRUMENTATION;
    int rc = stack->handshakes(ctx, 1);
    CALLGRIND_STOP_INSTRUMENTATION;
    return rc;
}

static int run_callgrind_one(const bench_stack *stack, const bench_certs *certs)
{
    void *ctx = stack->setup(certs, 0);
    if (ctx == NULL)
        return -1;
    int rc = stack->handshakes(ctx, 2);
    if (rc == 0)
        rc = measured_handshake(stack, ctx);
    stack->teardown(ctx);
    if (rc == 0)
        fprintf(stderr, "parley-bench: one %s handshake pair measured\n", stack->name);
    return rc;
}

static int run_handshakes(const bench_stack *stack, void *ctx, long count, double *rate)
{
    double start = bench_now();
    if (stack->handshakes(ctx, count) < 0)
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

static int run_rounds(const bench_stack *const stacks[BENCH_STACKS], void *const ctx[BENCH_STACKS],
                      bench_results *r)
{
    for (int s = 0; s < BENCH_STACKS; s++) {
        double ignored;
        if (stacks[s]->handshakes(ctx[s], WARMUP_HANDSHAKES) < 0 ||
            (r->bulk_bytes > 0 && run_bulk(stacks[s], ctx[s], 1 << 20, &ignored) < 0))
            return -1;
    }
    for (int round = 0; round < r->rounds; round++) {
        /* Alternate who goes first, so neither always runs on a warmer or cooler machine. */
        for (int k = 0; k < BENCH_STACKS; k++) {
            int s = (round + k) % BENCH_STACKS;
            if (r->handshakes > 0 &&
                run_handshakes(stacks[s], ctx[s], r->handshakes, &r->handshake_rate[s][round]) < 0)
                return -1;
        }
        for (int k = 0; k < BENCH_STACKS; k++) {
            int s = (round + k) % BENCH_STACKS;
            if (r->bulk_bytes > 0 &&
                run_bulk(stacks[s], ctx[s], r->bulk_bytes, &r->bulk_rate[s][round]) < 0)
                return -1;
        }
    }
    for (int s = 0; s < BENCH_STACKS; s++) {
        double sorted[BENCH_MAX_ROUNDS];
        memcpy(sorted, r->handshake_rate[s], sizeof(sorted));
        r->handshake_median[s] = r->handshakes > 0 ? bench_median(sorted, (size_t)r->rounds) : 0;
        memcpy(sorted, r->bulk_rate[s], sizeof(sorted));
        r->bulk_median[s] = r->bulk_bytes > 0 ? bench_median(sorted, (size_t)r->rounds) : 0;
    }
    return 0;
}

static int run_heap(const bench_stack *const stacks[BENCH_STACKS], void *const ctx[BENCH_STACKS],
                    const bench_certs *certs, bench_results *r)
{
    if (bench_heap_in_use() < 0) {
        fprintf(stderr, "parley-bench: no glibc mallinfo2 heap counters here; heap not measured\n");
        r->heap_pairs = 0;
        return 0;
    }
    for (int s = 0; s < BENCH_STACKS; s++)
        if (stacks[s]->handshakes(ctx[s], 2) < 0 ||
            stacks[s]->idle_heap(ctx[s], r->heap_pairs, &r->heap[s]) < 0)
            return -1;
    void *release = bench_openssl.setup(certs, 1);
    int rc = release && bench_openssl.handshakes(release, 2) == 0 &&
                     bench_openssl.idle_heap(release, r->heap_pairs, &r->openssl_release_heap) == 0
                 ? 0
                 : -1;
    bench_openssl.teardown(release);
    return rc;
}

static int run_all(const bench_certs *certs, bench_results *r)
{
    const bench_stack *const stacks[BENCH_STACKS] = {&bench_parley, &bench_openssl};
    void *ctx[BENCH_STACKS] = {NULL, NULL};
    int rc = -1;
    for (int s = 0; s < BENCH_STACKS; s++)
        if ((ctx[s] = stacks[s]->setup(certs, 0)) == NULL)
            goto done;
    if (run_rounds(stacks, ctx, r) < 0)
        goto done;
    if (r->heap_pairs > 0 && run_heap(stacks, ctx, certs, r) < 0)
        goto done;
    rc = 0;
done:
    for (int s = 0; s < BENCH_STACKS; s++)
        if (ctx[s])
            stacks[s]->teardown(ctx[s]);
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
        rc = run_callgrind_one(
            strcmp(opt.callgrind_stack, "parley") == 0 ? &bench_parley : &bench_openssl, &certs);
    } else {
        static bench_results results;
        results = (bench_results){
            .cert_source = opt.certs_dir ? opt.certs_dir : "generated",
            .handshakes = opt.handshakes,
            .rounds = opt.rounds,
            .bulk_bytes = (size_t)opt.bulk_mib << 20,
            .bulk_chunk = BULK_CHUNK,
            .heap_pairs = opt.heap_pairs,
        };
        rc = run_all(&certs, &results);
        if (rc == 0) {
            if (opt.json)
                bench_print_json(&results, stdout);
            else
                bench_print_table(&results, stdout);
        }
    }
    bench_certs_remove(&certs);
    return rc == 0 ? 0 : 1;
}
