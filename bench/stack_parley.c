/*
 * The parley side of the benchmark: two parley_configs made once, every connection pair joined
 * by moving parley_take output of one side into parley_feed of the other, in this thread.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "parley.h"

#define SUITE_NAME   "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
#define SUITE_ID     0xC02F
#define SUITE13_NAME "TLS_AES_128_GCM_SHA256"
#define SUITE13_ID   0x1301

/* What a trace of one client connection showed, for the first check of a configuration. */
typedef struct client_trace {
    char scheme[48]; /* the server's signature scheme, from ServerKeyExchange / CertificateVerify */
    int tickets;     /* NewSessionTicket messages received */
} client_trace;

typedef struct parley_stack {
    parley_config *server;
    parley_config *client;
    bench_mode mode;
    parley_session *session; /* the client's, from prime, offered by every resuming client */
    int checked[2];          /* the first check of a full [0] and a resumed [1] pair was made */
    client_trace trace;      /* what the traced connection of that check saw */
} parley_stack;

/* The wire between the two sides: one whole flight or a few records fit at once. Static, like a
 * socket buffer the application already owns; the benchmark runs in one thread. */
static uint8_t wire[64 * 1024];

/* One version only (the default is TLS 1.2 to 1.3), one suite, one group. */
static parley_config *new_config(uint16_t version)
{
    parley_config *cfg = parley_config_new();
    if (cfg == NULL)
        return NULL;
    if (parley_config_set_versions(cfg, version, version) != PARLEY_OK ||
        parley_config_set_ciphers(cfg, version == PARLEY_TLS1_3 ? SUITE13_NAME : SUITE_NAME) !=
            PARLEY_OK ||
        parley_config_set_groups(cfg, "x25519") != PARLEY_OK) {
        fprintf(stderr, "parley-bench: parley config: %s\n", parley_config_error(cfg));
        parley_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static void parley_teardown(void *opaque)
{
    parley_stack *st = opaque;
    if (st == NULL)
        return;
    parley_session_free(st->session);
    parley_config_free(st->server);
    parley_config_free(st->client);
    free(st);
}

static void warn_redis(const char *message, void *arg)
{
    (void)arg;
    fprintf(stderr, "parley-bench: parley: %s\n", message);
}

/* The session state of a mode. Full handshakes: none, so parley does the same work as libssl
 * with its cache and tickets off (by default parley's server keeps every session in its embedded
 * cache and both sides use tickets; in TLS 1.3 the server would send a NewSessionTicket after
 * every handshake). Session IDs: the client asks for no ticket, so the server resumes from its
 * cache (the default embedded one, or Redis). Tickets, TLS 1.2 and 1.3: the defaults of both
 * sides, without the server's cache (a TLS 1.3 server sends one NewSessionTicket per
 * connection, resumed ones included). */
static int set_session_state(parley_stack *st, const bench_setup *setup)
{
    bench_mode mode = setup->mode;
    int tickets = mode == BENCH_MODE_TICKET || mode == BENCH_MODE_TLS13_RESUMED;
    int server_tickets = tickets || mode == BENCH_MODE_ID || mode == BENCH_MODE_REDIS;
    int rc = parley_config_set_session_tickets(st->client, tickets) == PARLEY_OK &&
                     parley_config_set_session_tickets(st->server, server_tickets) == PARLEY_OK
                 ? 0
                 : -1;
    if (rc == 0 && mode != BENCH_MODE_ID && mode != BENCH_MODE_REDIS)
        rc = parley_config_set_session_cache(st->server, NULL) == PARLEY_OK ? 0 : -1;
    if (rc == 0 && setup->mode == BENCH_MODE_REDIS) {
        parley_session_cache *redis =
            parley_session_cache_redis(setup->redis_url, 1000, warn_redis, NULL);
        rc = redis && parley_config_set_session_cache(st->server, redis) == PARLEY_OK ? 0 : -1;
        parley_session_cache_free(redis); /* the configuration holds its own reference */
    }
    return rc;
}

static void *parley_setup(const bench_setup *setup)
{
    /* setup->release_buffers: parley holds no I/O buffer on an idle connection */
    parley_stack *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->mode = setup->mode;
    uint16_t version = (uint16_t)bench_mode_version(setup->mode);
    st->server = new_config(version);
    st->client = new_config(version);
    if (st->server == NULL || st->client == NULL) {
        parley_teardown(st);
        return NULL;
    }
    bench_cert_kind cert = bench_mode_cert(setup->mode);
    if (parley_config_add_certificate(st->server, setup->certs->chain_file[cert],
                                      setup->certs->key_file[cert]) != PARLEY_OK ||
        parley_config_set_ca_file(st->client, setup->certs->ca_file) != PARLEY_OK ||
        parley_config_set_verify(st->client, 1) != PARLEY_OK ||
        (setup->no_verify_cache && parley_config_set_verify_cache(st->client, 0) != PARLEY_OK) ||
        set_session_state(st, setup) < 0) {
        fprintf(stderr, "parley-bench: parley config: %s%s\n", parley_config_error(st->server),
                parley_config_error(st->client));
        parley_teardown(st);
        return NULL;
    }
    return st;
}

/* Moves everything from wants to send into to; -1 if to would not take handshake bytes. */
static int move_handshake_bytes(parley_conn *from, parley_conn *to)
{
    /* Asking parley_output_pending first skips a take of nothing, the common case. */
    while (parley_output_pending(from) > 0) {
        size_t n = parley_take(from, wire, sizeof(wire));
        if (parley_feed(to, wire, n) != n)
            return -1;
    }
    return 0;
}

static void report_failure(parley_conn *client, parley_conn *server)
{
    fprintf(stderr, "parley-bench: parley handshake failed: client: %s / server: %s\n",
            parley_error_message(client), parley_error_message(server));
}

static void trace_client(const parley_trace_event *ev, void *arg)
{
    client_trace *t = arg;
    if (ev->kind != PARLEY_TRACE_MESSAGE || ev->outgoing || ev->content_type != 22)
        return;
    if (ev->handshake_type == 4) /* NewSessionTicket */
        t->tickets++;
    for (size_t i = 0; i < ev->field_count; i++)
        if (strcmp(ev->fields[i].name, "signature_algorithm") == 0)
            snprintf(t->scheme, sizeof(t->scheme), "%s", ev->fields[i].value);
}

/* A new client and server, handshake completed, nothing left in flight. In TLS 1.3 that
 * includes the server's NewSessionTicket (when it sends one), which the client processes as
 * parley_feed hands it the record: it arrives with the server's last handshake output. Until the
 * configuration's first check, the client connection is traced for it. */
static int connect_pair(parley_stack *st, int resume, parley_conn **client_out,
                        parley_conn **server_out)
{
    parley_conn *client = parley_conn_new(st->client, PARLEY_CLIENT);
    parley_conn *server = parley_conn_new(st->server, PARLEY_SERVER);
    if (client == NULL || server == NULL ||
        parley_conn_set_server_name(client, BENCH_SERVER_NAME) != PARLEY_OK ||
        (resume && parley_conn_set_session(client, st->session) != PARLEY_OK)) {
        fprintf(stderr, "parley-bench: parley_conn_new: %s%s\n", parley_config_error(st->client),
                parley_config_error(st->server));
        goto fail;
    }
    if (!st->checked[resume]) {
        st->trace = (client_trace){.tickets = 0};
        parley_conn_set_trace(client, trace_client, &st->trace);
    }
    /* A TLS 1.2 full handshake is two round trips; anything beyond a few turns is a stall. */
    for (int turn = 0; turn < 16; turn++) {
        int client_rc = parley_handshake(client);
        if (client_rc == PARLEY_ERROR || move_handshake_bytes(client, server) < 0)
            break;
        int server_rc = parley_handshake(server);
        if (server_rc == PARLEY_ERROR || move_handshake_bytes(server, client) < 0)
            break;
        if (client_rc == PARLEY_OK && server_rc == PARLEY_OK) {
            if (resume && (!parley_session_resumed(client) || !parley_session_resumed(server))) {
                fprintf(stderr,
                        "parley-bench: parley did a full handshake where the benchmark measures "
                        "resumed ones (resumed: client %d, server %d)\n",
                        parley_session_resumed(client), parley_session_resumed(server));
                goto fail;
            }
            *client_out = client;
            *server_out = server;
            return 0;
        }
    }
    report_failure(client, server);
fail:
    parley_conn_free(client);
    parley_conn_free(server);
    return -1;
}

static int parley_connect(void *opaque, int resume, void **client, void **server)
{
    parley_conn *c, *s;
    if (connect_pair(opaque, resume, &c, &s) < 0)
        return -1;
    *client = c;
    *server = s;
    return 0;
}

static void parley_release(void *conn)
{
    parley_conn_free(conn);
}

/* Version, suite, group (a TLS 1.3 resumption is psk_dhe_ke: it has one too) and a verified
 * peer on every first pair of a batch; the signature scheme and the NewSessionTickets once per
 * configuration, from the traced connection. */
static int parley_check(void *opaque, void *conn, int resume)
{
    parley_stack *st = opaque;
    parley_conn *client = conn;
    int tls13 = bench_mode_version(st->mode) == PARLEY_TLS1_3;
    uint16_t suite = tls13 ? SUITE13_ID : SUITE_ID;
    if (parley_version(client) != bench_mode_version(st->mode) ||
        parley_cipher_suite(client) != suite ||
        ((!resume || tls13) && parley_group(client) != PARLEY_GROUP_X25519) ||
        parley_peer_subject(client)[0] == '\0') {
        fprintf(stderr,
                "parley-bench: parley negotiated %s %s, group %s, peer \"%s\" where the "
                "benchmark wants %s %s with x25519 and a verified peer\n",
                parley_version_name(parley_version(client)),
                parley_cipher_suite_name(parley_cipher_suite(client)),
                parley_group_name(parley_group(client)), parley_peer_subject(client),
                parley_version_name((uint16_t)bench_mode_version(st->mode)),
                parley_cipher_suite_name(suite));
        return -1;
    }
    if (st->checked[resume])
        return 0;
    st->checked[resume] = 1;
    const char *scheme = resume                                        ? ""
                         : bench_mode_cert(st->mode) == BENCH_CERT_RSA ? "rsa_pss_rsae_sha256"
                                                                       : "ecdsa_secp256r1_sha256";
    /* TLS 1.3: one ticket on every connection of the resumption mode, none otherwise. */
    int tickets = st->mode == BENCH_MODE_TLS13_RESUMED;
    if (strcmp(st->trace.scheme, scheme) != 0 || (tls13 && st->trace.tickets != tickets)) {
        fprintf(stderr,
                "parley-bench: parley: the server signed with \"%s\" and the client took %d "
                "NewSessionTicket(s), where the benchmark wants \"%s\"%s\n",
                st->trace.scheme, st->trace.tickets, scheme,
                !tls13    ? ""
                : tickets ? " and exactly one ticket"
                          : " and no ticket");
        return -1;
    }
    return 0;
}

static int parley_prime(void *opaque)
{
    parley_stack *st = opaque;
    parley_conn *client, *server;
    if (connect_pair(st, 0, &client, &server) < 0)
        return -1;
    if (parley_check(st, client, 0) < 0) {
        parley_conn_free(client);
        parley_conn_free(server);
        return -1;
    }
    parley_session_free(st->session);
    st->session = parley_conn_get_session(client);
    parley_conn_free(client);
    parley_conn_free(server);
    if (st->session == NULL) {
        fprintf(stderr, "parley-bench: parley: the server gave no session to resume\n");
        return -1;
    }
    return 0;
}

/* Feeds n wire bytes to the server, reading what it decrypts; returns bytes read or -1. */
static long deliver(parley_conn *server, const uint8_t *bytes, size_t n, uint8_t *sink, size_t cap)
{
    long total = 0;
    size_t off = 0;
    while (off < n) {
        size_t used = parley_feed(server, bytes + off, n - off);
        off += used;
        size_t got;
        int rc, read_any = 0;
        while ((rc = parley_read(server, sink, cap, &got)) == PARLEY_OK) {
            total += (long)got;
            read_any = 1;
        }
        if (rc == PARLEY_ERROR || (used == 0 && !read_any)) {
            fprintf(stderr, "parley-bench: parley bulk: server: %s\n",
                    parley_error_message(server));
            return -1;
        }
    }
    return total;
}

static int parley_bulk(void *opaque, size_t total, size_t chunk, double *seconds)
{
    parley_stack *st = opaque;
    parley_conn *client, *server;
    if (connect_pair(st, 0, &client, &server) < 0)
        return -1;
    uint8_t *data = malloc(chunk), *sink = malloc(chunk);
    int rc = data && sink ? 0 : -1;
    if (data)
        memset(data, 0x5a, chunk);
    size_t sent = 0, received = 0;
    double start = bench_now();
    while (rc == 0 && sent < total) {
        size_t len = total - sent < chunk ? total - sent : chunk, written = 0;
        if (parley_write(client, data, len, &written) != PARLEY_OK) {
            fprintf(stderr, "parley-bench: parley_write: %s\n", parley_error_message(client));
            rc = -1;
        }
        sent += written;
        while (rc == 0 && parley_output_pending(client) > 0) {
            size_t n = parley_take(client, wire, sizeof(wire));
            long got = deliver(server, wire, n, sink, chunk);
            if (got < 0)
                rc = -1;
            else
                received += (size_t)got;
        }
    }
    *seconds = bench_now() - start;
    if (rc == 0 && received != total) {
        fprintf(stderr, "parley-bench: parley bulk: sent %zu bytes, server read %zu\n", total,
                received);
        rc = -1;
    }
    free(data);
    free(sink);
    parley_conn_free(client);
    parley_conn_free(server);
    return rc;
}

const bench_stack bench_parley = {
    .name = "parley",
    .setup = parley_setup,
    .teardown = parley_teardown,
    .prime = parley_prime,
    .connect = parley_connect,
    .check = parley_check,
    .release = parley_release,
    .detach = NULL,
    .bulk = parley_bulk,
};
