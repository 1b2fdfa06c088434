/*
 * The 0-RTT single-use store: a fixed table of buckets, each a few slots, under one mutex. A
 * ticket is known by 16 bytes of its SHA-256, and its bucket by the first of them; the slots of
 * a bucket are searched whole, so an expired entry ahead of a live one never hides it. A bucket
 * whose slots are all alive is full: the caller then refuses early data rather than accepting
 * it unchecked. The table is allocated once, when a server configuration turns 0-RTT on.
 */
#include "replay.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../crypto/crypto.h"

#define KEY_LEN     16
#define BUCKET_SIZE 8

typedef struct replay_slot {
    uint8_t key[KEY_LEN];
    uint64_t expires; /* Unix seconds; 0: free */
} replay_slot;

struct early_replay {
    pthread_mutex_t lock;
    size_t n_buckets;
    replay_slot slots[]; /* n_buckets * BUCKET_SIZE */
};

early_replay *early_replay_new(size_t slots)
{
    size_t n_buckets = (slots + BUCKET_SIZE - 1) / BUCKET_SIZE;
    if (n_buckets == 0)
        n_buckets = 1;
    early_replay *r = calloc(1, sizeof(*r) + n_buckets * BUCKET_SIZE * sizeof(replay_slot));
    if (r == NULL)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    r->n_buckets = n_buckets;
    return r;
}

void early_replay_free(early_replay *r)
{
    if (r == NULL)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

early_replay_verdict early_replay_check(early_replay *r, const uint8_t *ticket, size_t len,
                                        uint64_t now, uint64_t expires)
{
    uint8_t digest[CRYPTO_MAX_HASH];
    if (crypto_digest(CRYPTO_SHA256, ticket, len, digest) < 0)
        return EARLY_REPLAY_FAILED;
    uint32_t index = (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 |
                     (uint32_t)digest[2] << 8 | digest[3];
    pthread_mutex_lock(&r->lock);
    replay_slot *bucket = &r->slots[(index % r->n_buckets) * BUCKET_SIZE];
    replay_slot *free_slot = NULL;
    bool seen = false;
    for (size_t i = 0; i < BUCKET_SIZE; i++) {
        bool alive = bucket[i].expires > now;
        if (alive && crypto_memeq(bucket[i].key, digest, KEY_LEN))
            seen = true;
        else if (!alive && free_slot == NULL)
            free_slot = &bucket[i];
    }
    early_replay_verdict verdict = seen ? EARLY_REPLAY_SEEN : EARLY_REPLAY_FULL;
    if (!seen && free_slot != NULL) {
        memcpy(free_slot->key, digest, KEY_LEN);
        free_slot->expires = expires > now ? expires : now + 1;
        verdict = EARLY_REPLAY_FRESH;
    }
    pthread_mutex_unlock(&r->lock);
    return verdict;
}
