/*
 * The serialized session, format 3:
 *
 *   "PS" 0x03  version(2) suite(2) flags(1: ems, peer_authenticated) created(8) lifetime(4)
 *   age_add(4) ticket_received_ms(8)
 *   id<0..32> master_secret<48> server_name<0..255> peer_subject<0..2^16-1> peer_key<0..255>
 *   ticket<0..2^16-1> max_early_data(4) alpn<0..63>
 *
 * A TLS 1.3 session keeps its resumption PSK in master_secret (the suite's hash length, zero
 * padded) and the ticket's age_add; format 1 had neither and is no longer read. Format 2 is
 * format 3 without its last two fields (0-RTT came with them): it still loads, as a session
 * without early data and without ALPN, so sessions saved by an older parley keep resuming.
 *
 * Bytes from a cache or an import are untrusted (a shared Redis, a file): they are parsed with
 * the bounded reader, and a session that does not parse is a miss.
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/reader.h"
#include "../common/writer.h"
#include "../crypto/crypto.h"

#define FORMAT_MAGIC0        'P'
#define FORMAT_MAGIC1        'S'
#define FORMAT_VERSION       3
#define FORMAT_NO_EARLY_DATA 2 /* the previous format: read, never written */
#define FLAG_EMS             0x01
#define FLAG_PEER_AUTH       0x02

static void write_string(writer *w, size_t lenbytes, const char *s)
{
    writer_open(w, lenbytes);
    writer_bytes(w, s, strlen(s));
    writer_close(w);
}

static void write_vector(writer *w, size_t lenbytes, const uint8_t *p, size_t n)
{
    writer_open(w, lenbytes);
    writer_bytes(w, p, n);
    writer_close(w);
}

size_t session_encode(const parley_session *s, uint8_t *out, size_t cap)
{
    writer w;
    writer_init(&w, out, cap);
    writer_u8(&w, FORMAT_MAGIC0);
    writer_u8(&w, FORMAT_MAGIC1);
    writer_u8(&w, FORMAT_VERSION);
    writer_u16(&w, s->version);
    writer_u16(&w, s->suite);
    writer_u8(&w,
              (uint8_t)((s->ems ? FLAG_EMS : 0) | (s->peer_authenticated ? FLAG_PEER_AUTH : 0)));
    writer_u32(&w, (uint32_t)(s->created >> 32));
    writer_u32(&w, (uint32_t)s->created);
    writer_u32(&w, s->lifetime);
    writer_u32(&w, s->age_add);
    writer_u32(&w, (uint32_t)(s->ticket_received_ms >> 32));
    writer_u32(&w, (uint32_t)s->ticket_received_ms);
    write_vector(&w, 1, s->id, s->id_len);
    write_vector(&w, 1, s->master_secret, sizeof(s->master_secret));
    write_string(&w, 1, s->server_name);
    write_string(&w, 2, s->peer_subject);
    write_string(&w, 1, s->peer_key);
    write_vector(&w, 2, s->ticket, s->ticket_len);
    writer_u32(&w, s->max_early_data);
    write_string(&w, 1, s->alpn);
    if (!writer_done(&w)) {
        crypto_wipe(out, cap < w.len ? cap : w.len);
        return 0;
    }
    return w.len;
}

/* Copies a vector into a NUL-terminated string field of cap bytes; false if it does not fit or
 * holds a NUL. */
static bool read_string(reader *r, size_t lenbytes, char *out, size_t cap)
{
    span v = reader_vector(r, lenbytes, 0, cap - 1);
    if (r->failed || memchr(v.p, '\0', v.len) != NULL)
        return false;
    memcpy(out, v.p, v.len);
    out[v.len] = '\0';
    return true;
}

int session_decode(const uint8_t *data, size_t len, parley_session *s)
{
    memset(s, 0, sizeof(*s));
    reader r = reader_init(data, len);
    if (reader_u8(&r) != FORMAT_MAGIC0 || reader_u8(&r) != FORMAT_MAGIC1)
        return -1;
    uint8_t format = reader_u8(&r);
    if (format != FORMAT_VERSION && format != FORMAT_NO_EARLY_DATA)
        return -1;
    s->version = reader_u16(&r);
    s->suite = reader_u16(&r);
    uint8_t flags = reader_u8(&r);
    s->ems = flags & FLAG_EMS;
    s->peer_authenticated = flags & FLAG_PEER_AUTH;
    s->created = (uint64_t)reader_u32(&r) << 32;
    s->created |= reader_u32(&r);
    s->lifetime = reader_u32(&r);
    s->age_add = reader_u32(&r);
    s->ticket_received_ms = (uint64_t)reader_u32(&r) << 32;
    s->ticket_received_ms |= reader_u32(&r);
    span id = reader_vector(&r, 1, 0, SESSION_ID_MAX);
    span ms = reader_vector(&r, 1, 48, 48);
    bool strings_ok = read_string(&r, 1, s->server_name, sizeof(s->server_name)) &&
                      read_string(&r, 2, s->peer_subject, sizeof(s->peer_subject)) &&
                      read_string(&r, 1, s->peer_key, sizeof(s->peer_key));
    span ticket = reader_vector(&r, 2, 0, SESSION_TICKET_MAX);
    if (format == FORMAT_VERSION) {
        s->max_early_data = reader_u32(&r);
        strings_ok = strings_ok && read_string(&r, 1, s->alpn, sizeof(s->alpn));
    }
    if (!strings_ok || !reader_done(&r) || (flags & ~(FLAG_EMS | FLAG_PEER_AUTH)) != 0) {
        session_clear(s);
        return -1;
    }
    memcpy(s->id, id.p, id.len);
    s->id_len = id.len;
    memcpy(s->master_secret, ms.p, 48);
    if (ticket.len > 0) {
        s->ticket = malloc(ticket.len);
        if (s->ticket == NULL) {
            session_clear(s);
            return -1;
        }
        memcpy(s->ticket, ticket.p, ticket.len);
        s->ticket_len = ticket.len;
    }
    return 0;
}

void session_clear(parley_session *s)
{
    if (s->ticket != NULL) {
        crypto_wipe(s->ticket, s->ticket_len);
        free(s->ticket);
    }
    crypto_wipe(s, sizeof(*s));
}

bool session_alive(const parley_session *s, uint64_t now)
{
    return now >= s->created && now - s->created < s->lifetime;
}

uint64_t session_now(void)
{
    return (uint64_t)time(NULL);
}

uint64_t session_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the public session object ---------------------------------------------------------- */

size_t parley_session_export(const parley_session *s, uint8_t *out, size_t cap)
{
    if (s == NULL)
        return 0;
    uint8_t buf[SESSION_ENCODED_MAX];
    size_t n = session_encode(s, buf, sizeof(buf));
    if (n > 0 && out != NULL && cap >= n)
        memcpy(out, buf, n);
    crypto_wipe(buf, n);
    return n;
}

parley_session *parley_session_import(const uint8_t *data, size_t len)
{
    parley_session *s = malloc(sizeof(*s));
    if (s == NULL || data == NULL) {
        free(s);
        return NULL;
    }
    if (session_decode(data, len, s) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

void parley_session_free(parley_session *s)
{
    if (s == NULL)
        return;
    session_clear(s);
    free(s);
}
