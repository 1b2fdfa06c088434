/*
 * The Redis session cache: a fleet of servers shares sessions through one Redis. Redis is an
 * optimisation here, never a dependency: every failure is a miss (a full handshake), each call is
 * bounded by the timeout, and a Redis that failed is left alone for a second, so an outage costs
 * the servers handshakes rather than latency.
 *
 * Connections: a small pool, each connection used by one call at a time. One connection behind a
 * mutex would queue every handshake behind the slowest call in flight; with a pool, a call takes
 * any idle connection, and waits (never past its own deadline) only when all are busy. A call
 * that finds none in time misses without declaring Redis down, since that says nothing about
 * Redis.
 *
 * Outages: the first failure of a connection made since the last outage starts one: the
 * generation moves on (every pooled connection of the old generation is dropped when next
 * taken, so none fails again on its own later), Redis is marked down, and calls return at once
 * for a second. Then one call at a time probes, at most once a second, until one succeeds.
 */
#include "cache.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "../crypto/crypto.h"

#define REDIS_POOL_SIZE  8
#define REDIS_KEY_MAX    512 /* as the embedded cache: session IDs and "host:port" keys */
#define REDIS_PREFIX     "parley:session:"
#define REDIS_RETRY_MS   1000
#define REDIS_REASON_MAX 160

typedef struct redis_slot {
    redisContext *ctx; /* NULL: not connected */
    unsigned gen;      /* the generation ctx was made in */
    int busy;
} redis_slot;

typedef struct redis_cache {
    char host[INET6_ADDRSTRLEN]; /* a numeric address: no name lookup, which no timeout bounds */
    char where[INET6_ADDRSTRLEN + 16]; /* "host:port" as the url gave it, for warnings */
    int port, timeout_ms;
    parley_log_fn warn;
    void *warn_arg;

    pthread_mutex_t lock; /* the slots and the outage state */
    pthread_cond_t slot_freed;
    redis_slot slots[REDIS_POOL_SIZE];
    unsigned gen;      /* moves on at each failure that starts or prolongs an outage */
    int down;          /* no call touches the network before retry_at, then one probes */
    uint64_t retry_at; /* monotonic ms */
    int warned;        /* an outage was reported and its end not yet */

    /* Taken before lock is released and held across the callback, so warnings reach the
     * application in the order the state changed without the callback running under lock (warn
     * must not call back into this cache). */
    pthread_mutex_t warn_lock;
} redis_cache;

/* One call: the slot it holds and what became of it. */
typedef struct redis_call {
    redis_cache *r;
    redis_slot *slot;
    unsigned gen;      /* of the connection used; current when it was taken or made */
    uint64_t deadline; /* monotonic ms */
    int fresh;         /* the connection was made in this call */
    char reason[REDIS_REASON_MAX];
} redis_call;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* At least a millisecond: a zero timeval gives a socket no timeout at all. */
static struct timeval ms_timeval(uint64_t ms)
{
    if (ms == 0)
        ms = 1;
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
    return tv;
}

static void report(redis_cache *r, const char *message)
{
    if (r->warn != NULL)
        r->warn(message, r->warn_arg);
}

/* Takes an idle slot, waiting for one no later than the deadline. 0 with the slot; -1 when
 * Redis is down and not yet due for a probe, or no slot came free in time. */
static int take_slot(redis_call *call)
{
    redis_cache *r = call->r;
    struct timespec until = {(time_t)(call->deadline / 1000),
                             (long)(call->deadline % 1000) * 1000000};
    redisContext *stale = NULL;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        if (r->down && now_ms() < r->retry_at)
            break;
        for (size_t i = 0; i < REDIS_POOL_SIZE && call->slot == NULL; i++)
            if (!r->slots[i].busy)
                call->slot = &r->slots[i];
        if (call->slot != NULL)
            break;
        if (pthread_cond_timedwait(&r->slot_freed, &r->lock, &until) == ETIMEDOUT)
            break;
    }
    if (call->slot != NULL) {
        call->slot->busy = 1;
        /* While down, this call is the probe: the next waits a second more. */
        if (r->down)
            r->retry_at = now_ms() + REDIS_RETRY_MS;
        if (call->slot->ctx != NULL && call->slot->gen != r->gen) {
            stale = call->slot->ctx;
            call->slot->ctx = NULL;
        }
        call->gen = call->slot->ctx != NULL ? call->slot->gen : r->gen;
    }
    pthread_mutex_unlock(&r->lock);
    redisFree(stale);
    return call->slot != NULL ? 0 : -1;
}

/* The budget left before the deadline, or 0 when it is spent. */
static uint64_t remaining(const redis_call *call)
{
    uint64_t now = now_ms();
    return now < call->deadline ? call->deadline - now : 0;
}

static void context_reason(redis_call *call, const redisContext *ctx, int err_no)
{
    if (ctx == NULL)
        snprintf(call->reason, sizeof(call->reason), "out of memory");
    else if (ctx->err == REDIS_ERR_IO &&
             (err_no == EAGAIN || err_no == EWOULDBLOCK || err_no == ETIMEDOUT))
        snprintf(call->reason, sizeof(call->reason), "no answer within %d ms", call->r->timeout_ms);
    else
        snprintf(call->reason, sizeof(call->reason), "%s", ctx->errstr);
}

/* Makes the slot's connection if it has none, within the budget. 0, or -1 with a reason. */
static int connect_slot(redis_call *call)
{
    redis_cache *r = call->r;
    if (call->slot->ctx != NULL)
        return 0;
    uint64_t left = remaining(call);
    if (left == 0) {
        snprintf(call->reason, sizeof(call->reason), "no answer within %d ms", r->timeout_ms);
        return -1;
    }
    call->fresh = 1;
    redisContext *ctx = redisConnectWithTimeout(r->host, r->port, ms_timeval(left));
    int err_no = errno;
    /* The connect timeout does not cover commands; those get what is left of the budget. */
    left = remaining(call);
    if (ctx != NULL && ctx->err == 0 && left > 0 && redisSetTimeout(ctx, ms_timeval(left)) != 0)
        ctx->err = REDIS_ERR_OTHER;
    if (ctx == NULL || ctx->err != 0 || left == 0) {
        if (ctx != NULL && ctx->err == 0)
            snprintf(call->reason, sizeof(call->reason), "no answer within %d ms", r->timeout_ms);
        else if (ctx != NULL && ctx->err == REDIS_ERR_OTHER && ctx->errstr[0] == '\0')
            snprintf(call->reason, sizeof(call->reason), "cannot set a socket timeout");
        else
            context_reason(call, ctx, err_no);
        redisFree(ctx);
        return -1;
    }
    call->slot->ctx = ctx;
    return 0;
}

/* hiredis writes with write(), so a connection Redis already closed would raise SIGPIPE and kill
 * a process that never asked for sockets. The signal is blocked in this thread for the command
 * and, if the command raised it, taken back before it is unblocked. */
static redisReply *command(redis_call *call, const char *format, ...)
{
    sigset_t pipe_set, old_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);

    va_list ap;
    va_start(ap, format);
    redisReply *reply = redisvCommand(call->slot->ctx, format, ap);
    va_end(ap);
    int err_no = errno;

    sigpending(&pending);
    if (!was_pending && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    if (reply == NULL)
        context_reason(call, call->slot->ctx, err_no);
    return reply;
}

/* Runs one command on the call's slot, reconnecting once within the budget when a pooled
 * connection turns out to have been closed (an idle timeout on the Redis side, a restart): that
 * is not an outage. NULL, with a reason, on failure. */
static redisReply *run(redis_call *call, const char *format, const char *key, size_t key_len,
                       const uint8_t *value, size_t value_len, const char *lifetime)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (connect_slot(call) != 0)
            return NULL;
        if (!call->fresh && redisSetTimeout(call->slot->ctx, ms_timeval(remaining(call))) != 0) {
            snprintf(call->reason, sizeof(call->reason), "cannot set a socket timeout");
            return NULL;
        }
        redisReply *reply = command(call, format, key, key_len,
                                    value != NULL ? (const char *)value : "", value_len, lifetime);
        if (reply != NULL)
            return reply;
        int closed = call->slot->ctx->err == REDIS_ERR_EOF;
        redisFree(call->slot->ctx);
        call->slot->ctx = NULL;
        if (call->fresh || !closed || remaining(call) == 0)
            return NULL;
    }
    return NULL;
}

/* Gives the slot back and records the outcome (1 success, 0 failure, -1 none: Redis was not
 * asked): a failure (reason set) starts or prolongs an outage unless its connection predates the
 * current one; a success on a current connection ends an outage. */
static void finish(redis_call *call, int ok)
{
    redis_cache *r = call->r;
    char message[REDIS_REASON_MAX + 200];
    message[0] = '\0';
    redisContext *dropped = NULL;

    pthread_mutex_lock(&r->lock);
    if (ok == 0) {
        dropped = call->slot->ctx;
        call->slot->ctx = NULL;
        if (call->gen == r->gen) {
            r->gen++;
            r->down = 1;
            r->retry_at = now_ms() + REDIS_RETRY_MS;
            if (!r->warned)
                snprintf(message, sizeof(message),
                         "session cache: Redis at %s is unreachable (%s); sessions resume from "
                         "it again once it returns",
                         r->where, call->reason);
            r->warned = 1;
        }
    } else if (ok == 1) {
        call->slot->gen = call->gen;
        if (call->gen == r->gen && r->down) {
            r->down = 0;
            if (r->warned)
                snprintf(message, sizeof(message),
                         "session cache: Redis at %s is reachable again; sessions resume from it",
                         r->where);
            r->warned = 0;
        }
    }
    call->slot->busy = 0;
    /* Everyone waiting: after an outage starts they all leave at once, and a waiter whose own
     * deadline passes as it is woken cannot swallow the only wakeup. */
    pthread_cond_broadcast(&r->slot_freed);
    if (message[0] != '\0')
        pthread_mutex_lock(&r->warn_lock);
    pthread_mutex_unlock(&r->lock);

    redisFree(dropped);
    if (message[0] != '\0') {
        report(r, message);
        pthread_mutex_unlock(&r->warn_lock);
    }
}

static int begin(redis_call *call, redis_cache *r)
{
    memset(call, 0, sizeof(*call));
    call->r = r;
    call->deadline = now_ms() + (uint64_t)r->timeout_ms;
    if (take_slot(call) != 0)
        return -1;
    /* Waiting for the slot spent the budget: a miss, but no news about Redis. */
    if (remaining(call) == 0) {
        finish(call, -1);
        return -1;
    }
    return 0;
}

/* The Redis key: the prefix, then the key bytes in hex (binary keys stay printable for
 * redis-cli). Returns its length, or 0 for a key that is empty or too long. */
static size_t redis_key(char out[sizeof(REDIS_PREFIX) + 2 * REDIS_KEY_MAX], const uint8_t *key,
                        size_t key_len)
{
    static const char hex[] = "0123456789abcdef";
    if (key_len == 0 || key_len > REDIS_KEY_MAX)
        return 0;
    size_t n = sizeof(REDIS_PREFIX) - 1;
    memcpy(out, REDIS_PREFIX, n);
    for (size_t i = 0; i < key_len; i++) {
        out[n++] = hex[key[i] >> 4];
        out[n++] = hex[key[i] & 15];
    }
    out[n] = '\0';
    return n;
}

static void unexpected_reply(redis_call *call, const redisReply *reply)
{
    if (reply->type == REDIS_REPLY_ERROR)
        snprintf(call->reason, sizeof(call->reason), "it answered \"%.100s\"", reply->str);
    else
        snprintf(call->reason, sizeof(call->reason), "unexpected reply of type %d", reply->type);
}

static int redis_del(redis_cache *r, const char *key, size_t key_len)
{
    redis_call call;
    if (begin(&call, r) != 0)
        return -1;
    redisReply *reply = run(&call, "DEL %b", key, key_len, NULL, 0, NULL);
    int ok = reply != NULL && reply->type == REDIS_REPLY_INTEGER;
    if (reply != NULL && !ok)
        unexpected_reply(&call, reply);
    freeReplyObject(reply);
    finish(&call, ok);
    return ok ? 0 : -1;
}

static int redis_put(void *arg, const uint8_t *key, size_t key_len, const uint8_t *value,
                     size_t value_len, uint32_t lifetime)
{
    redis_cache *r = arg;
    char rkey[sizeof(REDIS_PREFIX) + 2 * REDIS_KEY_MAX];
    size_t rkey_len = redis_key(rkey, key, key_len);
    if (rkey_len == 0)
        return -1;
    /* Redis refuses EX 0; a value that may live no time replaces the old one with nothing. */
    if (lifetime == 0)
        return redis_del(r, rkey, rkey_len);
    char seconds[16];
    snprintf(seconds, sizeof(seconds), "%u", (unsigned)lifetime);

    redis_call call;
    if (begin(&call, r) != 0)
        return -1;
    redisReply *reply = run(&call, "SET %b %b EX %s", rkey, rkey_len, value, value_len, seconds);
    int ok = reply != NULL && reply->type == REDIS_REPLY_STATUS && strcmp(reply->str, "OK") == 0;
    if (reply != NULL && !ok)
        unexpected_reply(&call, reply);
    freeReplyObject(reply);
    finish(&call, ok);
    return ok ? 0 : -1;
}

static int redis_get(void *arg, const uint8_t *key, size_t key_len, uint8_t *out, size_t cap)
{
    redis_cache *r = arg;
    char rkey[sizeof(REDIS_PREFIX) + 2 * REDIS_KEY_MAX];
    size_t rkey_len = redis_key(rkey, key, key_len);
    if (rkey_len == 0)
        return 0;

    redis_call call;
    if (begin(&call, r) != 0)
        return -1;
    redisReply *reply = run(&call, "GET %b", rkey, rkey_len, NULL, 0, NULL);
    int n = -1;
    if (reply != NULL && reply->type == REDIS_REPLY_NIL) {
        n = 0;
    } else if (reply != NULL && reply->type == REDIS_REPLY_STRING) {
        n = 0;
        if (reply->len <= cap && reply->len <= INT_MAX) {
            memcpy(out, reply->str, reply->len);
            n = (int)reply->len;
        }
        /* hiredis's copy of the session, master secret included. */
        crypto_wipe(reply->str, reply->len);
    } else if (reply != NULL) {
        unexpected_reply(&call, reply);
    }
    freeReplyObject(reply);
    finish(&call, n >= 0);
    return n;
}

static void redis_remove(void *arg, const uint8_t *key, size_t key_len)
{
    redis_cache *r = arg;
    char rkey[sizeof(REDIS_PREFIX) + 2 * REDIS_KEY_MAX];
    size_t rkey_len = redis_key(rkey, key, key_len);
    if (rkey_len != 0)
        redis_del(r, rkey, rkey_len);
}

static void redis_free(void *arg)
{
    redis_cache *r = arg;
    for (size_t i = 0; i < REDIS_POOL_SIZE; i++)
        redisFree(r->slots[i].ctx);
    pthread_cond_destroy(&r->slot_freed);
    pthread_mutex_destroy(&r->lock);
    pthread_mutex_destroy(&r->warn_lock);
    free(r);
}

/* "redis://HOST:PORT" with HOST an IPv4 literal, "localhost" or a bracketed IPv6 literal. Host
 * names are refused: resolving one may block far longer than any timeout given here. */
static int parse_url(redis_cache *r, const char *url)
{
    static const char scheme[] = "redis://";
    if (url == NULL || strncmp(url, scheme, sizeof(scheme) - 1) != 0)
        return -1;
    const char *host = url + sizeof(scheme) - 1, *host_end, *colon;
    int family;
    if (host[0] == '[') {
        host++;
        host_end = strchr(host, ']');
        if (host_end == NULL || host_end[1] != ':')
            return -1;
        colon = host_end + 1;
        family = AF_INET6;
    } else {
        colon = strchr(host, ':');
        if (colon == NULL)
            return -1;
        host_end = colon;
        family = AF_INET;
    }
    size_t host_len = (size_t)(host_end - host);
    if (host_len == 0 || host_len >= sizeof(r->host))
        return -1;
    memcpy(r->host, host, host_len);
    r->host[host_len] = '\0';
    if (family == AF_INET && strcmp(r->host, "localhost") == 0)
        strcpy(r->host, "127.0.0.1");
    unsigned char addr[sizeof(struct in6_addr)];
    if (inet_pton(family, r->host, addr) != 1)
        return -1;

    const char *p = colon + 1;
    long port = 0;
    if (*p == '\0')
        return -1;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || (port = port * 10 + (*p - '0')) > 65535)
            return -1;
    }
    if (port == 0)
        return -1;
    r->port = (int)port;
    snprintf(r->where, sizeof(r->where), "%.*s:%ld", (int)(colon - (url + sizeof(scheme) - 1)),
             url + sizeof(scheme) - 1, port);
    return 0;
}

parley_session_cache *parley_session_cache_redis(const char *url, int timeout_ms,
                                                 parley_log_fn warn, void *warn_arg)
{
    static const parley_session_cache_methods methods = {redis_put, redis_get, redis_remove,
                                                         redis_free};
    redis_cache *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    if (parse_url(r, url) != 0) {
        free(r);
        return NULL;
    }
    /* A budget under a millisecond cannot be given to a socket (0 would mean none at all). */
    r->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
    r->warn = warn;
    r->warn_arg = warn_arg;

    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->slot_freed, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&r->lock, NULL);
    pthread_mutex_init(&r->warn_lock, NULL);

    /* No connection yet: a Redis that is down now only makes the first calls miss. */
    parley_session_cache *cache = parley_session_cache_new(&methods, r);
    if (cache == NULL)
        redis_free(r);
    return cache;
}
