/*
 * parley.h — the whole public API of libparley, a TLS library.
 *
 * The engine is sans-I/O: it never reads or writes a socket. The caller feeds it the bytes that
 * arrived (parley_feed), takes the bytes it wants sent (parley_take), and reads and writes
 * plaintext (parley_read, parley_write). Blocking-socket helpers (parley_fd_*) sit on top.
 *
 *   parley_config *cfg = parley_config_new();
 *   parley_config_set_ca_file(cfg, "ca.pem");
 *   parley_conn *c = parley_conn_new(cfg, PARLEY_CLIENT);
 *   parley_conn_set_server_name(c, "example.com");
 *   if (parley_fd_handshake(c, fd) != PARLEY_OK)
 *       fprintf(stderr, "%s\n", parley_error_message(c));
 *   parley_fd_write(c, fd, "GET / HTTP/1.1\r\n...", n);
 *   while (parley_fd_read(c, fd, buf, sizeof buf, &got) == PARLEY_OK) fwrite(buf, 1, got, stdout);
 *   parley_fd_close(c, fd);
 *   parley_conn_free(c);
 *   parley_config_free(cfg);
 *
 * Threading: a parley_config is reference counted and becomes immutable when the first
 * connection is made from it; it may then be shared by any number of threads. A parley_conn is
 * used by one thread at a time.
 */
#ifndef PARLEY_H
#define PARLEY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PARLEY_VERSION_STRING "0.1.0"

/* Protocol versions, as on the wire. */
#define PARLEY_TLS1_0 0x0301
#define PARLEY_TLS1_1 0x0302
#define PARLEY_TLS1_2 0x0303
#define PARLEY_TLS1_3 0x0304

/* Named groups (IANA). */
#define PARLEY_GROUP_SECP256R1 0x0017
#define PARLEY_GROUP_SECP384R1 0x0018
#define PARLEY_GROUP_X25519    0x001d

typedef enum parley_role { PARLEY_CLIENT = 0, PARLEY_SERVER = 1 } parley_role;

/* Return values of the calls that drive a connection. */
enum {
    PARLEY_OK = 0,
    PARLEY_WANT_READ = -1, /* more bytes from the peer are needed: feed them */
    PARLEY_CLOSED = -2,    /* the peer sent close_notify; no more data will come */
    PARLEY_ERROR = -3,     /* the connection failed: see parley_error_* */
};

/* What kind of failure ended a connection (parley_error_code). */
typedef enum parley_err {
    PARLEY_E_NONE = 0,
    PARLEY_E_ARGUMENT,  /* the caller passed something invalid */
    PARLEY_E_MEMORY,    /* out of memory */
    PARLEY_E_CONFIG,    /* the configuration cannot work (no certificate for a server, ...) */
    PARLEY_E_IO,        /* a socket helper's read or write failed */
    PARLEY_E_DECODE,    /* the peer sent bytes that do not parse */
    PARLEY_E_PROTOCOL,  /* the peer broke the protocol (unexpected message, bad parameter) */
    PARLEY_E_NEGOTIATE, /* no common version, cipher suite, group or protocol */
    PARLEY_E_CERT,      /* the peer's certificate was rejected */
    PARLEY_E_CRYPTO,    /* a MAC, signature or Finished did not verify */
    PARLEY_E_ALERT,     /* the peer sent a fatal alert */
    PARLEY_E_EOF,       /* the transport ended without close_notify */
    PARLEY_E_INTERNAL,  /* a libcrypto call failed unexpectedly */
} parley_err;

/* Where a connection is (parley_state). */
typedef enum parley_conn_state {
    PARLEY_STATE_HANDSHAKING = 0,
    PARLEY_STATE_OPEN,   /* handshake done; application data flows */
    PARLEY_STATE_CLOSED, /* close_notify received (and possibly sent); TLS 1.3 may still write */
    PARLEY_STATE_FAILED, /* a fatal error; see parley_error_* */
} parley_conn_state;

typedef struct parley_config parley_config;
typedef struct parley_conn parley_conn;

/* ---------------------------------------------------------------------------------------------
 * Configuration. Every setter returns PARLEY_OK or PARLEY_ERROR; on error parley_config_error
 * says why. Setters fail once a connection has been created from the configuration.
 */

/* A new configuration: TLS 1.2 and 1.3, default suites and groups, peer verification on with the
 * system trust store. Never NULL unless out of memory. */
parley_config *parley_config_new(void);
/* Takes another reference; returns cfg. */
parley_config *parley_config_ref(parley_config *cfg);
/* Drops a reference; frees at zero. NULL is ignored. */
void parley_config_free(parley_config *cfg);
/* The sentence describing the last failed setter, or "". */
const char *parley_config_error(const parley_config *cfg);

/* Lowest and highest protocol version (PARLEY_TLS1_x). The default is TLS 1.2 to 1.3; TLS 1.0 and
 * 1.1 are spoken only when the minimum is lowered to them. A range outside TLS 1.0 to 1.3 is
 * refused with a reason, never narrowed silently. TLS 1.3 needs one of its suites enabled
 * (parley_config_set_ciphers): without one the highest version offered or accepted is TLS 1.2. */
int parley_config_set_versions(parley_config *cfg, uint16_t min, uint16_t max);
/* Client: send TLS_FALLBACK_SCSV (RFC 7507). Set it only on a retry with a lowered maximum
 * version after a failed attempt; a server that supports a higher version than this client
 * offers then refuses with inappropriate_fallback, defeating a forced downgrade. */
int parley_config_set_fallback_scsv(parley_config *cfg, int on);
/* TLS 1.3: after this many records under one write key, a KeyUpdate moves to the next key
 * before the next record is sent. The default and the maximum is 2^24, inside RFC 8446 5.5's
 * limit for AES-GCM; a lower value rotates keys more often. */
int parley_config_set_key_update_records(parley_config *cfg, uint64_t records);
/* Cipher suites by IANA name, comma separated, in preference order, e.g.
 * "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA". The legacy suites
 * (RC4, 3DES) are never in the default list and are enabled only by naming them here; RC4 needs
 * OpenSSL's legacy provider, and naming an RC4 suite fails with a reason when it is missing. */
int parley_config_set_ciphers(parley_config *cfg, const char *list);
/* Key exchange groups, comma separated, preference order: "x25519,secp256r1,secp384r1"
 * ("P-256" and "P-384" are accepted too). */
int parley_config_set_groups(parley_config *cfg, const char *list);
/* Client, TLS 1.3: the groups whose key shares the first ClientHello carries, comma separated,
 * each one of the groups above (at most 3). By default the first group and the first of another
 * kind: x25519 and P-256 with the default groups. A server that wants a group with no share
 * asks for it with a HelloRetryRequest, which costs a round trip. */
int parley_config_set_key_shares(parley_config *cfg, const char *list);
/* ALPN protocols, comma separated, preference order: "h2,http/1.1"; each name at most 63 bytes.
 * A server with ALPN set answers a client that offers only other protocols with
 * no_application_protocol. */
int parley_config_set_alpn(parley_config *cfg, const char *list);
/* Server: pick the suite by the server's order (1, default) or the client's (0). */
int parley_config_set_server_preference(parley_config *cfg, int server_order);

/* A certificate chain (PEM, leaf first) and its private key (PEM). A server may have several
 * (RSA and ECDSA); it picks one the client can use. The key is checked against the leaf. */
int parley_config_add_certificate(parley_config *cfg, const char *chain_file, const char *key_file);
int parley_config_add_certificate_pem(parley_config *cfg, const char *chain_pem, size_t chain_len,
                                      const char *key_pem, size_t key_len);

/* Trust anchors used to verify the peer: a PEM file, a hashed directory, or both. Without
 * either, the system store is used. */
int parley_config_set_ca_file(parley_config *cfg, const char *file);
int parley_config_set_ca_dir(parley_config *cfg, const char *dir);
/* Client: verify the server's chain and name (1, default) or not (0: explicit opt-out). */
int parley_config_set_verify(parley_config *cfg, int verify);
/* Verified-chain cache: a peer chain that verified is remembered, so that meeting the same chain
 * again (a client reconnecting to a server, a server seeing a client certificate again) skips
 * parsing the certificates and path validation. Up to entries chains (0: off; default
 * PARLEY_VERIFY_CACHE_DEFAULT; at most 4096), least recently used out. An entry answers only the
 * exact same certificate list, for the same role and the same name to check; only while every
 * certificate of the verified chain is within its validity dates; and for at most 300 seconds,
 * after which the chain is verified afresh. Failed verifications and connections with
 * verification off are never cached. The peer's subject and key, and the trace, read the same
 * either way (the trace step says "certificate chain verified (cached)"). */
#define PARLEY_VERIFY_CACHE_DEFAULT 64
int parley_config_set_verify_cache(parley_config *cfg, int entries);

/* Client certificates (mutual authentication).
 *
 * Server: whether to ask the client for a certificate (CertificateRequest). A client that sends
 * one must chain to a CA of parley_config_set_client_ca_file, be within its validity, allow TLS
 * client authentication in its key usage, have a strong enough key, and prove it holds the key
 * (CertificateVerify). */
typedef enum parley_client_auth {
    PARLEY_CLIENT_AUTH_NONE = 0, /* do not ask (the default) */
    PARLEY_CLIENT_AUTH_OPTIONAL, /* ask; a client without one connects unauthenticated */
    PARLEY_CLIENT_AUTH_REQUIRED, /* ask; a client without one fails with handshake_failure */
} parley_client_auth;
int parley_config_set_client_auth(parley_config *cfg, parley_client_auth mode);
/* Server: the CAs (PEM) that may issue client certificates; needed when client auth is on.
 * announce_names 1: CertificateRequest lists their subjects so a client can pick; 0: an empty
 * list (any certificate may be offered, still verified against these CAs). */
int parley_config_set_client_ca_file(parley_config *cfg, const char *file, int announce_names);

/* Client: the certificates of parley_config_add_certificate are offered for client
 * authentication. When a server asks, parley sends the first that fits the request (issued under
 * one of the names it lists, a key type it accepts and, in TLS 1.2, a signature algorithm it
 * accepts), or an empty Certificate when none does. A callback may decide instead: it returns
 * the index (in the order added) of the certificate to send, PARLEY_CERT_NONE, or
 * PARLEY_CERT_AUTO; or it supplies one made on demand with parley_conn_use_certificate_pem (or
 * parley_conn_use_certificate_signer, for a key held elsewhere), which is then sent. */
#define PARLEY_CERT_NONE (-1)
#define PARLEY_CERT_AUTO (-2)
typedef struct parley_cert_request parley_cert_request;
typedef int (*parley_client_cert_fn)(parley_conn *conn, const parley_cert_request *request,
                                     void *arg);
int parley_config_set_client_cert_callback(parley_config *cfg, parley_client_cert_fn fn, void *arg);
/* The CA names the server listed: count, and the DER of name i. */
size_t parley_cert_request_name_count(const parley_cert_request *request);
const uint8_t *parley_cert_request_name_der(const parley_cert_request *request, size_t i,
                                            size_t *len);
/* Whether the request accepts a key of this kind: "RSA" or "EC". */
int parley_cert_request_accepts(const parley_cert_request *request, const char *key_kind);
/* Inside the callback: a chain (PEM, leaf first) and its key to send on this connection.
 * PARLEY_ERROR if they do not load (no certificate, no key, a key that does not match the leaf);
 * the handshake then fails with internal_error and parley_error_message says why, rather than
 * going on without the certificate the application meant to send. */
int parley_conn_use_certificate_pem(parley_conn *conn, const char *chain_pem, size_t chain_len,
                                    const char *key_pem, size_t key_len);

/* Signing with a key parley never sees (a smart card, a TPM, an HSM, another process): the
 * signer signs data - the message itself, not a digest - as TLS signature scheme `scheme`
 * requires, writes the signature into sig (*sig_len is its capacity on entry, the signature's
 * length on return) and returns 0, or -1 on failure. It is called once per handshake, from inside
 * parley_feed/parley_handshake, with the handshake transcript as data. The schemes it is asked
 * for depend on the leaf's key and the version:
 *   TLS 1.2:  what the server accepts and the key fits, e.g. 0x0804 rsa_pss_rsae_sha256,
 *             0x0401 rsa_pkcs1_sha256, 0x0403 ecdsa_secp256r1_sha256 (DER ECDSA signature);
 *   TLS 1.0/1.1 with an RSA key: PARLEY_SIG_RSA_PKCS1_MD5_SHA1;
 *   TLS 1.0/1.1 with an EC key: 0x0203 ecdsa_sha1 (ECDSA over SHA-1 of data, DER). */
typedef int (*parley_sign_fn)(void *arg, uint16_t scheme, const uint8_t *data, size_t len,
                              uint8_t *sig, size_t *sig_len);
/* Not a TLS SignatureScheme (it is never sent; 0xff01 is in the private range): the RSA signature
 * of TLS 1.0/1.1 (RFC 2246 7.4.3), PKCS#1 v1.5 padding of the 36 bytes MD5(data) || SHA-1(data)
 * with no DigestInfo - what a token calls a raw PKCS#1 (CKM_RSA_PKCS) signature of those bytes,
 * or libcrypto's "MD5-SHA1" digest with RSA_PKCS1_PADDING. */
#define PARLEY_SIG_RSA_PKCS1_MD5_SHA1 0xff01
/* Inside the callback: a chain (PEM, leaf first) whose key only sign can use. The chain is sent
 * and sign is called for CertificateVerify; a signer that fails fails the handshake with
 * internal_error. PARLEY_ERROR, with the same consequence as for parley_conn_use_certificate_pem,
 * if the chain does not load. */
int parley_conn_use_certificate_signer(parley_conn *conn, const char *chain_pem, size_t chain_len,
                                       parley_sign_fn sign, void *arg);

/* Keep the peer's certificate chain (DER) on the connection after the handshake, for
 * parley_peer_certificate (off by default: it costs the chain's size per connection). */
int parley_config_set_keep_peer_chain(parley_config *cfg, int keep);

/* ---------------------------------------------------------------------------------------------
 * Connections.
 */

/* A connection in the given role. Freezes cfg and takes a reference to it. NULL if cfg cannot
 * serve that role (parley_config_error says why) or out of memory. */
parley_conn *parley_conn_new(parley_config *cfg, parley_role role);
/* Frees the connection and wipes its secrets. NULL is ignored. */
void parley_conn_free(parley_conn *conn);

/* Client: the name sent in SNI and verified against the certificate. An IP address literal is
 * verified against IP SANs and not sent as SNI. */
int parley_conn_set_server_name(parley_conn *conn, const char *name);
/* Client: verify the certificate against this name instead of the server name. */
int parley_conn_set_verify_name(parley_conn *conn, const char *name);

/* ---------------------------------------------------------------------------------------------
 * Sans-I/O driving.
 */

/* Gives the engine bytes received from the peer. Returns how many were accepted; fewer than len
 * when decrypted data is waiting to be read (read it, then feed the rest). The bytes are
 * processed at once: handshake messages advance the handshake, output may become pending. */
size_t parley_feed(parley_conn *conn, const void *data, size_t len);
/* Tells the engine the transport ended (EOF). */
void parley_feed_eof(parley_conn *conn);
/* Copies up to cap pending output bytes into buf and removes them; returns the count. */
size_t parley_take(parley_conn *conn, void *buf, size_t cap);
/* Bytes waiting to be sent. */
size_t parley_output_pending(const parley_conn *conn);

/* Advances the handshake: PARLEY_OK once complete, PARLEY_WANT_READ when it waits for the peer
 * (take the pending output and send it first), PARLEY_ERROR on failure. A client's first call
 * produces its ClientHello. */
int parley_handshake(parley_conn *conn);
/* Encrypts up to len bytes of application data into pending output and sets *written. It stops
 * early once a large amount of output is pending (take it and call again). In TLS 1.3 a peer's
 * close_notify ends only its direction (RFC 8446 6.1), so writing goes on in
 * PARLEY_STATE_CLOSED until parley_close; before TLS 1.3 it ends the connection. */
int parley_write(parley_conn *conn, const void *data, size_t len, size_t *written);
/* Reads decrypted application data: PARLEY_OK with *got > 0, PARLEY_WANT_READ, PARLEY_CLOSED
 * after the peer's close_notify, or PARLEY_ERROR. */
int parley_read(parley_conn *conn, void *buf, size_t cap, size_t *got);
/* Queues a close_notify alert. */
int parley_close(parley_conn *conn);
/* TLS 1.3: sends a KeyUpdate and switches to the next write key; with request_peer the peer is
 * asked to update its own (RFC 8446 4.6.3). PARLEY_ERROR before TLS 1.3 or when not open. */
int parley_key_update(parley_conn *conn, int request_peer);

parley_conn_state parley_state(const parley_conn *conn);

/* ---------------------------------------------------------------------------------------------
 * Errors: what failed, which alert was involved, and a sentence with the specifics.
 */
parley_err parley_error_code(const parley_conn *conn);
/* The alert number involved (-1 if none); *sent is 1 if we sent it, 0 if the peer did. */
int parley_error_alert(const parley_conn *conn, int *sent);
/* e.g. "certificate for www.example.com does not match requested name api.example.com". */
const char *parley_error_message(const parley_conn *conn);
/* "handshake_failure" for 40, and so on; "unknown" otherwise. */
const char *parley_alert_name(int alert);

/* ---------------------------------------------------------------------------------------------
 * What was negotiated (valid once the handshake completed; 0 or "" before).
 */
uint16_t parley_version(const parley_conn *conn);
const char *parley_version_name(uint16_t version); /* "TLSv1.2" */
uint16_t parley_cipher_suite(const parley_conn *conn);
const char *parley_cipher_suite_name(uint16_t suite);    /* IANA name, or NULL if unknown */
uint16_t parley_group(const parley_conn *conn);          /* 0 for RSA key exchange */
const char *parley_group_name(uint16_t group);           /* "x25519", "secp256r1", ... */
const char *parley_alpn(const parley_conn *conn);        /* "" if none */
const char *parley_server_name(const parley_conn *conn); /* SNI sent (client) or received */
/* Session ID of this connection's session; returns its length (0..32). */
size_t parley_session_id(const parley_conn *conn, uint8_t out[32]);
/* The verified peer's leaf subject, one line ("CN=www.example.com, O=Example"), or "". */
const char *parley_peer_subject(const parley_conn *conn);
/* The peer's leaf key: "RSA-2048", "EC-P256", ... or "". */
const char *parley_peer_key(const parley_conn *conn);
/* 1 if the peer authenticated with a certificate that verified (always, for a server's peer
 * when verification is on; for a client's only when it sent one that passed), else 0. */
int parley_peer_authenticated(const parley_conn *conn);
/* With parley_config_set_keep_peer_chain: the number of certificates the peer sent, and the DER
 * of certificate i (0 = leaf), valid while the connection lives. */
size_t parley_peer_certificate_count(const parley_conn *conn);
const uint8_t *parley_peer_certificate(const parley_conn *conn, size_t i, size_t *len);

/* ---------------------------------------------------------------------------------------------
 * Session resumption (TLS 1.0-1.2): a later connection reuses an earlier session's master secret
 * in an abbreviated handshake (RFC 5246 7.3, no certificate and no public-key operation). The
 * server finds the session by its session ID in a session cache, or decrypts it from a session
 * ticket the client kept (RFC 5077). A session resumes only at the same version, with a suite
 * the client still offers, the same server name and the same extended-master-secret state
 * (RFC 7627); otherwise the handshake is a full one. A session whose connection ended with a
 * fatal alert is removed and never resumes.
 */

/* A session cache: where a server keeps its sessions by session ID, and where a client keeps its
 * sessions by peer (the server name, or parley_conn_set_session_key). The values are parley's
 * serialized sessions: opaque, versioned bytes that hold the master secret, so a cache shared
 * between machines must be reachable only by them. Every method may be called from any thread
 * at once. A failing backend only costs a full handshake. */
typedef struct parley_session_cache_methods {
    /* Stores value under key for lifetime seconds, replacing an older value. 0, or -1. */
    int (*put)(void *arg, const uint8_t *key, size_t key_len, const uint8_t *value,
               size_t value_len, uint32_t lifetime);
    /* Copies the value under key into out (cap bytes) and returns its length; 0 when there is
     * none (or it expired, or it is longer than cap); -1 when the backend failed. */
    int (*get)(void *arg, const uint8_t *key, size_t key_len, uint8_t *out, size_t cap);
    /* Removes the value under key, if any. */
    void (*remove)(void *arg, const uint8_t *key, size_t key_len);
    /* Frees arg when the cache's last reference goes. May be NULL. */
    void (*free)(void *arg);
} parley_session_cache_methods;
typedef struct parley_session_cache parley_session_cache;
/* A cache over the application's methods (copied). */
parley_session_cache *parley_session_cache_new(const parley_session_cache_methods *methods,
                                               void *arg);
/* The embedded cache: in this process, thread-safe, at most max_entries (least recently used
 * evicted first), entries expiring after their lifetime. */
parley_session_cache *parley_session_cache_memory(size_t max_entries);
/* Receives a warning sentence from a backend (Redis unreachable, ...). */
typedef void (*parley_log_fn)(const char *message, void *arg);
/* A cache in Redis, shared by a fleet: url is "redis://HOST:PORT". Entries are stored with their
 * expiry set on the Redis side. No call waits longer than timeout_ms; while Redis is down or
 * slow, lookups miss (full handshakes), warn says so once per outage, and it is retried at most
 * once a second. NULL only for a malformed url. */
parley_session_cache *parley_session_cache_redis(const char *url, int timeout_ms,
                                                 parley_log_fn warn, void *warn_arg);
/* Drops a reference (configurations hold their own); frees at zero. NULL is ignored. */
void parley_session_cache_free(parley_session_cache *cache);

/* The cache a server stores its sessions in and a client keeps its sessions in (the
 * configuration takes a reference; NULL: none). A server has an embedded cache of 20480 entries
 * unless this is set. */
int parley_config_set_session_cache(parley_config *cfg, parley_session_cache *cache);
/* How long a session may be resumed, in seconds (default 300). */
int parley_config_set_session_lifetime(parley_config *cfg, unsigned seconds);
/* Session tickets (RFC 5077), on by default. Server: issue tickets to clients that ask, sealed
 * with AES-256-GCM under a key that changes every rotate_seconds; tickets sealed under the
 * previous keys still open until their sessions expire. Client: ask for one and offer it. */
int parley_config_set_session_tickets(parley_config *cfg, int on);
/* Server: derive the ticket keys from the secret in file (64 hex digits, generated with e.g.
 * `openssl rand -hex 32`) instead of a random one, so every server given the same file seals
 * and opens the same tickets. The key in use is chosen by the clock (one per rotate_seconds
 * period, default 3600 when 0), so a fleet rotates together without talking. */
int parley_config_set_ticket_key_file(parley_config *cfg, const char *file,
                                      unsigned rotate_seconds);

/* A client's session, to resume in a later connection (even in a later process). */
typedef struct parley_session parley_session;
/* The session of a client connection whose handshake completed, or NULL (a server that gave
 * neither a session ID nor a ticket). Free it with parley_session_free. */
parley_session *parley_conn_get_session(const parley_conn *conn);
/* Client, before the handshake: offer this session (copied). If the server declines, the
 * handshake is a full one and gives a new session. */
int parley_conn_set_session(parley_conn *conn, const parley_session *session);
/* Client: the key under which the configuration's session cache keeps this connection's session
 * (default: the server name). Use "host:port" when one name serves several ports. */
int parley_conn_set_session_key(parley_conn *conn, const char *key);
/* 1 if this connection's handshake resumed a session (abbreviated), else 0. */
int parley_session_resumed(const parley_conn *conn);
/* Serialized form, for keeping a session across processes. It holds the master secret: store it
 * as you would a private key. Returns the length (writing at most cap bytes; call with cap 0 to
 * learn it). */
size_t parley_session_export(const parley_session *session, uint8_t *out, size_t cap);
/* A session from parley_session_export's bytes; NULL if they do not parse. */
parley_session *parley_session_import(const uint8_t *data, size_t len);
/* Wipes and frees. NULL is ignored. */
void parley_session_free(parley_session *session);

/* ---------------------------------------------------------------------------------------------
 * 0-RTT early data (TLS 1.3, RFC 8446 2.3, 4.2.10, 8): a client resuming a session from a ticket
 * sends application data right after its ClientHello, before any answer from the server.
 *
 * Early data is replayable in principle. It is not protected by the fresh key exchange, and an
 * attacker who recorded it can send the same ClientHello and data again, to this server or to
 * another that shares its ticket keys. parley's server accepts a ticket's early data at most
 * once per configuration (a bounded single-use store, RFC 8446 8.1), only when the ticket's age
 * matches the time since it was issued within 10 s (8.3), and refuses it when the store cannot
 * record the ticket; a fleet sharing ticket keys still has one store per process. Act on early
 * data only where doing it twice is harmless (an idempotent GET, not a payment).
 *
 * Server: off by default. A server that does not accept early data (off, a full handshake, a
 * HelloRetryRequest, a replayed or stale ticket, another suite or ALPN protocol) skips the
 * client's 0-RTT records, up to max_early_data_size bytes (16384 when off), and completes the
 * handshake in one round trip; the client must then send the data again.
 */

/* Server: accept 0-RTT, and say so in NewSessionTickets, with up to max_bytes of early data
 * per connection; 0 (the default) turns it off. */
int parley_config_set_early_data(parley_config *cfg, uint32_t max_bytes);

/* What became of early data on a connection (parley_early_data_status). */
typedef enum parley_early_data {
    PARLEY_EARLY_DATA_NONE = 0, /* none was offered (server: the client offered none) */
    PARLEY_EARLY_DATA_OFFERED,  /* client: sent; the server's answer has not come yet */
    PARLEY_EARLY_DATA_ACCEPTED, /* the server took it: the peer's application read it */
    PARLEY_EARLY_DATA_REJECTED, /* the server skipped it: nothing of it reached the peer */
} parley_early_data;
parley_early_data parley_early_data_status(const parley_conn *conn);

/* Client, before the handshake and after parley_conn_set_session (or with a session in the
 * configuration's cache): sends data as 0-RTT. The first call produces the ClientHello (with
 * the early_data extension) and the data follows it under the early traffic key; take the
 * output and send it, then drive the handshake as usual. More calls add data until the server's
 * answer arrives. *written is what was sent, at most the ticket's max_early_data_size over all
 * calls; the rest, and everything when the server rejects early data (status
 * PARLEY_EARLY_DATA_REJECTED once the handshake is done), must be sent again with parley_write
 * after the handshake: parley never resends it on its own. PARLEY_ERROR with nothing written
 * when early data cannot be sent: no TLS 1.3 session allowing it (a ticket without
 * max_early_data_size, a suite no longer enabled, another ALPN list), or the handshake is past
 * its first flight; the handshake itself goes on, in one round trip.
 *
 * Server: early data arrives through parley_read like any data, but while parley_state is
 * still PARLEY_STATE_HANDSHAKING (with status PARLEY_EARLY_DATA_ACCEPTED): whatever parley_read
 * returns before the handshake completes is 0-RTT data, everything after it is not. Feeding
 * stops while early data waits to be read (parley_feed takes fewer bytes), so read it during the
 * handshake: parley_fd_handshake returns PARLEY_WANT_READ for this. */
int parley_write_early(parley_conn *conn, const void *data, size_t len, size_t *written);

/* ---------------------------------------------------------------------------------------------
 * Tracing: an event for every record and handshake message in both directions, decoded into the
 * fields the reference diagrams show, and for internal key-schedule steps (never secret values).
 * With no callback set, tracing costs nothing.
 */
typedef enum parley_trace_kind {
    PARLEY_TRACE_RECORD = 0, /* a record crossed the wire: content_type, record_version, length */
    PARLEY_TRACE_MESSAGE,    /* a handshake message, ChangeCipherSpec, alert or application data */
    PARLEY_TRACE_STEP,       /* an internal step: "master secret derived", "client keys on" */
} parley_trace_kind;

typedef struct parley_trace_field {
    const char *name;  /* "cipher_suites", "server_name", ... */
    const char *value; /* one line of text; a list is comma separated */
} parley_trace_field;

typedef struct parley_trace_event {
    parley_trace_kind kind;
    parley_role role;        /* the role of the connection that emitted the event */
    int outgoing;            /* 1: sent by that connection; 0: received by it */
    uint64_t time_us;        /* microseconds since the connection was created */
    uint8_t content_type;    /* 20 ChangeCipherSpec, 21 Alert, 22 Handshake, 23 ApplicationData */
    uint16_t record_version; /* RECORD events: the version in the record header */
    size_t length;           /* RECORD: fragment length; MESSAGE: body length */
    uint8_t handshake_type;  /* MESSAGE events of content type 22 */
    const char *name;        /* "ClientHello", "Alert", "ApplicationData", or the step */
    const parley_trace_field *fields;
    size_t field_count;
} parley_trace_event;

/* Called synchronously from inside parley_feed/parley_handshake/parley_write; the event and
 * its strings are valid only during the call. */
typedef void (*parley_trace_fn)(const parley_trace_event *event, void *arg);

/* A callback for every connection made from cfg (fn NULL: off). */
int parley_config_set_trace(parley_config *cfg, parley_trace_fn fn, void *arg);
/* A callback for this connection only, overriding the configuration's. */
int parley_conn_set_trace(parley_conn *conn, parley_trace_fn fn, void *arg);

/* A trace log collects events (deep copies) from one or more connections and renders them as
 * the reference documents draw a handshake: client lane on the left, server lane on the right,
 * one arrow per message with its fields beneath, grouped by the records that carried them.
 * When the log holds both sides of a connection (a client and a server in one process), each
 * message is drawn once, from its sender's event. Adding is thread-safe. */
typedef struct parley_trace_log parley_trace_log;

typedef enum parley_trace_format {
    PARLEY_TRACE_TEXT = 0, /* a time diagram for terminals */
    PARLEY_TRACE_JSON,     /* one JSON object per event per line */
    PARLEY_TRACE_HTML,     /* a self-contained page with an SVG sequence diagram */
} parley_trace_format;

parley_trace_log *parley_trace_log_new(void);
void parley_trace_log_free(parley_trace_log *log);
/* A parley_trace_fn: pass the log as arg to parley_config_set_trace/parley_conn_set_trace. */
void parley_trace_log_add(const parley_trace_event *event, void *log);
size_t parley_trace_log_count(const parley_trace_log *log);
/* Event i (0 = first), valid until the log is freed. */
const parley_trace_event *parley_trace_log_get(const parley_trace_log *log, size_t i);
/* Renders the log to out. title heads the diagram; color (TEXT only) adds ANSI colours. */
int parley_trace_log_write(const parley_trace_log *log, parley_trace_format format, FILE *out,
                           const char *title, int color);

/* Key logging for debugging with Wireshark: fn receives one line in the NSS key log format
 * ("CLIENT_RANDOM <hex> <hex>", no newline) for every session. Anyone holding these lines can
 * decrypt the traffic: enable only for debugging. */
typedef void (*parley_keylog_fn)(const char *line, void *arg);
int parley_config_set_keylog(parley_config *cfg, parley_keylog_fn fn, void *arg);

/* ---------------------------------------------------------------------------------------------
 * Blocking-socket helpers: loop parley_feed/parley_take over a connected socket fd.
 */
/* PARLEY_OK once the handshake completed, PARLEY_ERROR, or (a server accepting 0-RTT only)
 * PARLEY_WANT_READ when early data waits to be read: read it with parley_read, then call again. */
int parley_fd_handshake(parley_conn *conn, int fd);
int parley_fd_write(parley_conn *conn, int fd, const void *data, size_t len);
/* PARLEY_OK with *got > 0, PARLEY_CLOSED, or PARLEY_ERROR. On a non-blocking socket (O_NONBLOCK)
 * it returns PARLEY_WANT_READ once the socket holds no more bytes: a TLS 1.3 NewSessionTicket or
 * KeyUpdate carries no data, so a caller that polled for readability must not then block. Writes
 * on such a socket wait until it takes them. */
int parley_fd_read(parley_conn *conn, int fd, void *buf, size_t cap, size_t *got);
/* Sends close_notify and flushes it. */
int parley_fd_close(parley_conn *conn, int fd);

#ifdef __cplusplus
}
#endif
#endif
