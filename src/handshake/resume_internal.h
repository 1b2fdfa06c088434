/*
 * What the TLS 1.0-1.2 resumption code (resume.c) shares with TLS 1.3's (resume13.c), and
 * nothing else uses.
 */
#ifndef PARLEY_RESUME_INTERNAL_H
#define PARLEY_RESUME_INTERNAL_H

#include "handshake.h"

#include "../session/session.h"

/* A trace step with printf formatting, built only when tracing is on. */
void resume_trace(parley_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The client's key for its session in the configuration's cache. */
const char *resume_cache_key(const parley_conn *c);
/* The parts of the connection's session every version keeps: version, suite, lifetime, server
 * name, ALPN protocol and peer identity (the rest zeroed). */
void resume_session_of(const parley_conn *c, parley_session *s);
/* A resumed session's peer identity (subject, key name, authenticated) onto the connection. */
void resume_take_peer_identity(parley_conn *c, const parley_session *s);
/* Client: keeps s serialized on the connection (replacing what was kept) and in the
 * configuration's cache under the connection's key. */
void resume_client_store(parley_conn *c, const parley_session *s);

#endif
