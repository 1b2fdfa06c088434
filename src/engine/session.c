/*
 * A connection's session as the application sees it: the session a client offers, the one it
 * got, the key it is cached under, and whether the handshake resumed.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "../handshake/handshake.h"
#include "../session/session.h"

int parley_session_resumed(const parley_conn *c)
{
    return conn_established(c) && c->resumed;
}

parley_session *parley_conn_get_session(const parley_conn *c)
{
    if (!conn_established(c) || c->role != PARLEY_CLIENT || c->session_bytes == NULL)
        return NULL;
    return parley_session_import(c->session_bytes, c->session_bytes_len);
}

int parley_conn_set_session(parley_conn *c, const parley_session *session)
{
    if (c == NULL || session == NULL || c->role != PARLEY_CLIENT || c->hs != NULL ||
        c->state != PARLEY_STATE_HANDSHAKING)
        return PARLEY_ERROR;
    uint8_t buf[SESSION_ENCODED_MAX];
    size_t n = session_encode(session, buf, sizeof(buf));
    parley_session *copy = n ? parley_session_import(buf, n) : NULL;
    crypto_wipe(buf, n);
    if (copy == NULL)
        return PARLEY_ERROR;
    parley_session_free(c->session);
    c->session = copy;
    resume_drop_bytes(c);
    return PARLEY_OK;
}

int parley_conn_set_session_key(parley_conn *c, const char *key)
{
    if (c == NULL || key == NULL || key[0] == '\0' || c->role != PARLEY_CLIENT || c->hs != NULL)
        return PARLEY_ERROR;
    char *copy = strdup(key);
    if (copy == NULL)
        return PARLEY_ERROR;
    free(c->session_key);
    c->session_key = copy;
    return PARLEY_OK;
}
