/*
 * The embedded session cache: a hash table of entries threaded on one LRU list, under one mutex.
 * Entries hold master secrets, so they are wiped when they leave. Lookups of IDs that clients
 * made up only walk a chain; only the engine inserts, with random IDs, so chains stay short.
 */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../crypto/crypto.h"

#define MEMORY_KEY_MAX 512

typedef struct mem_entry {
    struct mem_entry *chain;         /* next in the hash bucket */
    struct mem_entry *newer, *older; /* LRU list */
    uint64_t expires;                /* monotonic seconds */
    uint32_t hash;
    size_t key_len, value_len;
    uint8_t data[]; /* key, then value */
} mem_entry;

typedef struct memory_cache {
    pthread_mutex_t lock;
    size_t max, count;
    size_t n_buckets; /* a power of two; the table is made on the first store */
    mem_entry **buckets;
    mem_entry lru; /* sentinel: lru.older is the newest entry, lru.newer the oldest */
} memory_cache;

static uint64_t now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec;
}

static uint32_t key_hash(const uint8_t *key, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ key[i]) * 16777619u;
    return h;
}

static mem_entry **bucket_of(memory_cache *m, uint32_t hash)
{
    return &m->buckets[hash & (m->n_buckets - 1)];
}

static mem_entry *find(memory_cache *m, const uint8_t *key, size_t len, uint32_t hash)
{
    if (m->buckets == NULL)
        return NULL;
    for (mem_entry *e = *bucket_of(m, hash); e != NULL; e = e->chain)
        if (e->hash == hash && e->key_len == len && memcmp(e->data, key, len) == 0)
            return e;
    return NULL;
}

static void lru_unlink(mem_entry *e)
{
    e->newer->older = e->older;
    e->older->newer = e->newer;
}

static void lru_push_newest(memory_cache *m, mem_entry *e)
{
    e->older = m->lru.older;
    e->newer = &m->lru;
    m->lru.older->newer = e;
    m->lru.older = e;
}

static void drop(memory_cache *m, mem_entry *e)
{
    mem_entry **p = bucket_of(m, e->hash);
    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    lru_unlink(e);
    m->count--;
    crypto_wipe(e, sizeof(*e) + e->key_len + e->value_len);
    free(e);
}

static int memory_put(void *arg, const uint8_t *key, size_t key_len, const uint8_t *value,
                      size_t value_len, uint32_t lifetime)
{
    memory_cache *m = arg;
    if (key_len == 0 || key_len > MEMORY_KEY_MAX || m->max == 0)
        return -1;
    mem_entry *e = malloc(sizeof(*e) + key_len + value_len);
    if (e == NULL)
        return -1;
    e->hash = key_hash(key, key_len);
    e->expires = now_seconds() + lifetime;
    e->key_len = key_len;
    e->value_len = value_len;
    memcpy(e->data, key, key_len);
    memcpy(e->data + key_len, value, value_len);

    pthread_mutex_lock(&m->lock);
    if (m->buckets == NULL) {
        size_t n = 16;
        while (n < m->max && n < (1u << 20))
            n *= 2;
        m->buckets = calloc(n, sizeof(*m->buckets));
        if (m->buckets == NULL) {
            pthread_mutex_unlock(&m->lock);
            free(e);
            return -1;
        }
        m->n_buckets = n;
    }
    mem_entry *old = find(m, key, key_len, e->hash);
    if (old != NULL)
        drop(m, old);
    if (m->count >= m->max)
        drop(m, m->lru.newer); /* the least recently used */
    mem_entry **b = bucket_of(m, e->hash);
    e->chain = *b;
    *b = e;
    lru_push_newest(m, e);
    m->count++;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static int memory_get(void *arg, const uint8_t *key, size_t key_len, uint8_t *out, size_t cap)
{
    memory_cache *m = arg;
    uint32_t hash = key_hash(key, key_len);
    int n = 0;
    pthread_mutex_lock(&m->lock);
    mem_entry *e = find(m, key, key_len, hash);
    if (e != NULL && e->expires <= now_seconds()) {
        drop(m, e);
        e = NULL;
    }
    if (e != NULL && e->value_len <= cap) {
        lru_unlink(e);
        lru_push_newest(m, e);
        memcpy(out, e->data + e->key_len, e->value_len);
        n = (int)e->value_len;
    }
    pthread_mutex_unlock(&m->lock);
    return n;
}

static void memory_remove(void *arg, const uint8_t *key, size_t key_len)
{
    memory_cache *m = arg;
    pthread_mutex_lock(&m->lock);
    mem_entry *e = find(m, key, key_len, key_hash(key, key_len));
    if (e != NULL)
        drop(m, e);
    pthread_mutex_unlock(&m->lock);
}

static void memory_free(void *arg)
{
    memory_cache *m = arg;
    while (m->count > 0)
        drop(m, m->lru.newer);
    free(m->buckets);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

parley_session_cache *parley_session_cache_memory(size_t max_entries)
{
    static const parley_session_cache_methods methods = {memory_put, memory_get, memory_remove,
                                                         memory_free};
    memory_cache *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    pthread_mutex_init(&m->lock, NULL);
    m->max = max_entries;
    m->lru.newer = m->lru.older = &m->lru;
    parley_session_cache *cache = parley_session_cache_new(&methods, m);
    if (cache == NULL)
        memory_free(m);
    return cache;
}
