/*
 * Session tickets (RFC 5077): a server's session sealed with AES-256-GCM under a key of the
 * current period, so the server keeps nothing. Keys come from one 32-byte secret and the clock
 * (period = Unix time / rotate seconds), so servers sharing the secret rotate together without
 * talking; tickets of the last few periods still open while their sessions can live.
 *
 *   ticket = key_name(16) nonce(12) AES-256-GCM(session, aad = key_name) tag(16)
 *   key_name = period(8, big-endian) check(8, derived with the key)
 *
 * The period in the name says which single key to derive: a forged ticket costs at most one
 * derivation, however many periods are still open.
 */
#ifndef PARLEY_TICKET_H
#define PARLEY_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TICKET_SECRET_LEN 32
#define TICKET_OVERHEAD   (16 + 12 + 16)

typedef struct ticket_keys ticket_keys;

/* Keys from secret, changing every rotate seconds, opening tickets up to lifetime old. */
ticket_keys *ticket_keys_new(const uint8_t secret[TICKET_SECRET_LEN], unsigned rotate,
                             unsigned lifetime);
void ticket_keys_free(ticket_keys *k);
/* Reads a secret written as 64 hex digits (whitespace around them ignored). 0, or -1 with a
 * sentence in why. */
int ticket_secret_from_file(const char *path, uint8_t secret[TICKET_SECRET_LEN], char *why,
                            size_t why_cap);
/* Seals plain at time now into out; returns the ticket's length, 0 on failure. */
size_t ticket_seal(ticket_keys *k, uint64_t now, const uint8_t *plain, size_t len, uint8_t *out,
                   size_t cap);
/* Opens a ticket into out; returns the plaintext's length, 0 if it is not one of ours, was
 * altered, or its key's period is over. *stale (may be NULL) says it was sealed under an earlier
 * period's key, so the client deserves a new ticket. */
size_t ticket_open(ticket_keys *k, uint64_t now, const uint8_t *ticket, size_t len, uint8_t *out,
                   size_t cap, bool *stale);

#endif
