/*
 * The handshake messages after the hellos (RFC 5246 7.4, RFC 8422 5.4 and 5.7) and the helpers
 * shared by the engine. The hellos are in messages_hello.c.
 */
#include "messages_codec.h"

#include <string.h>

/* ---- Certificate ------------------------------------------------------------------------------
 */

/* RFC 5246 7.4.2 allows a chain filling 2^24-1 bytes; HS_MAX_CERTS caps the count so the struct
 * needs no allocation. Real chains are 2-4 certificates; a longer one is refused as malformed
 * rather than silently cut, since verification of a cut chain would fail later less clearly. */
int hs_parse_certificate(const uint8_t *body, size_t len, hs_certificate *out)
{
    memset(out, 0, sizeof(*out));
    reader r = reader_init(body, len);
    reader list = reader_sub(&r, 3, 0, 0xffffff);
    while (list.left > 0 && !list.failed) {
        if (out->count == HS_MAX_CERTS) {
            list.failed = true;
            break;
        }
        out->certs[out->count++] = reader_vector(&list, 3, 1, 0xffffff);
    }
    if (list.failed)
        r.failed = true;
    return hs_verdict(&r, 0);
}

int hs_write_certificate(writer *w, const hs_certificate *m)
{
    if (m->count > HS_MAX_CERTS)
        return -1;
    hs_begin_message(w, HS_CERTIFICATE);
    writer_open(w, 3);
    for (size_t i = 0; i < m->count; i++)
        hs_write_vector(w, 3, m->certs[i]);
    writer_close(w);
    return hs_end_message(w);
}

/* ---- ServerKeyExchange (ECDHE) ----------------------------------------------------------------
 */

#define CURVE_TYPE_NAMED_CURVE 3

int hs_parse_server_key_exchange(const uint8_t *body, size_t len, bool tls12,
                                 hs_server_key_exchange *out)
{
    memset(out, 0, sizeof(*out));
    reader r = reader_init(body, len);
    uint8_t curve_type = reader_u8(&r);
    if (r.failed)
        return HS_ALERT_DECODE_ERROR;
    /* explicit_prime and explicit_char2 are deprecated (RFC 8422 5.4) and their layout differs,
     * so nothing after the curve type can be read. */
    if (curve_type != CURVE_TYPE_NAMED_CURVE)
        return HS_ALERT_ILLEGAL_PARAMETER;
    out->group = reader_u16(&r);
    out->public_key = reader_vector(&r, 1, 1, 255);
    if (!r.failed)
        out->params = (span){body, (size_t)(r.p - body)};
    out->has_scheme = tls12;
    if (tls12)
        out->scheme = reader_u16(&r);
    out->signature = reader_vector(&r, 2, 1, 0xffff);
    return hs_verdict(&r, 0);
}

static void write_ecdh_params(writer *w, uint16_t group, span public_key)
{
    writer_u8(w, CURVE_TYPE_NAMED_CURVE);
    writer_u16(w, group);
    hs_write_vector(w, 1, public_key);
}

int hs_write_server_key_exchange(writer *w, const hs_server_key_exchange *m)
{
    hs_begin_message(w, HS_SERVER_KEY_EXCHANGE);
    write_ecdh_params(w, m->group, m->public_key);
    if (m->has_scheme)
        writer_u16(w, m->scheme);
    hs_write_vector(w, 2, m->signature);
    return hs_end_message(w);
}

size_t hs_ecdh_params(uint16_t group, span public_key, uint8_t *out, size_t cap)
{
    writer w;
    writer_init(&w, out, cap);
    write_ecdh_params(&w, group, public_key);
    return writer_done(&w) ? w.len : 0;
}

/* ---- CertificateRequest -----------------------------------------------------------------------
 */

int hs_parse_certificate_request(const uint8_t *body, size_t len, bool tls12,
                                 hs_certificate_request *out)
{
    memset(out, 0, sizeof(*out));
    reader r = reader_init(body, len);
    out->cert_types = reader_vector(&r, 1, 1, 255);
    out->has_sig_algs = tls12;
    if (tls12) {
        out->sig_algs = reader_vector(&r, 2, 2, 0xfffe);
        if (out->sig_algs.len % 2 != 0)
            r.failed = true;
    }
    /* Each DistinguishedName is checked for shape here so the engine can walk the list blind. */
    reader names = reader_sub(&r, 2, 0, 0xffff);
    out->ca_names = (span){names.p, names.left};
    while (names.left > 0 && !names.failed)
        reader_vector(&names, 2, 1, 0xffff);
    if (names.failed)
        r.failed = true;
    return hs_verdict(&r, 0);
}

int hs_write_certificate_request(writer *w, const hs_certificate_request *m)
{
    hs_begin_message(w, HS_CERTIFICATE_REQUEST);
    hs_write_vector(w, 1, m->cert_types);
    if (m->has_sig_algs)
        hs_write_vector(w, 2, m->sig_algs);
    hs_write_vector(w, 2, m->ca_names);
    return hs_end_message(w);
}

/* ---- ServerHelloDone --------------------------------------------------------------------------
 */

int hs_parse_server_hello_done(const uint8_t *body, size_t len)
{
    (void)body;
    return len == 0 ? 0 : HS_ALERT_DECODE_ERROR;
}

int hs_write_server_hello_done(writer *w)
{
    hs_begin_message(w, HS_SERVER_HELLO_DONE);
    return hs_end_message(w);
}

/* ---- ClientKeyExchange ------------------------------------------------------------------------
 */

int hs_parse_client_key_exchange(const uint8_t *body, size_t len, bool rsa,
                                 hs_client_key_exchange *out)
{
    memset(out, 0, sizeof(*out));
    reader r = reader_init(body, len);
    /* The RSA ciphertext's length is not judged here: RFC 5246 7.4.7.1 wants a wrong one handled
     * like bad padding, by the constant-time path in the engine. */
    if (rsa)
        out->exchange = reader_vector(&r, 2, 0, 0xffff);
    else
        out->exchange = reader_vector(&r, 1, 1, 255);
    return hs_verdict(&r, 0);
}

int hs_write_client_key_exchange(writer *w, bool rsa, const hs_client_key_exchange *m)
{
    hs_begin_message(w, HS_CLIENT_KEY_EXCHANGE);
    hs_write_vector(w, rsa ? 2 : 1, m->exchange);
    return hs_end_message(w);
}

/* ---- CertificateVerify ------------------------------------------------------------------------
 */

int hs_parse_certificate_verify(const uint8_t *body, size_t len, bool tls12,
                                hs_certificate_verify *out)
{
    memset(out, 0, sizeof(*out));
    reader r = reader_init(body, len);
    out->has_scheme = tls12;
    if (tls12)
        out->scheme = reader_u16(&r);
    /* RFC 5246 allows an empty signature; it can never verify, so it is refused as malformed
     * here, as in ServerKeyExchange, rather than handed to the signature code. */
    out->signature = reader_vector(&r, 2, 1, 0xffff);
    return hs_verdict(&r, 0);
}

int hs_write_certificate_verify(writer *w, const hs_certificate_verify *m)
{
    hs_begin_message(w, HS_CERTIFICATE_VERIFY);
    if (m->has_scheme)
        writer_u16(w, m->scheme);
    hs_write_vector(w, 2, m->signature);
    return hs_end_message(w);
}

/* ---- Finished ---------------------------------------------------------------------------------
 */

int hs_parse_finished(const uint8_t *body, size_t len, size_t verify_len, hs_finished *out)
{
    out->verify_data = (span){body, len};
    return len == verify_len ? 0 : HS_ALERT_DECODE_ERROR;
}

int hs_write_finished(writer *w, const hs_finished *m)
{
    hs_begin_message(w, HS_FINISHED);
    writer_bytes(w, m->verify_data.p, m->verify_data.len);
    return hs_end_message(w);
}

/* ---- NewSessionTicket -------------------------------------------------------------------------
 */

int hs_parse_new_session_ticket(const uint8_t *body, size_t len, hs_new_session_ticket *out)
{
    memset(out, 0, sizeof(*out));
    reader r = reader_init(body, len);
    out->lifetime_hint = reader_u32(&r);
    out->ticket = reader_vector(&r, 2, 0, 0xffff);
    return hs_verdict(&r, 0);
}

int hs_write_new_session_ticket(writer *w, const hs_new_session_ticket *m)
{
    hs_begin_message(w, HS_NEW_SESSION_TICKET);
    writer_u32(w, m->lifetime_hint);
    hs_write_vector(w, 2, m->ticket);
    return hs_end_message(w);
}

/* ---- helpers ----------------------------------------------------------------------------------
 */

bool hs_list_has_u16(span list, uint16_t v)
{
    for (size_t i = 0; i + 1 < list.len; i += 2)
        if ((uint16_t)(list.p[i] << 8 | list.p[i + 1]) == v)
            return true;
    return false;
}

const char *hs_message_name(uint8_t type)
{
    switch (type) {
    case HS_HELLO_REQUEST:
        return "HelloRequest";
    case HS_CLIENT_HELLO:
        return "ClientHello";
    case HS_SERVER_HELLO:
        return "ServerHello";
    case HS_NEW_SESSION_TICKET:
        return "NewSessionTicket";
    case HS_CERTIFICATE:
        return "Certificate";
    case HS_SERVER_KEY_EXCHANGE:
        return "ServerKeyExchange";
    case HS_CERTIFICATE_REQUEST:
        return "CertificateRequest";
    case HS_SERVER_HELLO_DONE:
        return "ServerHelloDone";
    case HS_CERTIFICATE_VERIFY:
        return "CertificateVerify";
    case HS_CLIENT_KEY_EXCHANGE:
        return "ClientKeyExchange";
    case HS_FINISHED:
        return "Finished";
    case HS_END_OF_EARLY_DATA:
        return "EndOfEarlyData";
    case HS_ENCRYPTED_EXTENSIONS:
        return "EncryptedExtensions";
    case HS_KEY_UPDATE:
        return "KeyUpdate";
    case HS_MESSAGE_HASH:
        return "message_hash";
    default:
        return "unknown";
    }
}
