/*
 * A resumable session (TLS 1.0-1.2): what both sides keep so that a later handshake can skip
 * the key exchange, and its one serialized form. The same bytes go into session caches (the
 * embedded one, Redis), into tickets (sealed), and out of parley_session_export.
 */
#ifndef PARLEY_SESSION_H
#define PARLEY_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parley.h"

#include "../x509/x509.h"

#define SESSION_ID_MAX     32
#define SESSION_TICKET_MAX 4096 /* longer tickets from a server are not kept */
#define SESSION_ALPN_MAX   63   /* parley's own limit on one protocol name */
/* The serialized form's largest size: fixed fields, then the variable ones at their limits. */
#define SESSION_ENCODED_MAX                                                                        \
    (80 + SESSION_ID_MAX + 48 + 255 + X509_NAME_MAX + 32 + SESSION_TICKET_MAX + 4 + 1 +            \
     SESSION_ALPN_MAX)

struct parley_session {
    uint16_t version, suite;
    bool ems;                /* made with the extended master secret (RFC 7627) */
    bool peer_authenticated; /* the peer's certificate verified in the full handshake */
    uint8_t master_secret[48];
    uint8_t id[SESSION_ID_MAX];
    size_t id_len;
    uint64_t created;  /* Unix time, seconds */
    uint32_t lifetime; /* seconds from created during which it may resume */
    /* TLS 1.3 tickets (RFC 8446 4.6.1): the value the client adds to the ticket's age to
     * obscure it, and when the client received the ticket (ms since the epoch; in the server's
     * sealed copy, when the server issued it). */
    uint32_t age_add;
    uint64_t ticket_received_ms;
    /* TLS 1.3: the ticket's max_early_data_size (0: no 0-RTT with it), and the ALPN protocol
     * the session negotiated ("" if none), which 0-RTT must keep (RFC 8446 4.2.10). */
    uint32_t max_early_data;
    char alpn[SESSION_ALPN_MAX + 1];
    char server_name[256];
    char peer_subject[X509_NAME_MAX];
    char peer_key[32];
    uint8_t *ticket; /* client: the server's ticket for this session, offered to resume it */
    size_t ticket_len;
};

/* Serializes s into out (cap bytes); returns the length, 0 if it does not fit. */
size_t session_encode(const parley_session *s, uint8_t *out, size_t cap);
/* Parses a serialized session into *s (which owns a copy of the ticket). 0, or -1 for bytes
 * that do not parse (another format version included). */
int session_decode(const uint8_t *data, size_t len, parley_session *s);
/* Wipes s and frees what it owns. */
void session_clear(parley_session *s);
/* Whether s may still resume at Unix time now. */
bool session_alive(const parley_session *s, uint64_t now);
/* The current Unix time in seconds, and in milliseconds. */
uint64_t session_now(void);
uint64_t session_now_ms(void);

#endif
