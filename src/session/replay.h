/*
 * The single-use store behind 0-RTT (RFC 8446 8.1): a server accepts early data with a ticket
 * only the first time it sees that ticket, so a ClientHello with early data that an attacker
 * captured and sends again is answered without it. Bounded and in memory, per configuration,
 * safe to use from any thread.
 */
#ifndef PARLEY_REPLAY_H
#define PARLEY_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/* The size of a configuration's store: 16384 tickets, 384 KiB, made only when 0-RTT is on. With
 * the default session lifetime of 300 s that is about 50 new 0-RTT tickets a second before
 * buckets fill and early data is refused (the handshakes still complete, in one round trip). */
#define EARLY_REPLAY_SLOTS 16384

typedef struct early_replay early_replay;

/* What early_replay_check found. */
typedef enum early_replay_verdict {
    EARLY_REPLAY_FRESH = 0, /* first use: now recorded */
    EARLY_REPLAY_SEEN,      /* used before: a replay, or the client reusing its ticket */
    EARLY_REPLAY_FULL,      /* no room to record it: early data must be refused */
    EARLY_REPLAY_FAILED,    /* hashing failed */
} early_replay_verdict;

/* A store for at most slots tickets (rounded up to a whole number of buckets); NULL if out of
 * memory. */
early_replay *early_replay_new(size_t slots);
void early_replay_free(early_replay *r);
/* Checks the ticket (the PSK identity as sent) and records it until expires (Unix seconds):
 * entries past their expiry give their place to new ones. now is the current Unix time. */
early_replay_verdict early_replay_check(early_replay *r, const uint8_t *ticket, size_t len,
                                        uint64_t now, uint64_t expires);

#endif
