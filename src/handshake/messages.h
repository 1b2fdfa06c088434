/*
 * Handshake messages as data: one struct, one parse and one write per message (TLS 1.0-1.3).
 *
 * Parsed structs hold spans into the message body they were parsed from (no copies, no
 * allocation); the body must outlive the struct. A parse function takes the body without the
 * 4-byte handshake header and returns 0, or the alert to send: HS_ALERT_DECODE_ERROR for
 * anything that does not parse (short, trailing bytes, bad vector lengths, duplicate extension),
 * HS_ALERT_ILLEGAL_PARAMETER for a well-formed but forbidden value. Unknown extensions, suites
 * and groups are skipped, never fatal.
 *
 * A write function appends the whole message, handshake header included, to a writer and
 * returns 0, or -1 when it does not fit. Lists in a struct being written (suites, groups,
 * signature algorithms, ALPN) are already in wire form: the caller keeps them encoded.
 */
#ifndef PARLEY_MESSAGES_H
#define PARLEY_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/reader.h"
#include "../common/writer.h"

/* Handshake message types. */
#define HS_HELLO_REQUEST       0
#define HS_CLIENT_HELLO        1
#define HS_SERVER_HELLO        2
#define HS_NEW_SESSION_TICKET  4
#define HS_CERTIFICATE         11
#define HS_SERVER_KEY_EXCHANGE 12
#define HS_CERTIFICATE_REQUEST 13
#define HS_SERVER_HELLO_DONE   14
#define HS_CERTIFICATE_VERIFY  15
#define HS_CLIENT_KEY_EXCHANGE 16
#define HS_FINISHED            20
/* TLS 1.3 (RFC 8446 4). */
#define HS_END_OF_EARLY_DATA    5
#define HS_ENCRYPTED_EXTENSIONS 8
#define HS_KEY_UPDATE           24
#define HS_MESSAGE_HASH         254 /* stands in the transcript for ClientHello1 after HRR */

#define HS_HEADER_LEN 4

/* Extension types. */
#define EXT_SERVER_NAME               0
#define EXT_SUPPORTED_GROUPS          10
#define EXT_EC_POINT_FORMATS          11
#define EXT_SIGNATURE_ALGORITHMS      13
#define EXT_ALPN                      16
#define EXT_EXTENDED_MASTER_SECRET    23
#define EXT_SESSION_TICKET            35
#define EXT_PRE_SHARED_KEY            41
#define EXT_EARLY_DATA                42
#define EXT_SUPPORTED_VERSIONS        43
#define EXT_COOKIE                    44
#define EXT_PSK_KEY_EXCHANGE_MODES    45
#define EXT_CERTIFICATE_AUTHORITIES   47
#define EXT_POST_HANDSHAKE_AUTH       49
#define EXT_SIGNATURE_ALGORITHMS_CERT 50
#define EXT_KEY_SHARE                 51
#define EXT_RENEGOTIATION_INFO        0xff01

/* Signalling cipher suite values. */
#define SCSV_EMPTY_RENEGOTIATION_INFO 0x00ff
#define SCSV_FALLBACK                 0x5600

#define HS_ALERT_UNEXPECTED_MESSAGE    10
#define HS_ALERT_HANDSHAKE_FAILURE     40
#define HS_ALERT_ILLEGAL_PARAMETER     47
#define HS_ALERT_DECODE_ERROR          50
#define HS_ALERT_MISSING_EXTENSION     109
#define HS_ALERT_UNSUPPORTED_EXTENSION 110

#define HS_MAX_CERTS 10 /* certificates accepted in one Certificate message */
/* TLS 1.3 key shares and PSK identities read from one ClientHello; further entries are skipped
 * (never fatal: a client may offer many), after their syntax has been checked. */
#define HS_MAX_KEY_SHARES 8
#define HS_MAX_PSK        4
#define HS_MAX_COOKIE     255 /* what parley's own cookies need; longer ones are decode errors */

/* One KeyShareEntry (RFC 8446 4.2.8). */
typedef struct hs_key_share {
    uint16_t group;
    span key_exchange; /* 1..65535 bytes */
} hs_key_share;

/* One PskIdentity with its binder (RFC 8446 4.2.11). */
typedef struct hs_psk_identity {
    span identity; /* 1..65535 bytes */
    uint32_t obfuscated_ticket_age;
    span binder; /* 32..255 bytes */
} hs_psk_identity;

/* ---- ClientHello ---------------------------------------------------------------------------- */

typedef struct hs_client_hello {
    uint16_t version; /* legacy_version / client_version */
    uint8_t random[32];
    span session_id;          /* 0..32 bytes */
    span cipher_suites;       /* wire form: n * 2 bytes; at least one suite */
    span compression_methods; /* wire form: 1..255 bytes; parse requires method 0 (null) */

    /* Extensions. A has_* flag says the extension was present. */
    bool has_extensions;
    bool has_server_name;
    span server_name; /* the host_name entry (type 0); empty if the list had none */
    bool has_groups;
    span groups; /* wire form: n * 2 bytes */
    bool has_point_formats;
    span point_formats; /* wire form: 1 byte each */
    bool has_sig_algs;
    span sig_algs; /* wire form: n * 2 bytes */
    bool has_alpn;
    span alpn; /* wire form: the ProtocolNameList contents (each a u8-prefixed name) */
    bool has_reneg_info;
    span reneg_info; /* renegotiated_connection (empty on an initial handshake) */
    bool ems;        /* extended_master_secret present (must be empty) */
    bool has_session_ticket;
    span session_ticket; /* may be empty */
    bool has_supported_versions;
    span supported_versions; /* wire form: n * 2 bytes */

    /* TLS 1.3. */
    bool has_key_share;
    span key_shares_wire; /* wire form: the client_shares contents (KeyShareEntry list) */
    size_t n_key_shares;  /* parse: the first HS_MAX_KEY_SHARES entries */
    hs_key_share key_shares[HS_MAX_KEY_SHARES];
    bool has_psk_modes;
    span psk_modes; /* wire form: 1 byte each, 1..255 */
    bool has_cookie;
    span cookie;         /* 1..HS_MAX_COOKIE bytes */
    bool has_early_data; /* empty in a ClientHello */
    bool has_post_handshake_auth;
    /* pre_shared_key: must be the last extension (illegal_parameter otherwise); the number of
     * binders must equal the number of identities (illegal_parameter). */
    bool has_pre_shared_key;
    size_t n_psk; /* parse: the first HS_MAX_PSK identities */
    hs_psk_identity psk[HS_MAX_PSK];
    /* Parse: the length of the whole binders block (its u16 prefix included), which is how far
     * the end of the message is from the end of the truncated ClientHello the binders are
     * computed over (RFC 8446 4.2.11.2). Write ignores it: the block written is 2 + the sum of
     * (1 + psk_binder_sizes[i]) bytes, which the caller computes. */
    size_t binders_len;
    /* Both directions: the identities list contents in wire form (parse: every identity, not
     * only the first HS_MAX_PSK). Write only: the binders are written as placeholders, one
     * u8-prefixed zero-filled binder per entry of psk_binder_sizes (psk_binder_count of them, at
     * most HS_MAX_PSK), to be overwritten in place once the transcript is known; they are the
     * final bytes of the message. Parse leaves psk_binder_count and psk_binder_sizes zero. */
    span psk_identities_wire;
    size_t psk_binder_count;
    uint8_t psk_binder_sizes[HS_MAX_PSK];
} hs_client_hello;

int hs_parse_client_hello(const uint8_t *body, size_t len, hs_client_hello *out);
/* Writes every extension whose has_* flag is set (ems when ems is true), in the order of the
 * struct, and no extensions block when none is set; pre_shared_key, when set, goes last. Key
 * shares are written from key_shares_wire. */
int hs_write_client_hello(writer *w, const hs_client_hello *m);
/* Looks a group up in a parsed ClientHello's key shares; NULL if the client sent none for it. */
const hs_key_share *hs_client_hello_share(const hs_client_hello *m, uint16_t group);
/* The ServerHello.random of a HelloRetryRequest (RFC 8446 4.1.3: SHA-256("HelloRetryRequest")). */
extern const uint8_t hs_hrr_random[32];

/* ---- ServerHello ---------------------------------------------------------------------------- */

typedef struct hs_server_hello {
    uint16_t version;
    uint8_t random[32];
    span session_id; /* 0..32 bytes */
    uint16_t cipher_suite;
    uint8_t compression_method; /* parse requires 0 */

    bool has_extensions;
    bool has_server_name; /* empty server_name acknowledgement */
    bool has_point_formats;
    span point_formats;
    bool has_alpn;
    span alpn_protocol; /* the one selected protocol name (1..255 bytes) */
    bool has_reneg_info;
    span reneg_info;
    bool ems;
    bool has_session_ticket; /* empty: a NewSessionTicket will follow */

    /* TLS 1.3. A HelloRetryRequest is a ServerHello whose random is hs_hrr_random; parse sets
     * is_hrr for it, and its key_share carries only the selected group. Write refuses a struct
     * whose is_hrr disagrees with its random. pre_shared_key in a HelloRetryRequest and cookie
     * in a ServerHello are illegal_parameter (RFC 8446 4.2). */
    bool is_hrr;
    bool has_supported_version;
    uint16_t selected_version;
    bool has_key_share;
    uint16_t key_share_group;
    span key_share_key; /* empty in a HelloRetryRequest */
    bool has_pre_shared_key;
    uint16_t selected_identity;
    bool has_cookie; /* HelloRetryRequest only */
    span cookie;     /* 1..65535 bytes: a client echoes whatever it is given */
} hs_server_hello;

int hs_parse_server_hello(const uint8_t *body, size_t len, hs_server_hello *out);
int hs_write_server_hello(writer *w, const hs_server_hello *m);

/* ---- EncryptedExtensions (TLS 1.3) -------------------------------------------------------- */

/* Extensions a TLS 1.3 ClientHello or ServerHello only may carry (key_share, supported_versions,
 * pre_shared_key, cookie, psk_key_exchange_modes, signature_algorithms, ...) are
 * illegal_parameter here (RFC 8446 4.2); unknown ones are skipped. */
typedef struct hs_encrypted_extensions {
    bool has_server_name; /* empty acknowledgement */
    bool has_groups;      /* the server's supported_groups: informational, wire form */
    span groups;
    bool has_alpn;
    span alpn_protocol;  /* exactly one name */
    bool has_early_data; /* empty: 0-RTT accepted */
} hs_encrypted_extensions;

int hs_parse_encrypted_extensions(const uint8_t *body, size_t len, hs_encrypted_extensions *out);
int hs_write_encrypted_extensions(writer *w, const hs_encrypted_extensions *m);

/* ---- Certificate (TLS 1.0-1.2 form) ------------------------------------------------------- */

typedef struct hs_certificate {
    size_t count; /* 0 is legal (a client with no certificate) */
    span certs[HS_MAX_CERTS];
} hs_certificate;

/* More than HS_MAX_CERTS certificates, or an empty certificate entry, is a decode error. */
int hs_parse_certificate(const uint8_t *body, size_t len, hs_certificate *out);
int hs_write_certificate(writer *w, const hs_certificate *m);

/* ---- Certificate (TLS 1.3 form, RFC 8446 4.4.2) ------------------------------------------ */

/* certificate_request_context, then CertificateEntry {cert_data<1..2^24-1>,
 * extensions<0..2^16-1>}; the per-entry extensions (OCSP, SCT) are checked for syntax and
 * skipped. The certs spans are the DER of each entry, as in hs_certificate. */
typedef struct hs_certificate13 {
    span context; /* 0..255 bytes */
    size_t count;
    span certs[HS_MAX_CERTS];
} hs_certificate13;

int hs_parse_certificate13(const uint8_t *body, size_t len, hs_certificate13 *out);
/* Writes each certificate with an empty extensions block. */
int hs_write_certificate13(writer *w, const hs_certificate13 *m);

/* ---- CertificateRequest (TLS 1.3 form, RFC 8446 4.3.2) ------------------------------------- */

typedef struct hs_certificate_request13 {
    span context; /* 0..255 bytes; empty during the handshake */
    bool has_sig_algs;
    span sig_algs; /* wire form; required: parse returns missing_extension without it */
    bool has_ca_names;
    span ca_names; /* certificate_authorities: the DistinguishedName list contents */
} hs_certificate_request13;

/* Extensions other than these two are skipped (signature_algorithms_cert among them). */
int hs_parse_certificate_request13(const uint8_t *body, size_t len, hs_certificate_request13 *out);
/* Writes signature_algorithms, then certificate_authorities if has_ca_names; -1 without
 * has_sig_algs, since such a message would not parse. */
int hs_write_certificate_request13(writer *w, const hs_certificate_request13 *m);

/* ---- NewSessionTicket (TLS 1.3 form, RFC 8446 4.6.1) --------------------------------------- */

typedef struct hs_new_session_ticket13 {
    uint32_t lifetime; /* seconds; over 604800 is illegal_parameter */
    uint32_t age_add;
    span nonce;          /* 0..255 bytes */
    span ticket;         /* 1..65535 bytes */
    bool has_early_data; /* the early_data extension; others are skipped */
    uint32_t max_early_data;
} hs_new_session_ticket13;

int hs_parse_new_session_ticket13(const uint8_t *body, size_t len, hs_new_session_ticket13 *out);
int hs_write_new_session_ticket13(writer *w, const hs_new_session_ticket13 *m);

/* ---- EndOfEarlyData (RFC 8446 4.5) ----------------------------------------------------------- */

/* An empty body: anything else is a decode error. */
int hs_parse_end_of_early_data(const uint8_t *body, size_t len);
int hs_write_end_of_early_data(writer *w);

/* ---- KeyUpdate (RFC 8446 4.6.3) ------------------------------------------------------------ */

/* One byte: update_not_requested (0) or update_requested (1); anything else is
 * illegal_parameter. */
int hs_parse_key_update(const uint8_t *body, size_t len, bool *update_requested);
int hs_write_key_update(writer *w, bool update_requested);

/* ---- ServerKeyExchange for ECDHE --------------------------------------------------------- */

typedef struct hs_server_key_exchange {
    uint16_t group;  /* named_curve; curve_type must be 3 (named_curve) */
    span public_key; /* the ECPoint (1..255 bytes) */
    span params;     /* the whole ServerECDHParams as on the wire: what the signature covers */
    bool has_scheme; /* TLS 1.2 carries the SignatureScheme; TLS 1.0/1.1 do not */
    uint16_t scheme;
    span signature; /* 1..65535 bytes */
} hs_server_key_exchange;

/* tls12: whether a SignatureAndHashAlgorithm precedes the signature. */
int hs_parse_server_key_exchange(const uint8_t *body, size_t len, bool tls12,
                                 hs_server_key_exchange *out);
/* Writes curve_type, group and public_key, then (if has_scheme) the scheme and the signature. */
int hs_write_server_key_exchange(writer *w, const hs_server_key_exchange *m);
/* The ServerECDHParams bytes for group and public_key, as signed: 3, group, u8 len, point.
 * Returns the length written to out (cap >= 4 + public_key length), 0 if it does not fit. */
size_t hs_ecdh_params(uint16_t group, span public_key, uint8_t *out, size_t cap);

/* ---- CertificateRequest ------------------------------------------------------------------ */

typedef struct hs_certificate_request {
    span cert_types;   /* 1..255 bytes */
    bool has_sig_algs; /* TLS 1.2 only */
    span sig_algs;     /* wire form */
    span ca_names;     /* wire form: the DistinguishedName list contents (each u16-prefixed) */
} hs_certificate_request;

int hs_parse_certificate_request(const uint8_t *body, size_t len, bool tls12,
                                 hs_certificate_request *out);
int hs_write_certificate_request(writer *w, const hs_certificate_request *m);

/* ---- ServerHelloDone ---------------------------------------------------------------------- */

int hs_parse_server_hello_done(const uint8_t *body, size_t len);
int hs_write_server_hello_done(writer *w);

/* ---- ClientKeyExchange ---------------------------------------------------------------------- */

typedef struct hs_client_key_exchange {
    span exchange; /* RSA: the encrypted pre-master secret; ECDHE: the client's ECPoint */
} hs_client_key_exchange;

/* rsa: the body is a u16-prefixed EncryptedPreMasterSecret (TLS 1.0+ form); otherwise a
 * u8-prefixed ECPoint of 1..255 bytes. */
int hs_parse_client_key_exchange(const uint8_t *body, size_t len, bool rsa,
                                 hs_client_key_exchange *out);
int hs_write_client_key_exchange(writer *w, bool rsa, const hs_client_key_exchange *m);

/* ---- CertificateVerify -------------------------------------------------------------------- */

typedef struct hs_certificate_verify {
    bool has_scheme; /* TLS 1.2 */
    uint16_t scheme;
    span signature;
} hs_certificate_verify;

int hs_parse_certificate_verify(const uint8_t *body, size_t len, bool tls12,
                                hs_certificate_verify *out);
int hs_write_certificate_verify(writer *w, const hs_certificate_verify *m);

/* ---- Finished ------------------------------------------------------------------------------- */

typedef struct hs_finished {
    span verify_data; /* 12 bytes in TLS 1.0-1.2 */
} hs_finished;

/* verify_len: the expected length; anything else is a decode error. */
int hs_parse_finished(const uint8_t *body, size_t len, size_t verify_len, hs_finished *out);
int hs_write_finished(writer *w, const hs_finished *m);

/* ---- NewSessionTicket (RFC 5077 3.3) ------------------------------------------------------ */

typedef struct hs_new_session_ticket {
    uint32_t lifetime_hint; /* seconds; 0: unspecified */
    span ticket;            /* 0..65535 bytes; empty: the server decided against a ticket */
} hs_new_session_ticket;

int hs_parse_new_session_ticket(const uint8_t *body, size_t len, hs_new_session_ticket *out);
int hs_write_new_session_ticket(writer *w, const hs_new_session_ticket *m);

/* ---- helpers -------------------------------------------------------------------------------- */

/* Whether the wire-form list of u16 values contains v. */
bool hs_list_has_u16(span list, uint16_t v);
/* The handshake message type's name, "ClientHello" etc., or "unknown". */
const char *hs_message_name(uint8_t type);

#endif
