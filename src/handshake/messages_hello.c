/*
 * ClientHello and ServerHello with their extensions (RFC 5246 7.4.1, RFC 6066, RFC 8422,
 * RFC 7301, RFC 5746, RFC 7627, RFC 5077), TLS 1.3's among them (RFC 8446 4.1, 4.2).
 *
 * Each extension body is parsed by its own sub-reader, which must be consumed exactly; a failure
 * inside it propagates to the extensions block and from there to the message.
 */
#include "messages_codec.h"

#include <string.h>

span hs_read_u16_list(reader *body)
{
    span list = reader_vector(body, 2, 2, 0xfffe);
    if (list.len % 2 != 0)
        body->failed = true;
    return list;
}

/* ServerNameList (RFC 6066 3): the first host_name entry wins. Other name types carry a u16
 * vector in every deployed definition, so they are stepped over the same way. */
static span read_server_name_list(reader *body, int *illegal)
{
    span host = {NULL, 0};
    bool found = false;
    reader list = reader_sub(body, 2, 1, 0xffff);
    while (list.left > 0 && !list.failed) {
        uint8_t name_type = reader_u8(&list);
        span name = reader_vector(&list, 2, name_type == 0 ? 1 : 0, 0xffff);
        if (name_type != 0 || found || list.failed)
            continue;
        found = true;
        host = name;
        /* A NUL would let "good.example\0.evil" compare differently in C and on the wire. */
        if (memchr(name.p, 0, name.len) != NULL)
            *illegal = HS_ALERT_ILLEGAL_PARAMETER;
    }
    if (list.failed)
        body->failed = true;
    return host;
}

span hs_read_alpn_list(reader *body, size_t *count)
{
    reader list = reader_sub(body, 2, 2, 0xffff);
    span contents = {list.p, list.left};
    *count = 0;
    while (list.left > 0 && !list.failed) {
        reader_vector(&list, 1, 1, 255);
        (*count)++;
    }
    if (list.failed)
        body->failed = true;
    return contents;
}

span hs_read_alpn_protocol(reader *body)
{
    size_t count;
    span list = hs_read_alpn_list(body, &count);
    if (count != 1) /* RFC 7301 3.1: exactly one ProtocolName */
        body->failed = true;
    return list.len > 0 ? (span){list.p + 1, list.len - 1} : (span){NULL, 0};
}

const uint8_t hs_hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* client_shares (RFC 8446 4.2.8): every entry is checked, the first HS_MAX_KEY_SHARES kept. Two
 * entries for one group are illegal_parameter, which the RFC allows a server to enforce and
 * which spares the engine choosing between them. A set, not a scan of earlier entries: the list
 * can hold 13000 of them. */
static void read_key_shares(reader *body, hs_client_hello *out, int *illegal)
{
    ext_seen groups;
    ext_seen_init(&groups);
    reader list = reader_sub(body, 2, 0, 0xffff);
    out->key_shares_wire = (span){list.p, list.left};
    while (list.left > 0 && !list.failed) {
        uint16_t group = reader_u16(&list);
        span key = reader_vector(&list, 2, 1, 0xffff);
        if (list.failed)
            break;
        if (!ext_seen_add(&groups, group))
            *illegal = HS_ALERT_ILLEGAL_PARAMETER;
        if (out->n_key_shares < HS_MAX_KEY_SHARES)
            out->key_shares[out->n_key_shares++] = (hs_key_share){group, key};
    }
    if (list.failed)
        body->failed = true;
}

/* OfferedPsks (RFC 8446 4.2.11): identities, then binders, one per identity. */
static void read_offered_psks(reader *body, hs_client_hello *out, int *illegal)
{
    size_t identities = 0, binders = 0;
    reader list = reader_sub(body, 2, 7, 0xffff);
    out->psk_identities_wire = (span){list.p, list.left};
    while (list.left > 0 && !list.failed) {
        span identity = reader_vector(&list, 2, 1, 0xffff);
        uint32_t age = reader_u32(&list);
        if (list.failed)
            break;
        if (identities < HS_MAX_PSK) {
            out->psk[identities].identity = identity;
            out->psk[identities].obfuscated_ticket_age = age;
        }
        identities++;
    }
    if (list.failed)
        body->failed = true;

    list = reader_sub(body, 2, 33, 0xffff);
    out->binders_len = 2 + list.left;
    while (list.left > 0 && !list.failed) {
        span binder = reader_vector(&list, 1, 32, 255);
        if (list.failed)
            break;
        if (binders < HS_MAX_PSK)
            out->psk[binders].binder = binder;
        binders++;
    }
    if (list.failed)
        body->failed = true;
    out->n_psk = identities < HS_MAX_PSK ? identities : HS_MAX_PSK;
    if (binders != identities)
        *illegal = HS_ALERT_ILLEGAL_PARAMETER;
}

static void read_client_extension(void *msg, uint16_t type, reader *body, int *illegal)
{
    hs_client_hello *out = msg;
    size_t count;
    /* RFC 8446 4.2.11: pre_shared_key must be last, since the binders are computed over
     * everything before them. A duplicate of it is the walker's decode error. */
    if (out->has_pre_shared_key)
        *illegal = HS_ALERT_ILLEGAL_PARAMETER;
    switch (type) {
    case EXT_SERVER_NAME:
        out->has_server_name = true;
        out->server_name = read_server_name_list(body, illegal);
        break;
    case EXT_SUPPORTED_GROUPS:
        out->has_groups = true;
        out->groups = hs_read_u16_list(body);
        break;
    case EXT_EC_POINT_FORMATS:
        out->has_point_formats = true;
        out->point_formats = reader_vector(body, 1, 1, 255);
        break;
    case EXT_SIGNATURE_ALGORITHMS:
        out->has_sig_algs = true;
        out->sig_algs = hs_read_u16_list(body);
        break;
    case EXT_ALPN:
        out->has_alpn = true;
        out->alpn = hs_read_alpn_list(body, &count);
        break;
    case EXT_RENEGOTIATION_INFO:
        out->has_reneg_info = true;
        out->reneg_info = reader_vector(body, 1, 0, 255);
        break;
    case EXT_EXTENDED_MASTER_SECRET:
        out->ems = true; /* the body must be empty: checked by the caller's reader_done */
        break;
    case EXT_SESSION_TICKET:
        out->has_session_ticket = true;
        out->session_ticket = (span){body->p, body->left};
        reader_bytes(body, body->left);
        break;
    case EXT_SUPPORTED_VERSIONS:
        out->has_supported_versions = true;
        out->supported_versions = reader_vector(body, 1, 2, 254);
        if (out->supported_versions.len % 2 != 0)
            body->failed = true;
        break;
    case EXT_KEY_SHARE:
        out->has_key_share = true;
        read_key_shares(body, out, illegal);
        break;
    case EXT_PSK_KEY_EXCHANGE_MODES:
        out->has_psk_modes = true;
        out->psk_modes = reader_vector(body, 1, 1, 255);
        break;
    case EXT_COOKIE:
        out->has_cookie = true;
        out->cookie = reader_vector(body, 2, 1, HS_MAX_COOKIE);
        break;
    case EXT_EARLY_DATA:
        out->has_early_data = true; /* empty in a ClientHello (RFC 8446 4.2.10) */
        break;
    case EXT_POST_HANDSHAKE_AUTH:
        out->has_post_handshake_auth = true; /* empty (RFC 8446 4.2.6) */
        break;
    case EXT_PRE_SHARED_KEY:
        out->has_pre_shared_key = true;
        read_offered_psks(body, out, illegal);
        break;
    default:
        /* Unknown extensions are skipped (RFC 5246 7.4.1.4). */
        reader_bytes(body, body->left);
        break;
    }
}

static void read_server_extension(void *msg, uint16_t type, reader *body, int *illegal)
{
    hs_server_hello *out = msg;
    switch (type) {
    case EXT_SERVER_NAME:
        out->has_server_name = true; /* RFC 6066 3: the server's acknowledgement is empty */
        break;
    case EXT_EC_POINT_FORMATS:
        out->has_point_formats = true;
        out->point_formats = reader_vector(body, 1, 1, 255);
        break;
    case EXT_ALPN:
        out->has_alpn = true;
        out->alpn_protocol = hs_read_alpn_protocol(body);
        break;
    case EXT_RENEGOTIATION_INFO:
        out->has_reneg_info = true;
        out->reneg_info = reader_vector(body, 1, 0, 255);
        break;
    case EXT_EXTENDED_MASTER_SECRET:
        out->ems = true;
        break;
    case EXT_SESSION_TICKET:
        out->has_session_ticket = true; /* RFC 5077 3.2: empty in the ServerHello */
        break;
    /* TLS 1.3 (RFC 8446 4.2): the table there says which of these a HelloRetryRequest may carry;
     * one it may not (or cookie in a ServerHello) is illegal_parameter. */
    case EXT_SUPPORTED_VERSIONS:
        out->has_supported_version = true;
        out->selected_version = reader_u16(body);
        break;
    case EXT_KEY_SHARE:
        out->has_key_share = true;
        out->key_share_group = reader_u16(body);
        if (!out->is_hrr) /* a HelloRetryRequest names the group only (RFC 8446 4.2.8) */
            out->key_share_key = reader_vector(body, 2, 1, 0xffff);
        break;
    case EXT_PRE_SHARED_KEY:
        out->has_pre_shared_key = true;
        out->selected_identity = reader_u16(body);
        if (out->is_hrr)
            *illegal = HS_ALERT_ILLEGAL_PARAMETER;
        break;
    case EXT_COOKIE:
        /* Any length the RFC allows: a client echoes the cookie, whatever its size. */
        out->has_cookie = true;
        out->cookie = reader_vector(body, 2, 1, 0xffff);
        if (!out->is_hrr)
            *illegal = HS_ALERT_ILLEGAL_PARAMETER;
        break;
    default:
        reader_bytes(body, body->left);
        break;
    }
}

void hs_read_extensions(reader *r, size_t min, size_t max, hs_extension_reader read_one, void *msg,
                        int *illegal)
{
    ext_seen seen;
    ext_seen_init(&seen);
    reader block = reader_sub(r, 2, min, max);
    while (block.left > 0 && !block.failed) {
        uint16_t type = reader_u16(&block);
        reader body = reader_sub(&block, 2, 0, 0xffff);
        if (body.failed || !ext_seen_add(&seen, type)) {
            block.failed = true;
            break;
        }
        read_one(msg, type, &body, illegal);
        if (!reader_done(&body))
            block.failed = true;
    }
    if (block.failed)
        r->failed = true;
}

int hs_parse_client_hello(const uint8_t *body, size_t len, hs_client_hello *out)
{
    memset(out, 0, sizeof(*out));
    int illegal = 0;
    reader r = reader_init(body, len);
    out->version = reader_u16(&r);
    reader_copy(&r, out->random, sizeof(out->random));
    out->session_id = reader_vector(&r, 1, 0, 32);
    out->cipher_suites = reader_vector(&r, 2, 2, 0xfffe);
    if (out->cipher_suites.len % 2 != 0)
        r.failed = true;
    out->compression_methods = reader_vector(&r, 1, 1, 255);
    if (!r.failed && r.left > 0) {
        out->has_extensions = true;
        hs_read_extensions(&r, 0, 0xffff, read_client_extension, out, &illegal);
    }
    /* RFC 5246 7.4.1.2: the list must include null compression. */
    if (!r.failed && memchr(out->compression_methods.p, 0, out->compression_methods.len) == NULL)
        illegal = HS_ALERT_ILLEGAL_PARAMETER;
    return hs_verdict(&r, illegal);
}

int hs_parse_server_hello(const uint8_t *body, size_t len, hs_server_hello *out)
{
    memset(out, 0, sizeof(*out));
    int illegal = 0;
    reader r = reader_init(body, len);
    out->version = reader_u16(&r);
    reader_copy(&r, out->random, sizeof(out->random));
    /* RFC 8446 4.1.3: the random is examined first; it says how key_share is laid out. */
    out->is_hrr = !r.failed && memcmp(out->random, hs_hrr_random, sizeof(out->random)) == 0;
    out->session_id = reader_vector(&r, 1, 0, 32);
    out->cipher_suite = reader_u16(&r);
    out->compression_method = reader_u8(&r);
    if (!r.failed && r.left > 0) {
        out->has_extensions = true;
        hs_read_extensions(&r, 0, 0xffff, read_server_extension, out, &illegal);
    }
    if (out->compression_method != 0)
        illegal = HS_ALERT_ILLEGAL_PARAMETER;
    return hs_verdict(&r, illegal);
}

static bool client_hello_has_extension(const hs_client_hello *m)
{
    return m->has_extensions || m->has_server_name || m->has_groups || m->has_point_formats ||
           m->has_sig_algs || m->has_alpn || m->has_reneg_info || m->ems || m->has_session_ticket ||
           m->has_supported_versions || m->has_key_share || m->has_psk_modes || m->has_cookie ||
           m->has_early_data || m->has_post_handshake_auth || m->has_pre_shared_key;
}

/* The identities as given, then one zero-filled binder of each size: the final bytes of the
 * message, overwritten in place once the transcript up to them is known. */
static void write_offered_psks(writer *w, const hs_client_hello *m)
{
    hs_begin_extension(w, EXT_PRE_SHARED_KEY);
    hs_write_vector(w, 2, m->psk_identities_wire);
    writer_open(w, 2);
    for (size_t i = 0; i < m->psk_binder_count; i++) {
        writer_u8(w, m->psk_binder_sizes[i]);
        uint8_t *binder = writer_reserve(w, m->psk_binder_sizes[i]);
        if (binder != NULL)
            memset(binder, 0, m->psk_binder_sizes[i]);
    }
    writer_close(w);
    writer_close(w);
}

static void write_client_extensions(writer *w, const hs_client_hello *m)
{
    if (m->has_server_name) {
        hs_begin_extension(w, EXT_SERVER_NAME);
        writer_open(w, 2);
        writer_u8(w, 0); /* host_name */
        hs_write_vector(w, 2, m->server_name);
        writer_close(w);
        writer_close(w);
    }
    if (m->has_groups)
        hs_write_vector_extension(w, EXT_SUPPORTED_GROUPS, 2, m->groups);
    if (m->has_point_formats)
        hs_write_vector_extension(w, EXT_EC_POINT_FORMATS, 1, m->point_formats);
    if (m->has_sig_algs)
        hs_write_vector_extension(w, EXT_SIGNATURE_ALGORITHMS, 2, m->sig_algs);
    if (m->has_alpn)
        hs_write_vector_extension(w, EXT_ALPN, 2, m->alpn);
    if (m->has_reneg_info)
        hs_write_vector_extension(w, EXT_RENEGOTIATION_INFO, 1, m->reneg_info);
    if (m->ems)
        hs_write_empty_extension(w, EXT_EXTENDED_MASTER_SECRET);
    if (m->has_session_ticket) {
        hs_begin_extension(w, EXT_SESSION_TICKET);
        writer_bytes(w, m->session_ticket.p, m->session_ticket.len);
        writer_close(w);
    }
    if (m->has_supported_versions)
        hs_write_vector_extension(w, EXT_SUPPORTED_VERSIONS, 1, m->supported_versions);
    if (m->has_key_share)
        hs_write_vector_extension(w, EXT_KEY_SHARE, 2, m->key_shares_wire);
    if (m->has_psk_modes)
        hs_write_vector_extension(w, EXT_PSK_KEY_EXCHANGE_MODES, 1, m->psk_modes);
    if (m->has_cookie)
        hs_write_vector_extension(w, EXT_COOKIE, 2, m->cookie);
    if (m->has_early_data)
        hs_write_empty_extension(w, EXT_EARLY_DATA);
    if (m->has_post_handshake_auth)
        hs_write_empty_extension(w, EXT_POST_HANDSHAKE_AUTH);
    if (m->has_pre_shared_key)
        write_offered_psks(w, m);
}

int hs_write_client_hello(writer *w, const hs_client_hello *m)
{
    /* An empty host name cannot be put on the wire (RFC 6066 3: HostName<1..2^16-1>). */
    if (m->has_server_name && m->server_name.len == 0)
        return -1;
    if (m->has_pre_shared_key && m->psk_binder_count > HS_MAX_PSK)
        return -1;
    hs_begin_message(w, HS_CLIENT_HELLO);
    writer_u16(w, m->version);
    writer_bytes(w, m->random, sizeof(m->random));
    hs_write_vector(w, 1, m->session_id);
    hs_write_vector(w, 2, m->cipher_suites);
    hs_write_vector(w, 1, m->compression_methods);
    if (client_hello_has_extension(m)) {
        writer_open(w, 2);
        write_client_extensions(w, m);
        writer_close(w);
    }
    return hs_end_message(w);
}

const hs_key_share *hs_client_hello_share(const hs_client_hello *m, uint16_t group)
{
    for (size_t i = 0; i < m->n_key_shares; i++)
        if (m->key_shares[i].group == group)
            return &m->key_shares[i];
    return NULL;
}

static bool server_hello_has_extension(const hs_server_hello *m)
{
    return m->has_extensions || m->has_server_name || m->has_point_formats || m->has_alpn ||
           m->has_reneg_info || m->ems || m->has_session_ticket || m->has_supported_version ||
           m->has_key_share || m->has_pre_shared_key || m->has_cookie;
}

static void write_server_extensions(writer *w, const hs_server_hello *m)
{
    if (m->has_server_name)
        hs_write_empty_extension(w, EXT_SERVER_NAME);
    if (m->has_point_formats)
        hs_write_vector_extension(w, EXT_EC_POINT_FORMATS, 1, m->point_formats);
    if (m->has_alpn)
        hs_write_alpn_protocol(w, m->alpn_protocol);
    if (m->has_reneg_info)
        hs_write_vector_extension(w, EXT_RENEGOTIATION_INFO, 1, m->reneg_info);
    if (m->ems)
        hs_write_empty_extension(w, EXT_EXTENDED_MASTER_SECRET);
    if (m->has_session_ticket)
        hs_write_empty_extension(w, EXT_SESSION_TICKET);
    if (m->has_supported_version) {
        hs_begin_extension(w, EXT_SUPPORTED_VERSIONS);
        writer_u16(w, m->selected_version);
        writer_close(w);
    }
    if (m->has_key_share) {
        hs_begin_extension(w, EXT_KEY_SHARE);
        writer_u16(w, m->key_share_group);
        if (!m->is_hrr)
            hs_write_vector(w, 2, m->key_share_key);
        writer_close(w);
    }
    if (m->has_pre_shared_key) {
        hs_begin_extension(w, EXT_PRE_SHARED_KEY);
        writer_u16(w, m->selected_identity);
        writer_close(w);
    }
    if (m->has_cookie)
        hs_write_vector_extension(w, EXT_COOKIE, 2, m->cookie);
}

int hs_write_server_hello(writer *w, const hs_server_hello *m)
{
    /* The random alone tells a reader which of the two it is: a struct that disagrees with its
     * random would be read back as the other message. */
    if (m->is_hrr != (memcmp(m->random, hs_hrr_random, sizeof(m->random)) == 0))
        return -1;
    hs_begin_message(w, HS_SERVER_HELLO);
    writer_u16(w, m->version);
    writer_bytes(w, m->random, sizeof(m->random));
    hs_write_vector(w, 1, m->session_id);
    writer_u16(w, m->cipher_suite);
    writer_u8(w, m->compression_method);
    if (server_hello_has_extension(m)) {
        writer_open(w, 2);
        write_server_extensions(w, m);
        writer_close(w);
    }
    return hs_end_message(w);
}
