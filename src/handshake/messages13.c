/*
 * The handshake messages only TLS 1.3 has, or has in a form of its own (RFC 8446 4.3, 4.4.2,
 * 4.6): EncryptedExtensions, Certificate and CertificateRequest in their 1.3 layout,
 * NewSessionTicket with nonce and extensions, and KeyUpdate. The hellos' TLS 1.3 extensions are
 * in messages_hello.c.
 */
#include "messages_codec.h"

#include <string.h>

/* RFC 8446 4.6.1: servers MUST NOT use any value greater than 604800 seconds (7 days). */
#define TICKET_LIFETIME_MAX 604800

/* An extension whose body is stepped over after the walker has checked its framing. */
static void skip_extension(void *msg, uint16_t type, reader *body, int *illegal)
{
    (void)msg;
    (void)type;
    (void)illegal;
    reader_bytes(body, body->left);
}

/* ---- EncryptedExtensions ----------------------------------------------------------------------
 */

/* Extensions parley knows that RFC 8446 4.2 (or, for the TLS 1.2 ones, their own RFCs) does not
 * list for EncryptedExtensions: a server sending one is illegal_parameter, not an unknown
 * extension to skip. */
static bool forbidden_in_encrypted_extensions(uint16_t type)
{
    switch (type) {
    case EXT_KEY_SHARE:
    case EXT_SUPPORTED_VERSIONS:
    case EXT_PRE_SHARED_KEY:
    case EXT_COOKIE:
    case EXT_PSK_KEY_EXCHANGE_MODES:
    case EXT_SIGNATURE_ALGORITHMS:
    case EXT_EC_POINT_FORMATS:
    case EXT_EXTENDED_MASTER_SECRET:
    case EXT_SESSION_TICKET:
    case EXT_RENEGOTIATION_INFO:
    case EXT_CERTIFICATE_AUTHORITIES:
    case EXT_POST_HANDSHAKE_AUTH:
    case EXT_SIGNATURE_ALGORITHMS_CERT:
        return true;
    default:
        return false;
    }
}

static void read_encrypted_extension(void *msg, uint16_t type, reader *body, int *illegal)
{
    hs_encrypted_extensions *out = msg;
    switch (type) {
    case EXT_SERVER_NAME:
        out->has_server_name = true; /* RFC 6066 3: the acknowledgement is empty */
        break;
    case EXT_SUPPORTED_GROUPS:
        out->has_groups = true;
        out->groups = hs_read_u16_list(body);
        break;
    case EXT_ALPN:
        out->has_alpn = true;
        out->alpn_protocol = hs_read_alpn_protocol(body);
        break;
    case EXT_EARLY_DATA:
        out->has_early_data = true; /* RFC 8446 4.2.10: empty in EncryptedExtensions */
        break;
    default:
        if (forbidden_in_encrypted_extensions(type))
            *illegal = HS_ALERT_ILLEGAL_PARAMETER;
        reader_bytes(body, body->left);
        break;
    }
}

int hs_parse_encrypted_extensions(const uint8_t *body, size_t len, hs_encrypted_extensions *out)
{
    memset(out, 0, sizeof(*out));
    int illegal = 0;
    reader r = reader_init(body, len);
    hs_read_extensions(&r, 0, 0xffff, read_encrypted_extension, out, &illegal);
    return hs_verdict(&r, illegal);
}

int hs_write_encrypted_extensions(writer *w, const hs_encrypted_extensions *m)
{
    hs_begin_message(w, HS_ENCRYPTED_EXTENSIONS);
    writer_open(w, 2);
    if (m->has_server_name)
        hs_write_empty_extension(w, EXT_SERVER_NAME);
    if (m->has_groups)
        hs_write_vector_extension(w, EXT_SUPPORTED_GROUPS, 2, m->groups);
    if (m->has_alpn)
        hs_write_alpn_protocol(w, m->alpn_protocol);
    if (m->has_early_data)
        hs_write_empty_extension(w, EXT_EARLY_DATA);
    writer_close(w);
    return hs_end_message(w);
}

/* ---- Certificate ------------------------------------------------------------------------------
 */

/* The same cap as the TLS 1.2 form (messages.c): a longer chain is refused, not cut. */
int hs_parse_certificate13(const uint8_t *body, size_t len, hs_certificate13 *out)
{
    memset(out, 0, sizeof(*out));
    reader r = reader_init(body, len);
    out->context = reader_vector(&r, 1, 0, 255);
    reader list = reader_sub(&r, 3, 0, 0xffffff);
    while (list.left > 0 && !list.failed) {
        if (out->count == HS_MAX_CERTS) {
            list.failed = true;
            break;
        }
        out->certs[out->count++] = reader_vector(&list, 3, 1, 0xffffff);
        /* status_request and signed_certificate_timestamp: framing and duplicates only. */
        hs_read_extensions(&list, 0, 0xffff, skip_extension, NULL, NULL);
    }
    if (list.failed)
        r.failed = true;
    return hs_verdict(&r, 0);
}

int hs_write_certificate13(writer *w, const hs_certificate13 *m)
{
    if (m->count > HS_MAX_CERTS)
        return -1;
    hs_begin_message(w, HS_CERTIFICATE);
    hs_write_vector(w, 1, m->context);
    writer_open(w, 3);
    for (size_t i = 0; i < m->count; i++) {
        hs_write_vector(w, 3, m->certs[i]);
        writer_u16(w, 0); /* no extensions */
    }
    writer_close(w);
    return hs_end_message(w);
}

/* ---- CertificateRequest -----------------------------------------------------------------------
 */

static void read_certificate_request_extension(void *msg, uint16_t type, reader *body, int *illegal)
{
    hs_certificate_request13 *out = msg;
    (void)illegal;
    switch (type) {
    case EXT_SIGNATURE_ALGORITHMS:
        out->has_sig_algs = true;
        out->sig_algs = hs_read_u16_list(body);
        break;
    case EXT_CERTIFICATE_AUTHORITIES: {
        /* RFC 8446 4.2.4: DistinguishedName authorities<3..2^16-1>, each <1..2^16-1>; each is
         * checked for shape so the engine can walk the list blind, as in TLS 1.2. */
        out->has_ca_names = true;
        reader names = reader_sub(body, 2, 3, 0xffff);
        out->ca_names = (span){names.p, names.left};
        while (names.left > 0 && !names.failed)
            reader_vector(&names, 2, 1, 0xffff);
        if (names.failed)
            body->failed = true;
        break;
    }
    default:
        /* signature_algorithms_cert, status_request, oid_filters and the unknown. */
        reader_bytes(body, body->left);
        break;
    }
}

int hs_parse_certificate_request13(const uint8_t *body, size_t len, hs_certificate_request13 *out)
{
    memset(out, 0, sizeof(*out));
    reader r = reader_init(body, len);
    out->context = reader_vector(&r, 1, 0, 255);
    hs_read_extensions(&r, 2, 0xffff, read_certificate_request_extension, out, NULL);
    /* RFC 8446 4.3.2: signature_algorithms MUST be specified. */
    return hs_verdict(&r, out->has_sig_algs ? 0 : HS_ALERT_MISSING_EXTENSION);
}

int hs_write_certificate_request13(writer *w, const hs_certificate_request13 *m)
{
    /* Without signature_algorithms the message would not parse back. */
    if (!m->has_sig_algs)
        return -1;
    hs_begin_message(w, HS_CERTIFICATE_REQUEST);
    hs_write_vector(w, 1, m->context);
    writer_open(w, 2);
    hs_write_vector_extension(w, EXT_SIGNATURE_ALGORITHMS, 2, m->sig_algs);
    if (m->has_ca_names)
        hs_write_vector_extension(w, EXT_CERTIFICATE_AUTHORITIES, 2, m->ca_names);
    writer_close(w);
    return hs_end_message(w);
}

/* ---- NewSessionTicket -------------------------------------------------------------------------
 */

static void read_ticket_extension(void *msg, uint16_t type, reader *body, int *illegal)
{
    hs_new_session_ticket13 *out = msg;
    (void)illegal;
    if (type == EXT_EARLY_DATA) {
        out->has_early_data = true;
        out->max_early_data = reader_u32(body); /* RFC 8446 4.2.10 */
    } else {
        reader_bytes(body, body->left);
    }
}

int hs_parse_new_session_ticket13(const uint8_t *body, size_t len, hs_new_session_ticket13 *out)
{
    memset(out, 0, sizeof(*out));
    reader r = reader_init(body, len);
    out->lifetime = reader_u32(&r);
    out->age_add = reader_u32(&r);
    out->nonce = reader_vector(&r, 1, 0, 255);
    out->ticket = reader_vector(&r, 2, 1, 0xffff);
    hs_read_extensions(&r, 0, 0xfffe, read_ticket_extension, out, NULL);
    return hs_verdict(&r, out->lifetime > TICKET_LIFETIME_MAX ? HS_ALERT_ILLEGAL_PARAMETER : 0);
}

int hs_write_new_session_ticket13(writer *w, const hs_new_session_ticket13 *m)
{
    hs_begin_message(w, HS_NEW_SESSION_TICKET);
    writer_u32(w, m->lifetime);
    writer_u32(w, m->age_add);
    hs_write_vector(w, 1, m->nonce);
    hs_write_vector(w, 2, m->ticket);
    writer_open(w, 2);
    if (m->has_early_data) {
        hs_begin_extension(w, EXT_EARLY_DATA);
        writer_u32(w, m->max_early_data);
        writer_close(w);
    }
    writer_close(w);
    return hs_end_message(w);
}

/* ---- EndOfEarlyData ---------------------------------------------------------------------------
 */

int hs_parse_end_of_early_data(const uint8_t *body, size_t len)
{
    (void)body;
    return len == 0 ? 0 : HS_ALERT_DECODE_ERROR;
}

int hs_write_end_of_early_data(writer *w)
{
    hs_begin_message(w, HS_END_OF_EARLY_DATA);
    return hs_end_message(w);
}

/* ---- KeyUpdate --------------------------------------------------------------------------------
 */

int hs_parse_key_update(const uint8_t *body, size_t len, bool *update_requested)
{
    *update_requested = false;
    if (len != 1)
        return HS_ALERT_DECODE_ERROR;
    if (body[0] > 1)
        return HS_ALERT_ILLEGAL_PARAMETER;
    *update_requested = body[0] == 1;
    return 0;
}

int hs_write_key_update(writer *w, bool update_requested)
{
    hs_begin_message(w, HS_KEY_UPDATE);
    writer_u8(w, update_requested ? 1 : 0);
    return hs_end_message(w);
}
