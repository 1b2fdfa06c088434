/*
 * The verified-chain cache: a chain met again skips verification, but only for the same chain,
 * role and name, within the chain's validity and the entry's TTL, never after a failure or with
 * verification off, and safely from several threads.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "pair.h"

#include "crypto/crypto.h"
#include "engine/engine.h"
#include "x509/verify_cache.h"
#include "x509/x509.h"

static bool has_step(parley_trace_log *log, parley_role role, const char *step)
{
    for (size_t i = 0; i < parley_trace_log_count(log); i++) {
        const parley_trace_event *ev = parley_trace_log_get(log, i);
        if (ev->role == role && ev->kind == PARLEY_TRACE_STEP && strcmp(ev->name, step) == 0)
            return true;
    }
    return false;
}

#define STEP_FRESH  "certificate chain verified"
#define STEP_CACHED "certificate chain verified (cached)"

/* What one client handshake showed. */
typedef struct outcome {
    parley_conn_state state;
    bool fresh, cached;
    char subject[256], key[32], error[256];
    int alert;
    size_t chain_count;
} outcome;

/* One handshake of a new client connection from cc (checking name) with a new server
 * connection from sc; the client's trace decides fresh or cached. */
static outcome connect_once(parley_config *cc, parley_config *sc, const char *name)
{
    outcome o;
    memset(&o, 0, sizeof(o));
    parley_trace_log *log = parley_trace_log_new();
    parley_conn *s = parley_conn_new(sc, PARLEY_SERVER), *c = parley_conn_new(cc, PARLEY_CLIENT);
    CHECK(s != NULL && c != NULL);
    parley_conn_set_trace(c, parley_trace_log_add, log);
    parley_conn_set_server_name(c, "localhost");
    if (name)
        parley_conn_set_verify_name(c, name);
    parley_handshake(c);
    pump(c, s);
    o.state = parley_state(c);
    o.fresh = has_step(log, PARLEY_CLIENT, STEP_FRESH);
    o.cached = has_step(log, PARLEY_CLIENT, STEP_CACHED);
    snprintf(o.subject, sizeof(o.subject), "%s", parley_peer_subject(c));
    snprintf(o.key, sizeof(o.key), "%s", parley_peer_key(c));
    snprintf(o.error, sizeof(o.error), "%s", parley_error_message(c));
    int sent = 0;
    o.alert = parley_error_alert(c, &sent);
    o.chain_count = parley_peer_certificate_count(c);
    parley_conn_free(c);
    parley_conn_free(s);
    parley_trace_log_free(log);
    return o;
}

static parley_config *cache_client(const char *suites)
{
    parley_config *cc = client_config(suites);
    /* No resumption: every handshake must carry the server's Certificate. */
    CHECK(parley_config_set_session_tickets(cc, 0) == PARLEY_OK);
    return cc;
}

static parley_config *expired_server(void)
{
    parley_config *sc = parley_config_new();
    CHECK(parley_config_add_certificate(sc, cert_path("expired.pem"), cert_path("expired.key")) ==
          PARLEY_OK);
    return sc;
}

/* The second handshake with the same chain and name is a hit and reads exactly as the first;
 * the kept chain still reaches the application. TLS 1.3 and TLS 1.2. */
static void test_hit(void)
{
    static const char *const suites[] = {NULL, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"};
    for (size_t i = 0; i < 2; i++) {
        parley_config *sc = server_config(suites[i]);
        parley_config *cc = cache_client(suites[i]);
        CHECK(parley_config_set_keep_peer_chain(cc, 1) == PARLEY_OK);
        outcome a = connect_once(cc, sc, NULL);
        outcome b = connect_once(cc, sc, NULL);
        outcome d = connect_once(cc, sc, NULL);
        CHECK_EQ_INT(a.state, PARLEY_STATE_OPEN);
        CHECK_EQ_INT(b.state, PARLEY_STATE_OPEN);
        CHECK(a.fresh && !a.cached);
        CHECK(b.cached && !b.fresh);
        CHECK(d.cached && !d.fresh);
        CHECK(strstr(a.subject, "localhost") != NULL);
        CHECK(strcmp(a.subject, b.subject) == 0);
        CHECK(a.key[0] != '\0' && strcmp(a.key, b.key) == 0);
        CHECK_EQ_INT(a.chain_count, 2);
        CHECK_EQ_INT(b.chain_count, 2);
        CHECK_EQ_INT(x509_verify_cache_count(cc->verify_cache), 1);
        free_all(NULL, NULL, cc, sc);
    }
}

/* A chain verified for localhost must not pass for other.example: the name is in the key, so
 * it misses, verifies, and fails exactly as without a cache - and the failure is not stored. */
static void test_other_name(void)
{
    parley_config *sc = server_config(NULL);
    parley_config *cc = cache_client(NULL);
    parley_config *plain = cache_client(NULL);
    CHECK(parley_config_set_verify_cache(plain, 0) == PARLEY_OK);
    outcome a = connect_once(cc, sc, "localhost");
    CHECK_EQ_INT(a.state, PARLEY_STATE_OPEN);
    for (int round = 0; round < 2; round++) {
        outcome b = connect_once(cc, sc, "other.example");
        outcome ref = connect_once(plain, sc, "other.example");
        CHECK_EQ_INT(b.state, PARLEY_STATE_FAILED);
        CHECK(!b.cached);
        CHECK_EQ_INT(b.alert, 42); /* bad_certificate */
        CHECK(strstr(b.error, "does not match requested name other.example") != NULL);
        CHECK(strcmp(b.error, ref.error) == 0);
        CHECK_EQ_INT(b.alert, ref.alert);
    }
    CHECK_EQ_INT(x509_verify_cache_count(cc->verify_cache), 1);
    /* The IP literal is another name, so another entry. */
    outcome ip = connect_once(cc, sc, "127.0.0.1");
    CHECK(ip.state == PARLEY_STATE_OPEN && ip.fresh && !ip.cached);
    outcome again = connect_once(cc, sc, "localhost");
    CHECK(again.state == PARLEY_STATE_OPEN && again.cached);
    CHECK_EQ_INT(x509_verify_cache_count(cc->verify_cache), 2);
    parley_config_free(plain);
    free_all(NULL, NULL, cc, sc);
}

/* An expired chain fails every time with certificate_expired and is never stored. */
static void test_expired_not_cached(void)
{
    parley_config *sc = expired_server();
    parley_config *cc = cache_client(NULL);
    for (int round = 0; round < 2; round++) {
        outcome o = connect_once(cc, sc, NULL);
        CHECK_EQ_INT(o.state, PARLEY_STATE_FAILED);
        CHECK(!o.cached);
        CHECK_EQ_INT(o.alert, 45);
        CHECK(strstr(o.error, "expired") != NULL);
    }
    CHECK_EQ_INT(x509_verify_cache_count(cc->verify_cache), 0);
    free_all(NULL, NULL, cc, sc);
}

/* Off (0): no cache and no hits. Verification off: no cache either, so an unverified chain can
 * never answer for a verifying connection. Bad sizes are refused. */
static void test_off(void)
{
    parley_config *sc = server_config(NULL);
    parley_config *cc = cache_client(NULL);
    CHECK(parley_config_set_verify_cache(cc, -1) == PARLEY_ERROR);
    CHECK(parley_config_set_verify_cache(cc, X509_VERIFY_CACHE_MAX + 1) == PARLEY_ERROR);
    CHECK(parley_config_set_verify_cache(cc, 0) == PARLEY_OK);
    for (int round = 0; round < 3; round++) {
        outcome o = connect_once(cc, sc, NULL);
        CHECK(o.state == PARLEY_STATE_OPEN && o.fresh && !o.cached);
    }
    CHECK(cc->verify_cache == NULL);
    CHECK(parley_config_set_verify_cache(cc, 8) == PARLEY_ERROR); /* frozen */
    parley_config_free(cc);

    cc = cache_client(NULL);
    CHECK(parley_config_set_verify(cc, 0) == PARLEY_OK);
    for (int round = 0; round < 2; round++) {
        outcome o = connect_once(cc, sc, NULL);
        CHECK(o.state == PARLEY_STATE_OPEN && !o.fresh && !o.cached);
    }
    CHECK(cc->verify_cache == NULL);
    parley_config_free(cc);
    parley_config_free(sc);
}

/* The server verifying client certificates uses it too (role CLIENT in the key). */
static void test_server_role(void)
{
    parley_config *sc = server_config(NULL);
    CHECK(parley_config_set_client_ca_file(sc, cert_path("ca-bundle.pem"), 1) == PARLEY_OK);
    CHECK(parley_config_set_client_auth(sc, PARLEY_CLIENT_AUTH_REQUIRED) == PARLEY_OK);
    parley_config *cc = cache_client(NULL);
    CHECK(parley_config_add_certificate(cc, cert_path("client-rsa.pem"),
                                        cert_path("client-rsa.key")) == PARLEY_OK);
    for (int round = 0; round < 2; round++) {
        parley_trace_log *log = parley_trace_log_new();
        parley_conn *s = parley_conn_new(sc, PARLEY_SERVER),
                    *c = parley_conn_new(cc, PARLEY_CLIENT);
        parley_conn_set_trace(s, parley_trace_log_add, log);
        parley_conn_set_server_name(c, "localhost");
        parley_handshake(c);
        pump(c, s);
        CHECK_EQ_INT(parley_state(s), PARLEY_STATE_OPEN);
        CHECK_EQ_INT(parley_peer_authenticated(s), 1);
        CHECK(strstr(parley_peer_subject(s), "parley client") != NULL);
        CHECK(has_step(log, PARLEY_SERVER, round == 0 ? STEP_FRESH : STEP_CACHED));
        CHECK(!has_step(log, PARLEY_SERVER, round == 0 ? STEP_CACHED : STEP_FRESH));
        parley_conn_free(c);
        parley_conn_free(s);
        parley_trace_log_free(log);
    }
    CHECK_EQ_INT(x509_verify_cache_count(sc->verify_cache), 1);
    free_all(NULL, NULL, cc, sc);
}

/* The DER chain of a PEM file, through x509_chain. */
static x509_chain *load_chain(const char *pem, const char *key)
{
    char err[256];
    x509_chain *chain = x509_chain_load_file(cert_path(pem), cert_path(key), err, sizeof(err));
    CHECK(chain != NULL);
    return chain;
}

static void chain_der(const x509_chain *chain, const uint8_t **der, size_t *len)
{
    for (size_t i = 0; i < x509_chain_count(chain); i++)
        der[i] = x509_chain_der(chain, i, &len[i]);
}

/* x509_verify_peer reports the window of the verified chain, and only when it verified. */
static void test_window_from_verify(void)
{
    char err[256];
    x509_trust *trust = x509_trust_new(cert_path("ca-bundle.pem"), NULL, err, sizeof(err));
    x509_chain *chain = load_chain("server-rsa.pem", "server-rsa.key");
    const uint8_t *der[X509_MAX_CHAIN];
    size_t len[X509_MAX_CHAIN];
    chain_der(chain, der, len);
    size_t n = x509_chain_count(chain);
    x509_peer peer;
    CHECK_EQ_INT(x509_verify_peer(trust, X509_PEER_SERVER, der, len, n, "localhost", &peer, err,
                                  sizeof(err)),
                 0);
    int64_t now = (int64_t)time(NULL);
    CHECK(peer.verified);
    CHECK(peer.not_before <= now && now <= peer.not_after);
    CHECK(peer.not_before > 0 && peer.not_after > peer.not_before);
    crypto_key_free(peer.key);
    CHECK_EQ_INT(
        x509_verify_peer(NULL, X509_PEER_SERVER, der, len, n, NULL, &peer, err, sizeof(err)), 0);
    CHECK(!peer.verified);
    crypto_key_free(peer.key);

    /* The key separates role, name (NULL, "", other) and chain. */
    uint8_t k[6][X509_VERIFY_CACHE_KEY_LEN];
    CHECK_EQ_INT(x509_verify_cache_key(X509_PEER_SERVER, der, len, n, "localhost", k[0]), 0);
    CHECK_EQ_INT(x509_verify_cache_key(X509_PEER_CLIENT, der, len, n, "localhost", k[1]), 0);
    CHECK_EQ_INT(x509_verify_cache_key(X509_PEER_SERVER, der, len, n, NULL, k[2]), 0);
    CHECK_EQ_INT(x509_verify_cache_key(X509_PEER_SERVER, der, len, n, "", k[3]), 0);
    CHECK_EQ_INT(x509_verify_cache_key(X509_PEER_SERVER, der, len, 1, "localhost", k[4]), 0);
    CHECK_EQ_INT(x509_verify_cache_key(X509_PEER_SERVER, der, len, n, "localhost", k[5]), 0);
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++)
            CHECK(memcmp(k[i], k[j], X509_VERIFY_CACHE_KEY_LEN) != 0);
    CHECK_MEM(k[0], k[5], X509_VERIFY_CACHE_KEY_LEN);
    x509_chain_free(chain);
    x509_trust_free(trust);
}

static x509_peer window_peer(crypto_key *key, int64_t not_before, int64_t not_after)
{
    x509_peer p;
    memset(&p, 0, sizeof(p));
    p.key = key;
    p.verified = true;
    p.not_before = not_before;
    p.not_after = not_after;
    snprintf(p.subject, sizeof(p.subject), "CN=window");
    snprintf(p.key_name, sizeof(p.key_name), "RSA-2048");
    return p;
}

/* Hits only inside [not_before, not_after] and before the TTL; an entry found outside either is
 * dropped. Unverified results are not stored. Full: least recently used out. */
static void test_window_and_ttl(void)
{
    x509_chain *chain = load_chain("server-rsa.pem", "server-rsa.key");
    crypto_key *key = x509_chain_key(chain);
    uint8_t k1[X509_VERIFY_CACHE_KEY_LEN], k2[X509_VERIFY_CACHE_KEY_LEN],
        k3[X509_VERIFY_CACHE_KEY_LEN];
    memset(k1, 1, sizeof(k1));
    memset(k2, 2, sizeof(k2));
    memset(k3, 3, sizeof(k3));
    x509_verify_cache *vc = x509_verify_cache_new(2);
    x509_peer p = window_peer(key, 1000, 2000), got;

    x509_verify_cache_put_at(vc, k1, &p, 50);
    CHECK(x509_verify_cache_get_at(vc, k1, 1000, 51, &got));
    CHECK(got.key == key && strcmp(got.subject, "CN=window") == 0 &&
          strcmp(got.key_name, "RSA-2048") == 0);
    crypto_key_free(got.key);
    CHECK(x509_verify_cache_get_at(vc, k1, 2000, 51, &got));
    crypto_key_free(got.key);
    CHECK(!x509_verify_cache_get_at(vc, k2, 1500, 51, &got)); /* another key */
    CHECK(!x509_verify_cache_get_at(vc, k1, 2001, 51, &got)); /* expired: dropped */
    CHECK_EQ_INT(x509_verify_cache_count(vc), 0);
    x509_verify_cache_put_at(vc, k1, &p, 50);
    CHECK(!x509_verify_cache_get_at(vc, k1, 999, 51, &got)); /* not yet valid */
    CHECK_EQ_INT(x509_verify_cache_count(vc), 0);

    x509_verify_cache_put_at(vc, k1, &p, 50);
    CHECK(x509_verify_cache_get_at(vc, k1, 1500, 50 + X509_VERIFY_CACHE_TTL - 1, &got));
    crypto_key_free(got.key);
    CHECK(!x509_verify_cache_get_at(vc, k1, 1500, 50 + X509_VERIFY_CACHE_TTL, &got));
    CHECK_EQ_INT(x509_verify_cache_count(vc), 0);

    x509_peer unverified = p;
    unverified.verified = false;
    x509_verify_cache_put_at(vc, k1, &unverified, 50);
    CHECK_EQ_INT(x509_verify_cache_count(vc), 0);

    /* k1 and k2 stored, k1 used, k3 pushes out k2. */
    x509_verify_cache_put_at(vc, k1, &p, 50);
    x509_verify_cache_put_at(vc, k2, &p, 50);
    CHECK(x509_verify_cache_get_at(vc, k1, 1500, 51, &got));
    crypto_key_free(got.key);
    x509_verify_cache_put_at(vc, k3, &p, 50);
    CHECK_EQ_INT(x509_verify_cache_count(vc), 2);
    CHECK(x509_verify_cache_get_at(vc, k1, 1500, 51, &got));
    crypto_key_free(got.key);
    CHECK(x509_verify_cache_get_at(vc, k3, 1500, 51, &got));
    crypto_key_free(got.key);
    CHECK(!x509_verify_cache_get_at(vc, k2, 1500, 51, &got));
    /* Storing the same key again replaces, not duplicates. */
    x509_verify_cache_put_at(vc, k3, &p, 60);
    CHECK_EQ_INT(x509_verify_cache_count(vc), 2);
    x509_verify_cache_free(vc);
    /* The cache held references of its own: the key is still the chain's, intact. */
    CHECK(crypto_key_bits(key) == 2048);
    x509_chain_free(chain);
}

/* Two threads sharing one client and one server configuration, each handshaking repeatedly,
 * and two more hammering a tiny cache with colliding stores and lookups. */
typedef struct worker {
    parley_config *cc, *sc;
    x509_verify_cache *vc;
    crypto_key *key;
    int opened, cached;
} worker;

static void *handshakes(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 20; i++) {
        parley_conn *s = parley_conn_new(w->sc, PARLEY_SERVER),
                    *c = parley_conn_new(w->cc, PARLEY_CLIENT);
        parley_conn_set_server_name(c, "localhost");
        parley_handshake(c);
        pump(c, s);
        w->opened += parley_state(c) == PARLEY_STATE_OPEN &&
                     strstr(parley_peer_subject(c), "localhost") != NULL;
        parley_conn_free(c);
        parley_conn_free(s);
    }
    return NULL;
}

static void *hammer(void *arg)
{
    worker *w = arg;
    x509_peer p = window_peer(w->key, 0, INT64_MAX), got;
    for (int i = 0; i < 20000; i++) {
        uint8_t k[X509_VERIFY_CACHE_KEY_LEN];
        memset(k, i % 7, sizeof(k));
        if (i % 3 == 0) {
            x509_verify_cache_put(w->vc, k, &p);
        } else if (x509_verify_cache_get(w->vc, k, &got)) {
            w->cached += got.key == w->key && strcmp(got.subject, "CN=window") == 0;
            crypto_key_free(got.key);
        }
    }
    return NULL;
}

static void test_threads(void)
{
    parley_config *sc = server_config(NULL);
    parley_config *cc = cache_client(NULL);
    worker w[2] = {{cc, sc, NULL, NULL, 0, 0}, {cc, sc, NULL, NULL, 0, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, handshakes, &w[i]) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ_INT(w[0].opened + w[1].opened, 40);
    CHECK_EQ_INT(x509_verify_cache_count(cc->verify_cache), 1);
    free_all(NULL, NULL, cc, sc);

    x509_chain *chain = load_chain("server-rsa.pem", "server-rsa.key");
    x509_verify_cache *vc = x509_verify_cache_new(3); /* fewer than the 7 keys: evictions */
    worker h[2] = {{NULL, NULL, vc, x509_chain_key(chain), 0, 0},
                   {NULL, NULL, vc, x509_chain_key(chain), 0, 0}};
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, hammer, &h[i]) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(h[0].cached + h[1].cached > 0);
    CHECK(x509_verify_cache_count(vc) <= 3);
    x509_verify_cache_free(vc);
    CHECK(crypto_key_bits(x509_chain_key(chain)) == 2048);
    x509_chain_free(chain);
}

int main(void)
{
    if (pair_init() < 0)
        return 1;
    test_hit();
    test_other_name();
    test_expired_not_cached();
    test_off();
    test_server_role();
    test_window_from_verify();
    test_window_and_ttl();
    test_threads();
    return check_summary("test_verify_cache");
}
