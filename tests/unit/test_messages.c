/*
 * The handshake message codecs (src/handshake/messages.h): round trips, strict rejection of
 * malformed input, and real messages captured from OpenSSL.
 *
 * Every parse in this file reads from a heap copy of exactly the bytes under test, so that under
 * AddressSanitizer a read one byte past the end is caught.
 */
#include "check.h"
#include "handshake/messages.h"
#include "handshake/messages_codec.h"
#include "rfc8448.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- real messages ----------------------------------------------------------------------------
 */

/* Captured on 127.0.0.1 with OpenSSL 3.0.19: `openssl s_client -connect 127.0.0.1:PORT
 * -servername example.com -tls1_2` against a Python socket that saved the first record; the
 * record header (16 03 01 00 cb) is stripped. 28 suites; extensions server_name, ec_point_formats,
 * supported_groups, session_ticket, encrypt_then_mac (unknown to parley), extended_master_secret,
 * signature_algorithms. */
static const char openssl_client_hello_hex[] =
    "010000c703034df51fe03c91a4ee980aa499783f6d0d0a794121e4e0a7e589ed42c69f13fb39000038c02cc030"
    "009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d00"
    "3c0035002f00ff0100006600000010000e00000b6578616d706c652e636f6d000b000403000102000a000c000a"
    "001d0017001e00190018002300000016000000170000000d002a0028040305030603080708080809080a080b08"
    "0408050806040105010601030303010302040205020602";

/* The replies of `openssl s_server -tls1_2 -Verify 1` (OpenSSL 3.0.19, P-256 certificate) to
 * that ClientHello, sent from a Python client and split into handshake messages. */
static const char openssl_server_hello_hex[] =
    "0200003d03032364b6a0996f676da44be158ad2a4c9527e0db065aebe39ad1ec724fb1b31e0600c02c000015ff"
    "01000100000b0004030001020023000000170000";
static const char openssl_server_key_exchange_hex[] =
    "0c00006f03001d2033c35046be9e433fb34ee9200702475adc8b52c600765f7cc62afc3a0a6d8a730403004730"
    "45022063fb823af7e6754b57a753692f324da98b1b1233507b6d7c612bbc397745fce1022100acb184fafa2e0c"
    "d125c2ea15e92c48c98ca9d945a5fa632d9579dc203605a492";
static const char openssl_certificate_request_hex[] =
    "0d000030030102400028040305030603080708080809080a080b0804080508060401050106010303030103020402"
    "050206020000";

/* ---- helpers ----------------------------------------------------------------------------------
 */

static uint8_t *heap_copy(const uint8_t *p, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    if (n)
        memcpy(copy, p, n);
    return copy;
}

static bool span_eq(span a, span b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* check_hex for hex written with spaces between fields, for readability. */
static size_t spaced_hex(const char *hex, uint8_t *out, size_t cap)
{
    char packed[4096];
    size_t n = 0;
    for (; *hex && n + 1 < sizeof(packed); hex++)
        if (*hex != ' ')
            packed[n++] = *hex;
    packed[n] = '\0';
    return check_hex(packed, out, cap);
}

static span str_span(const char *s)
{
    return (span){(const uint8_t *)s, strlen(s)};
}

/* A message as written: header checked, body located. */
typedef struct written {
    uint8_t buf[70000];
    size_t len;
} written;

static written out_buf;

static writer fresh_writer(void)
{
    writer w;
    writer_init(&w, out_buf.buf, sizeof(out_buf.buf));
    return w;
}

/* Checks the handshake header of what w holds and returns the body. */
static span written_body(const writer *w, uint8_t type)
{
    CHECK(writer_done(w));
    CHECK(w->len >= HS_HEADER_LEN);
    CHECK_EQ_INT(w->buf[0], type);
    size_t body_len = (size_t)w->buf[1] << 16 | (size_t)w->buf[2] << 8 | w->buf[3];
    CHECK_EQ_INT(body_len, w->len - HS_HEADER_LEN);
    return (span){w->buf + HS_HEADER_LEN, w->len - HS_HEADER_LEN};
}

/* One parser behind a common signature, so truncation and trailing-byte checks can be shared. */
typedef int (*parse_fn)(const uint8_t *body, size_t len, void *out, bool flag);

static int parse_ch(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)f;
    return hs_parse_client_hello(b, n, o);
}
static int parse_sh(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)f;
    return hs_parse_server_hello(b, n, o);
}
static int parse_cert(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)f;
    return hs_parse_certificate(b, n, o);
}
static int parse_ske(const uint8_t *b, size_t n, void *o, bool tls12)
{
    return hs_parse_server_key_exchange(b, n, tls12, o);
}
static int parse_cr(const uint8_t *b, size_t n, void *o, bool tls12)
{
    return hs_parse_certificate_request(b, n, tls12, o);
}
static int parse_cke(const uint8_t *b, size_t n, void *o, bool rsa)
{
    return hs_parse_client_key_exchange(b, n, rsa, o);
}
static int parse_cv(const uint8_t *b, size_t n, void *o, bool tls12)
{
    return hs_parse_certificate_verify(b, n, tls12, o);
}
static int parse_fin(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)f;
    return hs_parse_finished(b, n, 12, o);
}
static int parse_shd(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)o;
    (void)f;
    return hs_parse_server_hello_done(b, n);
}
static int parse_ee(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)f;
    return hs_parse_encrypted_extensions(b, n, o);
}
static int parse_cert13(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)f;
    return hs_parse_certificate13(b, n, o);
}
static int parse_cr13(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)f;
    return hs_parse_certificate_request13(b, n, o);
}
static int parse_nst13(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)f;
    return hs_parse_new_session_ticket13(b, n, o);
}
static int parse_ku(const uint8_t *b, size_t n, void *o, bool f)
{
    (void)f;
    return hs_parse_key_update(b, n, o);
}

/* Any parse of this many bytes: from a heap copy of exactly that many. */
static int parse_exact(parse_fn parse, const uint8_t *body, size_t len, bool flag)
{
    union {
        hs_client_hello ch;
        hs_server_hello sh;
        hs_certificate cert;
        hs_server_key_exchange ske;
        hs_certificate_request cr;
        hs_client_key_exchange cke;
        hs_certificate_verify cv;
        hs_finished fin;
        hs_encrypted_extensions ee;
        hs_certificate13 cert13;
        hs_certificate_request13 cr13;
        hs_new_session_ticket13 nst13;
        bool update_requested;
    } out;
    uint8_t *copy = heap_copy(body, len);
    int alert = parse(copy, len, &out, flag);
    free(copy);
    return alert;
}

/* A valid body: it parses, every proper prefix is a decode_error, and so is one extra byte. The
 * one exception is ok_prefix, where a hello without its extensions block ends (RFC 5246 7.4.1.2:
 * extensions are detected by bytes following the fixed fields): that prefix is a valid hello. */
static void check_strict_framing_except(const char *what, parse_fn parse, span body, bool flag,
                                        size_t ok_prefix)
{
    int whole = parse_exact(parse, body.p, body.len, flag);
    CHECK_EQ_INT(whole, 0);
    int bad_prefixes = 0;
    for (size_t n = 0; n < body.len; n++) {
        int want = n == ok_prefix ? 0 : HS_ALERT_DECODE_ERROR;
        if (parse_exact(parse, body.p, n, flag) != want)
            bad_prefixes++;
    }
    if (bad_prefixes)
        fprintf(stderr, "%s: %d prefixes did not fail with decode_error\n", what, bad_prefixes);
    CHECK_EQ_INT(bad_prefixes, 0);

    uint8_t *longer = heap_copy(body.p, body.len + 1);
    if (body.len)
        memcpy(longer, body.p, body.len);
    longer[body.len] = 0;
    CHECK_EQ_INT(parse_exact(parse, longer, body.len + 1, flag), HS_ALERT_DECODE_ERROR);
    free(longer);
}

static void check_strict_framing(const char *what, parse_fn parse, span body, bool flag)
{
    check_strict_framing_except(what, parse, body, flag, SIZE_MAX);
}

/* Where the extensions block of a valid hello body starts. */
static size_t hello_extensions_at(span body, bool server)
{
    size_t at = 2 + 32;
    at += 1 + body.p[at];
    if (server)
        return at + 2 + 1;
    at += 2 + (size_t)(body.p[at] << 8 | body.p[at + 1]);
    return at + 1 + body.p[at];
}

/* ---- ClientHello ------------------------------------------------------------------------------
 */

static const uint8_t suites[] = {0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9c, 0x00, 0xff};
static const uint8_t null_compression[] = {0};
static const uint8_t groups[] = {0x00, 0x1d, 0x00, 0x17};
static const uint8_t point_formats[] = {0};
static const uint8_t sig_algs[] = {0x04, 0x03, 0x08, 0x04, 0x04, 0x01};
static const uint8_t alpn_list[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
static const uint8_t reneg_verify[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const uint8_t ticket[] = {0xde, 0xad, 0xbe, 0xef};
static const uint8_t versions[] = {0x03, 0x03, 0x03, 0x02};
static const uint8_t session_id[32] = {0x5e, 0x55, 0x10, 0x4d};

static hs_client_hello base_client_hello(void)
{
    hs_client_hello m;
    memset(&m, 0, sizeof(m));
    m.version = 0x0303;
    for (int i = 0; i < 32; i++)
        m.random[i] = (uint8_t)(i * 7);
    m.session_id = (span){session_id, sizeof(session_id)};
    m.cipher_suites = (span){suites, sizeof(suites)};
    m.compression_methods = (span){null_compression, 1};
    return m;
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
           a->has_pre_shared_key == b->has_pre_shared_key &&
           span_eq(a->psk_identities_wire, b->psk_identities_wire);
}

/* Writes m, parses it back, and checks the struct survived and the framing is strict. */
static void check_client_hello_round_trip(const char *what, const hs_client_hello *m)
{
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, m), 0);
    span body = written_body(&w, HS_CLIENT_HELLO);
    hs_client_hello back;
    uint8_t *copy = heap_copy(body.p, body.len);
    CHECK_EQ_INT(hs_parse_client_hello(copy, body.len, &back), 0);
    if (!client_hello_eq(m, &back))
        fprintf(stderr, "ClientHello round trip differs: %s\n", what);
    CHECK(client_hello_eq(m, &back));
    free(copy);
    check_strict_framing_except(what, parse_ch, body, false, hello_extensions_at(body, false));
}

static void test_client_hello_round_trips(void)
{
    hs_client_hello m = base_client_hello();
    check_client_hello_round_trip("no extensions", &m);

    m.session_id = (span){NULL, 0};
    check_client_hello_round_trip("empty session id", &m);

    /* Each extension alone, then all together. */
    hs_client_hello all = base_client_hello();
    all.has_extensions = true;
    check_client_hello_round_trip("empty extensions block", &all);
    for (int ext = 0; ext < 9; ext++) {
        m = base_client_hello();
        m.has_extensions = true;
        switch (ext) {
        case 0:
            m.has_server_name = all.has_server_name = true;
            m.server_name = all.server_name = str_span("www.example.com");
            break;
        case 1:
            m.has_groups = all.has_groups = true;
            m.groups = all.groups = (span){groups, sizeof(groups)};
            break;
        case 2:
            m.has_point_formats = all.has_point_formats = true;
            m.point_formats = all.point_formats = (span){point_formats, sizeof(point_formats)};
            break;
        case 3:
            m.has_sig_algs = all.has_sig_algs = true;
            m.sig_algs = all.sig_algs = (span){sig_algs, sizeof(sig_algs)};
            break;
        case 4:
            m.has_alpn = all.has_alpn = true;
            m.alpn = all.alpn = (span){alpn_list, sizeof(alpn_list)};
            break;
        case 5:
            m.has_reneg_info = all.has_reneg_info = true;
            m.reneg_info = all.reneg_info = (span){reneg_verify, sizeof(reneg_verify)};
            break;
        case 6:
            m.ems = all.ems = true;
            break;
        case 7:
            m.has_session_ticket = all.has_session_ticket = true;
            m.session_ticket = all.session_ticket = (span){ticket, sizeof(ticket)};
            break;
        case 8:
            m.has_supported_versions = all.has_supported_versions = true;
            m.supported_versions = all.supported_versions = (span){versions, sizeof(versions)};
            break;
        }
        check_client_hello_round_trip("one extension", &m);
    }
    check_client_hello_round_trip("every extension", &all);

    /* Empty forms: renegotiation_info on an initial handshake, a ticket request. */
    m = base_client_hello();
    m.has_reneg_info = true;
    m.has_session_ticket = true;
    m.has_extensions = true;
    check_client_hello_round_trip("empty reneg_info and ticket", &m);

    /* No has_* set: no extensions block at all. */
    m = base_client_hello();
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), 0);
    CHECK_EQ_INT(w.len, HS_HEADER_LEN + 2 + 32 + 1 + 32 + 2 + sizeof(suites) + 1 + 1);

    /* An empty host name cannot be written. */
    m.has_server_name = true;
    m.server_name = (span){NULL, 0};
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), -1);
}

/* Builds a ClientHello body by hand around an extensions block given as hex (without its
 * length), so malformed extensions can be fed to the parser. */
static size_t hello_with_extensions(const char *ext_hex, uint8_t *out, size_t cap)
{
    uint8_t ext[2048];
    size_t ext_len = spaced_hex(ext_hex, ext, sizeof(ext));
    writer w;
    writer_init(&w, out, cap);
    writer_u16(&w, 0x0303);
    for (int i = 0; i < 32; i++)
        writer_u8(&w, (uint8_t)i);
    hs_write_vector(&w, 1, (span){NULL, 0});
    hs_write_vector(&w, 2, (span){suites, sizeof(suites)});
    hs_write_vector(&w, 1, (span){null_compression, 1});
    hs_write_vector(&w, 2, (span){ext, ext_len});
    CHECK(writer_done(&w));
    return w.len;
}

/* The parsed struct points into the body, so the body is kept until the next call. */
static int parse_hello_with_extensions(const char *ext_hex, hs_client_hello *out)
{
    static uint8_t *kept;
    uint8_t body[4096];
    size_t len = hello_with_extensions(ext_hex, body, sizeof(body));
    free(kept);
    kept = heap_copy(body, len);
    return hs_parse_client_hello(kept, len, out);
}

static void test_client_hello_extensions_strict(void)
{
    hs_client_hello m;
    /* Good: SNI "a.b" (RFC 6066 3). */
    CHECK_EQ_INT(parse_hello_with_extensions("0000 0008 0006 00 0003 612e62", &m), 0);
    CHECK(m.has_server_name && span_eq(m.server_name, str_span("a.b")));
    /* Unknown extension 0x1234 with a body, and an unknown empty one: skipped. */
    CHECK_EQ_INT(parse_hello_with_extensions("1234 0003 010203 fafa 0000 0017 0000", &m), 0);
    CHECK(m.ems && !m.has_server_name && !m.has_groups);
    /* Two host_name entries: the first wins; other name types are stepped over. */
    CHECK_EQ_INT(parse_hello_with_extensions("0000 000e 000c 07 0001 78 00 0001 61 00 0001 62", &m),
                 0);
    CHECK(span_eq(m.server_name, str_span("a")));
    /* Only a non-host_name entry: present, empty. */
    CHECK_EQ_INT(parse_hello_with_extensions("0000 0006 0004 07 0001 78", &m), 0);
    CHECK(m.has_server_name && m.server_name.len == 0);

    static const struct {
        const char *ext_hex;
        int alert;
        const char *why;
    } bad[] = {
        {"0017 0000 0017 0000", HS_ALERT_DECODE_ERROR, "duplicate known extension"},
        {"1234 0000 1234 0001 00", HS_ALERT_DECODE_ERROR, "duplicate unknown extension"},
        {"0017 0001 00", HS_ALERT_DECODE_ERROR, "extended_master_secret with a body"},
        {"0000 0005 0003 00 0000", HS_ALERT_DECODE_ERROR, "empty host name"},
        {"0000 0002 0000", HS_ALERT_DECODE_ERROR, "empty server_name_list"},
        {"0000 0008 0006 00 0003 61 00 62", HS_ALERT_ILLEGAL_PARAMETER, "host name with a NUL"},
        {"0000 0009 0006 00 0003 612e62 00", HS_ALERT_DECODE_ERROR, "byte after the SNI list"},
        {"000a 0002 0000", HS_ALERT_DECODE_ERROR, "empty supported_groups"},
        {"000a 0005 0003 001d00", HS_ALERT_DECODE_ERROR, "odd supported_groups"},
        {"000d 0002 0000", HS_ALERT_DECODE_ERROR, "empty signature_algorithms"},
        {"000d 0005 0003 040308", HS_ALERT_DECODE_ERROR, "odd signature_algorithms"},
        {"000b 0001 00", HS_ALERT_DECODE_ERROR, "empty ec_point_formats"},
        {"000b 0003 03 0001", HS_ALERT_DECODE_ERROR, "ec_point_formats longer than its body"},
        {"0010 0002 0000", HS_ALERT_DECODE_ERROR, "empty ALPN list"},
        {"0010 0003 0001 00", HS_ALERT_DECODE_ERROR, "empty ALPN name"},
        {"0010 0004 0002 0268", HS_ALERT_DECODE_ERROR, "ALPN name longer than its list"},
        {"ff01 0000", HS_ALERT_DECODE_ERROR, "renegotiation_info without its length"},
        {"ff01 0002 0000", HS_ALERT_DECODE_ERROR, "renegotiation_info with a trailing byte"},
        {"002b 0003 020303 00", HS_ALERT_DECODE_ERROR, "supported_versions: body overruns"},
        {"002b 0002 0103", HS_ALERT_DECODE_ERROR, "supported_versions odd"},
        {"0017 0005 0000", HS_ALERT_DECODE_ERROR, "extension length past the block"},
        {"0017", HS_ALERT_DECODE_ERROR, "extension without a length"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int alert = parse_hello_with_extensions(bad[i].ext_hex, &m);
        if (alert != bad[i].alert)
            fprintf(stderr, "%s: alert %d, want %d\n", bad[i].why, alert, bad[i].alert);
        CHECK_EQ_INT(alert, bad[i].alert);
    }
}

/* Patches one byte of a valid body and expects the given alert. */
static void check_patched(const uint8_t *body, size_t len, size_t at, uint8_t value, parse_fn parse,
                          bool flag, int want)
{
    uint8_t *copy = heap_copy(body, len);
    copy[at] = value;
    union {
        hs_client_hello ch;
        hs_server_hello sh;
        hs_server_key_exchange ske;
    } out;
    CHECK_EQ_INT(parse(copy, len, &out, flag), want);
    free(copy);
}

static void test_client_hello_fixed_fields_strict(void)
{
    hs_client_hello m = base_client_hello();
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), 0);
    span body = written_body(&w, HS_CLIENT_HELLO);
    uint8_t copy[512];
    memcpy(copy, body.p, body.len);
    size_t sid_at = 34, suites_at = 35 + 32, comp_at = suites_at + 2 + sizeof(suites);

    check_patched(copy, body.len, sid_at, 33, parse_ch, false, HS_ALERT_DECODE_ERROR);
    /* An odd suite list: length 7 moves the compression vector by one, so the framing also
     * fails; the parity check is the first to catch it. */
    check_patched(copy, body.len, suites_at + 1, sizeof(suites) - 1, parse_ch, false,
                  HS_ALERT_DECODE_ERROR);
    check_patched(copy, body.len, suites_at + 1, 0, parse_ch, false, HS_ALERT_DECODE_ERROR);
    check_patched(copy, body.len, comp_at, 0, parse_ch, false, HS_ALERT_DECODE_ERROR);
    /* A compression list without null (RFC 5246 7.4.1.2). */
    check_patched(copy, body.len, comp_at + 1, 1, parse_ch, false, HS_ALERT_ILLEGAL_PARAMETER);

    /* An odd-length suite list with correct framing. */
    static const char odd_suites[] =
        "0303"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "00"
        "0003c02b00"
        "0100";
    uint8_t odd[64];
    size_t odd_len = check_hex(odd_suites, odd, sizeof(odd));
    CHECK_EQ_INT(parse_exact(parse_ch, odd, odd_len, false), HS_ALERT_DECODE_ERROR);

    /* null offered after another method is fine. */
    static const char two_methods[] =
        "0303"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "00"
        "0002c02b"
        "020100";
    odd_len = check_hex(two_methods, odd, sizeof(odd));
    CHECK_EQ_INT(parse_exact(parse_ch, odd, odd_len, false), 0);

    /* Extensions block shorter than the rest: trailing bytes. */
    uint8_t ext_body[256];
    size_t n = hello_with_extensions("0017 0000", ext_body, sizeof(ext_body));
    ext_body[n - 5] = 0; /* block length 4 -> 0 leaves 4 trailing bytes */
    CHECK_EQ_INT(parse_exact(parse_ch, ext_body, n, false), HS_ALERT_DECODE_ERROR);
}

static void test_client_hello_oversized_vectors(void)
{
    /* 2^16-2 bytes of suites is the most allowed; a writer must refuse 2^16. */
    static uint8_t many[0x10000];
    hs_client_hello m = base_client_hello();
    m.cipher_suites = (span){many, 0x10000};
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), -1);

    m.cipher_suites = (span){many, 0xfffe};
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), 0);
    span body = written_body(&w, HS_CLIENT_HELLO);
    hs_client_hello back;
    CHECK_EQ_INT(hs_parse_client_hello(body.p, body.len, &back), 0);
    CHECK_EQ_INT(back.cipher_suites.len, 0xfffe);

    /* A session id of 33 bytes does not fit its bound. */
    m = base_client_hello();
    static const uint8_t long_id[33] = {0};
    m.session_id = (span){long_id, sizeof(long_id)};
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), 0); /* the writer knows only the u8 prefix */
    body = written_body(&w, HS_CLIENT_HELLO);
    CHECK_EQ_INT(hs_parse_client_hello(body.p, body.len, &back), HS_ALERT_DECODE_ERROR);

    /* 256 compression methods overflow the u8 prefix. */
    m = base_client_hello();
    m.compression_methods = (span){many, 256};
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), -1);

    /* A writer too small for the message. */
    uint8_t small[40];
    m = base_client_hello();
    writer_init(&w, small, sizeof(small));
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), -1);
}

static void test_client_hello_from_openssl(void)
{
    uint8_t msg[512];
    size_t len = check_hex(openssl_client_hello_hex, msg, sizeof(msg));
    CHECK_EQ_INT(len, 4 + 0xc7);
    CHECK_EQ_INT(msg[0], HS_CLIENT_HELLO);
    span body = {msg + 4, len - 4};
    hs_client_hello m;
    uint8_t *copy = heap_copy(body.p, body.len);
    CHECK_EQ_INT(hs_parse_client_hello(copy, body.len, &m), 0);
    CHECK_EQ_INT(m.version, 0x0303);
    CHECK_EQ_INT(m.session_id.len, 0);
    CHECK_EQ_INT(m.cipher_suites.len / 2, 28);
    CHECK(hs_list_has_u16(m.cipher_suites, 0xc02c));
    CHECK(hs_list_has_u16(m.cipher_suites, SCSV_EMPTY_RENEGOTIATION_INFO));
    CHECK(!hs_list_has_u16(m.cipher_suites, SCSV_FALLBACK));
    CHECK(m.has_server_name && span_eq(m.server_name, str_span("example.com")));
    CHECK(m.has_groups && m.groups.len == 10 && hs_list_has_u16(m.groups, 0x001d));
    CHECK(m.has_point_formats && m.point_formats.len == 3);
    CHECK(m.has_sig_algs && m.sig_algs.len == 40);
    CHECK(m.ems);
    CHECK(m.has_session_ticket && m.session_ticket.len == 0);
    CHECK(!m.has_alpn && !m.has_reneg_info && !m.has_supported_versions);
    free(copy);
    check_strict_framing_except("OpenSSL ClientHello", parse_ch, body, false,
                                hello_extensions_at(body, false));

    /* Written back without the unknown encrypt_then_mac, it parses to the same struct. */
    CHECK_EQ_INT(hs_parse_client_hello(body.p, body.len, &m), 0);
    check_client_hello_round_trip("OpenSSL ClientHello rewritten", &m);
}

/* The ClientHello of reference 004: a TLS 1.0 record carrying 51 suites, one compression method,
 * SNI www.google.com, 3 point formats and 25 curves. Built here with the writer, including the
 * record header, and parsed from the record. */
static void test_client_hello_like_reference_004(void)
{
    uint8_t suite_list[102], curve_list[50];
    for (int i = 0; i < 51; i++) {
        suite_list[2 * i] = 0xc0;
        suite_list[2 * i + 1] = (uint8_t)i;
    }
    for (int i = 0; i < 25; i++) { /* RFC 4492 5.1.1: sect163k1(1) .. secp521r1(25) */
        curve_list[2 * i] = 0;
        curve_list[2 * i + 1] = (uint8_t)(i + 1);
    }
    static const uint8_t formats[] = {0, 1, 2};
    hs_client_hello m = base_client_hello();
    m.version = 0x0301;
    m.session_id = (span){NULL, 0};
    m.cipher_suites = (span){suite_list, sizeof(suite_list)};
    m.has_server_name = m.has_groups = m.has_point_formats = true;
    m.server_name = str_span("www.google.com");
    m.groups = (span){curve_list, sizeof(curve_list)};
    m.point_formats = (span){formats, sizeof(formats)};

    uint8_t record[1024];
    writer w;
    writer_init(&w, record, sizeof(record));
    writer_u8(&w, 22);
    writer_u16(&w, 0x0301);
    writer_open(&w, 2);
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), 0);
    writer_close(&w);
    CHECK(writer_done(&w));

    reader r = reader_init(record, w.len);
    CHECK_EQ_INT(reader_u8(&r), 22);
    CHECK_EQ_INT(reader_u16(&r), 0x0301);
    reader fragment = reader_sub(&r, 2, 1, 1 << 14);
    CHECK_EQ_INT(reader_u8(&fragment), HS_CLIENT_HELLO);
    reader msg = reader_sub(&fragment, 3, 0, 0xffffff);
    CHECK(reader_done(&fragment) && reader_done(&r));

    hs_client_hello back;
    uint8_t *copy = heap_copy(msg.p, msg.left);
    CHECK_EQ_INT(hs_parse_client_hello(copy, msg.left, &back), 0);
    CHECK_EQ_INT(back.version, 0x0301);
    CHECK_EQ_INT(back.cipher_suites.len / 2, 51);
    CHECK_EQ_INT(back.compression_methods.len, 1);
    CHECK(span_eq(back.server_name, str_span("www.google.com")));
    CHECK_EQ_INT(back.point_formats.len, 3);
    CHECK_EQ_INT(back.groups.len / 2, 25);
    CHECK(hs_list_has_u16(back.groups, 23) && hs_list_has_u16(back.groups, 25));
    CHECK(!hs_list_has_u16(back.groups, 29));
    free(copy);
}

/* ---- ClientHello: TLS 1.3 extensions ----------------------------------------------------------
 */

/* Two KeyShareEntry values in wire form: x25519 (32 bytes) and secp256r1 (65 bytes). */
static uint8_t key_shares_wire[4 + 32 + 4 + 65];
/* Two PskIdentity values: "ticket-1" aged 0x01020304, a 3-byte identity aged 0xfffffffe. */
static const uint8_t psk_identities[] = {0, 8, 't', 'i', 'c',  'k',  'e',  't',  '-',  '1',  1,   2,
                                         3, 4, 0,   3,   0xaa, 0xbb, 0xcc, 0xff, 0xff, 0xff, 0xfe};
static const uint8_t psk_modes[] = {1};
static const uint8_t tls13_versions[] = {0x03, 0x04, 0x03, 0x03};

static void fill_key_shares_wire(void)
{
    writer w;
    writer_init(&w, key_shares_wire, sizeof(key_shares_wire));
    writer_u16(&w, 0x001d);
    writer_open(&w, 2);
    for (int i = 0; i < 32; i++)
        writer_u8(&w, (uint8_t)(0x20 + i));
    writer_close(&w);
    writer_u16(&w, 0x0017);
    writer_open(&w, 2);
    writer_u8(&w, 4);
    for (int i = 0; i < 64; i++)
        writer_u8(&w, (uint8_t)i);
    writer_close(&w);
    CHECK(writer_done(&w) && w.len == sizeof(key_shares_wire));
}

/* A TLS 1.3 ClientHello with every extension the 1.3 handshake uses; with_psk adds the
 * pre_shared_key extension, whose binders are placeholders of 32 and 48 bytes. */
static hs_client_hello tls13_client_hello(bool with_psk)
{
    static const uint8_t cookie[] = {'c', 'o', 'o', 'k', 'i', 'e'};
    fill_key_shares_wire();
    hs_client_hello m = base_client_hello();
    m.has_extensions = true;
    m.has_server_name = true;
    m.server_name = str_span("server");
    m.has_groups = true;
    m.groups = (span){groups, sizeof(groups)};
    m.has_sig_algs = true;
    m.sig_algs = (span){sig_algs, sizeof(sig_algs)};
    m.has_supported_versions = true;
    m.supported_versions = (span){tls13_versions, sizeof(tls13_versions)};
    m.has_key_share = true;
    m.key_shares_wire = (span){key_shares_wire, sizeof(key_shares_wire)};
    m.has_psk_modes = true;
    m.psk_modes = (span){psk_modes, sizeof(psk_modes)};
    m.has_cookie = true;
    m.cookie = (span){cookie, sizeof(cookie)};
    m.has_early_data = with_psk;
    m.has_post_handshake_auth = true;
    if (with_psk) {
        m.has_pre_shared_key = true;
        m.psk_identities_wire = (span){psk_identities, sizeof(psk_identities)};
        m.psk_binder_count = 2;
        m.psk_binder_sizes[0] = 32;
        m.psk_binder_sizes[1] = 48;
    }
    return m;
}

static void test_client_hello_tls13_round_trips(void)
{
    /* Each TLS 1.3 extension alone. */
    hs_client_hello all = tls13_client_hello(true);
    for (int ext = 0; ext < 6; ext++) {
        hs_client_hello m = base_client_hello();
        m.has_extensions = true;
        switch (ext) {
        case 0:
            m.has_key_share = true;
            m.key_shares_wire = all.key_shares_wire;
            break;
        case 1:
            m.has_psk_modes = true;
            m.psk_modes = all.psk_modes;
            break;
        case 2:
            m.has_cookie = true;
            m.cookie = all.cookie;
            break;
        case 3:
            m.has_early_data = true;
            break;
        case 4:
            m.has_post_handshake_auth = true;
            break;
        case 5:
            m.has_pre_shared_key = true;
            m.psk_identities_wire = all.psk_identities_wire;
            m.psk_binder_count = 2;
            m.psk_binder_sizes[0] = 32;
            m.psk_binder_sizes[1] = 48;
            break;
        }
        check_client_hello_round_trip("one TLS 1.3 extension", &m);
    }
    hs_client_hello m = base_client_hello();
    m.has_extensions = m.has_key_share = true; /* client_shares may be empty (RFC 8446 4.2.8) */
    check_client_hello_round_trip("empty key_share", &m);
    m = tls13_client_hello(false);
    check_client_hello_round_trip("TLS 1.3 hello without PSK", &m);
    check_client_hello_round_trip("TLS 1.3 hello with PSK", &all);

    /* What parse fills beyond the wire forms: the entries, and the binders at the very end. */
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, &all), 0);
    span body = written_body(&w, HS_CLIENT_HELLO);
    uint8_t *copy = heap_copy(body.p, body.len);
    hs_client_hello back;
    CHECK_EQ_INT(hs_parse_client_hello(copy, body.len, &back), 0);
    CHECK_EQ_INT(back.n_key_shares, 2);
    const hs_key_share *x25519 = hs_client_hello_share(&back, 0x001d);
    const hs_key_share *p256 = hs_client_hello_share(&back, 0x0017);
    CHECK(x25519 != NULL && x25519->key_exchange.len == 32 && x25519->key_exchange.p[0] == 0x20);
    CHECK(p256 != NULL && p256->key_exchange.len == 65 && p256->key_exchange.p[0] == 4);
    CHECK(hs_client_hello_share(&back, 0x0018) == NULL);
    CHECK_EQ_INT(back.n_psk, 2);
    CHECK(span_eq(back.psk[0].identity, str_span("ticket-1")));
    CHECK_EQ_INT(back.psk[0].obfuscated_ticket_age, 0x01020304);
    CHECK_EQ_INT(back.psk[1].identity.len, 3);
    CHECK_EQ_INT(back.psk[1].obfuscated_ticket_age, 0xfffffffe);
    CHECK_EQ_INT(back.psk[0].binder.len, 32);
    CHECK_EQ_INT(back.psk[1].binder.len, 48);
    CHECK_EQ_INT(back.binders_len, 2 + 1 + 32 + 1 + 48);
    /* The binders are the last bytes of the message, zero-filled, the second one ending it. */
    CHECK(back.psk[1].binder.p + 48 == copy + body.len);
    CHECK(back.psk[0].binder.p == copy + body.len - back.binders_len + 2 + 1);
    static const uint8_t zeros[48];
    CHECK_MEM(back.psk[0].binder.p, zeros, 32);
    CHECK_MEM(back.psk[1].binder.p, zeros, 48);
    /* pre_shared_key went last although the struct has fields after it. */
    CHECK_EQ_INT(body.p[body.len - back.binders_len - 2 - sizeof(psk_identities) - 3],
                 EXT_PRE_SHARED_KEY);
    free(copy);

    /* More binders than the struct can describe. */
    all.psk_binder_count = HS_MAX_PSK + 1;
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_hello(&w, &all), -1);
}

/* More entries than the struct keeps: all are checked, the first ones kept. */
static void test_client_hello_many_entries(void)
{
    uint8_t shares[(HS_MAX_KEY_SHARES + 3) * 5], ids[(HS_MAX_PSK + 2) * 7],
        binders[(HS_MAX_PSK + 2) * 33];
    writer w;
    writer_init(&w, shares, sizeof(shares));
    for (int i = 0; i < HS_MAX_KEY_SHARES + 3; i++) {
        writer_u16(&w, (uint16_t)(0x0100 + i));
        hs_write_vector(&w, 2, (span){psk_modes, 1});
    }
    CHECK(writer_done(&w) && w.len == sizeof(shares));
    memset(ids, 0, sizeof(ids));
    writer_init(&w, ids, sizeof(ids));
    for (int i = 0; i < HS_MAX_PSK + 2; i++) {
        writer_u16(&w, 1);
        writer_u8(&w, (uint8_t)i);
        writer_u32(&w, (uint32_t)i);
    }
    CHECK(writer_done(&w) && w.len == sizeof(ids));
    memset(binders, 0, sizeof(binders));
    for (int i = 0; i < HS_MAX_PSK + 2; i++)
        binders[i * 33] = 32;

    uint8_t body[1024];
    hs_client_hello m = base_client_hello();
    writer_init(&w, body, sizeof(body));
    CHECK_EQ_INT(hs_write_client_hello(&w, &m), 0);
    size_t fixed = w.len - HS_HEADER_LEN;
    memmove(body, body + HS_HEADER_LEN, fixed);
    writer_init(&w, body + fixed, sizeof(body) - fixed);
    writer_open(&w, 2);
    hs_write_vector_extension(&w, EXT_KEY_SHARE, 2, (span){shares, sizeof(shares)});
    hs_begin_extension(&w, EXT_PRE_SHARED_KEY);
    hs_write_vector(&w, 2, (span){ids, sizeof(ids)});
    hs_write_vector(&w, 2, (span){binders, sizeof(binders)});
    writer_close(&w);
    writer_close(&w);
    CHECK(writer_done(&w));
    uint8_t *copy = heap_copy(body, fixed + w.len);
    hs_client_hello back;
    CHECK_EQ_INT(hs_parse_client_hello(copy, fixed + w.len, &back), 0);
    CHECK_EQ_INT(back.n_key_shares, HS_MAX_KEY_SHARES);
    CHECK_EQ_INT(back.key_shares_wire.len, sizeof(shares));
    CHECK(hs_client_hello_share(&back, 0x0100) != NULL);
    CHECK(hs_client_hello_share(&back, 0x0100 + HS_MAX_KEY_SHARES) == NULL);
    CHECK_EQ_INT(back.n_psk, HS_MAX_PSK);
    CHECK_EQ_INT(back.psk_identities_wire.len, sizeof(ids));
    CHECK_EQ_INT(back.psk[HS_MAX_PSK - 1].obfuscated_ticket_age, HS_MAX_PSK - 1);
    CHECK_EQ_INT(back.binders_len, 2 + sizeof(binders));
    CHECK(back.psk[HS_MAX_PSK - 1].binder.p == copy + fixed + w.len - 33 * 3 + 1);
    free(copy);
}

/* 32 bytes of binder, as hex. */
#define BINDER32 "0000000000000000000000000000000000000000000000000000000000000000"
#define BINDER31 "00000000000000000000000000000000000000000000000000000000000000"
/* A pre_shared_key extension with one identity "a" and one 32-byte binder. */
#define PSK_ONE "0029 002c 0007 0001 61 00000000 0021 20" BINDER32

static void test_client_hello_tls13_strict(void)
{
    hs_client_hello m;
    CHECK_EQ_INT(parse_hello_with_extensions("0033 0002 0000", &m), 0);
    CHECK(m.has_key_share && m.n_key_shares == 0 && m.key_shares_wire.len == 0);
    CHECK_EQ_INT(parse_hello_with_extensions("002c 0003 0001 ff 0017 0000 " PSK_ONE, &m), 0);
    CHECK(m.has_cookie && m.cookie.len == 1 && m.ems && m.has_pre_shared_key && m.n_psk == 1);
    CHECK(span_eq(m.psk[0].identity, str_span("a")) && m.binders_len == 35);

    /* A 255-byte cookie is the most parley takes; one more byte is a decode error. */
    char cookie_hex[2 * 260 + 32];
    for (int len = 255; len <= 256; len++) {
        int n = snprintf(cookie_hex, sizeof(cookie_hex), "002c %04x %04x", len + 2, len);
        for (int i = 0; i < len; i++)
            n += snprintf(cookie_hex + n, sizeof(cookie_hex) - (size_t)n, "ab");
        CHECK_EQ_INT(parse_hello_with_extensions(cookie_hex, &m),
                     len == 255 ? 0 : HS_ALERT_DECODE_ERROR);
    }

    static const struct {
        const char *ext_hex;
        int alert;
        const char *why;
    } bad[] = {
        {"0033 000e 000c 001d 0002 aabb 001d 0002 ccdd", HS_ALERT_ILLEGAL_PARAMETER,
         "two key shares for one group"},
        {"0033 0013 0011 001d 0002 aabb 0017 0001 cc 001d 0002 ccdd", HS_ALERT_ILLEGAL_PARAMETER,
         "two key shares for one group, apart"},
        {"0033 000e 000c 001d 0002 aabb 001d 0002 ccdd 0017 0001 00", HS_ALERT_DECODE_ERROR,
         "two key shares for one group, then a malformed extension: decode error outranks"},
        {"0033 0006 0004 001d 0000", HS_ALERT_DECODE_ERROR, "empty key_exchange"},
        {"0033 0007 0005 001d 0002 aa", HS_ALERT_DECODE_ERROR, "key_exchange overruns"},
        {"0033 0008 0005 001d 0001 aa bb", HS_ALERT_DECODE_ERROR, "byte after client_shares"},
        {"0033 0000", HS_ALERT_DECODE_ERROR, "key_share without its list"},
        {"002d 0001 00", HS_ALERT_DECODE_ERROR, "empty psk_key_exchange_modes"},
        {"002d 0003 01 01 00", HS_ALERT_DECODE_ERROR, "byte after psk_key_exchange_modes"},
        {"002c 0002 0000", HS_ALERT_DECODE_ERROR, "empty cookie"},
        {"002a 0001 00", HS_ALERT_DECODE_ERROR, "early_data with a body"},
        {"0031 0001 00", HS_ALERT_DECODE_ERROR, "post_handshake_auth with a body"},
        {PSK_ONE " 0017 0000", HS_ALERT_ILLEGAL_PARAMETER, "pre_shared_key before ems"},
        {PSK_ONE " abcd 0000", HS_ALERT_ILLEGAL_PARAMETER, "pre_shared_key before an unknown"},
        {PSK_ONE " " PSK_ONE, HS_ALERT_DECODE_ERROR, "two pre_shared_key"},
        {PSK_ONE " 0017 0001 00", HS_ALERT_DECODE_ERROR,
         "pre_shared_key not last, then a malformed extension: decode error outranks"},
        {"0029 004d 0007 0001 61 00000000 0042 20" BINDER32 " 20" BINDER32,
         HS_ALERT_ILLEGAL_PARAMETER, "two binders for one identity"},
        {"0029 0033 000e 0001 61 00000000 0001 62 00000000 0021 20" BINDER32,
         HS_ALERT_ILLEGAL_PARAMETER, "one binder for two identities"},
        {"0029 0053 000d 0000 00000000 0001 61 00000000 0042 20" BINDER32 " 20" BINDER32,
         HS_ALERT_DECODE_ERROR, "empty identity"},
        {"0029 002a 0005 0001 61 000000 0021 20" BINDER32, HS_ALERT_DECODE_ERROR,
         "identities shorter than their minimum"},
        {"0029 000b 0007 0001 61 00000000 0000", HS_ALERT_DECODE_ERROR, "no binders"},
        {"0029 0053 000e 0001 61 00000000 0001 62 00000000 0041 20" BINDER32 " 1f" BINDER31,
         HS_ALERT_DECODE_ERROR, "31-byte binder"},
        {"0029 0025 0000 0021 20" BINDER32, HS_ALERT_DECODE_ERROR, "no identities"},
        {"0029 002d 0007 0001 61 00000000 0021 20" BINDER32 "00", HS_ALERT_DECODE_ERROR,
         "byte after the binders"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int alert = parse_hello_with_extensions(bad[i].ext_hex, &m);
        if (alert != bad[i].alert)
            fprintf(stderr, "%s: alert %d, want %d\n", bad[i].why, alert, bad[i].alert);
        CHECK_EQ_INT(alert, bad[i].alert);
    }
}

/* RFC 8448 section 3: the ClientHello of a full handshake over X25519. */
static void test_client_hello_rfc8448(void)
{
    uint8_t msg[1024];
    size_t len = check_hex(R8448_CLIENT_HELLO, msg, sizeof(msg));
    CHECK_EQ_INT(len, 4 + 0xc0);
    span body = {msg + 4, len - 4};
    uint8_t *copy = heap_copy(body.p, body.len);
    hs_client_hello m;
    CHECK_EQ_INT(hs_parse_client_hello(copy, body.len, &m), 0);
    CHECK_EQ_INT(m.version, 0x0303);
    CHECK_EQ_INT(m.cipher_suites.len, 6);
    CHECK(hs_list_has_u16(m.cipher_suites, 0x1301));
    CHECK(span_eq(m.server_name, str_span("server")));
    CHECK(m.has_supported_versions && m.supported_versions.len == 2);
    CHECK(hs_list_has_u16(m.supported_versions, 0x0304));
    CHECK(m.has_key_share && m.n_key_shares == 1);
    CHECK_EQ_INT(m.key_shares_wire.len, 0x24);
    const hs_key_share *share = hs_client_hello_share(&m, 0x001d);
    CHECK(share != NULL && share->key_exchange.len == 32);
    CHECK(share != NULL && share->key_exchange.p[0] == 0x99 && share->key_exchange.p[31] == 0x2c);
    CHECK(m.has_psk_modes && m.psk_modes.len == 1 && m.psk_modes.p[0] == 1); /* psk_dhe_ke */
    CHECK(m.has_groups && m.groups.len == 18 && m.has_sig_algs && m.sig_algs.len == 30);
    CHECK(m.has_reneg_info && m.reneg_info.len == 0 && m.has_session_ticket);
    CHECK(!m.has_pre_shared_key && !m.has_early_data && !m.has_cookie);
    free(copy);
    check_strict_framing_except("RFC 8448 ClientHello", parse_ch, body, false,
                                hello_extensions_at(body, false));
}

/* RFC 8448 section 4: the resumed ClientHello, offering the ticket of section 3 and 0-RTT. The
 * header's prefix runs up to the binders; the binders block is 00 21 20 then the binder. */
static void test_client_hello_rfc8448_resumed(void)
{
    uint8_t msg[1024];
    size_t prefix = check_hex(R8448_RESUMED_CH_PREFIX, msg, sizeof(msg));
    msg[prefix] = 0x00;
    msg[prefix + 1] = 0x21;
    msg[prefix + 2] = 0x20;
    size_t len = prefix + 3 + check_hex(R8448_BINDER, msg + prefix + 3, 32);
    CHECK_EQ_INT(len, 4 + 0x1fc);
    span body = {msg + 4, len - 4};
    uint8_t *copy = heap_copy(body.p, body.len);
    hs_client_hello m;
    CHECK_EQ_INT(hs_parse_client_hello(copy, body.len, &m), 0);
    CHECK(m.has_pre_shared_key && m.n_psk == 1);
    CHECK_EQ_INT(m.psk[0].identity.len, 0xb2);
    CHECK_EQ_INT(m.psk_identities_wire.len, 0xb8);
    /* The age is the 4 bytes that end the identities, just before the binders. */
    const uint8_t *age = msg + prefix - 4;
    CHECK_EQ_INT(m.psk[0].obfuscated_ticket_age,
                 (uint32_t)age[0] << 24 | (uint32_t)age[1] << 16 | (uint32_t)age[2] << 8 | age[3]);
    CHECK_EQ_INT(m.binders_len, 35);
    /* The truncated ClientHello the binder covers is the message less binders_len bytes. */
    CHECK_EQ_INT(len - m.binders_len, prefix);
    CHECK(m.psk[0].binder.len == 32 && m.psk[0].binder.p == copy + body.len - 32);
    CHECK_MEM(m.psk[0].binder.p, msg + prefix + 3, 32);
    CHECK(m.has_early_data && m.has_psk_modes && hs_client_hello_share(&m, 0x001d) != NULL);
    free(copy);
    check_strict_framing_except("RFC 8448 resumed ClientHello", parse_ch, body, false,
                                hello_extensions_at(body, false));

    /* Written back with one 32-byte placeholder: the same identities and binder position. */
    CHECK_EQ_INT(hs_parse_client_hello(body.p, body.len, &m), 0);
    m.psk_binder_count = 1;
    m.psk_binder_sizes[0] = 32;
    check_client_hello_round_trip("RFC 8448 resumed ClientHello rewritten", &m);
}

/* ---- ServerHello ------------------------------------------------------------------------------
 */

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

static void check_server_hello_round_trip(const char *what, const hs_server_hello *m)
{
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_server_hello(&w, m), 0);
    span body = written_body(&w, HS_SERVER_HELLO);
    hs_server_hello back;
    uint8_t *copy = heap_copy(body.p, body.len);
    CHECK_EQ_INT(hs_parse_server_hello(copy, body.len, &back), 0);
    if (!server_hello_eq(m, &back))
        fprintf(stderr, "ServerHello round trip differs: %s\n", what);
    CHECK(server_hello_eq(m, &back));
    free(copy);
    check_strict_framing_except(what, parse_sh, body, false, hello_extensions_at(body, true));
}

static hs_server_hello base_server_hello(void)
{
    hs_server_hello m;
    memset(&m, 0, sizeof(m));
    m.version = 0x0303;
    for (int i = 0; i < 32; i++)
        m.random[i] = (uint8_t)(255 - i);
    m.session_id = (span){session_id, sizeof(session_id)};
    m.cipher_suite = 0xc02f;
    return m;
}

static void test_server_hello_round_trips(void)
{
    hs_server_hello m = base_server_hello();
    check_server_hello_round_trip("no extensions", &m);
    hs_server_hello all = base_server_hello();
    all.has_extensions = true;
    check_server_hello_round_trip("empty extensions block", &all);
    for (int ext = 0; ext < 6; ext++) {
        m = base_server_hello();
        m.has_extensions = true;
        switch (ext) {
        case 0:
            m.has_server_name = all.has_server_name = true;
            break;
        case 1:
            m.has_point_formats = all.has_point_formats = true;
            m.point_formats = all.point_formats = (span){point_formats, 1};
            break;
        case 2:
            m.has_alpn = all.has_alpn = true;
            m.alpn_protocol = all.alpn_protocol = str_span("http/1.1");
            break;
        case 3:
            m.has_reneg_info = all.has_reneg_info = true;
            m.reneg_info = all.reneg_info = (span){reneg_verify, sizeof(reneg_verify)};
            break;
        case 4:
            m.ems = all.ems = true;
            break;
        case 5:
            m.has_session_ticket = all.has_session_ticket = true;
            break;
        }
        check_server_hello_round_trip("one extension", &m);
    }
    check_server_hello_round_trip("every extension", &all);
    m = base_server_hello();
    m.has_reneg_info = true; /* empty: an initial handshake */
    m.has_extensions = true;
    check_server_hello_round_trip("empty renegotiation_info", &m);
}

/* A ServerHello (or, with hrr, a HelloRetryRequest) around the extensions block given as hex. */
static int parse_server_hello_ext(const char *ext_hex, bool hrr)
{
    uint8_t ext[256], body[512];
    size_t ext_len = spaced_hex(ext_hex, ext, sizeof(ext));
    hs_server_hello m = base_server_hello();
    if (hrr) {
        memcpy(m.random, hs_hrr_random, sizeof(m.random));
        m.is_hrr = true;
    }
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_server_hello(&w, &m), 0);
    span fixed = written_body(&w, HS_SERVER_HELLO);
    memcpy(body, fixed.p, fixed.len);
    writer bw;
    writer_init(&bw, body + fixed.len, sizeof(body) - fixed.len);
    hs_write_vector(&bw, 2, (span){ext, ext_len});
    return parse_exact(parse_sh, body, fixed.len + bw.len, false);
}

static int parse_server_hello_with_extensions(const char *ext_hex)
{
    return parse_server_hello_ext(ext_hex, false);
}

static void test_server_hello_strict(void)
{
    uint8_t msg[128];
    size_t len = check_hex(openssl_server_hello_hex, msg, sizeof(msg));
    span body = {msg + 4, len - 4};
    hs_server_hello m;
    CHECK_EQ_INT(hs_parse_server_hello(body.p, body.len, &m), 0);
    CHECK_EQ_INT(m.cipher_suite, 0xc02c);
    CHECK(m.has_reneg_info && m.reneg_info.len == 0);
    CHECK(m.has_point_formats && m.point_formats.len == 3);
    CHECK(m.has_session_ticket && m.ems && !m.has_alpn && !m.has_server_name);
    check_strict_framing_except("OpenSSL ServerHello", parse_sh, body, false,
                                hello_extensions_at(body, true));

    CHECK_EQ_INT(m.session_id.len, 0);
    size_t comp_at = 2 + 32 + 1 + 2;
    check_patched(body.p, body.len, comp_at, 1, parse_sh, false, HS_ALERT_ILLEGAL_PARAMETER);
    check_patched(body.p, body.len, 34, 33, parse_sh, false, HS_ALERT_DECODE_ERROR);

    CHECK_EQ_INT(parse_server_hello_with_extensions("0017 0000 abcd 0000"), 0);
    static const char *const bad[] = {
        "0017 0001 00",                  /* extended_master_secret with a body */
        "0000 0001 00",                  /* server_name acknowledgement with a body */
        "0023 0002 0000",                /* session_ticket with a body */
        "ff01 0000",                     /* renegotiation_info without its length */
        "000b 0001 00",                  /* empty ec_point_formats */
        "0010 0008 0006 0161 0362 6364", /* two ALPN names */
        "0010 0002 0000",                /* no ALPN name */
        "0010 0003 0001 00",             /* empty ALPN name */
        "0017 0000 0017 0000",           /* duplicate */
        "abcd 0000 abcd 0000",           /* duplicate unknown */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int alert = parse_server_hello_with_extensions(bad[i]);
        if (alert != HS_ALERT_DECODE_ERROR)
            fprintf(stderr, "ServerHello extensions %s: alert %d\n", bad[i], alert);
        CHECK_EQ_INT(alert, HS_ALERT_DECODE_ERROR);
    }
}

/* ---- ServerHello: TLS 1.3 extensions ----------------------------------------------------------
 */

static void test_hrr_random(void)
{
    static const char label[] = "HelloRetryRequest";
    uint8_t digest[32];
    unsigned int n = 0;
    CHECK(EVP_Digest(label, strlen(label), digest, &n, EVP_sha256(), NULL) == 1);
    CHECK_EQ_INT(n, 32);
    CHECK_MEM(hs_hrr_random, digest, 32);
}

static void test_server_hello_tls13_round_trips(void)
{
    static const uint8_t server_share[32] = {0xc9, 0x82, 0x88, 0x76};
    static const uint8_t cookie[300] = {1, 2, 3};
    hs_server_hello m = base_server_hello();
    m.has_extensions = true;
    m.cipher_suite = 0x1301;
    m.has_supported_version = true;
    m.selected_version = 0x0304;
    check_server_hello_round_trip("supported_versions alone", &m);
    m.has_key_share = true;
    m.key_share_group = 0x001d;
    m.key_share_key = (span){server_share, sizeof(server_share)};
    check_server_hello_round_trip("TLS 1.3 ServerHello", &m);
    m.has_pre_shared_key = true;
    m.selected_identity = 3;
    check_server_hello_round_trip("TLS 1.3 ServerHello accepting a PSK", &m);
    m.has_key_share = false; /* psk_ke: no key exchange */
    m.key_share_group = 0;
    m.key_share_key = (span){NULL, 0};
    check_server_hello_round_trip("TLS 1.3 ServerHello, PSK only", &m);

    /* A HelloRetryRequest: the group only, and a cookie longer than parley's own. */
    hs_server_hello hrr = base_server_hello();
    memcpy(hrr.random, hs_hrr_random, sizeof(hrr.random));
    hrr.is_hrr = true;
    hrr.has_extensions = true;
    hrr.cipher_suite = 0x1302;
    hrr.has_supported_version = true;
    hrr.selected_version = 0x0304;
    hrr.has_key_share = true;
    hrr.key_share_group = 0x0017;
    check_server_hello_round_trip("HelloRetryRequest", &hrr);
    hrr.has_cookie = true;
    hrr.cookie = (span){cookie, sizeof(cookie)};
    check_server_hello_round_trip("HelloRetryRequest with a cookie", &hrr);
    hrr.has_key_share = false;
    hrr.key_share_group = 0;
    check_server_hello_round_trip("HelloRetryRequest with a cookie only", &hrr);

    /* The HelloRetryRequest's key_share is the group alone: 2 bytes of body. */
    hrr.has_key_share = true;
    hrr.key_share_group = 0x0017;
    hrr.has_cookie = false;
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_server_hello(&w, &hrr), 0);
    span body = written_body(&w, HS_SERVER_HELLO);
    CHECK_MEM(body.p + body.len - 6, "\x00\x33\x00\x02\x00\x17", 6);

    /* is_hrr and the random must agree. */
    hrr.is_hrr = false;
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_server_hello(&w, &hrr), -1);
    m.is_hrr = true;
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_server_hello(&w, &m), -1);
}

static void test_server_hello_tls13_strict(void)
{
    CHECK_EQ_INT(
        parse_server_hello_ext("002b 0002 0304 0033 0006 001d 0002 abcd 0029 0002 0000", false), 0);
    CHECK_EQ_INT(parse_server_hello_ext("002b 0002 0304 0033 0002 0017 002c 0003 0001 ff", true),
                 0);
    static const struct {
        const char *ext_hex;
        bool hrr;
        int alert;
        const char *why;
    } bad[] = {
        {"002c 0003 0001 ff", false, HS_ALERT_ILLEGAL_PARAMETER, "cookie in a ServerHello"},
        {"0029 0002 0000", true, HS_ALERT_ILLEGAL_PARAMETER,
         "pre_shared_key in a HelloRetryRequest"},
        {"002c 0003 0001 ff 0017 0001 00", false, HS_ALERT_DECODE_ERROR,
         "cookie in a ServerHello, then a malformed extension: decode error outranks"},
        {"0033 0006 001d 0002 abcd", true, HS_ALERT_DECODE_ERROR,
         "a key in a HelloRetryRequest's key_share"},
        {"0033 0002 001d", false, HS_ALERT_DECODE_ERROR, "no key in a ServerHello's key_share"},
        {"0033 0004 001d 0000", false, HS_ALERT_DECODE_ERROR, "empty key in a ServerHello"},
        {"0033 0001 00", true, HS_ALERT_DECODE_ERROR, "one-byte group"},
        {"002b 0003 030400", false, HS_ALERT_DECODE_ERROR, "supported_versions as a list"},
        {"002b 0001 03", false, HS_ALERT_DECODE_ERROR, "one-byte supported_versions"},
        {"0029 0003 000000", false, HS_ALERT_DECODE_ERROR, "pre_shared_key with a trailing byte"},
        {"002c 0002 0000", true, HS_ALERT_DECODE_ERROR, "empty cookie"},
        {"002b 0002 0304 002b 0002 0304", false, HS_ALERT_DECODE_ERROR, "two supported_versions"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int alert = parse_server_hello_ext(bad[i].ext_hex, bad[i].hrr);
        if (alert != bad[i].alert)
            fprintf(stderr, "%s: alert %d, want %d\n", bad[i].why, alert, bad[i].alert);
        CHECK_EQ_INT(alert, bad[i].alert);
    }
}

/* RFC 8448 section 3: the server's reply, x25519 and TLS_AES_128_GCM_SHA256. */
static void test_server_hello_rfc8448(void)
{
    uint8_t msg[256], server_public[32];
    size_t len = check_hex(R8448_SERVER_HELLO, msg, sizeof(msg));
    CHECK_EQ_INT(len, 4 + 0x56);
    check_hex(R8448_SERVER_PUBLIC, server_public, sizeof(server_public));
    span body = {msg + 4, len - 4};
    uint8_t *copy = heap_copy(body.p, body.len);
    hs_server_hello m;
    CHECK_EQ_INT(hs_parse_server_hello(copy, body.len, &m), 0);
    CHECK_EQ_INT(m.version, 0x0303);
    CHECK(!m.is_hrr);
    CHECK_EQ_INT(m.cipher_suite, 0x1301);
    CHECK_EQ_INT(m.session_id.len, 0);
    CHECK(m.has_supported_version && m.selected_version == 0x0304);
    CHECK(m.has_key_share && m.key_share_group == 0x001d);
    CHECK(m.key_share_key.len == 32 && memcmp(m.key_share_key.p, server_public, 32) == 0);
    CHECK(!m.has_pre_shared_key && !m.has_cookie && !m.has_alpn);
    free(copy);
    check_strict_framing_except("RFC 8448 ServerHello", parse_sh, body, false,
                                hello_extensions_at(body, true));
    /* Written back (extensions in parley's order) it reads the same. */
    CHECK_EQ_INT(hs_parse_server_hello(body.p, body.len, &m), 0);
    check_server_hello_round_trip("RFC 8448 ServerHello rewritten", &m);
}

/* ---- Certificate ------------------------------------------------------------------------------
 */

static void test_certificate(void)
{
    static const uint8_t der_a[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    static const uint8_t der_b[] = {0x30, 0x00};
    hs_certificate m;
    memset(&m, 0, sizeof(m));

    for (size_t count = 0; count <= HS_MAX_CERTS; count++) {
        m.count = count;
        for (size_t i = 0; i < count; i++)
            m.certs[i] = i % 2 ? (span){der_b, sizeof(der_b)} : (span){der_a, sizeof(der_a)};
        writer w = fresh_writer();
        CHECK_EQ_INT(hs_write_certificate(&w, &m), 0);
        span body = written_body(&w, HS_CERTIFICATE);
        hs_certificate back;
        CHECK_EQ_INT(hs_parse_certificate(body.p, body.len, &back), 0);
        CHECK_EQ_INT(back.count, count);
        for (size_t i = 0; i < count; i++)
            CHECK(span_eq(back.certs[i], m.certs[i]));
        if (count == 0 || count == 3)
            check_strict_framing("Certificate", parse_cert, body, false);
    }

    /* One more than the cap: a decode error (the cap is documented in messages.h). */
    uint8_t body[256];
    writer w;
    writer_init(&w, body, sizeof(body));
    writer_open(&w, 3);
    for (int i = 0; i < HS_MAX_CERTS + 1; i++)
        hs_write_vector(&w, 3, (span){der_b, sizeof(der_b)});
    writer_close(&w);
    CHECK(writer_done(&w));
    CHECK_EQ_INT(parse_exact(parse_cert, body, w.len, false), HS_ALERT_DECODE_ERROR);

    /* An empty certificate entry. */
    static const uint8_t empty_entry[] = {0, 0, 3, 0, 0, 0};
    CHECK_EQ_INT(parse_exact(parse_cert, empty_entry, sizeof(empty_entry), false),
                 HS_ALERT_DECODE_ERROR);
    /* An entry longer than the list. */
    static const uint8_t overrun[] = {0, 0, 4, 0, 0, 2, 0x30};
    CHECK_EQ_INT(parse_exact(parse_cert, overrun, sizeof(overrun), false), HS_ALERT_DECODE_ERROR);

    m.count = HS_MAX_CERTS + 1;
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_certificate(&w, &m), -1);
}

/* ---- ServerKeyExchange ------------------------------------------------------------------------
 */

static void test_server_key_exchange(void)
{
    uint8_t msg[256];
    size_t len = check_hex(openssl_server_key_exchange_hex, msg, sizeof(msg));
    span body = {msg + 4, len - 4};
    hs_server_key_exchange m;
    CHECK_EQ_INT(hs_parse_server_key_exchange(body.p, body.len, true, &m), 0);
    CHECK_EQ_INT(m.group, 0x001d); /* x25519 */
    CHECK_EQ_INT(m.public_key.len, 32);
    CHECK(m.has_scheme);
    CHECK_EQ_INT(m.scheme, 0x0403); /* ecdsa_secp256r1_sha256 */
    CHECK_EQ_INT(m.signature.len, 0x47);
    CHECK(m.params.p == body.p && m.params.len == 4 + 32);
    check_strict_framing("OpenSSL ServerKeyExchange", parse_ske, body, true);

    /* The params as signed are what hs_ecdh_params builds. */
    uint8_t params[64];
    CHECK_EQ_INT(hs_ecdh_params(m.group, m.public_key, params, sizeof(params)), m.params.len);
    CHECK_MEM(params, m.params.p, m.params.len);
    CHECK_EQ_INT(hs_ecdh_params(m.group, m.public_key, params, 35), 0);

    /* Round trips, TLS 1.2 and TLS 1.0 forms. */
    for (int tls12 = 0; tls12 <= 1; tls12++) {
        hs_server_key_exchange in = m;
        in.has_scheme = tls12;
        in.scheme = tls12 ? m.scheme : 0;
        writer w = fresh_writer();
        CHECK_EQ_INT(hs_write_server_key_exchange(&w, &in), 0);
        span wb = written_body(&w, HS_SERVER_KEY_EXCHANGE);
        hs_server_key_exchange back;
        CHECK_EQ_INT(hs_parse_server_key_exchange(wb.p, wb.len, tls12, &back), 0);
        CHECK(back.group == in.group && span_eq(back.public_key, in.public_key) &&
              span_eq(back.params, in.params) && back.has_scheme == in.has_scheme &&
              back.scheme == in.scheme && span_eq(back.signature, in.signature));
        check_strict_framing("ServerKeyExchange", parse_ske, wb, tls12);
    }
    /* TLS 1.2 bytes read as TLS 1.0 do not frame. */
    CHECK_EQ_INT(parse_exact(parse_ske, body.p, body.len, false), HS_ALERT_DECODE_ERROR);

    /* explicit_prime (1) and explicit_char2 (2) curve types are refused. */
    check_patched(body.p, body.len, 0, 1, parse_ske, true, HS_ALERT_ILLEGAL_PARAMETER);
    check_patched(body.p, body.len, 0, 2, parse_ske, true, HS_ALERT_ILLEGAL_PARAMETER);
    /* An empty point. */
    static const uint8_t no_point[] = {3, 0, 0x17, 0, 4, 3, 0, 1, 0xaa};
    CHECK_EQ_INT(parse_exact(parse_ske, no_point, sizeof(no_point), true), HS_ALERT_DECODE_ERROR);
    /* An empty signature. */
    static const uint8_t no_sig[] = {3, 0, 0x17, 1, 4, 4, 3, 0, 0};
    CHECK_EQ_INT(parse_exact(parse_ske, no_sig, sizeof(no_sig), true), HS_ALERT_DECODE_ERROR);
}

/* ---- CertificateRequest -----------------------------------------------------------------------
 */

static void test_certificate_request(void)
{
    uint8_t msg[128];
    size_t len = check_hex(openssl_certificate_request_hex, msg, sizeof(msg));
    span body = {msg + 4, len - 4};
    hs_certificate_request m;
    CHECK_EQ_INT(hs_parse_certificate_request(body.p, body.len, true, &m), 0);
    CHECK_EQ_INT(m.cert_types.len, 3); /* rsa_sign, dss_sign, ecdsa_sign */
    CHECK(m.has_sig_algs && m.sig_algs.len == 40 && hs_list_has_u16(m.sig_algs, 0x0804));
    CHECK_EQ_INT(m.ca_names.len, 0);
    check_strict_framing("OpenSSL CertificateRequest", parse_cr, body, true);

    static const uint8_t types[] = {1, 64};
    static const uint8_t names[] = {0, 3, 0x30, 0x01, 0x00, 0, 2, 0x30, 0x00};
    for (int tls12 = 0; tls12 <= 1; tls12++) {
        hs_certificate_request in = {
            .cert_types = {types, sizeof(types)},
            .has_sig_algs = tls12,
            .sig_algs = tls12 ? (span){sig_algs, sizeof(sig_algs)} : (span){NULL, 0},
            .ca_names = {names, sizeof(names)},
        };
        writer w = fresh_writer();
        CHECK_EQ_INT(hs_write_certificate_request(&w, &in), 0);
        span wb = written_body(&w, HS_CERTIFICATE_REQUEST);
        hs_certificate_request back;
        CHECK_EQ_INT(hs_parse_certificate_request(wb.p, wb.len, tls12, &back), 0);
        CHECK(span_eq(back.cert_types, in.cert_types) && back.has_sig_algs == in.has_sig_algs &&
              span_eq(back.sig_algs, in.sig_algs) && span_eq(back.ca_names, in.ca_names));
        check_strict_framing("CertificateRequest", parse_cr, wb, tls12);
    }
    static const uint8_t empty_name[] = {1, 1, 0, 2, 0, 0};
    CHECK_EQ_INT(parse_exact(parse_cr, empty_name, sizeof(empty_name), false),
                 HS_ALERT_DECODE_ERROR);
    static const uint8_t no_types[] = {0, 0, 0};
    CHECK_EQ_INT(parse_exact(parse_cr, no_types, sizeof(no_types), false), HS_ALERT_DECODE_ERROR);
    static const uint8_t odd_algs[] = {1, 1, 0, 3, 4, 3, 8, 0, 0};
    CHECK_EQ_INT(parse_exact(parse_cr, odd_algs, sizeof(odd_algs), true), HS_ALERT_DECODE_ERROR);
}

/* ---- EncryptedExtensions ----------------------------------------------------------------------
 */

static bool encrypted_extensions_eq(const hs_encrypted_extensions *a,
                                    const hs_encrypted_extensions *b)
{
    return a->has_server_name == b->has_server_name && a->has_groups == b->has_groups &&
           span_eq(a->groups, b->groups) && a->has_alpn == b->has_alpn &&
           span_eq(a->alpn_protocol, b->alpn_protocol) && a->has_early_data == b->has_early_data;
}

static void check_encrypted_extensions_round_trip(const char *what,
                                                  const hs_encrypted_extensions *m)
{
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_encrypted_extensions(&w, m), 0);
    span body = written_body(&w, HS_ENCRYPTED_EXTENSIONS);
    hs_encrypted_extensions back;
    uint8_t *copy = heap_copy(body.p, body.len);
    CHECK_EQ_INT(hs_parse_encrypted_extensions(copy, body.len, &back), 0);
    if (!encrypted_extensions_eq(m, &back))
        fprintf(stderr, "EncryptedExtensions round trip differs: %s\n", what);
    CHECK(encrypted_extensions_eq(m, &back));
    free(copy);
    check_strict_framing(what, parse_ee, body, false);
}

/* An EncryptedExtensions body around the extensions given as hex (without the block length). */
static int parse_ee_with_extensions(const char *ext_hex, hs_encrypted_extensions *out)
{
    static uint8_t *kept;
    uint8_t ext[512];
    size_t ext_len = spaced_hex(ext_hex, ext, sizeof(ext));
    free(kept);
    kept = heap_copy(ext, ext_len + 2);
    kept[0] = (uint8_t)(ext_len >> 8);
    kept[1] = (uint8_t)ext_len;
    if (ext_len)
        memcpy(kept + 2, ext, ext_len);
    return hs_parse_encrypted_extensions(kept, ext_len + 2, out);
}

static void test_encrypted_extensions(void)
{
    hs_encrypted_extensions all, m;
    memset(&all, 0, sizeof(all));
    check_encrypted_extensions_round_trip("empty EncryptedExtensions", &all);
    for (int ext = 0; ext < 4; ext++) {
        memset(&m, 0, sizeof(m));
        switch (ext) {
        case 0:
            m.has_server_name = all.has_server_name = true;
            break;
        case 1:
            m.has_groups = all.has_groups = true;
            m.groups = all.groups = (span){groups, sizeof(groups)};
            break;
        case 2:
            m.has_alpn = all.has_alpn = true;
            m.alpn_protocol = all.alpn_protocol = str_span("h2");
            break;
        case 3:
            m.has_early_data = all.has_early_data = true;
            break;
        }
        check_encrypted_extensions_round_trip("EncryptedExtensions, one extension", &m);
    }
    check_encrypted_extensions_round_trip("EncryptedExtensions, every extension", &all);

    /* RFC 8448 section 3: supported_groups, record_size_limit (unknown here), server_name. */
    uint8_t msg[128];
    size_t len = check_hex(R8448_ENCRYPTED_EXTENSIONS, msg, sizeof(msg));
    CHECK_EQ_INT(msg[0], HS_ENCRYPTED_EXTENSIONS);
    span body = {msg + 4, len - 4};
    CHECK_EQ_INT(hs_parse_encrypted_extensions(body.p, body.len, &m), 0);
    CHECK(m.has_server_name && !m.has_alpn && !m.has_early_data);
    CHECK(m.has_groups && m.groups.len == 18 && hs_list_has_u16(m.groups, 0x001d));
    check_strict_framing("RFC 8448 EncryptedExtensions", parse_ee, body, false);

    CHECK_EQ_INT(parse_ee_with_extensions("abcd 0003 010203 0010 0005 0003 026832", &m), 0);
    CHECK(m.has_alpn && span_eq(m.alpn_protocol, str_span("h2")));

    /* Every extension parley knows and EncryptedExtensions may not carry (RFC 8446 4.2). */
    static const uint16_t forbidden[] = {
        EXT_KEY_SHARE,
        EXT_SUPPORTED_VERSIONS,
        EXT_PRE_SHARED_KEY,
        EXT_COOKIE,
        EXT_PSK_KEY_EXCHANGE_MODES,
        EXT_SIGNATURE_ALGORITHMS,
        EXT_EC_POINT_FORMATS,
        EXT_EXTENDED_MASTER_SECRET,
        EXT_SESSION_TICKET,
        EXT_RENEGOTIATION_INFO,
        EXT_CERTIFICATE_AUTHORITIES,
        EXT_POST_HANDSHAKE_AUTH,
        EXT_SIGNATURE_ALGORITHMS_CERT,
    };
    for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
        char hex[64];
        snprintf(hex, sizeof(hex), "0000 0000 %04x 0002 0000", forbidden[i]);
        int alert = parse_ee_with_extensions(hex, &m);
        if (alert != HS_ALERT_ILLEGAL_PARAMETER)
            fprintf(stderr, "extension %u in EncryptedExtensions: alert %d\n", forbidden[i], alert);
        CHECK_EQ_INT(alert, HS_ALERT_ILLEGAL_PARAMETER);
        /* ... unless the message is also malformed: decode_error outranks. */
        snprintf(hex, sizeof(hex), "%04x 0000 0000 0001 00", forbidden[i]);
        CHECK_EQ_INT(parse_ee_with_extensions(hex, &m), HS_ALERT_DECODE_ERROR);
    }

    static const struct {
        const char *ext_hex;
        const char *why;
    } bad[] = {
        {"0000 0000 0000 0000", "duplicate server_name"},
        {"abcd 0000 abcd 0000", "duplicate unknown extension"},
        {"0000 0001 00", "server_name acknowledgement with a body"},
        {"002a 0004 00000000", "early_data with a body"},
        {"000a 0002 0000", "empty supported_groups"},
        {"000a 0003 0001 00", "odd supported_groups"},
        {"0010 0008 0006 0161 0362 6364", "two ALPN names"},
        {"0010 0003 0001 00", "empty ALPN name"},
        {"0010 0002 0000", "no ALPN name"},
        {"0000 0004 00", "extension overruns the block"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int alert = parse_ee_with_extensions(bad[i].ext_hex, &m);
        if (alert != HS_ALERT_DECODE_ERROR)
            fprintf(stderr, "%s: alert %d\n", bad[i].why, alert);
        CHECK_EQ_INT(alert, HS_ALERT_DECODE_ERROR);
    }
    static const uint8_t empty[1] = {0};
    CHECK_EQ_INT(parse_exact(parse_ee, empty, 0, false), HS_ALERT_DECODE_ERROR);
}

/* ---- Certificate (TLS 1.3) --------------------------------------------------------------------
 */

static void test_certificate13(void)
{
    static const uint8_t der_a[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    static const uint8_t der_b[] = {0x30, 0x00};
    static const uint8_t context[] = {7, 7, 7};
    hs_certificate13 m;
    memset(&m, 0, sizeof(m));
    for (size_t count = 0; count <= HS_MAX_CERTS; count++) {
        m.count = count;
        m.context = count % 2 ? (span){context, sizeof(context)} : (span){NULL, 0};
        for (size_t i = 0; i < count; i++)
            m.certs[i] = i % 2 ? (span){der_b, sizeof(der_b)} : (span){der_a, sizeof(der_a)};
        writer w = fresh_writer();
        CHECK_EQ_INT(hs_write_certificate13(&w, &m), 0);
        span body = written_body(&w, HS_CERTIFICATE);
        hs_certificate13 back;
        CHECK_EQ_INT(hs_parse_certificate13(body.p, body.len, &back), 0);
        CHECK(span_eq(back.context, m.context));
        CHECK_EQ_INT(back.count, count);
        for (size_t i = 0; i < count; i++)
            CHECK(span_eq(back.certs[i], m.certs[i]));
        if (count <= 3)
            check_strict_framing("Certificate13", parse_cert13, body, false);
    }
    m.count = HS_MAX_CERTS + 1;
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_certificate13(&w, &m), -1);

    /* RFC 8448 section 3: the server's one RSA certificate, no context, no extensions. */
    uint8_t msg[1024];
    size_t len = check_hex(R8448_CERTIFICATE, msg, sizeof(msg));
    span body = {msg + 4, len - 4};
    CHECK_EQ_INT(hs_parse_certificate13(body.p, body.len, &m), 0);
    CHECK_EQ_INT(m.context.len, 0);
    CHECK_EQ_INT(m.count, 1);
    CHECK(m.certs[0].len == 0x1b0 && m.certs[0].p[0] == 0x30);
    check_strict_framing("RFC 8448 Certificate", parse_cert13, body, false);
    /* Read as the TLS 1.2 form, the same bytes do not frame. */
    CHECK_EQ_INT(parse_exact(parse_cert, body.p, body.len, false), HS_ALERT_DECODE_ERROR);

    uint8_t buf[512];
    static const struct {
        const char *hex;
        int alert;
        const char *why;
    } cases[] = {
        {"00 00000c 000002 3000 0005 0005 0001 ff", 0, "an entry with status_request"},
        {"00 00000b 000002 3000 0003 abcd 0000", HS_ALERT_DECODE_ERROR, "entry extensions overrun"},
        {"00 00000f 000002 3000 0008 0005 0000 0005 0000", HS_ALERT_DECODE_ERROR,
         "duplicate entry extension"},
        {"00 000005 000000 0000", HS_ALERT_DECODE_ERROR, "empty certificate entry"},
        {"00 000005 000002 3000", HS_ALERT_DECODE_ERROR, "entry without its extensions"},
        {"01 000000", HS_ALERT_DECODE_ERROR, "context overruns"},
        {"00", HS_ALERT_DECODE_ERROR, "no certificate list"},
        {"00 000000 00", HS_ALERT_DECODE_ERROR, "byte after the list"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = spaced_hex(cases[i].hex, buf, sizeof(buf));
        int alert = parse_exact(parse_cert13, buf, n, false);
        if (alert != cases[i].alert)
            fprintf(stderr, "Certificate13 %s: alert %d\n", cases[i].why, alert);
        CHECK_EQ_INT(alert, cases[i].alert);
    }

    /* One more entry than the cap. */
    writer_init(&w, buf, sizeof(buf));
    writer_u8(&w, 0);
    writer_open(&w, 3);
    for (int i = 0; i < HS_MAX_CERTS + 1; i++) {
        hs_write_vector(&w, 3, (span){der_b, sizeof(der_b)});
        writer_u16(&w, 0);
    }
    writer_close(&w);
    CHECK(writer_done(&w));
    CHECK_EQ_INT(parse_exact(parse_cert13, buf, w.len, false), HS_ALERT_DECODE_ERROR);
}

/* ---- CertificateRequest (TLS 1.3) -------------------------------------------------------------
 */

static void test_certificate_request13(void)
{
    static const uint8_t names[] = {0, 3, 0x30, 0x01, 0x00, 0, 2, 0x30, 0x00};
    static const uint8_t context[] = {0xc0, 0x7e};
    for (int variant = 0; variant < 3; variant++) {
        hs_certificate_request13 in = {
            .context = variant == 2 ? (span){context, sizeof(context)} : (span){NULL, 0},
            .has_sig_algs = true,
            .sig_algs = {sig_algs, sizeof(sig_algs)},
            .has_ca_names = variant > 0,
            .ca_names = variant > 0 ? (span){names, sizeof(names)} : (span){NULL, 0},
        };
        writer w = fresh_writer();
        CHECK_EQ_INT(hs_write_certificate_request13(&w, &in), 0);
        span body = written_body(&w, HS_CERTIFICATE_REQUEST);
        hs_certificate_request13 back;
        CHECK_EQ_INT(hs_parse_certificate_request13(body.p, body.len, &back), 0);
        CHECK(span_eq(back.context, in.context) && back.has_sig_algs &&
              span_eq(back.sig_algs, in.sig_algs) && back.has_ca_names == in.has_ca_names &&
              span_eq(back.ca_names, in.ca_names));
        check_strict_framing("CertificateRequest13", parse_cr13, body, false);
    }
    hs_certificate_request13 none = {.has_ca_names = false};
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_certificate_request13(&w, &none), -1);

    uint8_t buf[256];
    static const struct {
        const char *hex;
        int alert;
        const char *why;
    } cases[] = {
        {"00 000a 000d 0006 0004 0403 0804", 0, "signature_algorithms alone"},
        {"00 0012 0032 0004 0002 0403 000d 0006 0004 0403 0804", 0,
         "signature_algorithms_cert skipped"},
        {"00 000e abcd 0000 000d 0006 0004 0403 0804", 0, "unknown extension skipped"},
        {"00 0004 abcd 0000", HS_ALERT_MISSING_EXTENSION, "no signature_algorithms"},
        {"00 000a 0032 0006 0004 0403 0804", HS_ALERT_MISSING_EXTENSION,
         "signature_algorithms_cert only"},
        {"00 0005 abcd 0000", HS_ALERT_DECODE_ERROR,
         "no signature_algorithms, and truncated: decode error outranks"},
        {"00 0000", HS_ALERT_DECODE_ERROR, "empty extensions block"},
        {"00 0009 000d 0005 0003 040308", HS_ALERT_DECODE_ERROR, "odd signature_algorithms"},
        {"00 0006 000d 0002 0000", HS_ALERT_DECODE_ERROR, "empty signature_algorithms"},
        {"00 0010 000d 0006 0004 0403 0804 002f 0002 0000", HS_ALERT_DECODE_ERROR,
         "empty certificate_authorities"},
        {"00 0014 000d 0006 0004 0403 0804 002f 0006 0004 0000 0000", HS_ALERT_DECODE_ERROR,
         "an empty DistinguishedName"},
        {"00 0014 000d 0006 0004 0403 0804 000d 0006 0004 0403 0804", HS_ALERT_DECODE_ERROR,
         "two signature_algorithms"},
        {"", HS_ALERT_DECODE_ERROR, "empty body"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = spaced_hex(cases[i].hex, buf, sizeof(buf));
        int alert = parse_exact(parse_cr13, buf, n, false);
        if (alert != cases[i].alert)
            fprintf(stderr, "CertificateRequest13 %s: alert %d\n", cases[i].why, alert);
        CHECK_EQ_INT(alert, cases[i].alert);
    }
    /* The stored CA names are the list contents, as in the TLS 1.2 form. */
    size_t n =
        spaced_hex("00 0015 000d 0006 0004 0403 0804 002f 0007 0005 0003 300100", buf, sizeof(buf));
    hs_certificate_request13 m;
    CHECK_EQ_INT(hs_parse_certificate_request13(buf, n, &m), 0);
    CHECK(m.has_ca_names && m.ca_names.len == 5 && m.ca_names.p[1] == 3);
}

/* ---- NewSessionTicket (TLS 1.3) ---------------------------------------------------------------
 */

static void test_new_session_ticket13(void)
{
    static const uint8_t nonce[] = {0, 1};
    for (int variant = 0; variant < 3; variant++) {
        hs_new_session_ticket13 in = {
            .lifetime = variant == 2 ? 604800 : 7200,
            .age_add = 0xfedcba98,
            .nonce = variant ? (span){nonce, sizeof(nonce)} : (span){NULL, 0},
            .ticket = {ticket, sizeof(ticket)},
            .has_early_data = variant == 1,
            .max_early_data = variant == 1 ? 16384 : 0,
        };
        writer w = fresh_writer();
        CHECK_EQ_INT(hs_write_new_session_ticket13(&w, &in), 0);
        span body = written_body(&w, HS_NEW_SESSION_TICKET);
        hs_new_session_ticket13 back;
        CHECK_EQ_INT(hs_parse_new_session_ticket13(body.p, body.len, &back), 0);
        CHECK(back.lifetime == in.lifetime && back.age_add == in.age_add &&
              span_eq(back.nonce, in.nonce) && span_eq(back.ticket, in.ticket) &&
              back.has_early_data == in.has_early_data && back.max_early_data == in.max_early_data);
        check_strict_framing("NewSessionTicket13", parse_nst13, body, false);
    }

    uint8_t buf[256];
    static const struct {
        const char *hex;
        int alert;
        const char *why;
    } cases[] = {
        {"00093a80 00000001 00 0001 aa 0000", 0, "lifetime of exactly 7 days"},
        {"00093a81 00000001 00 0001 aa 0000", HS_ALERT_ILLEGAL_PARAMETER, "lifetime over 7 days"},
        {"ffffffff 00000001 00 0001 aa 0000", HS_ALERT_ILLEGAL_PARAMETER, "lifetime 2^32-1"},
        {"00093a81 00000001 00 0001 aa 0001", HS_ALERT_DECODE_ERROR,
         "lifetime over 7 days, truncated: decode error outranks"},
        {"00000001 00000001 00 0000 0000", HS_ALERT_DECODE_ERROR, "empty ticket"},
        {"00000001 00000001 02 00 0001 aa 0000", HS_ALERT_DECODE_ERROR, "nonce overruns"},
        {"00000001 00000001 00 0001 aa", HS_ALERT_DECODE_ERROR, "no extensions block"},
        {"00000001 00000001 00 0001 aa 0006 002a 0002 0000", HS_ALERT_DECODE_ERROR,
         "early_data of 2 bytes"},
        {"00000001 00000001 00 0001 aa 0010 002a 0004 00000001 002a 0004 00000001",
         HS_ALERT_DECODE_ERROR, "two early_data"},
        {"00000001 00000001 00 0001 aa 0007 abcd 0003 010203", 0, "unknown extension skipped"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = spaced_hex(cases[i].hex, buf, sizeof(buf));
        int alert = parse_exact(parse_nst13, buf, n, false);
        if (alert != cases[i].alert)
            fprintf(stderr, "NewSessionTicket13 %s: alert %d\n", cases[i].why, alert);
        CHECK_EQ_INT(alert, cases[i].alert);
    }

    /* extensions<0..2^16-2>: a block of 2^16-1 bytes is a decode error, 2^16-2 is not. */
    static uint8_t big[16 + 0x10001];
    for (size_t block = 0xfffe; block <= 0xffff; block++) {
        writer w;
        writer_init(&w, big, sizeof(big));
        writer_u32(&w, 60);
        writer_u32(&w, 0);
        writer_u8(&w, 0);
        hs_write_vector(&w, 2, (span){nonce, 1});
        writer_u16(&w, (uint16_t)block);
        writer_u16(&w, 0xabcd);
        writer_u16(&w, (uint16_t)(block - 4));
        writer_reserve(&w, block - 4);
        CHECK(writer_done(&w));
        CHECK_EQ_INT(parse_exact(parse_nst13, big, w.len, false),
                     block == 0xfffe ? 0 : HS_ALERT_DECODE_ERROR);
    }
}

/* ---- KeyUpdate --------------------------------------------------------------------------------
 */

static void test_key_update(void)
{
    for (int requested = 0; requested <= 1; requested++) {
        writer w = fresh_writer();
        CHECK_EQ_INT(hs_write_key_update(&w, requested), 0);
        span body = written_body(&w, HS_KEY_UPDATE);
        CHECK_EQ_INT(body.len, 1);
        CHECK_EQ_INT(body.p[0], requested);
        bool back = !requested;
        CHECK_EQ_INT(hs_parse_key_update(body.p, body.len, &back), 0);
        CHECK_EQ_INT(back, requested);
        check_strict_framing("KeyUpdate", parse_ku, body, false);
    }
    static const uint8_t two[] = {2}, max[] = {0xff};
    CHECK_EQ_INT(parse_exact(parse_ku, two, 1, false), HS_ALERT_ILLEGAL_PARAMETER);
    CHECK_EQ_INT(parse_exact(parse_ku, max, 1, false), HS_ALERT_ILLEGAL_PARAMETER);
}

/* ---- the short messages -----------------------------------------------------------------------
 */

static void test_short_messages(void)
{
    writer w = fresh_writer();
    CHECK_EQ_INT(hs_write_server_hello_done(&w), 0);
    span body = written_body(&w, HS_SERVER_HELLO_DONE);
    CHECK_EQ_INT(body.len, 0);
    CHECK_EQ_INT(hs_parse_server_hello_done(body.p, 0), 0);
    static const uint8_t one[] = {0};
    CHECK_EQ_INT(parse_exact(parse_shd, one, 1, false), HS_ALERT_DECODE_ERROR);

    /* ClientKeyExchange: RSA (u16 prefix) and ECDHE (u8 prefix). */
    uint8_t blob[300];
    for (size_t i = 0; i < sizeof(blob); i++)
        blob[i] = (uint8_t)i;
    for (int rsa = 0; rsa <= 1; rsa++) {
        hs_client_key_exchange in = {{blob, rsa ? 256 : 65}};
        w = fresh_writer();
        CHECK_EQ_INT(hs_write_client_key_exchange(&w, rsa, &in), 0);
        body = written_body(&w, HS_CLIENT_KEY_EXCHANGE);
        hs_client_key_exchange back;
        CHECK_EQ_INT(hs_parse_client_key_exchange(body.p, body.len, rsa, &back), 0);
        CHECK(span_eq(back.exchange, in.exchange));
        check_strict_framing("ClientKeyExchange", parse_cke, body, rsa);
    }
    hs_client_key_exchange too_long = {{blob, 256}};
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_client_key_exchange(&w, false, &too_long), -1);
    static const uint8_t empty_point[] = {0};
    CHECK_EQ_INT(parse_exact(parse_cke, empty_point, 1, false), HS_ALERT_DECODE_ERROR);

    /* CertificateVerify. */
    for (int tls12 = 0; tls12 <= 1; tls12++) {
        hs_certificate_verify in = {tls12, tls12 ? 0x0804 : 0, {blob, 256}};
        w = fresh_writer();
        CHECK_EQ_INT(hs_write_certificate_verify(&w, &in), 0);
        body = written_body(&w, HS_CERTIFICATE_VERIFY);
        hs_certificate_verify back;
        CHECK_EQ_INT(hs_parse_certificate_verify(body.p, body.len, tls12, &back), 0);
        CHECK(back.has_scheme == in.has_scheme && back.scheme == in.scheme &&
              span_eq(back.signature, in.signature));
        check_strict_framing("CertificateVerify", parse_cv, body, tls12);
    }

    /* Finished: exactly verify_len bytes. */
    hs_finished fin = {{blob, 12}};
    w = fresh_writer();
    CHECK_EQ_INT(hs_write_finished(&w, &fin), 0);
    body = written_body(&w, HS_FINISHED);
    hs_finished back;
    CHECK_EQ_INT(hs_parse_finished(body.p, body.len, 12, &back), 0);
    CHECK(span_eq(back.verify_data, fin.verify_data));
    check_strict_framing("Finished", parse_fin, body, false);
    CHECK_EQ_INT(hs_parse_finished(body.p, body.len, 36, &back), HS_ALERT_DECODE_ERROR);
}

static void test_helpers(void)
{
    static const uint8_t list[] = {0x00, 0x1d, 0xc0, 0x2f, 0x13};
    CHECK(hs_list_has_u16((span){list, 4}, 0x001d));
    CHECK(hs_list_has_u16((span){list, 4}, 0xc02f));
    CHECK(!hs_list_has_u16((span){list, 4}, 0x1dc0)); /* not across an element boundary */
    CHECK(!hs_list_has_u16((span){list, 5}, 0x1300)); /* not from a dangling odd byte */
    CHECK(!hs_list_has_u16((span){NULL, 0}, 0));

    CHECK(strcmp(hs_message_name(HS_CLIENT_HELLO), "ClientHello") == 0);
    CHECK(strcmp(hs_message_name(HS_SERVER_HELLO_DONE), "ServerHelloDone") == 0);
    CHECK(strcmp(hs_message_name(HS_CERTIFICATE_VERIFY), "CertificateVerify") == 0);
    CHECK(strcmp(hs_message_name(HS_FINISHED), "Finished") == 0);
    CHECK(strcmp(hs_message_name(HS_NEW_SESSION_TICKET), "NewSessionTicket") == 0);
    CHECK(strcmp(hs_message_name(HS_ENCRYPTED_EXTENSIONS), "EncryptedExtensions") == 0);
    CHECK(strcmp(hs_message_name(HS_KEY_UPDATE), "KeyUpdate") == 0);
    CHECK(strcmp(hs_message_name(HS_END_OF_EARLY_DATA), "EndOfEarlyData") == 0);
    CHECK(strcmp(hs_message_name(HS_MESSAGE_HASH), "message_hash") == 0);
    CHECK(strcmp(hs_message_name(3), "unknown") == 0);
    CHECK(strcmp(hs_message_name(255), "unknown") == 0);
}

int main(void)
{
    test_client_hello_round_trips();
    test_client_hello_extensions_strict();
    test_client_hello_fixed_fields_strict();
    test_client_hello_oversized_vectors();
    test_client_hello_from_openssl();
    test_client_hello_like_reference_004();
    test_client_hello_tls13_round_trips();
    test_client_hello_many_entries();
    test_client_hello_tls13_strict();
    test_client_hello_rfc8448();
    test_client_hello_rfc8448_resumed();
    test_server_hello_round_trips();
    test_server_hello_strict();
    test_hrr_random();
    test_server_hello_tls13_round_trips();
    test_server_hello_tls13_strict();
    test_server_hello_rfc8448();
    test_certificate();
    test_server_key_exchange();
    test_certificate_request();
    test_encrypted_extensions();
    test_certificate13();
    test_certificate_request13();
    test_new_session_ticket13();
    test_key_update();
    test_short_messages();
    test_helpers();
    return check_summary("test_messages");
}
