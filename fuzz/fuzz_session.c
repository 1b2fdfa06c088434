/*
 * Serialized sessions and tickets are untrusted: a shared Redis, a session file, a ticket from
 * any client. The session parser is fed arbitrary bytes; whatever parses must serialize back to
 * the same bytes (one canonical form; a format 2 session comes back as format 3). The same bytes,
 * taken as a ticket, must be refused by ticket_open unless they were sealed with its keys; a
 * session that parses is sealed and must open back to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session/session.h"
#include "session/ticket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
    if (!ok)
        abort();
}

static uint8_t out[SESSION_ENCODED_MAX + TICKET_OVERHEAD], back[SESSION_ENCODED_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    static ticket_keys *keys;
    if (keys == NULL) {
        static const uint8_t secret[TICKET_SECRET_LEN] = {1, 2, 3};
        keys = ticket_keys_new(secret, 3600, 7200);
    }
    uint8_t *data = malloc(size ? size : 1); /* exact size, so ASan sees an overread */
    if (data == NULL)
        return 0;
    if (size)
        memcpy(data, input, size);
    const uint64_t now = 1700000000;
    /* Forged tickets: a random key name or tag does not open. */
    require(ticket_open(keys, now, data, size, back, sizeof(back), NULL) == 0);

    parley_session s;
    if (session_decode(data, size, &s) == 0) {
        size_t n = session_encode(&s, out, sizeof(out));
        if (data[2] == 2) {
            /* Format 2 still loads and is written back as format 3: the same fields, then no
             * early data (4 zero bytes) and no ALPN (an empty vector). */
            static const uint8_t tail[5] = {0};
            require(n == size + 5 && out[2] == 3 && memcmp(out + 3, data + 3, size - 3) == 0 &&
                    memcmp(out + size, tail, 5) == 0);
        } else {
            require(n == size && memcmp(out, data, size) == 0);
        }
        size_t t = ticket_seal(keys, now, data, size, out, sizeof(out));
        require(t == size + TICKET_OVERHEAD);
        bool stale = true;
        require(ticket_open(keys, now, out, t, back, sizeof(back), &stale) == size && !stale);
        require(ticket_open(keys, now + 3600, out, t, back, sizeof(back), &stale) == size && stale);
        require(ticket_open(keys, now + 3 * 3600, out, t, back, sizeof(back), NULL) == 0);
        require(memcmp(back, data, size) == 0);
        out[t - 1] ^= 1;
        require(ticket_open(keys, now, out, t, back, sizeof(back), NULL) == 0);
        session_clear(&s);
    }
    free(data);
    return 0;
}
