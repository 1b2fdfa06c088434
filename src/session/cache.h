/*
 * Session caches: one interface (parley_session_cache_methods) over the embedded cache, Redis
 * and the application's own. The engine calls only these wrappers.
 */
#ifndef PARLEY_SESSION_CACHE_H
#define PARLEY_SESSION_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "parley.h"

struct parley_session_cache {
    atomic_int refs;
    parley_session_cache_methods methods;
    void *arg;
};

parley_session_cache *session_cache_ref(parley_session_cache *cache);
int session_cache_put(parley_session_cache *cache, const uint8_t *key, size_t key_len,
                      const uint8_t *value, size_t value_len, uint32_t lifetime);
/* The value's length, or 0 for a miss of any kind (absent, too long, backend failure). */
size_t session_cache_get(parley_session_cache *cache, const uint8_t *key, size_t key_len,
                         uint8_t *out, size_t cap);
void session_cache_remove(parley_session_cache *cache, const uint8_t *key, size_t key_len);

#endif
