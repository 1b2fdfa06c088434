/*
 * What a connection negotiated and how it failed, as the public getters report it, and the names
 * of versions, suites, groups and alerts.
 */
#include "engine.h"

#include <stdint.h>
#include <string.h>

#include "../common/reader.h"

const char *parley_version_name(uint16_t version)
{
    switch (version) {
    case 0x0300:
        return "SSLv3";
    case PARLEY_TLS1_0:
        return "TLSv1.0";
    case PARLEY_TLS1_1:
        return "TLSv1.1";
    case PARLEY_TLS1_2:
        return "TLSv1.2";
    case PARLEY_TLS1_3:
        return "TLSv1.3";
    default:
        return "unknown";
    }
}

const char *parley_cipher_suite_name(uint16_t suite)
{
    const suite_info *s = suite_find(suite);
    return s ? s->name : NULL;
}

const char *parley_group_name(uint16_t group)
{
    switch (group) {
    case PARLEY_GROUP_X25519:
        return "x25519";
    case PARLEY_GROUP_SECP256R1:
        return "secp256r1";
    case PARLEY_GROUP_SECP384R1:
        return "secp384r1";
    case 0:
        return "";
    default:
        return "unknown";
    }
}

const char *parley_alert_name(int alert)
{
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {0, "close_notify"},
        {10, "unexpected_message"},
        {20, "bad_record_mac"},
        {21, "decryption_failed"},
        {22, "record_overflow"},
        {30, "decompression_failure"},
        {40, "handshake_failure"},
        {42, "bad_certificate"},
        {43, "unsupported_certificate"},
        {44, "certificate_revoked"},
        {45, "certificate_expired"},
        {46, "certificate_unknown"},
        {47, "illegal_parameter"},
        {48, "unknown_ca"},
        {49, "access_denied"},
        {50, "decode_error"},
        {51, "decrypt_error"},
        {70, "protocol_version"},
        {71, "insufficient_security"},
        {80, "internal_error"},
        {86, "inappropriate_fallback"},
        {90, "user_canceled"},
        {100, "no_renegotiation"},
        {109, "missing_extension"},
        {110, "unsupported_extension"},
        {112, "unrecognized_name"},
        {116, "certificate_required"},
        {120, "no_application_protocol"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].code == alert)
            return names[i].name;
    return "unknown";
}

parley_err parley_error_code(const parley_conn *c)
{
    return c ? c->error : PARLEY_E_ARGUMENT;
}

int parley_error_alert(const parley_conn *c, int *sent)
{
    if (sent)
        *sent = c && c->error_alert_sent;
    return c ? c->error_alert : -1;
}

const char *parley_error_message(const parley_conn *c)
{
    if (c == NULL)
        return "no connection";
    if (c->error == PARLEY_E_NONE)
        return "";
    return c->error_message != NULL ? c->error_message : "out of memory";
}

uint16_t parley_version(const parley_conn *c)
{
    return conn_established(c) ? c->version : 0;
}

uint16_t parley_cipher_suite(const parley_conn *c)
{
    return conn_established(c) ? c->suite : 0;
}

uint16_t parley_group(const parley_conn *c)
{
    return conn_established(c) ? c->group : 0;
}

const char *parley_alpn(const parley_conn *c)
{
    return conn_established(c) ? c->alpn : "";
}

const char *parley_server_name(const parley_conn *c)
{
    return c ? c->server_name : "";
}

size_t parley_session_id(const parley_conn *c, uint8_t out[32])
{
    if (!conn_established(c))
        return 0;
    memcpy(out, c->session_id, c->session_id_len);
    return c->session_id_len;
}

const char *parley_peer_subject(const parley_conn *c)
{
    return conn_established(c) ? c->peer_subject : "";
}

const char *parley_peer_key(const parley_conn *c)
{
    return conn_established(c) ? c->peer_key : "";
}

int parley_peer_authenticated(const parley_conn *c)
{
    return conn_established(c) && c->peer_authenticated;
}

/* Walks the kept certificate_list (u24 length + DER per entry) to entry i. */
static const uint8_t *peer_chain_entry(const parley_conn *c, size_t i, size_t *len, size_t *count)
{
    reader r = reader_init(c->peer_chain, c->peer_chain_len);
    const uint8_t *found = NULL;
    size_t n = 0;
    while (r.left > 0 && !r.failed) {
        span cert = reader_vector(&r, 3, 1, 0xffffff);
        if (r.failed)
            break;
        if (n++ == i) {
            found = cert.p;
            *len = cert.len;
        }
    }
    *count = n;
    return found;
}

size_t parley_peer_certificate_count(const parley_conn *c)
{
    size_t len, count = 0;
    if (conn_established(c) && c->peer_chain != NULL)
        peer_chain_entry(c, SIZE_MAX, &len, &count);
    return count;
}

const uint8_t *parley_peer_certificate(const parley_conn *c, size_t i, size_t *len)
{
    size_t count;
    if (len == NULL || !conn_established(c) || c->peer_chain == NULL)
        return NULL;
    return peer_chain_entry(c, i, len, &count);
}

size_t parley_cert_request_name_count(const parley_cert_request *request)
{
    size_t count = 0;
    reader r = reader_init(request->names, request->names_len);
    while (r.left > 0 && !r.failed) {
        reader_vector(&r, 2, 1, 0xffff);
        count += !r.failed;
    }
    return count;
}

const uint8_t *parley_cert_request_name_der(const parley_cert_request *request, size_t i,
                                            size_t *len)
{
    reader r = reader_init(request->names, request->names_len);
    for (size_t n = 0; r.left > 0 && !r.failed; n++) {
        span name = reader_vector(&r, 2, 1, 0xffff);
        if (!r.failed && n == i) {
            *len = name.len;
            return name.p;
        }
    }
    return NULL;
}

int parley_cert_request_accepts(const parley_cert_request *request, const char *key_kind)
{
    if (request == NULL || key_kind == NULL)
        return 0;
    if (strcmp(key_kind, "RSA") == 0)
        return request->rsa;
    return strcmp(key_kind, "EC") == 0 && request->ec;
}
