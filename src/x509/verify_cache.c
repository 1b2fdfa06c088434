/*
 * The verified-chain cache: a small array scanned linearly under one mutex (64 entries by
 * default, so a scan is cheaper than the hashing that finds the key), least recently used out.
 */
#include "verify_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../crypto/crypto.h"

typedef struct vc_entry {
    bool used;
    uint8_t key[X509_VERIFY_CACHE_KEY_LEN];
    uint64_t expires;   /* monotonic seconds */
    uint64_t last_used; /* the cache's tick at the last hit or store, for LRU */
    x509_peer peer;     /* owns a reference to peer.key */
} vc_entry;

struct x509_verify_cache {
    pthread_mutex_t lock;
    size_t max;
    uint64_t tick;
    vc_entry *entries; /* max of them, made on the first store */
};

x509_verify_cache *x509_verify_cache_new(size_t entries)
{
    if (entries == 0 || entries > X509_VERIFY_CACHE_MAX)
        return NULL;
    x509_verify_cache *vc = calloc(1, sizeof(*vc));
    if (vc == NULL)
        return NULL;
    pthread_mutex_init(&vc->lock, NULL);
    vc->max = entries;
    return vc;
}

void x509_verify_cache_free(x509_verify_cache *vc)
{
    if (vc == NULL)
        return;
    for (size_t i = 0; vc->entries && i < vc->max; i++)
        if (vc->entries[i].used)
            crypto_key_free(vc->entries[i].peer.key);
    free(vc->entries);
    pthread_mutex_destroy(&vc->lock);
    free(vc);
}

static int hash_u32(crypto_hash *h, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return crypto_hash_update(h, b, sizeof(b));
}

int x509_verify_cache_key(x509_peer_role role, const uint8_t *const *der, const size_t *der_len,
                          size_t count, const char *host, uint8_t key[X509_VERIFY_CACHE_KEY_LEN])
{
    /* The tag names what verification checked besides the inputs hashed here (purpose per
     * role, host matching without partial wildcards, the RSA size minimum); a change to any of
     * those changes the tag. Every field is length-prefixed, so no two inputs hash alike. */
    static const char tag[] = "parley verified chain v1: purpose, host, rsa>=2048";
    crypto_hash *h = crypto_hash_new(CRYPTO_SHA256);
    if (h == NULL)
        return -1;
    int rc = crypto_hash_update(h, (const uint8_t *)tag, sizeof(tag));
    rc |= hash_u32(h, (uint32_t)role);
    if (host == NULL) {
        rc |= hash_u32(h, 0xffffffffu);
    } else {
        size_t n = strlen(host);
        rc |= hash_u32(h, (uint32_t)n);
        rc |= crypto_hash_update(h, (const uint8_t *)host, n);
    }
    rc |= hash_u32(h, (uint32_t)count);
    for (size_t i = 0; i < count; i++) {
        rc |= hash_u32(h, (uint32_t)der_len[i]);
        rc |= crypto_hash_update(h, der[i], der_len[i]);
    }
    rc |= crypto_hash_peek(h, key);
    crypto_hash_free(h);
    return rc == 0 ? 0 : -1;
}

static uint64_t mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec;
}

static vc_entry *find(x509_verify_cache *vc, const uint8_t *key)
{
    for (size_t i = 0; vc->entries && i < vc->max; i++)
        if (vc->entries[i].used && memcmp(vc->entries[i].key, key, X509_VERIFY_CACHE_KEY_LEN) == 0)
            return &vc->entries[i];
    return NULL;
}

bool x509_verify_cache_get_at(x509_verify_cache *vc, const uint8_t key[X509_VERIFY_CACHE_KEY_LEN],
                              int64_t now, uint64_t mono, x509_peer *peer)
{
    crypto_key *stale = NULL;
    bool hit = false;
    pthread_mutex_lock(&vc->lock);
    vc_entry *e = find(vc, key);
    if (e != NULL) {
        /* The same bounds X509_verify_cert applies: valid from notBefore through notAfter. */
        if (mono < e->expires && now >= e->peer.not_before && now <= e->peer.not_after) {
            *peer = e->peer;
            peer->key = crypto_key_ref(e->peer.key);
            e->last_used = ++vc->tick;
            hit = true;
        } else {
            /* Out of its window or too old: verify afresh (which stores a new entry). */
            stale = e->peer.key;
            memset(e, 0, sizeof(*e));
        }
    }
    pthread_mutex_unlock(&vc->lock);
    crypto_key_free(stale);
    return hit;
}

bool x509_verify_cache_get(x509_verify_cache *vc, const uint8_t key[X509_VERIFY_CACHE_KEY_LEN],
                           x509_peer *peer)
{
    return x509_verify_cache_get_at(vc, key, (int64_t)time(NULL), mono_seconds(), peer);
}

void x509_verify_cache_put_at(x509_verify_cache *vc, const uint8_t key[X509_VERIFY_CACHE_KEY_LEN],
                              const x509_peer *peer, uint64_t mono)
{
    /* Only a verification against a trust store may answer later ones. */
    if (!peer->verified || peer->key == NULL)
        return;
    crypto_key *old = NULL;
    pthread_mutex_lock(&vc->lock);
    if (vc->entries == NULL)
        vc->entries = calloc(vc->max, sizeof(*vc->entries));
    if (vc->entries != NULL) {
        vc_entry *e = find(vc, key);
        for (size_t i = 0; e == NULL && i < vc->max; i++)
            if (!vc->entries[i].used)
                e = &vc->entries[i];
        if (e == NULL) { /* full: the least recently used goes */
            e = &vc->entries[0];
            for (size_t i = 1; i < vc->max; i++)
                if (vc->entries[i].last_used < e->last_used)
                    e = &vc->entries[i];
        }
        old = e->used ? e->peer.key : NULL;
        e->used = true;
        memcpy(e->key, key, X509_VERIFY_CACHE_KEY_LEN);
        e->expires = mono + X509_VERIFY_CACHE_TTL;
        e->last_used = ++vc->tick;
        e->peer = *peer;
        e->peer.key = crypto_key_ref(peer->key);
    }
    pthread_mutex_unlock(&vc->lock);
    crypto_key_free(old);
}

void x509_verify_cache_put(x509_verify_cache *vc, const uint8_t key[X509_VERIFY_CACHE_KEY_LEN],
                           const x509_peer *peer)
{
    x509_verify_cache_put_at(vc, key, peer, mono_seconds());
}

size_t x509_verify_cache_count(x509_verify_cache *vc)
{
    size_t n = 0;
    pthread_mutex_lock(&vc->lock);
    for (size_t i = 0; vc->entries && i < vc->max; i++)
        n += vc->entries[i].used;
    pthread_mutex_unlock(&vc->lock);
    return n;
}
