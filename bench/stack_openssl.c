/*
 * The OpenSSL libssl side of the benchmark: two SSL_CTXs made once, every connection pair joined
 * by a BIO pair (memory, no sockets), driven with SSL_do_handshake / SSL_write / SSL_read.
 * Configured for exactly the work parley does: TLS 1.2 only, one suite, x25519, the same
 * RSA-PSS signature scheme parley's server picks, client verifying chain and host name, and no
 * session cache or tickets (parley's server keeps no session state yet).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "bench.h"

/* A BIO pair holds one whole 16 KiB record plus header and tag; bulk wants a few in flight. */
#define HANDSHAKE_PIPE_BYTES (17 * 1024)
#define BULK_PIPE_BYTES      (64 * 1024)

typedef struct openssl_stack {
    SSL_CTX *server;
    SSL_CTX *client;
} openssl_stack;

static void report_openssl(const char *what)
{
    unsigned long err = ERR_get_error();
    char text[256] = "no OpenSSL error queued";
    if (err != 0)
        ERR_error_string_n(err, text, sizeof(text));
    fprintf(stderr, "parley-bench: openssl: %s: %s\n", what, text);
    ERR_clear_error();
}

static SSL_CTX *new_context(const SSL_METHOD *method, int release_buffers)
{
    SSL_CTX *ctx = SSL_CTX_new(method);
    if (ctx == NULL)
        return NULL;
    int ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
             SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) == 1 &&
             SSL_CTX_set_cipher_list(ctx, "ECDHE-RSA-AES128-GCM-SHA256") == 1 &&
             SSL_CTX_set1_groups_list(ctx, "X25519") == 1;
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (release_buffers)
        SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static void openssl_teardown(void *opaque)
{
    openssl_stack *st = opaque;
    if (st == NULL)
        return;
    SSL_CTX_free(st->server);
    SSL_CTX_free(st->client);
    free(st);
}

static void *openssl_setup(const bench_certs *certs, int release_buffers)
{
    openssl_stack *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->server = new_context(TLS_server_method(), release_buffers);
    st->client = new_context(TLS_client_method(), release_buffers);
    if (st->server == NULL || st->client == NULL ||
        SSL_CTX_use_certificate_chain_file(st->server, certs->chain_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(st->server, certs->key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(st->server) != 1 ||
        /* parley's server prefers rsa_pss_rsae_sha256 for an RSA key; sign the same way. */
        SSL_CTX_set1_sigalgs_list(st->server, "rsa_pss_rsae_sha256") != 1 ||
        SSL_CTX_load_verify_locations(st->client, certs->ca_file, NULL) != 1) {
        report_openssl("setting up the SSL_CTXs");
        openssl_teardown(st);
        return NULL;
    }
    SSL_CTX_set_verify(st->client, SSL_VERIFY_PEER, NULL);
    return st;
}

static int still_going(SSL *ssl, int rc)
{
    int err = SSL_get_error(ssl, rc);
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
}

/* A new client and server joined by a BIO pair, handshake completed. */
static int connect_pair(openssl_stack *st, size_t pipe_bytes, SSL **client_out, SSL **server_out)
{
    SSL *client = SSL_new(st->client), *server = SSL_new(st->server);
    BIO *client_end = NULL, *server_end = NULL;
    if (client == NULL || server == NULL ||
        BIO_new_bio_pair(&client_end, pipe_bytes, &server_end, pipe_bytes) != 1) {
        report_openssl("SSL_new / BIO_new_bio_pair");
        SSL_free(client);
        SSL_free(server);
        return -1;
    }
    SSL_set_bio(client, client_end, client_end);
    SSL_set_bio(server, server_end, server_end);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    if (SSL_set_tlsext_host_name(client, BENCH_SERVER_NAME) != 1 ||
        SSL_set1_host(client, BENCH_SERVER_NAME) != 1) {
        report_openssl("setting the server name");
        goto fail;
    }
    /* A TLS 1.2 full handshake is two round trips; anything beyond a few turns is a stall. */
    for (int turn = 0; turn < 16; turn++) {
        int client_rc = SSL_do_handshake(client);
        if (client_rc != 1 && !still_going(client, client_rc))
            break;
        int server_rc = SSL_do_handshake(server);
        if (server_rc != 1 && !still_going(server, server_rc))
            break;
        if (client_rc == 1 && server_rc == 1) {
            *client_out = client;
            *server_out = server;
            return 0;
        }
    }
    fprintf(stderr, "parley-bench: openssl handshake failed (verify: %s)\n",
            X509_verify_cert_error_string(SSL_get_verify_result(client)));
    report_openssl("handshake");
fail:
    SSL_free(client);
    SSL_free(server);
    return -1;
}

/* The first connection proves the stack really does the work the benchmark claims. */
static int check_negotiated(SSL *client)
{
    const SSL_CIPHER *cipher = SSL_get_current_cipher(client);
    int sig_nid = NID_undef;
    SSL_get_peer_signature_type_nid(client, &sig_nid);
    if (SSL_version(client) != TLS1_2_VERSION || cipher == NULL ||
        SSL_CIPHER_get_id(cipher) != 0x0300C02FUL ||
        SSL_get_negotiated_group(client) != NID_X25519 || sig_nid != NID_rsassaPss ||
        SSL_get_verify_result(client) != X509_V_OK) {
        fprintf(stderr, "parley-bench: openssl negotiated something other than the benchmark's "
                        "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, x25519, rsa_pss_rsae_sha256\n");
        return -1;
    }
    return 0;
}

static int openssl_handshakes(void *opaque, long count)
{
    openssl_stack *st = opaque;
    for (long i = 0; i < count; i++) {
        SSL *client, *server;
        if (connect_pair(st, HANDSHAKE_PIPE_BYTES, &client, &server) < 0)
            return -1;
        int rc = i == 0 ? check_negotiated(client) : 0;
        SSL_free(client);
        SSL_free(server);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Reads everything the server can decrypt now; returns the bytes read or -1. */
static long drain_server(SSL *server, unsigned char *sink, size_t cap)
{
    long total = 0;
    for (;;) {
        int n = SSL_read(server, sink, (int)cap);
        if (n > 0) {
            total += n;
            continue;
        }
        if (SSL_get_error(server, n) == SSL_ERROR_WANT_READ)
            return total;
        report_openssl("SSL_read");
        return -1;
    }
}

static int openssl_bulk(void *opaque, size_t total, size_t chunk, double *seconds)
{
    openssl_stack *st = opaque;
    SSL *client, *server;
    if (connect_pair(st, BULK_PIPE_BYTES, &client, &server) < 0)
        return -1;
    unsigned char *data = malloc(chunk), *sink = malloc(chunk);
    int rc = data && sink ? 0 : -1;
    if (data)
        memset(data, 0x5a, chunk);
    size_t sent = 0, received = 0;
    double start = bench_now();
    while (rc == 0 && sent < total) {
        size_t len = total - sent < chunk ? total - sent : chunk;
        int n = SSL_write(client, data, (int)len);
        if (n > 0)
            sent += (size_t)n;
        else if (SSL_get_error(client, n) != SSL_ERROR_WANT_WRITE) {
            report_openssl("SSL_write");
            rc = -1;
        }
        long got = rc == 0 ? drain_server(server, sink, chunk) : -1;
        if (got < 0)
            rc = -1;
        else
            received += (size_t)got;
    }
    *seconds = bench_now() - start;
    if (rc == 0 && received != total) {
        fprintf(stderr, "parley-bench: openssl bulk: sent %zu bytes, server read %zu\n", total,
                received);
        rc = -1;
    }
    free(data);
    free(sink);
    SSL_free(client);
    SSL_free(server);
    return rc;
}

static int openssl_idle_heap(void *opaque, int pairs, bench_heap *out)
{
    openssl_stack *st = opaque;
    SSL **clients = calloc((size_t)pairs, sizeof(*clients));
    SSL **servers = calloc((size_t)pairs, sizeof(*servers));
    int made = 0, rc = clients && servers ? 0 : -1;
    double before = bench_heap_in_use();
    for (; rc == 0 && made < pairs; made++) {
        if (connect_pair(st, HANDSHAKE_PIPE_BYTES, &clients[made], &servers[made]) < 0) {
            rc = -1;
            break;
        }
        /* The pipe is the benchmark's transport, not TLS state; a socket BIO would replace it. */
        SSL_set_bio(clients[made], NULL, NULL);
        SSL_set_bio(servers[made], NULL, NULL);
    }
    double with_both = bench_heap_in_use();
    for (int i = 0; i < made; i++)
        SSL_free(clients[i]);
    double servers_only = bench_heap_in_use();
    for (int i = 0; i < made; i++)
        SSL_free(servers[i]);
    free(clients);
    free(servers);
    if (rc == 0) {
        out->server = (servers_only - before) / pairs;
        out->client = (with_both - servers_only) / pairs;
    }
    return rc;
}

const bench_stack bench_openssl = {
    .name = "openssl",
    .setup = openssl_setup,
    .teardown = openssl_teardown,
    .handshakes = openssl_handshakes,
    .bulk = openssl_bulk,
    .idle_heap = openssl_idle_heap,
};
