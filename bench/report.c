/* The benchmark's results as a table for people and as JSON for scripts. */
#include <stdio.h>

#include "bench.h"

static const char *const stack_names[BENCH_STACKS] = {"parley", "openssl"};

static double ratio(double parley, double openssl)
{
    return openssl > 0 ? parley / openssl : 0;
}

static int resume_ran(const bench_results *r, int variant)
{
    return r->tls12 && r->resumed > 0 && r->resume_status[variant] == BENCH_RESUME_RUN;
}

static int tls13_ran(const bench_results *r, int row)
{
    return r->tls13[row] &&
           (bench_mode_resumes((bench_mode)(BENCH_FIRST_TLS13 + row)) ? r->resumed
                                                                      : r->handshakes) > 0;
}

static int heap12_ran(const bench_results *r)
{
    return r->tls12 && r->heap_pairs > 0;
}

static void print_heap_rows(FILE *out, const char *version, const bench_heap heap[BENCH_STACKS],
                            const bench_heap *rel)
{
    const bench_heap *p = &heap[BENCH_PARLEY], *o = &heap[BENCH_OPENSSL];
    char label[64];
    snprintf(label, sizeof(label), "%sheap bytes per idle server connection", version);
    fprintf(out, "%-52s %12.0f %12.0f %8.2f\n", label, p->server, o->server,
            ratio(p->server, o->server));
    snprintf(label, sizeof(label), "%sheap bytes per idle client connection", version);
    fprintf(out, "%-52s %12.0f %12.0f %8.2f\n", label, p->client, o->client,
            ratio(p->client, o->client));
    fprintf(out, "%-52s %12s %12.0f %8.2f\n", "  openssl RELEASE_BUFFERS: server", "", rel->server,
            ratio(p->server, rel->server));
    fprintf(out, "%-52s %12s %12.0f %8.2f\n", "  openssl RELEASE_BUFFERS: client", "", rel->client,
            ratio(p->client, rel->client));
}

static void print_rounds(FILE *out, const char *label,
                         const double rates[BENCH_STACKS][BENCH_MAX_ROUNDS], int rounds)
{
    for (int s = 0; s < BENCH_STACKS; s++) {
        fprintf(out, "  %-10s %-8s", label, stack_names[s]);
        for (int i = 0; i < rounds; i++)
            fprintf(out, " %10.1f", rates[s][i]);
        fputc('\n', out);
    }
}

void bench_print_table(const bench_results *r, FILE *out)
{
    fprintf(out,
            "parley-bench: TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, x25519, rsa_pss_rsae_sha256, "
            "RSA-2048 server certificate; TLS 1.3 TLS_AES_128_GCM_SHA256, x25519, "
            "rsa_pss_rsae_sha256 (RSA-2048) or ecdsa_secp256r1_sha256 (P-256) (certificates: "
            "%s); client verifies chain and name\n",
            r->cert_source);
    fprintf(out,
            "%ld full and %ld resumed handshakes (each variant) and %zu MiB in %zu KiB writes per "
            "stack per round, %d rounds\n\n",
            r->handshakes, r->resumed, r->bulk_bytes >> 20, r->bulk_chunk >> 10, r->rounds);
    int bulk = r->tls12 && r->bulk_bytes > 0;
    if (r->handshakes > 0 || r->resumed > 0 || bulk) {
        fprintf(out, "per round:\n");
        if (r->tls12 && r->handshakes > 0)
            print_rounds(out, "hs/s", r->handshake_rate, r->rounds);
        for (int v = 0; v < BENCH_RESUMES; v++)
            if (resume_ran(r, v)) {
                char label[32];
                snprintf(label, sizeof(label), "%s/s", bench_mode_name(BENCH_FIRST_RESUME + v));
                print_rounds(out, label, r->resume_rate[v], r->rounds);
            }
        for (int v = 0; v < BENCH_TLS13_ROWS; v++)
            if (tls13_ran(r, v)) {
                char label[32];
                /* "tls13-rsa" prints as "13-rsa/s" */
                snprintf(label, sizeof(label), "%s/s", bench_mode_name(BENCH_FIRST_TLS13 + v) + 3);
                print_rounds(out, label, r->tls13_rate[v], r->rounds);
            }
        if (bulk)
            print_rounds(out, "MB/s", r->bulk_rate, r->rounds);
        fputc('\n', out);
    }
    fprintf(out, "%-52s %12s %12s %8s\n", "metric", "parley", "openssl", "ratio");
    if (r->tls12 && r->handshakes > 0)
        fprintf(out, "%-52s %12.1f %12.1f %8.2f\n", "full handshakes/s (median)",
                r->handshake_median[BENCH_PARLEY], r->handshake_median[BENCH_OPENSSL],
                ratio(r->handshake_median[BENCH_PARLEY], r->handshake_median[BENCH_OPENSSL]));
    for (int v = 0; r->tls12 && r->resumed > 0 && v < BENCH_RESUMES; v++) {
        char label[64];
        snprintf(label, sizeof(label), "%s (median)", bench_mode_title(BENCH_FIRST_RESUME + v));
        if (resume_ran(r, v))
            fprintf(out, "%-52s %12.1f %12.1f %8.2f\n", label, r->resume_median[v][BENCH_PARLEY],
                    r->resume_median[v][BENCH_OPENSSL],
                    ratio(r->resume_median[v][BENCH_PARLEY], r->resume_median[v][BENCH_OPENSSL]));
        else if (r->resume_status[v] == BENCH_RESUME_NO_REDIS)
            fprintf(out, "%-52s %s\n", label, "not run: redis-server missing");
    }
    for (int v = 0; v < BENCH_TLS13_ROWS; v++) {
        char label[64];
        snprintf(label, sizeof(label), "%s (median)", bench_mode_title(BENCH_FIRST_TLS13 + v));
        if (tls13_ran(r, v))
            fprintf(out, "%-52s %12.1f %12.1f %8.2f\n", label, r->tls13_median[v][BENCH_PARLEY],
                    r->tls13_median[v][BENCH_OPENSSL],
                    ratio(r->tls13_median[v][BENCH_PARLEY], r->tls13_median[v][BENCH_OPENSSL]));
    }
    if (bulk)
        fprintf(out, "%-52s %12.1f %12.1f %8.2f\n", "bulk MB/s client->server (median)",
                r->bulk_median[BENCH_PARLEY], r->bulk_median[BENCH_OPENSSL],
                ratio(r->bulk_median[BENCH_PARLEY], r->bulk_median[BENCH_OPENSSL]));
    if (heap12_ran(r))
        print_heap_rows(out, "", r->heap, &r->openssl_release_heap);
    if (r->heap13)
        print_heap_rows(out, "TLS 1.3 ", r->heap13_stack, &r->openssl_release_heap13);
    fputc('\n', out);
    if (r->tls12 && r->handshakes > 0)
        fprintf(out, "handshake ratio parley/openssl: %.2f\n",
                ratio(r->handshake_median[BENCH_PARLEY], r->handshake_median[BENCH_OPENSSL]));
    for (int v = 0; v < BENCH_RESUMES; v++)
        if (resume_ran(r, v))
            fprintf(out, "resumed (%s) ratio parley/openssl: %.2f\n",
                    bench_mode_name(BENCH_FIRST_RESUME + v),
                    ratio(r->resume_median[v][BENCH_PARLEY], r->resume_median[v][BENCH_OPENSSL]));
    for (int v = 0; v < BENCH_TLS13_ROWS; v++)
        if (tls13_ran(r, v))
            fprintf(out, "TLS 1.3 %s ratio parley/openssl: %.2f\n",
                    bench_mode_name(BENCH_FIRST_TLS13 + v) + 6,
                    ratio(r->tls13_median[v][BENCH_PARLEY], r->tls13_median[v][BENCH_OPENSSL]));
    if (bulk)
        fprintf(out, "bulk ratio parley/openssl: %.2f\n",
                ratio(r->bulk_median[BENCH_PARLEY], r->bulk_median[BENCH_OPENSSL]));
    if (heap12_ran(r)) {
        double parley = r->heap[BENCH_PARLEY].server + r->heap[BENCH_PARLEY].client;
        double openssl = r->heap[BENCH_OPENSSL].server + r->heap[BENCH_OPENSSL].client;
        fprintf(out, "heap ratio parley/openssl (openssl default mode): %.2f\n",
                ratio(parley, openssl));
    }
    if (r->heap13) {
        double parley = r->heap13_stack[BENCH_PARLEY].server + r->heap13_stack[BENCH_PARLEY].client;
        double openssl =
            r->heap13_stack[BENCH_OPENSSL].server + r->heap13_stack[BENCH_OPENSSL].client;
        fprintf(out, "TLS 1.3 heap ratio parley/openssl (openssl default mode): %.2f\n",
                ratio(parley, openssl));
    }
}

static void print_json_list(FILE *out, const double *values, int n)
{
    fputc('[', out);
    for (int i = 0; i < n; i++)
        fprintf(out, "%s%.3f", i ? ", " : "", values[i]);
    fputc(']', out);
}

static void print_json_heap(FILE *out, const char *key, const bench_heap *heap)
{
    fprintf(out, "\"%s\": {\"server\": %.1f, \"client\": %.1f}", key, heap->server, heap->client);
}

void bench_print_json(const bench_results *r, FILE *out)
{
    fprintf(out, "{\n  \"protocol\": \"TLSv1.2\",\n");
    fprintf(out, "  \"suite\": \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\n");
    fprintf(out, "  \"group\": \"x25519\",\n  \"signature\": \"rsa_pss_rsae_sha256\",\n");
    fprintf(out, "  \"tls13\": {\"protocol\": \"TLSv1.3\", \"suite\": \"TLS_AES_128_GCM_SHA256\", "
                 "\"group\": \"x25519\", \"signature\": {\"tls13-rsa\": \"rsa_pss_rsae_sha256\", "
                 "\"tls13-ecdsa\": \"ecdsa_secp256r1_sha256\"}, \"psk_mode\": \"psk_dhe_ke\"},\n");
    fprintf(out, "  \"tls12_run\": %s,\n", r->tls12 ? "true" : "false");
    fprintf(out, "  \"certificates\": \"%s\",\n", r->cert_source);
    fprintf(out, "  \"handshakes\": %ld,\n  \"resumed\": %ld,\n  \"rounds\": %d,\n", r->handshakes,
            r->resumed, r->rounds);
    fprintf(out, "  \"bulk_bytes\": %zu,\n  \"bulk_chunk\": %zu,\n", r->bulk_bytes, r->bulk_chunk);
    fprintf(out, "  \"heap_pairs\": %d,\n", r->heap_pairs);
    for (int s = 0; s < BENCH_STACKS; s++) {
        fprintf(out, "  \"%s\": {\n    \"handshakes_per_s\": ", stack_names[s]);
        print_json_list(out, r->handshake_rate[s], r->tls12 && r->handshakes > 0 ? r->rounds : 0);
        fprintf(out, ",\n    \"handshakes_per_s_median\": %.3f,\n", r->handshake_median[s]);
        fprintf(out, "    \"bulk_mb_per_s\": ");
        print_json_list(out, r->bulk_rate[s], r->tls12 && r->bulk_bytes > 0 ? r->rounds : 0);
        fprintf(out, ",\n    \"bulk_mb_per_s_median\": %.3f,\n", r->bulk_median[s]);
        for (int v = 0; v < BENCH_RESUMES; v++) {
            const char *name = bench_mode_name(BENCH_FIRST_RESUME + v);
            fprintf(out, "    \"resumed_%s_per_s\": ", name);
            print_json_list(out, r->resume_rate[v][s], resume_ran(r, v) ? r->rounds : 0);
            fprintf(out, ",\n    \"resumed_%s_per_s_median\": %.3f,\n", name,
                    r->resume_median[v][s]);
        }
        for (int v = 0; v < BENCH_TLS13_ROWS; v++) {
            const char *name = bench_mode_name(BENCH_FIRST_TLS13 + v);
            fprintf(out, "    \"%s_per_s\": ", name);
            print_json_list(out, r->tls13_rate[v][s], tls13_ran(r, v) ? r->rounds : 0);
            fprintf(out, ",\n    \"%s_per_s_median\": %.3f,\n", name, r->tls13_median[v][s]);
        }
        fputs("    ", out);
        print_json_heap(out, "heap_bytes_per_connection", &r->heap[s]);
        fputs(",\n    ", out);
        print_json_heap(out, "tls13_heap_bytes_per_connection", &r->heap13_stack[s]);
        fprintf(out, "\n  },\n");
    }
    fprintf(out, "  \"openssl_release_buffers\": {");
    print_json_heap(out, "heap_bytes_per_connection", &r->openssl_release_heap);
    fputs(", ", out);
    print_json_heap(out, "tls13_heap_bytes_per_connection", &r->openssl_release_heap13);
    fprintf(out, "},\n  \"resume_not_run\": {");
    for (int v = 0, n = 0; v < BENCH_RESUMES; v++)
        if (r->resume_status[v] == BENCH_RESUME_NO_REDIS)
            fprintf(out, "%s\"%s\": \"redis-server missing\"", n++ ? ", " : "",
                    bench_mode_name(BENCH_FIRST_RESUME + v));
    fprintf(out, "},\n  \"ratios\": {");
    for (int v = 0; v < BENCH_RESUMES; v++)
        fprintf(out, "\"resumed_%s\": %.4f, ", bench_mode_name(BENCH_FIRST_RESUME + v),
                ratio(r->resume_median[v][BENCH_PARLEY], r->resume_median[v][BENCH_OPENSSL]));
    for (int v = 0; v < BENCH_TLS13_ROWS; v++)
        fprintf(out, "\"%s\": %.4f, ", bench_mode_name(BENCH_FIRST_TLS13 + v),
                ratio(r->tls13_median[v][BENCH_PARLEY], r->tls13_median[v][BENCH_OPENSSL]));
    fprintf(out, "\"tls13_heap\": %.4f, ",
            ratio(r->heap13_stack[BENCH_PARLEY].server + r->heap13_stack[BENCH_PARLEY].client,
                  r->heap13_stack[BENCH_OPENSSL].server + r->heap13_stack[BENCH_OPENSSL].client));
    fprintf(out, "\"handshake\": %.4f, \"bulk\": %.4f, \"heap\": %.4f}\n}\n",
            ratio(r->handshake_median[BENCH_PARLEY], r->handshake_median[BENCH_OPENSSL]),
            ratio(r->bulk_median[BENCH_PARLEY], r->bulk_median[BENCH_OPENSSL]),
            ratio(r->heap[BENCH_PARLEY].server + r->heap[BENCH_PARLEY].client,
                  r->heap[BENCH_OPENSSL].server + r->heap[BENCH_OPENSSL].client));
}
