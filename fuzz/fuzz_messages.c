/*
 * Every handshake message parser, TLS 1.3 forms included, fed arbitrary bytes. Whatever parses is
 * written back, and the written message must parse to the same struct and write to the same bytes
 * again: the writers mirror the parsers exactly.
 *
 * The input is given to each parser both as it is and, when it starts with a handshake header
 * whose length matches, as the body after that header, so a corpus of real messages (header
 * included) reaches the parsers intact.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/messages.h"
#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Big enough for any message written from a parse of the largest input a fuzzer makes; a write
 * that does not fit is skipped, not failed. */
#define OUT_CAP (1 << 20)

static uint8_t first_out[OUT_CAP], second_out[OUT_CAP];

static bool span_eq(span a, span b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* A struct-equality failure is a bug in a codec: stop with a crash the fuzzer records. */
static void require(bool ok)
{
    if (!ok)
        abort();
}

/* The body of the message w holds, after checking its header. */
static span written_body(const writer *w, uint8_t type)
{
    require(w->len >= HS_HEADER_LEN && w->buf[0] == type);
    size_t len = (size_t)w->buf[1] << 16 | (size_t)w->buf[2] << 8 | w->buf[3];
    require(len == w->len - HS_HEADER_LEN);
    return (span){w->buf + HS_HEADER_LEN, len};
}

/* The second write of the re-parsed struct must give the same bytes as the first. */
static void require_same_bytes(const writer *first, const writer *second)
{
    require(first->len == second->len && memcmp(first->buf, second->buf, first->len) == 0);
}

static bool client_hello_eq(const hs_client_hello *a, const hs_client_hello *b)
{
    return a->version == b->version && memcmp(a->random, b->random, 32) == 0 &&
           span_eq(a->session_id, b->session_id) && span_eq(a->cipher_suites, b->cipher_suites) &&
           span_eq(a->compression_methods, b->compression_methods) &&
           a->has_extensions == b->has_extensions && a->has_server_name == b->has_server_name &&
           span_eq(a->server_name, b->server_name) && a->has_groups == b->has_groups &&
           span_eq(a->groups, b->groups) && a->has_point_formats == b->has_point_formats &&
           span_eq(a->point_formats, b->point_formats) && a->has_sig_algs == b->has_sig_algs &&
           span_eq(a->sig_algs, b->sig_algs) && a->has_alpn == b->has_alpn &&
           span_eq(a->alpn, b->alpn) && a->has_reneg_info == b->has_reneg_info &&
           span_eq(a->reneg_info, b->reneg_info) && a->ems == b->ems &&
           a->has_session_ticket == b->has_session_ticket &&
           span_eq(a->session_ticket, b->session_ticket) &&
           a->has_supported_versions == b->has_supported_versions &&
           span_eq(a->supported_versions, b->supported_versions) &&
           a->has_key_share == b->has_key_share &&
           span_eq(a->key_shares_wire, b->key_shares_wire) &&
           a->has_psk_modes == b->has_psk_modes && span_eq(a->psk_modes, b->psk_modes) &&
           a->has_cookie == b->has_cookie && span_eq(a->cookie, b->cookie) &&
           a->has_early_data == b->has_early_data &&
           a->has_post_handshake_auth == b->has_post_handshake_auth &&
           a->has_pre_shared_key == b->has_pre_shared_key && a->n_psk == b->n_psk;
}

static void fuzz_client_hello(const uint8_t *data, size_t size)
{
    hs_client_hello m, back;
    if (hs_parse_client_hello(data, size, &m) != 0)
        return;
    /* A server_name list with no host_name entry parses as present and empty, and an empty host
     * name cannot be written: the one struct the writer refuses by design. */
    if (m.has_server_name && m.server_name.len == 0)
        return;
    writer w1, w2;
    writer_init(&w1, first_out, sizeof(first_out));
    require(hs_write_client_hello(&w1, &m) == 0);
    span body = written_body(&w1, HS_CLIENT_HELLO);
    require(hs_parse_client_hello(body.p, body.len, &back) == 0);
    require(client_hello_eq(&m, &back));
    writer_init(&w2, second_out, sizeof(second_out));
    require(hs_write_client_hello(&w2, &back) == 0);
    require_same_bytes(&w1, &w2);
}

static bool server_hello_eq(const hs_server_hello *a, const hs_server_hello *b)
{
    return a->version == b->version && memcmp(a->random, b->random, 32) == 0 &&
           span_eq(a->session_id, b->session_id) && a->cipher_suite == b->cipher_suite &&
           a->compression_method == b->compression_method &&
           a->has_extensions == b->has_extensions && a->has_server_name == b->has_server_name &&
           a->has_point_formats == b->has_point_formats &&
           span_eq(a->point_formats, b->point_formats) && a->has_alpn == b->has_alpn &&
           span_eq(a->alpn_protocol, b->alpn_protocol) && a->has_reneg_info == b->has_reneg_info &&
           span_eq(a->reneg_info, b->reneg_info) && a->ems == b->ems &&
           a->has_session_ticket == b->has_session_ticket && a->is_hrr == b->is_hrr &&
           a->has_supported_version == b->has_supported_version &&
           a->selected_version == b->selected_version && a->has_key_share == b->has_key_share &&
           a->key_share_group == b->key_share_group &&
           span_eq(a->key_share_key, b->key_share_key) &&
           a->has_pre_shared_key == b->has_pre_shared_key &&
           a->selected_identity == b->selected_identity && a->has_cookie == b->has_cookie &&
           span_eq(a->cookie, b->cookie);
}

static void fuzz_server_hello(const uint8_t *data, size_t size)
{
    hs_server_hello m, back;
    if (hs_parse_server_hello(data, size, &m) != 0)
        return;
    writer w1, w2;
    writer_init(&w1, first_out, sizeof(first_out));
    require(hs_write_server_hello(&w1, &m) == 0);
    span body = written_body(&w1, HS_SERVER_HELLO);
    require(hs_parse_server_hello(body.p, body.len, &back) == 0);
    require(server_hello_eq(&m, &back));
    writer_init(&w2, second_out, sizeof(second_out));
    require(hs_write_server_hello(&w2, &back) == 0);
    require_same_bytes(&w1, &w2);
}

static void fuzz_certificate(const uint8_t *data, size_t size)
{
    hs_certificate m, back;
    if (hs_parse_certificate(data, size, &m) != 0)
        return;
    writer w1, w2;
    writer_init(&w1, first_out, sizeof(first_out));
    require(hs_write_certificate(&w1, &m) == 0);
    span body = written_body(&w1, HS_CERTIFICATE);
    require(hs_parse_certificate(body.p, body.len, &back) == 0);
    require(back.count == m.count);
    for (size_t i = 0; i < m.count; i++)
        require(span_eq(back.certs[i], m.certs[i]));
    writer_init(&w2, second_out, sizeof(second_out));
    require(hs_write_certificate(&w2, &back) == 0);
    require_same_bytes(&w1, &w2);
}

static void fuzz_server_key_exchange(const uint8_t *data, size_t size, bool tls12)
{
    hs_server_key_exchange m, back;
    if (hs_parse_server_key_exchange(data, size, tls12, &m) != 0)
        return;
    require(m.params.p == data && m.params.len == 4 + m.public_key.len);
    uint8_t params[4 + 255];
    require(hs_ecdh_params(m.group, m.public_key, params, sizeof(params)) == m.params.len);
    require(memcmp(params, m.params.p, m.params.len) == 0);
    writer w1, w2;
    writer_init(&w1, first_out, sizeof(first_out));
    require(hs_write_server_key_exchange(&w1, &m) == 0);
    span body = written_body(&w1, HS_SERVER_KEY_EXCHANGE);
    require(hs_parse_server_key_exchange(body.p, body.len, tls12, &back) == 0);
    require(back.group == m.group && span_eq(back.public_key, m.public_key) &&
            span_eq(back.params, m.params) && back.has_scheme == m.has_scheme &&
            back.scheme == m.scheme && span_eq(back.signature, m.signature));
    writer_init(&w2, second_out, sizeof(second_out));
    require(hs_write_server_key_exchange(&w2, &back) == 0);
    require_same_bytes(&w1, &w2);
}

static void fuzz_certificate_request(const uint8_t *data, size_t size, bool tls12)
{
    hs_certificate_request m, back;
    if (hs_parse_certificate_request(data, size, tls12, &m) != 0)
        return;
    writer w1, w2;
    writer_init(&w1, first_out, sizeof(first_out));
    require(hs_write_certificate_request(&w1, &m) == 0);
    span body = written_body(&w1, HS_CERTIFICATE_REQUEST);
    require(hs_parse_certificate_request(body.p, body.len, tls12, &back) == 0);
    require(span_eq(back.cert_types, m.cert_types) && back.has_sig_algs == m.has_sig_algs &&
            span_eq(back.sig_algs, m.sig_algs) && span_eq(back.ca_names, m.ca_names));
    writer_init(&w2, second_out, sizeof(second_out));
    require(hs_write_certificate_request(&w2, &back) == 0);
    require_same_bytes(&w1, &w2);
}

static void fuzz_client_key_exchange(const uint8_t *data, size_t size, bool rsa)
{
    hs_client_key_exchange m, back;
    if (hs_parse_client_key_exchange(data, size, rsa, &m) != 0)
        return;
    writer w;
    writer_init(&w, first_out, sizeof(first_out));
    require(hs_write_client_key_exchange(&w, rsa, &m) == 0);
    span body = written_body(&w, HS_CLIENT_KEY_EXCHANGE);
    require(body.len == size && memcmp(body.p, data, size) == 0);
    require(hs_parse_client_key_exchange(body.p, body.len, rsa, &back) == 0);
    require(span_eq(back.exchange, m.exchange));
}

static void fuzz_certificate_verify(const uint8_t *data, size_t size, bool tls12)
{
    hs_certificate_verify m, back;
    if (hs_parse_certificate_verify(data, size, tls12, &m) != 0)
        return;
    writer w;
    writer_init(&w, first_out, sizeof(first_out));
    require(hs_write_certificate_verify(&w, &m) == 0);
    span body = written_body(&w, HS_CERTIFICATE_VERIFY);
    require(body.len == size && memcmp(body.p, data, size) == 0);
    require(hs_parse_certificate_verify(body.p, body.len, tls12, &back) == 0);
    require(back.has_scheme == m.has_scheme && back.scheme == m.scheme &&
            span_eq(back.signature, m.signature));
}

static void fuzz_new_session_ticket(const uint8_t *data, size_t size)
{
    hs_new_session_ticket m, back;
    if (hs_parse_new_session_ticket(data, size, &m) != 0)
        return;
    writer w;
    writer_init(&w, first_out, sizeof(first_out));
    require(hs_write_new_session_ticket(&w, &m) == 0);
    span body = written_body(&w, HS_NEW_SESSION_TICKET);
    require(body.len == size && memcmp(body.p, data, size) == 0);
    require(hs_parse_new_session_ticket(body.p, body.len, &back) == 0);
    require(back.lifetime_hint == m.lifetime_hint && span_eq(back.ticket, m.ticket));
}

/* ---- the TLS 1.3 forms ---- */

static void fuzz_encrypted_extensions(const uint8_t *data, size_t size)
{
    hs_encrypted_extensions m, back;
    if (hs_parse_encrypted_extensions(data, size, &m) != 0)
        return;
    writer w1, w2;
    writer_init(&w1, first_out, sizeof(first_out));
    require(hs_write_encrypted_extensions(&w1, &m) == 0);
    span body = written_body(&w1, HS_ENCRYPTED_EXTENSIONS);
    require(hs_parse_encrypted_extensions(body.p, body.len, &back) == 0);
    require(back.has_server_name == m.has_server_name && back.has_groups == m.has_groups &&
            span_eq(back.groups, m.groups) && back.has_alpn == m.has_alpn &&
            span_eq(back.alpn_protocol, m.alpn_protocol) &&
            back.has_early_data == m.has_early_data);
    writer_init(&w2, second_out, sizeof(second_out));
    require(hs_write_encrypted_extensions(&w2, &back) == 0);
    require_same_bytes(&w1, &w2);
}

static void fuzz_certificate13(const uint8_t *data, size_t size)
{
    hs_certificate13 m, back;
    if (hs_parse_certificate13(data, size, &m) != 0)
        return;
    writer w1, w2;
    writer_init(&w1, first_out, sizeof(first_out));
    require(hs_write_certificate13(&w1, &m) == 0);
    span body = written_body(&w1, HS_CERTIFICATE);
    require(hs_parse_certificate13(body.p, body.len, &back) == 0);
    require(span_eq(back.context, m.context) && back.count == m.count);
    for (size_t i = 0; i < m.count; i++)
        require(span_eq(back.certs[i], m.certs[i]));
    writer_init(&w2, second_out, sizeof(second_out));
    require(hs_write_certificate13(&w2, &back) == 0);
    require_same_bytes(&w1, &w2);
}

static void fuzz_certificate_request13(const uint8_t *data, size_t size)
{
    hs_certificate_request13 m, back;
    if (hs_parse_certificate_request13(data, size, &m) != 0)
        return;
    writer w1, w2;
    writer_init(&w1, first_out, sizeof(first_out));
    require(hs_write_certificate_request13(&w1, &m) == 0);
    span body = written_body(&w1, HS_CERTIFICATE_REQUEST);
    require(hs_parse_certificate_request13(body.p, body.len, &back) == 0);
    require(span_eq(back.context, m.context) && back.has_sig_algs == m.has_sig_algs &&
            span_eq(back.sig_algs, m.sig_algs) && back.has_ca_names == m.has_ca_names &&
            span_eq(back.ca_names, m.ca_names));
    writer_init(&w2, second_out, sizeof(second_out));
    require(hs_write_certificate_request13(&w2, &back) == 0);
    require_same_bytes(&w1, &w2);
}

static void fuzz_new_session_ticket13(const uint8_t *data, size_t size)
{
    hs_new_session_ticket13 m, back;
    if (hs_parse_new_session_ticket13(data, size, &m) != 0)
        return;
    writer w1, w2;
    writer_init(&w1, first_out, sizeof(first_out));
    require(hs_write_new_session_ticket13(&w1, &m) == 0);
    span body = written_body(&w1, HS_NEW_SESSION_TICKET);
    require(hs_parse_new_session_ticket13(body.p, body.len, &back) == 0);
    require(back.lifetime == m.lifetime && back.age_add == m.age_add &&
            span_eq(back.nonce, m.nonce) && span_eq(back.ticket, m.ticket) &&
            back.has_early_data == m.has_early_data &&
            (!m.has_early_data || back.max_early_data == m.max_early_data));
    writer_init(&w2, second_out, sizeof(second_out));
    require(hs_write_new_session_ticket13(&w2, &back) == 0);
    require_same_bytes(&w1, &w2);
}

static void fuzz_key_update(const uint8_t *data, size_t size)
{
    bool requested;
    if (hs_parse_key_update(data, size, &requested) != 0)
        return;
    writer w;
    writer_init(&w, first_out, sizeof(first_out));
    require(hs_write_key_update(&w, requested) == 0);
    require(span_eq(written_body(&w, HS_KEY_UPDATE), (span){data, size}));
}

static void fuzz_short_messages(const uint8_t *data, size_t size)
{
    hs_finished fin;
    if (hs_parse_finished(data, size, 12, &fin) == 0) {
        writer w;
        writer_init(&w, first_out, sizeof(first_out));
        require(hs_write_finished(&w, &fin) == 0);
        span body = written_body(&w, HS_FINISHED);
        require(span_eq(body, (span){data, size}));
    }
    require((hs_parse_server_hello_done(data, size) == 0) == (size == 0));
    if (size % 2 == 0 && size >= 2)
        require(hs_list_has_u16((span){data, size}, (uint16_t)(data[0] << 8 | data[1])));
    (void)hs_message_name(size ? data[0] : 0);
}

/* The trace decoder reads the same untrusted bytes, and walks again what the parsers skip (each
 * certificate entry's extensions, every key share and PSK identity): it must stay in bounds
 * and its fields terminated, in each version's form. */
static void fuzz_trace_decode(const uint8_t *data, size_t size)
{
    static const uint8_t types[] = {
        HS_CLIENT_HELLO,        HS_SERVER_HELLO,
        HS_NEW_SESSION_TICKET,  HS_ENCRYPTED_EXTENSIONS,
        HS_CERTIFICATE,         HS_SERVER_KEY_EXCHANGE,
        HS_CERTIFICATE_REQUEST, HS_CERTIFICATE_VERIFY,
        HS_CLIENT_KEY_EXCHANGE, HS_FINISHED,
        HS_KEY_UPDATE,
    };
    static const uint16_t versions[] = {0x0301, 0x0303, 0x0304};
    static trace_fields fields;
    for (size_t t = 0; t < sizeof(types); t++)
        for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
            trace_decode_handshake(types[t], data, size, versions[v], &fields);
            for (size_t f = 0; f < fields.count; f++)
                require(strlen(fields.field[f].value) < sizeof(fields.store));
        }
}

/* Each parser reads from an exact-size heap copy so ASan catches a read past the end. */
static void fuzz_every_parser(const uint8_t *input, size_t size)
{
    uint8_t *data = malloc(size ? size : 1);
    if (data == NULL)
        return;
    if (size)
        memcpy(data, input, size);
    fuzz_client_hello(data, size);
    fuzz_server_hello(data, size);
    fuzz_certificate(data, size);
    for (int flag = 0; flag <= 1; flag++) {
        fuzz_server_key_exchange(data, size, flag);
        fuzz_certificate_request(data, size, flag);
        fuzz_client_key_exchange(data, size, flag);
        fuzz_certificate_verify(data, size, flag);
    }
    fuzz_new_session_ticket(data, size);
    fuzz_encrypted_extensions(data, size);
    fuzz_certificate13(data, size);
    fuzz_certificate_request13(data, size);
    fuzz_new_session_ticket13(data, size);
    fuzz_key_update(data, size);
    fuzz_short_messages(data, size);
    fuzz_trace_decode(data, size);
    free(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_every_parser(data, size);
    if (size >= HS_HEADER_LEN &&
        ((size_t)data[1] << 16 | (size_t)data[2] << 8 | data[3]) == size - HS_HEADER_LEN)
        fuzz_every_parser(data + HS_HEADER_LEN, size - HS_HEADER_LEN);
    return 0;
}
