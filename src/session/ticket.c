/*
 * Ticket keys and sealing. A period's key, and the check half of its key name, are the TLS 1.2
 * PRF (SHA-256) of the secret over the period number; derived keys are kept for the periods in
 * use, so a handshake pays one AES-GCM operation and no derivation.
 */
#include "ticket.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../crypto/crypto.h"

#define KEY_SLOTS 8 /* derived period keys kept; older periods are derived again if needed */

typedef struct period_key {
    uint64_t period;
    int valid;
    uint8_t name[16];
    uint8_t key[32];
} period_key;

struct ticket_keys {
    uint8_t secret[TICKET_SECRET_LEN];
    uint64_t rotate;
    uint64_t keep; /* earlier periods whose tickets still open */
    pthread_mutex_t lock;
    period_key slots[KEY_SLOTS];
};

ticket_keys *ticket_keys_new(const uint8_t secret[TICKET_SECRET_LEN], unsigned rotate,
                             unsigned lifetime)
{
    if (crypto_init() < 0)
        return NULL;
    ticket_keys *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return NULL;
    memcpy(k->secret, secret, TICKET_SECRET_LEN);
    k->rotate = rotate ? rotate : 3600;
    /* A ticket sealed at the very end of a period must open for a whole lifetime after. */
    k->keep = (lifetime + k->rotate - 1) / k->rotate;
    pthread_mutex_init(&k->lock, NULL);
    return k;
}

void ticket_keys_free(ticket_keys *k)
{
    if (k == NULL)
        return;
    pthread_mutex_destroy(&k->lock);
    crypto_wipe(k, sizeof(*k));
    free(k);
}

int ticket_secret_from_file(const char *path, uint8_t secret[TICKET_SECRET_LEN], char *why,
                            size_t why_cap)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(why, why_cap, "cannot open ticket key file %s", path);
        return -1;
    }
    char text[256];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    size_t digits = 0;
    while (isxdigit((unsigned char)p[digits]))
        digits++;
    char *rest = p + digits;
    while (isspace((unsigned char)*rest))
        rest++;
    int ok = digits == 2 * TICKET_SECRET_LEN && *rest == '\0';
    for (size_t i = 0; ok && i < TICKET_SECRET_LEN; i++) {
        unsigned v;
        ok = sscanf(p + 2 * i, "%2x", &v) == 1;
        secret[i] = (uint8_t)v;
    }
    crypto_wipe(text, sizeof(text));
    if (!ok) {
        snprintf(why, why_cap,
                 "ticket key file %s must hold exactly 64 hex digits (openssl rand -hex 32)", path);
        return -1;
    }
    return 0;
}

/* The key of a period, derived on first use. Called with the lock held. */
static const period_key *key_of(ticket_keys *k, uint64_t period)
{
    period_key *slot = &k->slots[period % KEY_SLOTS];
    if (slot->valid && slot->period == period)
        return slot;
    uint8_t seed[8], out[40];
    for (int i = 0; i < 8; i++)
        seed[i] = (uint8_t)(period >> (56 - 8 * i));
    if (crypto_prf(CRYPTO_SHA256, k->secret, sizeof(k->secret), "parley ticket key", seed,
                   sizeof(seed), NULL, 0, out, sizeof(out)) < 0)
        return NULL;
    slot->period = period;
    slot->valid = 1;
    memcpy(slot->name, seed, 8);
    memcpy(slot->name + 8, out, 8);
    memcpy(slot->key, out + 8, 32);
    crypto_wipe(out, sizeof(out));
    return slot;
}

/* Copies the key of a period out of the shared slots, so the AEAD runs without the lock. */
static int copy_key(ticket_keys *k, uint64_t period, period_key *out)
{
    pthread_mutex_lock(&k->lock);
    const period_key *pk = key_of(k, period);
    if (pk != NULL)
        *out = *pk;
    pthread_mutex_unlock(&k->lock);
    return pk != NULL ? 0 : -1;
}

size_t ticket_seal(ticket_keys *k, uint64_t now, const uint8_t *plain, size_t len, uint8_t *out,
                   size_t cap)
{
    if (cap < TICKET_OVERHEAD || len > cap - TICKET_OVERHEAD)
        return 0;
    period_key pk;
    if (copy_key(k, now / k->rotate, &pk) < 0)
        return 0;
    size_t n = 0;
    crypto_aead *aead = crypto_aead_new(CRYPTO_AES256_GCM, 1, pk.key);
    memcpy(out, pk.name, 16);
    if (aead != NULL && crypto_random(out + 16, CRYPTO_AEAD_NONCE) == 0 &&
        crypto_aead_seal(aead, out + 16, out, 16, plain, len, out + 16 + CRYPTO_AEAD_NONCE) == 0)
        n = TICKET_OVERHEAD + len;
    crypto_aead_free(aead);
    crypto_wipe(&pk, sizeof(pk));
    return n;
}

size_t ticket_open(ticket_keys *k, uint64_t now, const uint8_t *ticket, size_t len, uint8_t *out,
                   size_t cap, bool *stale)
{
    if (len < TICKET_OVERHEAD || len - TICKET_OVERHEAD > cap)
        return 0;
    uint64_t current = now / k->rotate, period = 0;
    for (int i = 0; i < 8; i++)
        period = period << 8 | ticket[i];
    if (period > current || current - period > k->keep)
        return 0; /* not a period whose tickets still open (or not ours at all) */
    period_key pk;
    if (copy_key(k, period, &pk) < 0)
        return 0;
    if (!crypto_memeq(pk.name, ticket, 16)) {
        crypto_wipe(&pk, sizeof(pk));
        return 0;
    }
    if (stale != NULL)
        *stale = period != current;
    size_t n = 0;
    crypto_aead *aead = crypto_aead_new(CRYPTO_AES256_GCM, 0, pk.key);
    if (aead != NULL &&
        crypto_aead_open(aead, ticket + 16, ticket, 16, ticket + 16 + CRYPTO_AEAD_NONCE,
                         len - 16 - CRYPTO_AEAD_NONCE, out) == 0)
        n = len - TICKET_OVERHEAD;
    crypto_aead_free(aead);
    crypto_wipe(&pk, sizeof(pk));
    return n;
}
