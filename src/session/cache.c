/*
 * The session cache handle: reference counting and the calls through the backend's methods.
 */
#include "cache.h"

#include <stdlib.h>

parley_session_cache *parley_session_cache_new(const parley_session_cache_methods *methods,
                                               void *arg)
{
    if (methods == NULL || methods->put == NULL || methods->get == NULL || methods->remove == NULL)
        return NULL;
    parley_session_cache *cache = calloc(1, sizeof(*cache));
    if (cache == NULL)
        return NULL;
    atomic_init(&cache->refs, 1);
    cache->methods = *methods;
    cache->arg = arg;
    return cache;
}

parley_session_cache *session_cache_ref(parley_session_cache *cache)
{
    if (cache != NULL)
        atomic_fetch_add(&cache->refs, 1);
    return cache;
}

void parley_session_cache_free(parley_session_cache *cache)
{
    if (cache == NULL || atomic_fetch_sub(&cache->refs, 1) != 1)
        return;
    if (cache->methods.free != NULL)
        cache->methods.free(cache->arg);
    free(cache);
}

int session_cache_put(parley_session_cache *cache, const uint8_t *key, size_t key_len,
                      const uint8_t *value, size_t value_len, uint32_t lifetime)
{
    return cache->methods.put(cache->arg, key, key_len, value, value_len, lifetime);
}

size_t session_cache_get(parley_session_cache *cache, const uint8_t *key, size_t key_len,
                         uint8_t *out, size_t cap)
{
    int n = cache->methods.get(cache->arg, key, key_len, out, cap);
    return n > 0 && (size_t)n <= cap ? (size_t)n : 0;
}

void session_cache_remove(parley_session_cache *cache, const uint8_t *key, size_t key_len)
{
    cache->methods.remove(cache->arg, key, key_len);
}
