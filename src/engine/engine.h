/*
 * The inside of parley_config and parley_conn, shared by the engine (src/engine/) and the
 * handshake state machines (src/handshake/). Nothing here is public.
 */
#ifndef PARLEY_ENGINE_H
#define PARLEY_ENGINE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parley.h"

#include "../crypto/crypto.h"
#include "../handshake/suites.h"
#include "../record/record.h"
#include "../x509/x509.h"

#define CONFIG_MAX_CERTS      4
#define CONFIG_MAX_GROUPS     8
#define CONFIG_MAX_SIGALGS    16
#define CONFIG_MAX_KEY_SHARES 3
#define CONFIG_ALPN_MAX       256 /* wire-form ProtocolNameList */
/* One protocol name: registered ones are a few bytes; the cap keeps idle connections small. */
#define CONFIG_ALPN_NAME_MAX 63

/* One certificate chain of ours, with its Certificate message encoded once at load time. */
typedef struct config_cert {
    x509_chain *chain;
    crypto_key_type key_type;
    uint8_t *certificate_msg; /* the whole handshake message, header included */
    size_t certificate_msg_len;
    uint8_t *certificate13_msg; /* the same in TLS 1.3 form, with an empty context */
    size_t certificate13_msg_len;
} config_cert;

struct parley_config {
    atomic_int refs;
    atomic_bool frozen;
    pthread_mutex_t freeze_lock;

    uint16_t min_version, max_version;
    uint16_t suites[SUITE_MAX];
    size_t n_suites;
    uint16_t groups[CONFIG_MAX_GROUPS];
    size_t n_groups;
    uint16_t key_shares[CONFIG_MAX_KEY_SHARES]; /* client: groups of the first key_share */
    size_t n_key_shares;
    uint16_t sigalgs[CONFIG_MAX_SIGALGS];
    size_t n_sigalgs;
    uint8_t alpn[CONFIG_ALPN_MAX]; /* wire form: u8-prefixed names */
    size_t alpn_len;
    bool server_preference;
    bool fallback_scsv; /* client: this is a fallback retry (RFC 7507) */

    config_cert certs[CONFIG_MAX_CERTS];
    size_t n_certs;

    char *ca_file, *ca_dir;
    bool verify;
    x509_trust *trust; /* loaded when the configuration is frozen */

    /* Client certificates. Server: what to ask for and whom to trust; loaded when frozen. */
    parley_client_auth client_auth;
    char *client_ca_file;
    bool client_ca_announce;
    x509_trust *client_trust;
    uint8_t *client_ca_names; /* CertificateRequest's DistinguishedName list, wire form */
    size_t client_ca_names_len;
    /* Client: who decides which certificate answers a request. */
    parley_client_cert_fn client_cert_fn;
    void *client_cert_arg;
    bool keep_peer_chain;
    /* Peer chains that verified, so meeting one again skips parsing and X509_verify_cert (both
     * roles; made when frozen, when this side verifies and verify_cache_entries > 0). */
    size_t verify_cache_entries;
    struct x509_verify_cache *verify_cache;

    /* Session resumption. The server's cache and ticket keys are made when frozen unless set. */
    parley_session_cache *session_cache;
    bool session_cache_set; /* set by the application (possibly to none) */
    uint32_t session_lifetime;
    bool tickets;
    uint64_t key_update_records; /* TLS 1.3: records under one write key before a KeyUpdate */
    char *ticket_key_file;
    unsigned ticket_rotate;
    struct ticket_keys *ticket_keys;
    /* Server, TLS 1.3 0-RTT: the max_early_data_size tickets allow (0: off), and the store that
     * lets each ticket's early data in once (made when frozen, only when on). */
    uint32_t early_data_max;
    struct early_replay *early_replay;

    /* Wire forms of the lists above, encoded once when the configuration is frozen. */
    uint8_t wire_suites[2 * (SUITE_MAX + 1)]; /* + TLS_FALLBACK_SCSV */
    size_t wire_suites_len;
    uint8_t wire_groups[2 * CONFIG_MAX_GROUPS];
    size_t wire_groups_len;
    uint8_t wire_sigalgs[2 * CONFIG_MAX_SIGALGS];
    size_t wire_sigalgs_len;

    parley_trace_fn trace_fn;
    void *trace_arg;
    parley_keylog_fn keylog_fn;
    void *keylog_arg;

    char error[256];
};

/* The highest version cfg can speak: max_version, but TLS 1.2 when no TLS 1.3 suite is enabled.
 * Offers, negotiation and the downgrade sentinel all go by this one. */
uint16_t config_max_version(const parley_config *cfg);

/* Freezes cfg for use by a connection in role: loads the trust store once. 0 or -1 (with
 * cfg->error set). Thread-safe. */
int config_freeze(parley_config *cfg, parley_role role);

#define CONN_ERROR_MAX 256
/* The largest post-handshake message accepted (a NewSessionTicket with its ticket). */
#define POST_HANDSHAKE_MAX (1u << 17)

struct hs_state; /* src/handshake/handshake.h */

/* What a server's CertificateRequest asked for, as the client certificate callback sees it. */
struct parley_cert_request {
    const uint8_t *names; /* DistinguishedName list, wire form */
    size_t names_len;
    bool rsa, ec; /* certificate types accepted */
};

struct parley_conn {
    parley_config *cfg;
    parley_role role;
    parley_conn_state state;

    /* Input: the record being received. The buffer exists only while a record is in flight or
     * its decrypted application data waits to be read. */
    uint8_t header[RECORD_HEADER_LEN];
    size_t header_len;
    uint8_t *record;    /* header + fragment, allocated when the header arrives */
    size_t record_len;  /* bytes received so far, header included */
    size_t record_need; /* header + fragment length */
    const uint8_t *app; /* undelivered application data inside record */
    size_t app_len;

    /* Output waiting to be taken. Allocated while non-empty. */
    uint8_t *out;
    size_t out_len, out_off, out_cap;

    record_state read, write;

    struct hs_state *hs; /* exists only during the handshake */

    /* What was negotiated. */
    uint16_t version, suite, group;
    uint16_t record_version;             /* version put in the headers of records we send */
    char alpn[CONFIG_ALPN_NAME_MAX + 1]; /* always one of ours, so its length is bounded */
    char server_name[256];
    uint8_t session_id[32];
    size_t session_id_len;
    parley_session *session; /* client, during the handshake: the session offered */
    uint8_t *session_bytes;  /* client, after it: the established session, serialized */
    size_t session_bytes_len;
    char *session_key; /* client: its key in the configuration's session cache */
    char peer_subject[X509_NAME_MAX];
    char peer_key[32];
    uint8_t *peer_chain; /* with keep_peer_chain: the peer's certificate_list, wire form */
    size_t peer_chain_len;
    x509_chain *own_cert;    /* client: a certificate supplied on demand by the callback */
    parley_sign_fn own_sign; /* client: signs for own_cert, whose key is only public; or NULL */
    void *own_sign_arg;
    char *verify_name; /* client: name the certificate must match */

    /* The flags, side by side so that they pack (an idle connection has a 4 KiB budget). */
    bool resumed;
    bool session_stored;  /* server: this session is in the cache under session_id */
    uint8_t early_status; /* a parley_early_data: what became of 0-RTT (early13.c) */
    bool peer_authenticated;
    /* client: the callback's certificate did not load; the reason is in error_message until
     * the handshake fails with it */
    bool own_cert_failed;
    bool send_sni; /* client: server_name is a host name (not an IP literal) */
    bool close_sent, close_received, eof;
    bool key_update_due; /* TLS 1.3: the peer asked for one: ours goes before our next record */
    bool error_alert_sent;

    /* TLS 1.3 after the handshake: the traffic secrets a KeyUpdate moves on, and the client's
     * resumption master secret for the NewSessionTickets to come. hash13 is their hash. */
    uint8_t read_secret[CRYPTO_MAX_HASH], write_secret[CRYPTO_MAX_HASH];
    uint8_t res_master[CRYPTO_MAX_HASH];
    crypto_hash_alg hash13;
    /* For the trace: the TLS 1.3 traffic keys protecting reading [0] and writing [1]. */
    uint32_t epoch13[2];
    uint8_t *post_msg; /* a post-handshake message arriving in pieces */
    size_t post_len;
    /* With a key log only (so an idle connection without one pays a pointer): the 32-byte client
     * random a KeyUpdate's CLIENT/SERVER_TRAFFIC_SECRET_N line needs once the handshake state is
     * gone (N is the direction's epoch13 past EPOCH13_APPLICATION). */
    uint8_t *keylog_random;

    parley_trace_fn trace_fn; /* NULL: tracing off */
    void *trace_arg;
    uint64_t created_us;

    parley_err error;
    int error_alert; /* error_alert_sent (above) says whether we sent it */
    /* CONN_ERROR_MAX bytes, allocated by the first failure: a connection that never fails
     * (nearly all) does not carry the buffer while idle. NULL after a failure means that
     * allocation failed too (parley_error_message then says "out of memory"). */
    char *error_message;
};

/* Values of parley_conn.epoch13: none, the early (0-RTT) traffic keys, the handshake traffic
 * keys, the first application traffic keys; each KeyUpdate adds one. */
#define EPOCH13_NONE        0
#define EPOCH13_EARLY       1
#define EPOCH13_HANDSHAKE   2
#define EPOCH13_APPLICATION 3

/* The handshake completed (the connection may have been closed since). */
static inline bool conn_established(const parley_conn *c)
{
    return c != NULL && (c->state == PARLEY_STATE_OPEN || c->state == PARLEY_STATE_CLOSED);
}

/* TLS alert descriptions used by the engine. */
#define ALERT_CLOSE_NOTIFY            0
#define ALERT_UNEXPECTED_MESSAGE      10
#define ALERT_BAD_RECORD_MAC          20
#define ALERT_RECORD_OVERFLOW         22
#define ALERT_HANDSHAKE_FAILURE       40
#define ALERT_BAD_CERTIFICATE         42
#define ALERT_UNSUPPORTED_CERTIFICATE 43
#define ALERT_CERTIFICATE_EXPIRED     45
#define ALERT_CERTIFICATE_UNKNOWN     46
#define ALERT_ILLEGAL_PARAMETER       47
#define ALERT_UNKNOWN_CA              48
#define ALERT_DECODE_ERROR            50
#define ALERT_DECRYPT_ERROR           51
#define ALERT_PROTOCOL_VERSION        70
#define ALERT_INSUFFICIENT_SECURITY   71
#define ALERT_INTERNAL_ERROR          80
#define ALERT_INAPPROPRIATE_FALLBACK  86
#define ALERT_USER_CANCELED           90
#define ALERT_NO_RENEGOTIATION        100
#define ALERT_MISSING_EXTENSION       109
#define ALERT_UNSUPPORTED_EXTENSION   110
#define ALERT_NO_APPLICATION_PROTOCOL 120

#define ALERT_LEVEL_WARNING 1
#define ALERT_LEVEL_FATAL   2

/* Ends the connection: records the error, queues a fatal alert (alert < 0: none) and frees the
 * handshake state. Always returns -1 so callers can `return conn_fail(...)`. */
int conn_fail(parley_conn *c, parley_err err, int alert, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Queues data of the given content type as records of at most 2^14 bytes, protected by the
 * current write state. 0 or -1 (the connection has failed). */
int conn_send(parley_conn *c, uint8_t type, const uint8_t *data, size_t len);
/* Switches the read (write = 0) or write direction to keys, tracing step. 0 or -1 (failed). */
int conn_install_keys(parley_conn *c, int write, const record_keys *keys, const char *step);
/* Queues a ChangeCipherSpec and switches the write direction to keys. */
int conn_send_change_cipher_spec(parley_conn *c, const record_keys *keys);
/* Queues an alert. */
int conn_send_alert(parley_conn *c, uint8_t level, uint8_t description);

#endif
