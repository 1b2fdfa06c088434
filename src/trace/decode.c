/*
 * Handshake messages decoded into name/value fields for the trace, through the same parsers the
 * state machines use, so the trace shows exactly what the engine understood.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../handshake/messages.h"
#include "../handshake/suites.h"
#include "../x509/describe.h"
#include "trace.h"

static void add(trace_fields *f, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(trace_fields *f, const char *name, const char *fmt, ...)
{
    if (f->count == sizeof(f->field) / sizeof(f->field[0]) || f->used >= sizeof(f->store))
        return;
    char *dst = f->store + f->used;
    size_t room = sizeof(f->store) - f->used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    f->used += (size_t)n < room ? (size_t)n + 1 : room;
    f->field[f->count].name = name;
    f->field[f->count].value = dst;
    f->count++;
}

static void hex(const uint8_t *p, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len && n + 3 <= cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%02x", p[i]);
}

static const char *scheme_name(uint16_t scheme)
{
    switch (scheme) {
    case SIG_RSA_PKCS1_SHA1:
        return "rsa_pkcs1_sha1";
    case SIG_ECDSA_SHA1:
        return "ecdsa_sha1";
    case SIG_RSA_PKCS1_SHA256:
        return "rsa_pkcs1_sha256";
    case SIG_RSA_PKCS1_SHA384:
        return "rsa_pkcs1_sha384";
    case SIG_RSA_PKCS1_SHA512:
        return "rsa_pkcs1_sha512";
    case SIG_ECDSA_SECP256R1_SHA256:
        return "ecdsa_secp256r1_sha256";
    case SIG_ECDSA_SECP384R1_SHA384:
        return "ecdsa_secp384r1_sha384";
    case SIG_ECDSA_SECP521R1_SHA512:
        return "ecdsa_secp521r1_sha512";
    case SIG_RSA_PSS_RSAE_SHA256:
        return "rsa_pss_rsae_sha256";
    case SIG_RSA_PSS_RSAE_SHA384:
        return "rsa_pss_rsae_sha384";
    case SIG_RSA_PSS_RSAE_SHA512:
        return "rsa_pss_rsae_sha512";
    case SIG_ED25519:
        return "ed25519";
    default:
        return NULL;
    }
}

typedef const char *(*u16_namer)(uint16_t);

static const char *suite_namer(uint16_t id)
{
    if (id == SCSV_EMPTY_RENEGOTIATION_INFO)
        return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    if (id == SCSV_FALLBACK)
        return "TLS_FALLBACK_SCSV";
    return parley_cipher_suite_name(id);
}

static const char *group_namer(uint16_t id)
{
    const char *name = parley_group_name(id);
    return strcmp(name, "unknown") == 0 ? NULL : name;
}

static const char *version_namer(uint16_t id)
{
    const char *name = parley_version_name(id);
    return strcmp(name, "unknown") == 0 ? NULL : name;
}

/* A group's name, or its number in hex in buf. */
static const char *group_text(uint16_t id, char *buf, size_t cap)
{
    const char *name = group_namer(id);
    if (name != NULL)
        return name;
    snprintf(buf, cap, "0x%04x", id);
    return buf;
}

/* "N: a, b, 0x1234" for a wire-form u16 list; unknown values in hex. */
static void add_u16_list(trace_fields *f, const char *name, span list, u16_namer namer)
{
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof(buf), "%zu", list.len / 2);
    reader r = reader_init(list.p, list.len);
    for (size_t i = 0; r.left >= 2 && n < sizeof(buf); i++) {
        uint16_t v = reader_u16(&r);
        const char *s = namer(v);
        int w = s ? snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : ": ", s)
                  : snprintf(buf + n, sizeof(buf) - n, "%s0x%04x", i ? ", " : ": ", v);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    add(f, name, "%s", buf);
}

static void add_alpn_list(trace_fields *f, const char *name, span list)
{
    char buf[1024];
    size_t n = 0;
    buf[0] = '\0';
    reader r = reader_init(list.p, list.len);
    while (r.left > 0 && n < sizeof(buf)) {
        span s = reader_vector(&r, 1, 1, 255);
        if (r.failed)
            break;
        int w = snprintf(buf + n, sizeof(buf) - n, "%s%.*s", n ? ", " : "", (int)s.len,
                         (const char *)s.p);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    add(f, name, "%s", buf);
}

static void add_random_and_session(trace_fields *f, const uint8_t random[32], span session_id)
{
    char buf[80];
    hex(random, 32, buf, sizeof(buf));
    add(f, "random", "%s", buf);
    if (session_id.len == 0) {
        add(f, "session_id", "empty");
    } else {
        hex(session_id.p, session_id.len, buf, sizeof(buf));
        add(f, "session_id", "%s", buf);
    }
}

/* "N: x25519 (32 bytes), ..." from the client_shares list, every entry (the parsed struct
 * holds only the first HS_MAX_KEY_SHARES). */
static void add_key_shares(trace_fields *f, span wire)
{
    char buf[1024], group[16];
    size_t count = 0, n = 0;
    buf[0] = '\0';
    reader r = reader_init(wire.p, wire.len);
    while (r.left > 0) {
        uint16_t id = reader_u16(&r);
        span key = reader_vector(&r, 2, 1, 0xffff);
        if (r.failed)
            break;
        count++;
        if (n < sizeof(buf)) {
            int w = snprintf(buf + n, sizeof(buf) - n, ", %s (%zu bytes)",
                             group_text(id, group, sizeof(group)), key.len);
            if (w > 0)
                n += (size_t)w;
        }
    }
    add(f, "key_share", "%zu%s%s", count, count ? ":" : "", count ? buf + 1 : "");
}

static void add_psk_modes(trace_fields *f, span modes)
{
    char buf[512];
    size_t n = (size_t)snprintf(buf, sizeof(buf), "%zu", modes.len);
    for (size_t i = 0; i < modes.len && n < sizeof(buf); i++) {
        uint8_t mode = modes.p[i];
        const char *name = mode == 0 ? "psk_ke" : mode == 1 ? "psk_dhe_ke" : NULL;
        int w = name ? snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : ": ", name)
                     : snprintf(buf + n, sizeof(buf) - n, "%s%u", i ? ", " : ": ", mode);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    add(f, "psk_key_exchange_modes", "%s", buf);
}

/* The offered PSKs: the identities (a ticket each, for parley) and their binders, which prove
 * the client holds the ticket's secret. */
static void add_psk_offer(trace_fields *f, const hs_client_hello *m)
{
    size_t count = 0;
    reader r = reader_init(m->psk_identities_wire.p, m->psk_identities_wire.len);
    while (r.left > 0) {
        reader_vector(&r, 2, 1, 0xffff);
        reader_u32(&r);
        if (r.failed)
            break;
        count++;
    }
    if (m->n_psk == 0)
        return;
    if (count == 1)
        add(f, "pre_shared_key", "1 identity: a ticket of %zu bytes, obfuscated age 0x%08x",
            m->psk[0].identity.len, (unsigned)m->psk[0].obfuscated_ticket_age);
    else
        add(f, "pre_shared_key", "%zu identities, the first a ticket of %zu bytes", count,
            m->psk[0].identity.len);
    add(f, "binder", "%zu bytes (HMAC of the hello so far, keyed from the ticket's PSK)",
        m->psk[0].binder.len);
}

static void decode_client_hello(const uint8_t *body, size_t len, trace_fields *f)
{
    hs_client_hello m;
    if (hs_parse_client_hello(body, len, &m) != 0) {
        add(f, "error", "does not parse");
        return;
    }
    add(f, "version", "%s", parley_version_name(m.version));
    add_random_and_session(f, m.random, m.session_id);
    add_u16_list(f, "cipher_suites", m.cipher_suites, suite_namer);
    add(f, "compression_methods", "%zu", m.compression_methods.len);
    if (m.has_server_name && m.server_name.len > 0)
        add(f, "server_name", "%.*s", (int)m.server_name.len, (const char *)m.server_name.p);
    else if (m.has_server_name)
        add(f, "server_name", "(no host name)");
    if (m.has_groups)
        add_u16_list(f, "supported_groups", m.groups, group_namer);
    if (m.has_point_formats)
        add(f, "ec_point_formats", "%zu", m.point_formats.len);
    if (m.has_sig_algs)
        add_u16_list(f, "signature_algorithms", m.sig_algs, scheme_name);
    if (m.has_alpn)
        add_alpn_list(f, "alpn", m.alpn);
    if (m.has_reneg_info)
        add(f, "renegotiation_info", "%s", m.reneg_info.len ? "present" : "empty");
    if (m.ems)
        add(f, "extended_master_secret", "yes");
    if (m.has_session_ticket)
        add(f, "session_ticket", "%zu bytes", m.session_ticket.len);
    if (m.has_supported_versions)
        add_u16_list(f, "supported_versions", m.supported_versions, version_namer);
    if (m.has_key_share)
        add_key_shares(f, m.key_shares_wire);
    if (m.has_psk_modes)
        add_psk_modes(f, m.psk_modes);
    if (m.has_cookie)
        add(f, "cookie", "%zu bytes", m.cookie.len);
    if (m.has_early_data)
        add(f, "early_data", "offered");
    if (m.has_post_handshake_auth)
        add(f, "post_handshake_auth", "yes");
    if (m.has_pre_shared_key)
        add_psk_offer(f, &m);
}

static void decode_server_hello(const uint8_t *body, size_t len, trace_fields *f)
{
    hs_server_hello m;
    if (hs_parse_server_hello(body, len, &m) != 0) {
        add(f, "error", "does not parse");
        return;
    }
    add(f, "version", "%s", parley_version_name(m.version));
    add_random_and_session(f, m.random, m.session_id);
    const char *suite = suite_namer(m.cipher_suite);
    if (suite)
        add(f, "cipher_suite", "%s", suite);
    else
        add(f, "cipher_suite", "0x%04x", m.cipher_suite);
    add(f, "compression_method", "%u", m.compression_method);
    if (m.has_server_name)
        add(f, "server_name", "acknowledged");
    if (m.has_point_formats)
        add(f, "ec_point_formats", "%zu", m.point_formats.len);
    if (m.has_alpn)
        add(f, "alpn", "%.*s", (int)m.alpn_protocol.len, (const char *)m.alpn_protocol.p);
    if (m.has_reneg_info)
        add(f, "renegotiation_info", "%s", m.reneg_info.len ? "present" : "empty");
    if (m.ems)
        add(f, "extended_master_secret", "yes");
    if (m.has_session_ticket)
        add(f, "session_ticket", "yes");
    char group[16];
    if (m.has_supported_version) {
        const char *v = version_namer(m.selected_version);
        if (v)
            add(f, "supported_versions", "%s", v);
        else
            add(f, "supported_versions", "0x%04x", m.selected_version);
    }
    if (m.has_key_share && m.is_hrr)
        add(f, "key_share", "%s (the group it wants a share for)",
            group_text(m.key_share_group, group, sizeof(group)));
    else if (m.has_key_share)
        add(f, "key_share", "%s (%zu bytes)", group_text(m.key_share_group, group, sizeof(group)),
            m.key_share_key.len);
    if (m.has_pre_shared_key)
        add(f, "pre_shared_key", "identity %u accepted", m.selected_identity);
    if (m.has_cookie)
        add(f, "cookie", "%zu bytes (to be sent back in the second ClientHello)", m.cookie.len);
}

static void decode_encrypted_extensions(const uint8_t *body, size_t len, trace_fields *f)
{
    hs_encrypted_extensions m;
    if (hs_parse_encrypted_extensions(body, len, &m) != 0) {
        add(f, "error", "does not parse");
        return;
    }
    if (m.has_server_name)
        add(f, "server_name", "acknowledged");
    if (m.has_groups)
        add_u16_list(f, "supported_groups", m.groups, group_namer);
    if (m.has_alpn)
        add(f, "alpn", "%.*s", (int)m.alpn_protocol.len, (const char *)m.alpn_protocol.p);
    if (m.has_early_data)
        add(f, "early_data", "accepted");
    if (!m.has_server_name && !m.has_groups && !m.has_alpn && !m.has_early_data)
        add(f, "extensions", "none");
}

static void add_certificates(trace_fields *f, size_t count, const span *certs)
{
    static const char *const names[][4] = {
        {"certificate[0]", "issuer[0]", "key[0]", "valid[0]"},
        {"certificate[1]", "issuer[1]", "key[1]", "valid[1]"},
        {"certificate[2]", "issuer[2]", "key[2]", "valid[2]"},
        {"certificate[3]", "issuer[3]", "key[3]", "valid[3]"},
    };
    add(f, "certificates", "%zu", count);
    for (size_t i = 0; i < count && i < 4; i++) {
        x509_summary s;
        if (x509_describe(certs[i].p, certs[i].len, &s) < 0) {
            add(f, names[i][0], "does not parse (%zu bytes)", certs[i].len);
            continue;
        }
        add(f, names[i][0], "%s", s.subject);
        add(f, names[i][1], "%s", s.issuer);
        add(f, names[i][2], "%s", s.key);
        add(f, names[i][3], "%s to %s", s.not_before, s.not_after);
    }
}

/* The extensions of each CertificateEntry (OCSP status, SCTs), which the parser checks and
 * skips: walked again here, through the reader, only to name them. */
static void add_entry_extensions(trace_fields *f, const uint8_t *body, size_t len)
{
    char buf[512];
    size_t n = 0, entry = 0, with = 0;
    buf[0] = '\0';
    reader r = reader_init(body, len);
    reader_vector(&r, 1, 0, 255);
    reader list = reader_sub(&r, 3, 0, 0xffffff);
    while (list.left > 0) {
        reader_vector(&list, 3, 1, 0xffffff);
        reader exts = reader_sub(&list, 2, 0, 0xffff);
        if (list.failed)
            break;
        while (exts.left > 0) {
            uint16_t type = reader_u16(&exts);
            reader_vector(&exts, 2, 0, 0xffff);
            if (exts.failed)
                break;
            const char *name = type == 5    ? "status_request"
                               : type == 18 ? "signed_certificate_timestamp"
                                            : NULL;
            int w = name ? snprintf(buf + n, sizeof(buf) - n, "%s[%zu] %s", with ? ", " : "", entry,
                                    name)
                         : snprintf(buf + n, sizeof(buf) - n, "%s[%zu] %u", with ? ", " : "", entry,
                                    type);
            if (w > 0 && (size_t)w < sizeof(buf) - n) {
                n += (size_t)w;
                with++;
            }
        }
        entry++;
    }
    if (with == 0)
        add(f, "entry_extensions", "none");
    else
        add(f, "entry_extensions", "%s", buf);
}

static void decode_certificate(const uint8_t *body, size_t len, uint16_t version, trace_fields *f)
{
    if (version == PARLEY_TLS1_3) {
        hs_certificate13 m;
        if (hs_parse_certificate13(body, len, &m) != 0) {
            add(f, "error", "does not parse");
            return;
        }
        if (m.context.len == 0) {
            add(f, "request_context", "empty");
        } else {
            char buf[520];
            hex(m.context.p, m.context.len, buf, sizeof(buf));
            add(f, "request_context", "%s", buf);
        }
        add_certificates(f, m.count, m.certs);
        add_entry_extensions(f, body, len);
        return;
    }
    hs_certificate m;
    if (hs_parse_certificate(body, len, &m) != 0) {
        add(f, "error", "does not parse");
        return;
    }
    add_certificates(f, m.count, m.certs);
}

static void decode_server_key_exchange(const uint8_t *body, size_t len, uint16_t version,
                                       trace_fields *f)
{
    hs_server_key_exchange m;
    if (hs_parse_server_key_exchange(body, len, version >= PARLEY_TLS1_2, &m) != 0) {
        add(f, "error", "does not parse");
        return;
    }
    const char *group = group_namer(m.group);
    if (group)
        add(f, "curve", "%s", group);
    else
        add(f, "curve", "0x%04x", m.group);
    add(f, "public_key", "%zu bytes", m.public_key.len);
    if (m.has_scheme) {
        const char *s = scheme_name(m.scheme);
        if (s)
            add(f, "signature_algorithm", "%s", s);
        else
            add(f, "signature_algorithm", "0x%04x", m.scheme);
    }
    add(f, "signature", "%zu bytes", m.signature.len);
}

/* The names, not their size: they decide which certificate a client may send. */
static void add_ca_names(trace_fields *f, span ca_names)
{
    char buf[1024];
    reader r = reader_init(ca_names.p, ca_names.len);
    size_t count = 0, n = 0;
    buf[0] = '\0';
    while (r.left > 0) {
        span der = reader_vector(&r, 2, 1, 0xffff);
        if (r.failed)
            break;
        char name[256];
        if (count++ < 2 && n < sizeof(buf)) {
            if (x509_describe_name(der.p, der.len, name, sizeof(name)) < 0)
                snprintf(name, sizeof(name), "(%zu bytes, does not parse)", der.len);
            int w = snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "; " : "", name);
            if (w > 0)
                n += (size_t)w;
        }
    }
    if (count == 0)
        add(f, "certificate_authorities", "none (any issuer)");
    else if (count <= 2)
        add(f, "certificate_authorities", "%zu: %s", count, buf);
    else
        add(f, "certificate_authorities", "%zu: %s (+%zu more)", count, buf, count - 2);
}

static void decode_certificate_request(const uint8_t *body, size_t len, uint16_t version,
                                       trace_fields *f)
{
    if (version == PARLEY_TLS1_3) {
        hs_certificate_request13 m;
        if (hs_parse_certificate_request13(body, len, &m) != 0) {
            add(f, "error", "does not parse");
            return;
        }
        if (m.context.len == 0)
            add(f, "request_context", "empty");
        else
            add(f, "request_context", "%zu bytes", m.context.len);
        add_u16_list(f, "signature_algorithms", m.sig_algs, scheme_name);
        add_ca_names(f, m.has_ca_names ? m.ca_names : (span){NULL, 0});
        return;
    }
    hs_certificate_request m;
    if (hs_parse_certificate_request(body, len, version >= PARLEY_TLS1_2, &m) != 0) {
        add(f, "error", "does not parse");
        return;
    }
    char buf[1024];
    size_t n = (size_t)snprintf(buf, sizeof(buf), "%zu", m.cert_types.len);
    for (size_t i = 0; i < m.cert_types.len && n < sizeof(buf); i++) {
        uint8_t t = m.cert_types.p[i];
        const char *name = t == 1    ? "rsa_sign"
                           : t == 2  ? "dss_sign"
                           : t == 64 ? "ecdsa_sign"
                                     : NULL;
        int w = name ? snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : ": ", name)
                     : snprintf(buf + n, sizeof(buf) - n, "%s%u", i ? ", " : ": ", t);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    add(f, "certificate_types", "%s", buf);
    if (m.has_sig_algs)
        add_u16_list(f, "signature_algorithms", m.sig_algs, scheme_name);
    add_ca_names(f, m.ca_names);
}

static void decode_new_session_ticket(const uint8_t *body, size_t len, uint16_t version,
                                      trace_fields *f)
{
    if (version == PARLEY_TLS1_3) {
        hs_new_session_ticket13 m;
        if (hs_parse_new_session_ticket13(body, len, &m) != 0) {
            add(f, "error", "does not parse");
            return;
        }
        add(f, "lifetime", "%u s", (unsigned)m.lifetime);
        add(f, "age_add", "0x%08x", (unsigned)m.age_add);
        char buf[520];
        hex(m.nonce.p, m.nonce.len, buf, sizeof(buf));
        add(f, "nonce", "%s", m.nonce.len ? buf : "empty");
        add(f, "ticket", "%zu bytes", m.ticket.len);
        if (m.has_early_data)
            add(f, "early_data", "up to %u bytes", (unsigned)m.max_early_data);
        return;
    }
    hs_new_session_ticket m;
    if (hs_parse_new_session_ticket(body, len, &m) != 0) {
        add(f, "error", "does not parse");
        return;
    }
    add(f, "lifetime_hint", "%u s", (unsigned)m.lifetime_hint);
    add(f, "ticket", "%zu bytes", m.ticket.len);
}

void trace_fields_prepend(trace_fields *f, const char *name, const char *value)
{
    size_t before = f->count;
    add(f, name, "%s", value);
    if (f->count == before)
        return;
    parley_trace_field added = f->field[before];
    memmove(&f->field[1], &f->field[0], before * sizeof(f->field[0]));
    f->field[0] = added;
}

void trace_decode_handshake(uint8_t type, const uint8_t *body, size_t len, uint16_t version,
                            trace_fields *f)
{
    f->count = 0;
    f->used = 0;
    switch (type) {
    case HS_CLIENT_HELLO:
        decode_client_hello(body, len, f);
        break;
    case HS_SERVER_HELLO:
        decode_server_hello(body, len, f);
        break;
    case HS_CERTIFICATE:
        decode_certificate(body, len, version, f);
        break;
    case HS_ENCRYPTED_EXTENSIONS:
        decode_encrypted_extensions(body, len, f);
        break;
    case HS_SERVER_KEY_EXCHANGE:
        decode_server_key_exchange(body, len, version, f);
        break;
    case HS_CERTIFICATE_REQUEST:
        decode_certificate_request(body, len, version, f);
        break;
    case HS_CLIENT_KEY_EXCHANGE:
        add(f, "exchange", "%zu bytes", len);
        break;
    case HS_CERTIFICATE_VERIFY: {
        hs_certificate_verify m;
        if (hs_parse_certificate_verify(body, len, version >= PARLEY_TLS1_2, &m) != 0) {
            add(f, "error", "does not parse");
            break;
        }
        if (m.has_scheme && scheme_name(m.scheme))
            add(f, "signature_algorithm", "%s", scheme_name(m.scheme));
        else if (m.has_scheme)
            add(f, "signature_algorithm", "0x%04x", m.scheme);
        /* The signature itself, not the body around it (scheme and length prefix). */
        add(f, "signature", "%zu bytes", m.signature.len);
        break;
    }
    case HS_NEW_SESSION_TICKET:
        decode_new_session_ticket(body, len, version, f);
        break;
    case HS_KEY_UPDATE: {
        bool requested;
        if (hs_parse_key_update(body, len, &requested) != 0)
            add(f, "error", "does not parse");
        else
            add(f, "request_update", "%s",
                requested ? "update_requested (the peer updates its keys too)"
                          : "update_not_requested");
        break;
    }
    case HS_FINISHED:
        add(f, "verify_data", "%zu bytes", len);
        break;
    default:
        break;
    }
}
