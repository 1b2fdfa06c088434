/*
 * The OpenSSL libssl side of the benchmark: two SSL_CTXs made once, every connection pair joined
 * by a BIO pair (memory, no sockets), driven with SSL_do_handshake / SSL_write / SSL_read.
 * Configured for exactly the work parley does: one version only (TLS 1.2 or 1.3), one suite,
 * x25519, the same signature scheme parley's server picks (rsa_pss_rsae_sha256 for the RSA
 * certificate, ecdsa_secp256r1_sha256 for the ECDSA one), client verifying chain and host name.
 * Full handshakes run with no session cache and no tickets; the resumption modes turn on the
 * server's session cache (internal, or external in Redis through the new/get/remove callbacks)
 * or tickets (in TLS 1.3 exactly one per connection, as parley's server sends).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <hiredis/hiredis.h>

#include "bench.h"

/* A BIO pair holds one whole 16 KiB record plus header and tag; bulk wants a few in flight. */
#define HANDSHAKE_PIPE_BYTES (17 * 1024)
#define BULK_PIPE_BYTES      (64 * 1024)

#define REDIS_PREFIX "openssl:session:" /* parley's cache uses "parley:session:" */
#define REDIS_ID_MAX SSL_MAX_SSL_SESSION_ID_LENGTH

typedef struct openssl_stack {
    SSL_CTX *server;
    SSL_CTX *client;
    bench_mode mode;
    SSL_SESSION *session; /* the client's, from prime, offered by every resuming client */
    redisContext *redis;  /* BENCH_MODE_REDIS: the server's external session cache */
    int checked[2];       /* the first check of a full [0] and a resumed [1] pair was made */
    int tickets_seen;     /* NewSessionTickets the client connection watched for it received */
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

/* One version only, one suite (TLS 1.2: the cipher list; TLS 1.3: the ciphersuites), x25519. */
static SSL_CTX *new_context(const SSL_METHOD *method, int release_buffers, int version)
{
    SSL_CTX *ctx = SSL_CTX_new(method);
    if (ctx == NULL)
        return NULL;
    int ok = SSL_CTX_set_min_proto_version(ctx, version) == 1 &&
             SSL_CTX_set_max_proto_version(ctx, version) == 1 &&
             (version == TLS1_3_VERSION
                  ? SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") == 1
                  : SSL_CTX_set_cipher_list(ctx, "ECDHE-RSA-AES128-GCM-SHA256") == 1) &&
             SSL_CTX_set1_groups_list(ctx, "X25519") == 1;
    if (release_buffers)
        SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* ---- the server's session cache in Redis: what parley_session_cache_redis does, through
 * OpenSSL's external cache callbacks, so both stacks pay the same round trips (one SET per full
 * handshake, one GET per resumption). Keys are the prefix and the session ID in hex. */

static size_t redis_key(char *out, const unsigned char *id, size_t id_len)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = sizeof(REDIS_PREFIX) - 1;
    memcpy(out, REDIS_PREFIX, n);
    for (size_t i = 0; i < id_len; i++) {
        out[n++] = hex[id[i] >> 4];
        out[n++] = hex[id[i] & 15];
    }
    out[n] = '\0';
    return n;
}

static redisContext *redis_of(SSL *ssl)
{
    const openssl_stack *st = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    return st->redis;
}

static int redis_new_session(SSL *ssl, SSL_SESSION *session)
{
    unsigned int id_len;
    const unsigned char *id = SSL_SESSION_get_id(session, &id_len);
    int der_len = i2d_SSL_SESSION(session, NULL);
    unsigned char *der = der_len > 0 ? malloc((size_t)der_len) : NULL;
    if (der != NULL && id_len > 0 && id_len <= REDIS_ID_MAX) {
        unsigned char *p = der;
        i2d_SSL_SESSION(session, &p);
        char key[sizeof(REDIS_PREFIX) + 2 * REDIS_ID_MAX];
        size_t key_len = redis_key(key, id, id_len);
        redisReply *reply = redisCommand(redis_of(ssl), "SET %b %b EX %ld", key, key_len, der,
                                         (size_t)der_len, (long)SSL_SESSION_get_timeout(session));
        if (reply == NULL || reply->type != REDIS_REPLY_STATUS)
            fprintf(stderr, "parley-bench: openssl: Redis SET failed\n");
        freeReplyObject(reply);
        OPENSSL_cleanse(der, (size_t)der_len);
    }
    free(der);
    return 0; /* no reference kept: OpenSSL frees its own */
}

static SSL_SESSION *redis_get_session(SSL *ssl, const unsigned char *id, int id_len, int *copy)
{
    *copy = 0; /* the session returned is OpenSSL's to free */
    if (id_len <= 0 || id_len > REDIS_ID_MAX)
        return NULL;
    char key[sizeof(REDIS_PREFIX) + 2 * REDIS_ID_MAX];
    size_t key_len = redis_key(key, id, (size_t)id_len);
    redisReply *reply = redisCommand(redis_of(ssl), "GET %b", key, key_len);
    SSL_SESSION *session = NULL;
    if (reply != NULL && reply->type == REDIS_REPLY_STRING) {
        const unsigned char *p = (const unsigned char *)reply->str;
        session = d2i_SSL_SESSION(NULL, &p, (long)reply->len);
        OPENSSL_cleanse(reply->str, reply->len);
    }
    freeReplyObject(reply);
    return session;
}

static void redis_remove_session(SSL_CTX *ctx, SSL_SESSION *session)
{
    const openssl_stack *st = SSL_CTX_get_app_data(ctx);
    unsigned int id_len;
    const unsigned char *id = SSL_SESSION_get_id(session, &id_len);
    if (id_len == 0 || id_len > REDIS_ID_MAX)
        return;
    char key[sizeof(REDIS_PREFIX) + 2 * REDIS_ID_MAX];
    size_t key_len = redis_key(key, id, id_len);
    freeReplyObject(redisCommand(st->redis, "DEL %b", key, key_len));
}

static int connect_redis(openssl_stack *st, const char *url)
{
    int port = 0;
    struct timeval timeout = {1, 0}; /* parley's cache is given the same 1000 ms */
    if (url == NULL || sscanf(url, "redis://127.0.0.1:%d", &port) != 1)
        return -1;
    st->redis = redisConnectWithTimeout("127.0.0.1", port, timeout);
    if (st->redis == NULL || st->redis->err != 0 || redisSetTimeout(st->redis, timeout) != 0) {
        fprintf(stderr, "parley-bench: openssl: cannot reach Redis at %s: %s\n", url,
                st->redis ? st->redis->errstr : "out of memory");
        return -1;
    }
    SSL_CTX_set_app_data(st->server, st);
    SSL_CTX_set_session_cache_mode(st->server, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(st->server, redis_new_session);
    SSL_CTX_sess_set_get_cb(st->server, redis_get_session);
    SSL_CTX_sess_set_remove_cb(st->server, redis_remove_session);
    return 0;
}

/* The session state of a mode: none for full handshakes; the internal server cache without
 * tickets; tickets (the default) without a server cache; the external cache in Redis without
 * tickets. The client keeps its session itself (prime), so its own cache stays off. TLS 1.3:
 * a server sends SSL_CTX_set_num_tickets tickets (default 2) after every handshake whatever
 * SSL_OP_NO_TICKET says (it only makes them stateful); parley's sends one, or none with tickets
 * off. */
static int set_session_state(openssl_stack *st, const bench_setup *setup)
{
    int tickets = setup->mode == BENCH_MODE_TICKET || setup->mode == BENCH_MODE_TLS13_RESUMED;
    SSL_CTX_set_session_cache_mode(st->client, SSL_SESS_CACHE_OFF);
    if (!tickets) {
        SSL_CTX_set_options(st->server, SSL_OP_NO_TICKET);
        SSL_CTX_set_options(st->client, SSL_OP_NO_TICKET);
    }
    if (bench_mode_version(setup->mode) == TLS1_3_VERSION &&
        SSL_CTX_set_num_tickets(st->server, tickets ? 1 : 0) != 1)
        return -1;
    switch (setup->mode) {
    case BENCH_MODE_ID:
        SSL_CTX_set_session_cache_mode(st->server, SSL_SESS_CACHE_SERVER);
        return 0;
    case BENCH_MODE_REDIS:
        return connect_redis(st, setup->redis_url);
    default:
        SSL_CTX_set_session_cache_mode(st->server, SSL_SESS_CACHE_OFF);
        return 0;
    }
}

static void openssl_teardown(void *opaque)
{
    openssl_stack *st = opaque;
    if (st == NULL)
        return;
    SSL_SESSION_free(st->session);
    SSL_CTX_free(st->server);
    SSL_CTX_free(st->client);
    redisFree(st->redis);
    free(st);
}

static void *openssl_setup(const bench_setup *setup)
{
    const bench_certs *certs = setup->certs;
    openssl_stack *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->mode = setup->mode;
    int version = (int)bench_mode_version(setup->mode);
    bench_cert_kind cert = bench_mode_cert(setup->mode);
    st->server = new_context(TLS_server_method(), setup->release_buffers, version);
    st->client = new_context(TLS_client_method(), setup->release_buffers, version);
    if (st->server == NULL || st->client == NULL ||
        SSL_CTX_use_certificate_chain_file(st->server, certs->chain_file[cert]) != 1 ||
        SSL_CTX_use_PrivateKey_file(st->server, certs->key_file[cert], SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(st->server) != 1 ||
        /* parley's server prefers rsa_pss_rsae_sha256 for an RSA key (and ECDSA's one scheme for
         * a P-256 key); sign the same way. */
        SSL_CTX_set1_sigalgs_list(st->server, cert == BENCH_CERT_RSA
                                                  ? "rsa_pss_rsae_sha256"
                                                  : "ecdsa_secp256r1_sha256") != 1 ||
        SSL_CTX_load_verify_locations(st->client, certs->ca_file, NULL) != 1) {
        report_openssl("setting up the SSL_CTXs");
        openssl_teardown(st);
        return NULL;
    }
    if (set_session_state(st, setup) < 0) {
        report_openssl("setting up the session state");
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

/* Frees a connection as after a clean close: OpenSSL removes the session of a connection freed
 * without one from the cache and makes it unresumable, which a real server would not see for a
 * connection that ended well. Marked, not sent, since the benchmark measures handshakes. */
static void release_ssl(SSL *ssl)
{
    if (ssl != NULL)
        SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl);
}

/* Counts the NewSessionTickets a client connection receives. */
static void watch_tickets(int write_p, int version, int content_type, const void *buf, size_t len,
                          SSL *ssl, void *arg)
{
    (void)version;
    (void)ssl;
    openssl_stack *st = arg;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
        ((const unsigned char *)buf)[0] == SSL3_MT_NEWSESSION_TICKET)
        st->tickets_seen++;
}

/* TLS 1.3: the server's NewSessionTicket comes after the handshake and SSL_do_handshake has
 * already returned 1 on the client, which would leave the ticket unread. A client reads it with
 * its first SSL_read; parley's client processes it as it is fed. So read here: nothing but the
 * ticket is there, and SSL_read says so with SSL_ERROR_WANT_READ. */
static int read_tickets(SSL *client)
{
    unsigned char byte;
    int n = SSL_read(client, &byte, 1);
    if (n <= 0 && SSL_get_error(client, n) == SSL_ERROR_WANT_READ)
        return 0;
    fprintf(stderr, "parley-bench: openssl: %s after a TLS 1.3 handshake\n",
            n > 0 ? "application data" : "SSL_read failed");
    report_openssl("SSL_read");
    return -1;
}

/* A new client and server joined by a BIO pair, handshake completed (TLS 1.3: and the tickets
 * read by the client). Until the configuration's first check, the client's received messages are
 * watched for NewSessionTickets. */
static int connect_pair(openssl_stack *st, size_t pipe_bytes, int resume, SSL **client_out,
                        SSL **server_out)
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
    if (!st->checked[resume]) {
        st->tickets_seen = 0;
        SSL_set_msg_callback(client, watch_tickets);
        SSL_set_msg_callback_arg(client, st);
    }
    if (SSL_set_tlsext_host_name(client, BENCH_SERVER_NAME) != 1 ||
        SSL_set1_host(client, BENCH_SERVER_NAME) != 1 ||
        (resume && SSL_set_session(client, st->session) != 1)) {
        report_openssl("setting the server name or the session");
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
            if (resume && (!SSL_session_reused(client) || !SSL_session_reused(server))) {
                fprintf(stderr,
                        "parley-bench: openssl did a full handshake where the benchmark measures "
                        "resumed ones (reused: client %d, server %d)\n",
                        SSL_session_reused(client), SSL_session_reused(server));
                goto fail;
            }
            if (bench_mode_version(st->mode) == TLS1_3_VERSION && read_tickets(client) < 0)
                goto fail;
            *client_out = client;
            *server_out = server;
            return 0;
        }
    }
    fprintf(stderr, "parley-bench: openssl handshake failed (verify: %s)\n",
            X509_verify_cert_error_string(SSL_get_verify_result(client)));
    report_openssl("handshake");
fail:
    release_ssl(client);
    release_ssl(server);
    return -1;
}

static int openssl_connect(void *opaque, int resume, void **client, void **server)
{
    SSL *c, *s;
    if (connect_pair(opaque, HANDSHAKE_PIPE_BYTES, resume, &c, &s) < 0)
        return -1;
    *client = c;
    *server = s;
    return 0;
}

static void openssl_release(void *conn)
{
    release_ssl(conn);
}

/* The pipe is the benchmark's transport, not TLS state; a socket BIO would replace it. */
static void openssl_detach(void *client, void *server)
{
    SSL_set_bio(client, NULL, NULL);
    SSL_set_bio(server, NULL, NULL);
}

/* The first connection proves the stack really does the work the benchmark claims (a resumed
 * one has no signature to look at, and in TLS 1.2 no key exchange either; a TLS 1.3 one is
 * psk_dhe_ke, so it has a group). The first of a configuration also counts its tickets. */
static int openssl_check(void *opaque, void *conn, int resume)
{
    openssl_stack *st = opaque;
    SSL *client = conn;
    int version = (int)bench_mode_version(st->mode), tls13 = version == TLS1_3_VERSION;
    int rsa = bench_mode_cert(st->mode) == BENCH_CERT_RSA;
    const SSL_CIPHER *cipher = SSL_get_current_cipher(client);
    int sig_type = NID_undef, sig_hash = NID_undef;
    SSL_get_peer_signature_type_nid(client, &sig_type);
    SSL_get_peer_signature_nid(client, &sig_hash);
    if (SSL_version(client) != version || cipher == NULL ||
        SSL_CIPHER_get_id(cipher) != (tls13 ? 0x03001301UL : 0x0300C02FUL) ||
        ((!resume || tls13) && SSL_get_negotiated_group(client) != NID_X25519) ||
        (!resume && (sig_type != (rsa ? NID_rsassaPss : NID_X9_62_id_ecPublicKey) ||
                     sig_hash != NID_sha256)) ||
        SSL_get_verify_result(client) != X509_V_OK) {
        fprintf(stderr,
                "parley-bench: openssl negotiated %s %s, group %ld, signature %d/%d, where the "
                "benchmark wants %s %s, x25519, %s\n",
                SSL_get_version(client), cipher ? SSL_CIPHER_standard_name(cipher) : "none",
                (long)SSL_get_negotiated_group(client), sig_type, sig_hash,
                tls13 ? "TLSv1.3" : "TLSv1.2",
                tls13 ? "TLS_AES_128_GCM_SHA256" : "ECDHE-RSA-AES128-GCM-SHA256",
                rsa ? "rsa_pss_rsae_sha256" : "ecdsa_secp256r1_sha256");
        return -1;
    }
    if (st->checked[resume])
        return 0;
    st->checked[resume] = 1;
    int tickets = st->mode == BENCH_MODE_TLS13_RESUMED;
    if (tls13 && st->tickets_seen != tickets) {
        fprintf(stderr,
                "parley-bench: openssl: the client received %d NewSessionTicket(s) where the "
                "benchmark wants %d\n",
                st->tickets_seen, tickets);
        return -1;
    }
    return 0;
}

static int openssl_prime(void *opaque)
{
    openssl_stack *st = opaque;
    SSL *client, *server;
    if (connect_pair(st, HANDSHAKE_PIPE_BYTES, 0, &client, &server) < 0)
        return -1;
    if (openssl_check(st, client, 0) < 0) {
        release_ssl(client);
        release_ssl(server);
        return -1;
    }
    SSL_SESSION_free(st->session);
    st->session = SSL_get1_session(client);
    release_ssl(client);
    release_ssl(server);
    if (st->session == NULL || !SSL_SESSION_is_resumable(st->session)) {
        fprintf(stderr, "parley-bench: openssl: the server gave no session to resume\n");
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
    if (connect_pair(st, BULK_PIPE_BYTES, 0, &client, &server) < 0)
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
    release_ssl(client);
    release_ssl(server);
    return rc;
}

const bench_stack bench_openssl = {
    .name = "openssl",
    .setup = openssl_setup,
    .teardown = openssl_teardown,
    .prime = openssl_prime,
    .connect = openssl_connect,
    .check = openssl_check,
    .release = openssl_release,
    .detach = openssl_detach,
    .bulk = openssl_bulk,
};
