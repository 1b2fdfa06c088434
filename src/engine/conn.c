/*
 * parley_conn: the sans-I/O engine. Bytes come in through parley_feed, are framed into records,
 * opened, and dispatched by content type; bytes to send accumulate until parley_take.
 *
 * Memory: an idle connection holds no record buffers. The input buffer exists while a record is
 * arriving (and while its application data waits to be read); the output buffer while bytes wait
 * to be taken; the handshake state while a handshake runs.
 */
#include "engine.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../handshake/handshake.h"
#include "../trace/trace.h"

/* parley_write stops taking data once this much output waits to be taken. */
#define OUTPUT_HIGH_WATER (64 * 1024)

parley_conn *parley_conn_new(parley_config *cfg, parley_role role)
{
    if (cfg == NULL || (role != PARLEY_CLIENT && role != PARLEY_SERVER))
        return NULL;
    if (config_freeze(cfg, role) < 0)
        return NULL;
    parley_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->cfg = parley_config_ref(cfg);
    c->role = role;
    c->state = PARLEY_STATE_HANDSHAKING;
    c->record_version = PARLEY_TLS1_0;
    c->error_alert = -1;
    c->trace_fn = cfg->trace_fn;
    c->trace_arg = cfg->trace_arg;
    c->created_us = trace_now_us();
    return c;
}

static void input_release(parley_conn *c)
{
    if (c->record != NULL) {
        crypto_wipe(c->record, c->record_need);
        free(c->record);
    }
    c->record = NULL;
    c->record_len = c->record_need = 0;
    c->header_len = 0;
    c->app = NULL;
    c->app_len = 0;
}

void parley_conn_free(parley_conn *c)
{
    if (c == NULL)
        return;
    hs_free(c);
    input_release(c);
    record_state_clear(&c->read);
    record_state_clear(&c->write);
    free(c->out);
    free(c->verify_name);
    free(c->peer_chain);
    free(c->post_msg);
    free(c->keylog_random);
    free(c->error_message);
    x509_chain_free(c->own_cert);
    parley_session_free(c->session);
    resume_drop_bytes(c);
    free(c->session_key);
    parley_config_free(c->cfg);
    crypto_wipe(c, sizeof(*c));
    free(c);
}

int parley_conn_set_server_name(parley_conn *c, const char *name)
{
    if (c == NULL || name == NULL || c->role != PARLEY_CLIENT || c->hs != NULL ||
        strlen(name) == 0 || strlen(name) >= sizeof(c->server_name))
        return PARLEY_ERROR;
    uint8_t addr[16];
    c->send_sni = inet_pton(AF_INET, name, addr) != 1 && inet_pton(AF_INET6, name, addr) != 1;
    snprintf(c->server_name, sizeof(c->server_name), "%s", name);
    return PARLEY_OK;
}

int parley_conn_set_verify_name(parley_conn *c, const char *name)
{
    if (c == NULL || name == NULL || c->role != PARLEY_CLIENT || c->hs != NULL)
        return PARLEY_ERROR;
    char *copy = strdup(name);
    if (copy == NULL)
        return PARLEY_ERROR;
    free(c->verify_name);
    c->verify_name = copy;
    return PARLEY_OK;
}

__attribute__((format(printf, 2, 0))) static void set_error_message(parley_conn *c, const char *fmt,
                                                                    va_list ap)
{
    if (c->error_message == NULL)
        c->error_message = malloc(CONN_ERROR_MAX);
    if (c->error_message != NULL)
        vsnprintf(c->error_message, CONN_ERROR_MAX, fmt, ap);
}

/* The reason of a failure, printf-style, in c->error_message, allocated by the first one. */
__attribute__((format(printf, 2, 3))) static void conn_set_error_message(parley_conn *c,
                                                                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_message(c, fmt, ap);
    va_end(ap);
}

/* The certificate the client-cert callback supplied, or why there is none: failing the
 * connection here would free the handshake state the callback's caller is using, so the failure
 * is kept and the handshake fails with it once the callback has returned. */
static int use_certificate(parley_conn *c, x509_chain *chain, const char *why, parley_sign_fn sign,
                           void *arg)
{
    x509_chain_free(c->own_cert);
    c->own_cert = chain;
    c->own_sign = sign;
    c->own_sign_arg = arg;
    if (chain == NULL && c->state != PARLEY_STATE_FAILED) {
        c->own_cert_failed = true;
        conn_set_error_message(c, "%s", why);
        return PARLEY_ERROR;
    }
    return chain ? PARLEY_OK : PARLEY_ERROR;
}

int parley_conn_use_certificate_pem(parley_conn *c, const char *chain_pem, size_t chain_len,
                                    const char *key_pem, size_t key_len)
{
    if (c == NULL || c->role != PARLEY_CLIENT)
        return PARLEY_ERROR;
    char why[CONN_ERROR_MAX] = "no certificate or key was given";
    x509_chain *chain = chain_pem && key_pem ? x509_chain_load_pem(chain_pem, chain_len, key_pem,
                                                                   key_len, why, sizeof(why))
                                             : NULL;
    return use_certificate(c, chain, why, NULL, NULL);
}

int parley_conn_use_certificate_signer(parley_conn *c, const char *chain_pem, size_t chain_len,
                                       parley_sign_fn sign, void *arg)
{
    if (c == NULL || c->role != PARLEY_CLIENT)
        return PARLEY_ERROR;
    char why[CONN_ERROR_MAX] = "no certificate or signer was given";
    x509_chain *chain = chain_pem && sign
                            ? x509_chain_load_pem_public(chain_pem, chain_len, why, sizeof(why))
                            : NULL;
    return use_certificate(c, chain, why, sign, arg);
}

/* ---- output ------------------------------------------------------------------------------- */

static bool output_reserve(parley_conn *c, size_t n)
{
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    if (c->out_cap - c->out_len >= n)
        return true;
    if (c->out_off > 0) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
        if (c->out_cap - c->out_len >= n)
            return true;
    }
    size_t cap = c->out_cap ? c->out_cap : 4096;
    while (cap - c->out_len < n)
        cap *= 2;
    uint8_t *p = realloc(c->out, cap);
    if (p == NULL)
        return false;
    c->out = p;
    c->out_cap = cap;
    return true;
}

/* Seals records without failing the connection; used for alerts while failing. */
static int send_records(parley_conn *c, uint8_t type, const uint8_t *data, size_t len)
{
    /* TLS 1.0 CBC: the 1/n-1 split puts one byte in a record of its own first, so the record
     * with the rest is encrypted under an IV the peer-side attacker could not predict. */
    bool split = type == CT_APPLICATION_DATA && len > 1 && record_split_first_byte(&c->write);
    do {
        size_t n = len < RECORD_MAX_PLAINTEXT ? len : RECORD_MAX_PLAINTEXT;
        if (split) {
            n = 1;
            split = false;
        }
        if (!output_reserve(c, RECORD_HEADER_LEN + n + record_expansion(&c->write)))
            return -1;
        size_t w = record_seal(&c->write, type, c->record_version, data, n, c->out + c->out_len);
        if (w == 0)
            return -1;
        if (trace_on(c)) {
            trace_record(c, 1, c->out + c->out_len);
            if (type != CT_HANDSHAKE)
                trace_content(c, 1, type, data, n);
        }
        c->out_len += w;
        data += n;
        len -= n;
    } while (len > 0);
    return 0;
}

int conn_send(parley_conn *c, uint8_t type, const uint8_t *data, size_t len)
{
    if (send_records(c, type, data, len) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, -1, "sealing a record failed");
    return 0;
}

int conn_send_alert(parley_conn *c, uint8_t level, uint8_t description)
{
    uint8_t alert[2] = {level, description};
    return conn_send(c, CT_ALERT, alert, sizeof(alert));
}

int conn_install_keys(parley_conn *c, int write, const record_keys *keys, const char *step)
{
    if (record_state_install(write ? &c->write : &c->read, keys, write) < 0)
        return conn_fail(c, PARLEY_E_INTERNAL, ALERT_INTERNAL_ERROR, "installing keys failed");
    trace_step(c, step);
    return 0;
}

int conn_send_change_cipher_spec(parley_conn *c, const record_keys *keys)
{
    static const uint8_t ccs[1] = {1};
    if (conn_send(c, CT_CHANGE_CIPHER_SPEC, ccs, 1) < 0)
        return -1;
    return conn_install_keys(c, 1, keys, "write keys on");
}

int conn_fail(parley_conn *c, parley_err err, int alert, const char *fmt, ...)
{
    if (c->state == PARLEY_STATE_FAILED)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    set_error_message(c, fmt, ap);
    va_end(ap);
    c->error = err;
    c->state = PARLEY_STATE_FAILED;
    resume_forget(c);
    if (alert >= 0) {
        c->error_alert = alert;
        c->error_alert_sent = true;
        uint8_t bytes[2] = {ALERT_LEVEL_FATAL, (uint8_t)alert};
        send_records(c, CT_ALERT, bytes, sizeof(bytes));
    }
    hs_free(c);
    return -1;
}

size_t parley_output_pending(const parley_conn *c)
{
    return c ? c->out_len - c->out_off : 0;
}

size_t parley_take(parley_conn *c, void *buf, size_t cap)
{
    if (c == NULL || buf == NULL)
        return 0;
    size_t n = c->out_len - c->out_off;
    if (n == 0)
        return 0;
    if (n > cap)
        n = cap;
    memcpy(buf, c->out + c->out_off, n);
    c->out_off += n;
    if (c->out_off == c->out_len) {
        /* Nothing in flight: give the buffer back so an idle connection holds none. */
        free(c->out);
        c->out = NULL;
        c->out_off = c->out_len = c->out_cap = 0;
    }
    return n;
}

/* ---- input -------------------------------------------------------------------------------- */

static int handle_alert(parley_conn *c, const uint8_t *p, size_t len)
{
    if (len != 2)
        return conn_fail(c, PARLEY_E_DECODE, ALERT_DECODE_ERROR,
                         "peer sent an alert record of %zu bytes", len);
    uint8_t level = p[0], description = p[1];
    if (description == ALERT_CLOSE_NOTIFY) {
        c->close_received = true;
        if (c->state == PARLEY_STATE_HANDSHAKING)
            return conn_fail(c, PARLEY_E_EOF, -1,
                             "peer closed the connection during the handshake");
        c->state = PARLEY_STATE_CLOSED;
        return 0;
    }
    /* TLS 1.3 (RFC 8446 6): every alert but close_notify and user_canceled is fatal, whatever
     * its level says. Earlier versions let warnings (no_renegotiation and the like) pass. */
    bool tls13 = c->version == PARLEY_TLS1_3;
    if (tls13 ? description == ALERT_USER_CANCELED
              : level == ALERT_LEVEL_WARNING && description != ALERT_UNEXPECTED_MESSAGE)
        return 0;
    conn_fail(c, PARLEY_E_ALERT, -1, "peer sent fatal alert %s (%u)",
              parley_alert_name(description), description);
    c->error_alert = description;
    c->error_alert_sent = false;
    return -1;
}

/* A handshake message after the handshake: in TLS 1.3 NewSessionTicket and KeyUpdate, whole
 * messages gathered across records; before, renegotiation, which parley refuses. */
static int handle_post_handshake(parley_conn *c, const uint8_t *p, size_t len)
{
    if (c->version != PARLEY_TLS1_3)
        return conn_send_alert(c, ALERT_LEVEL_WARNING, ALERT_NO_RENEGOTIATION);
    if (len == 0)
        return conn_fail(c, PARLEY_E_DECODE, ALERT_DECODE_ERROR,
                         "peer sent an empty handshake record");
    if (c->post_len + len > POST_HANDSHAKE_MAX)
        return conn_fail(c, PARLEY_E_DECODE, ALERT_DECODE_ERROR,
                         "post-handshake message over %u bytes", POST_HANDSHAKE_MAX);
    const uint8_t *data = p;
    size_t data_len = len;
    if (c->post_len > 0) {
        uint8_t *grown = realloc(c->post_msg, c->post_len + len);
        if (grown == NULL)
            return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
        memcpy(grown + c->post_len, p, len);
        c->post_msg = grown;
        c->post_len += len;
        data = c->post_msg;
        data_len = c->post_len;
    }
    size_t off = 0;
    while (data_len - off >= 4 && c->state == PARLEY_STATE_OPEN) {
        uint32_t body =
            (uint32_t)data[off + 1] << 16 | (uint32_t)data[off + 2] << 8 | data[off + 3];
        if (body > POST_HANDSHAKE_MAX)
            return conn_fail(c, PARLEY_E_DECODE, ALERT_DECODE_ERROR,
                             "post-handshake message of %u bytes", (unsigned)body);
        if (data_len - off < 4 + (size_t)body)
            break;
        trace_handshake(c, 0, data + off, 4 + body);
        if (hs13_post_handshake(c, data[off], data + off + 4, body) < 0)
            return -1;
        off += 4 + body;
        /* A KeyUpdate changes keys: nothing may follow it in the same record. */
        if (data[off - 4 - body] == HS_KEY_UPDATE && off < data_len)
            return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                             "handshake data follows a KeyUpdate in the same record");
    }
    if (c->state != PARLEY_STATE_OPEN)
        return 0;
    size_t rest = data_len - off;
    if (rest == 0) {
        free(c->post_msg);
        c->post_msg = NULL;
        c->post_len = 0;
        return 0;
    }
    uint8_t *keep = malloc(rest);
    if (keep == NULL)
        return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
    memcpy(keep, data + off, rest);
    free(c->post_msg);
    c->post_msg = keep;
    c->post_len = rest;
    return 0;
}

/* TLS 1.3 (RFC 8446 5): a ChangeCipherSpec is never protected. During the handshake one with the
 * value 1 is dropped (middlebox compatibility); any other is unexpected. A plaintext alert is
 * read as such while the handshake runs: a peer that failed before it had our keys sends one. */
static int handle_tls13_plaintext(parley_conn *c, uint8_t type)
{
    uint8_t *p = c->record + RECORD_HEADER_LEN;
    size_t len = c->record_need - RECORD_HEADER_LEN;
    trace_content(c, 0, type, p, len);
    if (type == CT_ALERT)
        return handle_alert(c, p, len);
    if (c->hs == NULL || len != 1 || p[0] != 1)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                         "unexpected ChangeCipherSpec %s",
                         c->hs == NULL ? "after the handshake" : "with a value other than 1");
    return 0;
}

static int handle_record(parley_conn *c)
{
    trace_record(c, 0, c->record);
    uint8_t outer = c->record[0];
    bool tls13 = c->version == PARLEY_TLS1_3;
    if (tls13 && (outer == CT_CHANGE_CIPHER_SPEC ||
                  (outer == CT_ALERT && c->read.kind == RECORD_TLS13 && c->hs != NULL)))
        return handle_tls13_plaintext(c, outer);
    uint8_t *plain = c->record + RECORD_HEADER_LEN;
    size_t plain_len = c->record_need - RECORD_HEADER_LEN;
    /* 0-RTT the server refused (early13.c): records it cannot read are skipped, within limits:
     * protected ones that arrive before the second ClientHello of a HelloRetryRequest, and
     * those that do not open under the handshake key. */
    bool skip = early13_skipping(c);
    if (skip && outer == CT_APPLICATION_DATA && c->read.kind == RECORD_PLAIN)
        return early13_skip(c, plain_len);
    int alert = record_open(&c->read, c->record, c->record_need, &plain, &plain_len);
    if (skip && alert == RECORD_ALERT_BAD_RECORD_MAC)
        return early13_skip(c, c->record_need - RECORD_HEADER_LEN);
    if (skip && alert == 0 && c->read.kind == RECORD_TLS13)
        c->hs->early_mode = EARLY13_OFF; /* the first record of the client's second flight */
    if (alert) {
        if (alert == RECORD_ALERT_BAD_RECORD_MAC)
            return conn_fail(c, PARLEY_E_CRYPTO, alert,
                             "a record from the peer failed authentication (bad_record_mac)");
        if (alert == RECORD_ALERT_UNEXPECTED_MESSAGE)
            return conn_fail(c, PARLEY_E_PROTOCOL, alert,
                             "a protected record from the peer has no content type, or a "
                             "record type that must not be protected");
        return conn_fail(c, PARLEY_E_DECODE, alert, "a record from the peer is too long");
    }
    /* TLS 1.3 puts the real type inside the protection; record_open wrote it over the header. */
    uint8_t type = c->record[0];
    if (c->read.kind == RECORD_TLS13 && type != CT_HANDSHAKE && type != CT_ALERT &&
        type != CT_APPLICATION_DATA)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                         "a protected record of type %u, which TLS 1.3 never protects", type);
    if (type != CT_HANDSHAKE)
        trace_content(c, 0, type, plain, plain_len);
    switch (type) {
    case CT_HANDSHAKE:
        if (c->hs != NULL)
            return hs_receive(c, plain, plain_len);
        if (c->state == PARLEY_STATE_HANDSHAKING)
            return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                             "handshake message from the server before our ClientHello");
        return handle_post_handshake(c, plain, plain_len);
    case CT_CHANGE_CIPHER_SPEC:
        if (plain_len != 1 || plain[0] != 1)
            return conn_fail(c, PARLEY_E_DECODE, ALERT_DECODE_ERROR,
                             "malformed ChangeCipherSpec from the peer");
        if (c->hs == NULL)
            return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                             "unexpected ChangeCipherSpec after the handshake");
        return hs_receive_change_cipher_spec(c);
    case CT_ALERT:
        return handle_alert(c, plain, plain_len);
    case CT_APPLICATION_DATA:
        /* During the handshake only a server's accepted 0-RTT data (early13.c). */
        if (c->state != PARLEY_STATE_OPEN && !early13_reading(c))
            return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                             "application data from the peer before the handshake finished");
        if (c->state != PARLEY_STATE_OPEN && early13_count(c, plain_len) < 0)
            return -1;
        /* A handshake message split across records must not be interleaved with data. */
        if (c->post_len > 0)
            return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                             "application data inside a fragmented handshake message");
        c->app = plain;
        c->app_len = plain_len;
        return 0;
    }
    return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_UNEXPECTED_MESSAGE,
                     "record of unknown content type %u", type);
}

/* Checks a complete record header and allocates room for the record. */
static int begin_record(parley_conn *c)
{
    reader r = reader_init(c->header, RECORD_HEADER_LEN);
    uint8_t type = reader_u8(&r);
    uint16_t version = reader_u16(&r);
    uint16_t len = reader_u16(&r);
    if (type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA)
        return conn_fail(c, PARLEY_E_DECODE, ALERT_UNEXPECTED_MESSAGE,
                         "peer sent a record of unknown content type %u: not TLS?", type);
    if (version >> 8 != 3)
        return conn_fail(c, PARLEY_E_DECODE, ALERT_PROTOCOL_VERSION,
                         "peer sent a record with version 0x%04x: not TLS?", version);
    /* Once the version is agreed every record must carry it (RFC 5246 appendix E.1). The one
     * exception is a plaintext alert: a client refusing the version the server chose has not
     * agreed to it, and its alert ends the handshake either way, so it is read as an alert. */
    bool refusal = type == CT_ALERT && c->read.kind == RECORD_PLAIN;
    /* TLS 1.3 records say 0x0303 and the field is to be ignored (RFC 8446 5.1). */
    if (c->version != 0 && c->version != PARLEY_TLS1_3 && version != c->version && !refusal)
        return conn_fail(c, PARLEY_E_PROTOCOL, ALERT_PROTOCOL_VERSION,
                         "record version 0x%04x differs from the negotiated 0x%04x", version,
                         c->version);
    /* Refused 0-RTT skipped before the second ClientHello is TLS 1.3 ciphertext. */
    record_protection kind =
        type == CT_APPLICATION_DATA && early13_skipping(c) ? RECORD_TLS13 : c->read.kind;
    size_t limit = kind == RECORD_PLAIN   ? RECORD_MAX_PLAINTEXT
                   : kind == RECORD_TLS13 ? RECORD_TLS13_MAX_FRAGMENT
                                          : RECORD_MAX_FRAGMENT;
    if (len > limit)
        return conn_fail(c, PARLEY_E_DECODE, ALERT_RECORD_OVERFLOW,
                         "peer sent a record of %u bytes, over the %zu-byte limit", len, limit);
    if (len == 0 && type != CT_APPLICATION_DATA && c->read.kind == RECORD_PLAIN)
        return conn_fail(c, PARLEY_E_DECODE, ALERT_DECODE_ERROR,
                         "peer sent an empty record of type %u", type);
    c->record_need = RECORD_HEADER_LEN + len;
    c->record = malloc(c->record_need);
    if (c->record == NULL)
        return conn_fail(c, PARLEY_E_MEMORY, ALERT_INTERNAL_ERROR, "out of memory");
    memcpy(c->record, c->header, RECORD_HEADER_LEN);
    c->record_len = RECORD_HEADER_LEN;
    return 0;
}

size_t parley_feed(parley_conn *c, const void *data, size_t len)
{
    if (c == NULL || data == NULL)
        return 0;
    /* A server needs no parley_handshake call before its first bytes arrive. */
    if (c->role == PARLEY_SERVER && c->state == PARLEY_STATE_HANDSHAKING && c->hs == NULL)
        hs_start(c);
    const uint8_t *p = data;
    size_t used = 0;
    while (used < len && c->app_len == 0 &&
           (c->state == PARLEY_STATE_HANDSHAKING || c->state == PARLEY_STATE_OPEN)) {
        if (c->record == NULL) {
            size_t n = RECORD_HEADER_LEN - c->header_len;
            if (n > len - used)
                n = len - used;
            memcpy(c->header + c->header_len, p + used, n);
            c->header_len += n;
            used += n;
            if (c->header_len < RECORD_HEADER_LEN || begin_record(c) < 0)
                continue;
        }
        size_t n = c->record_need - c->record_len;
        if (n > len - used)
            n = len - used;
        memcpy(c->record + c->record_len, p + used, n);
        c->record_len += n;
        used += n;
        if (c->record_len < c->record_need)
            continue;
        handle_record(c);
        if (c->app_len == 0)
            input_release(c);
    }
    if (c->state == PARLEY_STATE_FAILED || c->state == PARLEY_STATE_CLOSED)
        return len; /* nothing more will be read: swallow the rest */
    return used;
}

void parley_feed_eof(parley_conn *c)
{
    if (c == NULL)
        return;
    c->eof = true;
    if (c->state == PARLEY_STATE_HANDSHAKING)
        conn_fail(c, PARLEY_E_EOF, -1, "the peer closed the connection during the handshake");
    else if (c->state == PARLEY_STATE_OPEN && c->app_len == 0)
        conn_fail(c, PARLEY_E_EOF, -1, "the peer closed the connection without close_notify");
}

/* ---- driving ---------------------------------------------------------------------------- */

int parley_handshake(parley_conn *c)
{
    if (c == NULL)
        return PARLEY_ERROR;
    switch (c->state) {
    case PARLEY_STATE_OPEN:
    case PARLEY_STATE_CLOSED:
        return PARLEY_OK;
    case PARLEY_STATE_FAILED:
        return PARLEY_ERROR;
    case PARLEY_STATE_HANDSHAKING:
        break;
    }
    if (c->hs == NULL && hs_start(c) < 0)
        return PARLEY_ERROR;
    if (c->state == PARLEY_STATE_FAILED)
        return PARLEY_ERROR;
    return c->state == PARLEY_STATE_HANDSHAKING ? PARLEY_WANT_READ : PARLEY_OK;
}

int parley_write(parley_conn *c, const void *data, size_t len, size_t *written)
{
    size_t done = 0;
    if (written)
        *written = 0;
    if (c == NULL || (data == NULL && len > 0))
        return PARLEY_ERROR;
    /* TLS 1.3's close_notify closes only the peer's direction (RFC 8446 6.1): a request that came
     * with it can still be answered. Earlier versions discard pending writes on close_notify. */
    bool half_closed = c->state == PARLEY_STATE_CLOSED && c->version == PARLEY_TLS1_3;
    if ((c->state != PARLEY_STATE_OPEN && !half_closed) || c->close_sent)
        return PARLEY_ERROR;
    const uint8_t *p = data;
    while (done < len && parley_output_pending(c) < OUTPUT_HIGH_WATER) {
        /* TLS 1.3: a KeyUpdate the peer asked for, or one the key's record count calls for
         * (RFC 8446 5.5), goes before the next record. */
        if (c->version == PARLEY_TLS1_3 &&
            (c->key_update_due || c->write.seq >= c->cfg->key_update_records) &&
            hs13_send_key_update(c, false) < 0)
            return PARLEY_ERROR;
        size_t n = len - done < RECORD_MAX_PLAINTEXT ? len - done : RECORD_MAX_PLAINTEXT;
        if (conn_send(c, CT_APPLICATION_DATA, p + done, n) < 0)
            return PARLEY_ERROR;
        done += n;
    }
    if (written)
        *written = done;
    return PARLEY_OK;
}

int parley_read(parley_conn *c, void *buf, size_t cap, size_t *got)
{
    if (got)
        *got = 0;
    if (c == NULL || buf == NULL || got == NULL)
        return PARLEY_ERROR;
    if (c->app_len > 0) {
        size_t n = c->app_len < cap ? c->app_len : cap;
        memcpy(buf, c->app, n);
        c->app += n;
        c->app_len -= n;
        if (c->app_len == 0)
            input_release(c);
        *got = n;
        return PARLEY_OK;
    }
    switch (c->state) {
    case PARLEY_STATE_CLOSED:
        return PARLEY_CLOSED;
    case PARLEY_STATE_FAILED:
        return PARLEY_ERROR;
    default:
        if (c->eof) {
            conn_fail(c, PARLEY_E_EOF, -1, "the peer closed the connection without close_notify");
            return PARLEY_ERROR;
        }
        return PARLEY_WANT_READ;
    }
}

int parley_key_update(parley_conn *c, int request_peer)
{
    if (c == NULL || c->state != PARLEY_STATE_OPEN || c->close_sent || c->version != PARLEY_TLS1_3)
        return PARLEY_ERROR;
    return hs13_send_key_update(c, request_peer != 0) < 0 ? PARLEY_ERROR : PARLEY_OK;
}

int parley_close(parley_conn *c)
{
    if (c == NULL)
        return PARLEY_ERROR;
    if (c->close_sent || c->state == PARLEY_STATE_FAILED)
        return c->close_sent ? PARLEY_OK : PARLEY_ERROR;
    c->close_sent = true;
    uint8_t alert[2] = {ALERT_LEVEL_WARNING, ALERT_CLOSE_NOTIFY};
    return send_records(c, CT_ALERT, alert, sizeof(alert)) < 0 ? PARLEY_ERROR : PARLEY_OK;
}

parley_conn_state parley_state(const parley_conn *c)
{
    return c ? c->state : PARLEY_STATE_FAILED;
}
