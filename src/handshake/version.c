/*
 * The defences around the choice of protocol version: the downgrade sentinels of RFC 8446 4.1.3,
 * which a server that could have spoken a higher version writes into ServerHello.random, and
 * which a client that offered the higher version checks. Together with the Finished messages
 * (which cover the random) they stop an attacker from quietly forcing an older version.
 */
#include "handshake.h"

#include <string.h>

#define SENTINEL_LEN 8
/* Negotiated TLS 1.2 although TLS 1.3 was possible, and negotiated TLS 1.1 or older although
 * TLS 1.2 was possible: "DOWNGRD" followed by 01 or 00. */
static const uint8_t sentinel_tls12[SENTINEL_LEN] = {0x44, 0x4f, 0x57, 0x4e,
                                                     0x47, 0x52, 0x44, 0x01};
static const uint8_t sentinel_tls11[SENTINEL_LEN] = {0x44, 0x4f, 0x57, 0x4e,
                                                     0x47, 0x52, 0x44, 0x00};

void version_mark_downgrade(uint8_t server_random[32], uint16_t negotiated, uint16_t server_max)
{
    uint8_t *tail = server_random + 32 - SENTINEL_LEN;
    if (server_max >= PARLEY_TLS1_3 && negotiated == PARLEY_TLS1_2)
        memcpy(tail, sentinel_tls12, SENTINEL_LEN);
    else if (server_max >= PARLEY_TLS1_2 && negotiated < PARLEY_TLS1_2)
        memcpy(tail, sentinel_tls11, SENTINEL_LEN);
}

bool version_is_downgrade(const uint8_t server_random[32], uint16_t negotiated, uint16_t client_max)
{
    const uint8_t *tail = server_random + 32 - SENTINEL_LEN;
    bool tls11 = memcmp(tail, sentinel_tls11, SENTINEL_LEN) == 0;
    bool tls12 = memcmp(tail, sentinel_tls12, SENTINEL_LEN) == 0;
    if (client_max >= PARLEY_TLS1_3 && negotiated <= PARLEY_TLS1_2)
        return tls11 || tls12;
    return client_max >= PARLEY_TLS1_2 && negotiated < PARLEY_TLS1_2 && tls11;
}
