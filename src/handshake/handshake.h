/*
 * The handshake: state that exists only while a handshake runs, the table-driven dispatch of
 * incoming messages, the transcript, and the flight of outgoing messages. The two state
 * machines (client.c, server.c) are tables of steps over this.
 */
#ifndef PARLEY_HANDSHAKE_H
#define PARLEY_HANDSHAKE_H

#include "../engine/engine.h"
#include "messages.h"

/* Largest handshake message accepted (a Certificate with a long chain is the big one). */
#define HS_MAX_MESSAGE (1u << 16)
/* Pseudo message type for ChangeCipherSpec, which has its own place in the tables. */
#define HS_CHANGE_CIPHER_SPEC 0x100

struct hs_machine;

/* One draw per side of a TLS 1.3 handshake: the client's random, legacy session ID and X25519
 * private key; the server's random, X25519 private key and ticket age_add. */
#define HS_RANDOM_POOL 96

typedef struct hs_state {
    const struct hs_machine *machine; /* the role's TLS 1.0-1.2 machine, or its TLS 1.3 one */
    int state;                        /* a state of that machine */

    /* Incoming handshake bytes until a whole message is there. */
    uint8_t *msg;
    size_t msg_len, msg_cap;

    /* The transcript: raw bytes (needed until the PRF hash is known, and for
     * CertificateVerify), and the running PRF hash once the suite is chosen. */
    uint8_t *transcript;
    size_t transcript_len, transcript_cap;
    crypto_hash *hash;

    /* Outgoing messages of the current flight, sent as few records as possible. */
    uint8_t *flight;
    size_t flight_cap;
    writer out;

    const suite_info *suite;
    crypto_hash_alg prf; /* PRF and transcript hash: the suite's in TLS 1.2, MD5+SHA-1 before */
    uint8_t client_random[32], server_random[32];
    /* Random bytes drawn in one call for the handshake's random values (hs_random); the last
     * random_left of them are still unused, the rest already wiped. */
    uint8_t random_pool[HS_RANDOM_POOL];
    size_t random_left;
    uint16_t client_version; /* ClientHello.client_version: checked in the RSA pre-master */
    uint16_t offered_max;    /* client: the highest version offered (supported_versions) */
    bool ems;                /* extended master secret negotiated */
    bool client_offered_ems;
    bool secure_renegotiation;
    bool certificate_requested;
    /* Client: what the server's CertificateRequest asked for (copied: the message buffer is
     * reused), and the certificate chosen to answer it. */
    uint8_t *cr_names;
    size_t cr_names_len;
    bool cr_rsa, cr_ec;
    uint16_t cr_sigalgs[32];
    size_t n_cr_sigalgs;
    /* Server: a client certificate arrived, so a CertificateVerify must follow. */
    bool client_certificate;

    /* Resumption. */
    bool resumed;             /* abbreviated handshake: the master secret came from a session */
    bool ticket_expected;     /* client: the server will send NewSessionTicket */
    bool issue_ticket;        /* server: send a NewSessionTicket before our ChangeCipherSpec */
    uint64_t session_created; /* the session's creation time (kept when a ticket is renewed) */
    uint8_t offered_id[32];   /* client: the session ID sent in ClientHello */
    size_t offered_id_len;
    uint8_t *new_ticket; /* client: the ticket of the NewSessionTicket, kept with the session */
    size_t new_ticket_len;
    uint32_t new_ticket_lifetime;

    /* The message being handled, for steps that add it to the transcript themselves. */
    const uint8_t *current;
    size_t current_len;

    const config_cert *cert; /* server: the chain chosen for this client */
    uint16_t sig_scheme;     /* server: scheme used in ServerKeyExchange */
    crypto_kex *kex;
    crypto_key *peer_key; /* the peer's leaf key */
    uint8_t pms[CRYPTO_MAX_KEX_SECRET > 48 ? CRYPTO_MAX_KEX_SECRET : 48];
    size_t pms_len;
    uint8_t master_secret[48];
    crypto_prf_key *master_prf; /* the PRF keyed with master_secret: key block and Finished */
    record_keys client_keys, server_keys;
    bool keys_ready;

    /* TLS 1.3 (client13.c, server13.c, hs13.c). Secrets are crypto_hash_size(hs->prf) bytes. */
    crypto_kex *shares[CONFIG_MAX_KEY_SHARES]; /* client: the key shares offered */
    uint16_t share_groups[CONFIG_MAX_KEY_SHARES];
    size_t n_shares;
    bool hrr;           /* a HelloRetryRequest was sent (server) or received (client) */
    uint16_t hrr_group; /* the group it asked for */
    uint16_t hrr_suite; /* the suite it named: the ServerHello must repeat it */
    uint8_t *cookie;    /* client: to echo; server: what it sent */
    size_t cookie_len;
    bool compat_ccs_sent; /* middlebox compatibility: our one dummy ChangeCipherSpec is out */
    bool key_change;      /* the message just handled changed keys: nothing may follow it */
    uint8_t secret13[CRYPTO_MAX_HASH]; /* the running secret: early, handshake, then master */
    uint8_t c_hs_traffic[CRYPTO_MAX_HASH], s_hs_traffic[CRYPTO_MAX_HASH];
    uint8_t psk[CRYPTO_MAX_HASH]; /* the resumption PSK offered (client) or accepted (server) */
    size_t psk_len;
    bool psk_offered, psk_accepted;
    uint16_t psk_identity;    /* server: the identity accepted */
    uint8_t versions_wire[8]; /* client: supported_versions as sent */
    crypto_hash_alg psk_hash; /* the hash of the offered PSK's suite */
    uint8_t cr_context[255];  /* client: the CertificateRequest's context, echoed */
    size_t cr_context_len;

    /* 0-RTT (early13.c). */
    uint8_t early_mode;        /* EARLY13_OFF, _OPEN or _SKIP */
    uint32_t early_left;       /* bytes of early data still to be sent, read or skipped */
    const char *early_refusal; /* server: why the early data offered is not taken */
} hs_state;

typedef int (*hs_handler)(parley_conn *c, const uint8_t *body, size_t len);

/* One row of a state machine: in state, a message of msg_type is handled by handle, which sets
 * the next state. Anything without a row is an unexpected_message. The message joins the
 * transcript before the handler runs; a step with transcript_after set (Finished,
 * CertificateVerify) needs the transcript without it, and adds it itself with
 * transcript_add_current once it has checked it. */
typedef struct hs_step {
    int state;
    uint16_t msg_type;
    bool transcript_after;
    hs_handler handle;
} hs_step;

typedef struct hs_machine {
    const hs_step *steps;
    size_t count;
    int start_state; /* after the client's hello is sent, or a server's first state */
    int done_state;
    const char *(*state_name)(int state);
} hs_machine;

extern const hs_machine client_machine;
extern const hs_machine server_machine;
extern const hs_machine client13_machine;
extern const hs_machine server13_machine;

/* Starts the handshake (client: queues the ClientHello). */
int hs_start(parley_conn *c);
int client_send_hello(parley_conn *c);
/* Feeds plaintext of a handshake record. */
int hs_receive(parley_conn *c, const uint8_t *data, size_t len);
/* A ChangeCipherSpec arrived. */
int hs_receive_change_cipher_spec(parley_conn *c);
/* Frees the handshake state, wiping secrets. */
void hs_free(parley_conn *c);
/* len random bytes for one purpose (a hello random, the legacy session ID, a ticket's
 * age_add), from the handshake's pool: one generator call serves a side's whole handshake, and
 * each byte is handed out once and wiped from the pool. */
int hs_random(parley_conn *c, void *out, size_t len);
/* A fresh key pair on group for a key share, its private key from hs_random where the group
 * takes one as bytes (X25519). */
crypto_kex *hs_kex_new(parley_conn *c, uint16_t group);

/* Transcript. */
int transcript_add(parley_conn *c, const uint8_t *data, size_t len);
/* Adds the message being handled (see hs_step). */
int transcript_add_current(parley_conn *c);
/* The suite is chosen (c->version already is): records it and starts the running transcript
 * hash with the PRF hash of that suite at that version over everything so far. */
int hs_set_suite(parley_conn *c, const suite_info *suite);
/* The running hash of the transcript so far. */
int transcript_hash(parley_conn *c, uint8_t *out, size_t *out_len);

/* Flight: messages are written with the hs_write_* codecs into c->hs->out; flight_commit adds
 * the bytes written since start to the transcript; flight_send queues the flight as records. */
static inline size_t flight_mark(parley_conn *c)
{
    return c->hs->out.len;
}
int flight_commit(parley_conn *c, size_t mark, const char *what);
int flight_send(parley_conn *c);

/* Key schedule (keys.c), TLS 1.0 to 1.2. */
int keys_master_secret(parley_conn *c, const uint8_t *pms, size_t pms_len);
int keys_derive(parley_conn *c);
/* An abbreviated handshake: keys from the resumed session's master secret, already in
 * hs->master_secret, and both new randoms. */
int keys_resume(parley_conn *c);
/* Finished verify_data for the sender; role is the sender's. */
int keys_finished(parley_conn *c, parley_role sender, uint8_t out[12]);

/* The Certificate message carrying one of our chains: its length, and writing it. */
size_t hs_chain_message_len(const x509_chain *chain);
int hs_write_chain(writer *w, const x509_chain *chain);
/* The same in TLS 1.3 form, with a certificate_request_context. */
int hs_write_chain13(writer *w, const x509_chain *chain, span context);

/* ---- TLS 1.3 (hs13.c, client13.c, server13.c, resume13.c) ------------------------------ */

/* Client: the ServerHello (or HelloRetryRequest) of a server that chose TLS 1.3; hands the
 * handshake to client13_machine. The message is not yet in the transcript. */
int client13_server_hello(parley_conn *c, const hs_server_hello *sh);
/* Server: a ClientHello that negotiated TLS 1.3 (c->version is set); hands the handshake to
 * server13_machine. */
int server13_client_hello(parley_conn *c, const hs_client_hello *ch);
/* Client: the TLS 1.3 parts of a ClientHello (supported_versions, key shares, cookie, PSK
 * modes). Key shares are generated here on the first hello; after a HelloRetryRequest only the
 * requested group's. */
int client13_hello_extensions(parley_conn *c, hs_client_hello *ch, uint8_t *shares_wire,
                              size_t cap);

/* Replaces the transcript so far (ClientHello1) by its message_hash, after a HelloRetryRequest
 * (RFC 8446 4.4.1). hs->prf must be the chosen suite's hash. */
int hs13_transcript_restart(parley_conn *c);
/* After the ServerHello (in the transcript): the handshake secret from the (EC)DHE shared secret
 * (and hs->psk when accepted), both handshake traffic secrets, and the master secret. */
int hs13_handshake_keys(parley_conn *c, const uint8_t *shared, size_t shared_len);
/* After the server's Finished (in the transcript): both application traffic secrets, kept on
 * the connection for KeyUpdate, and the exporter secret (key log). */
int hs13_application_secrets(parley_conn *c);
/* After the client's Finished (in the transcript): the resumption master secret. */
int hs13_resumption_secret(parley_conn *c);
/* Installs a traffic secret as the read (dir 0) or write (dir 1) protection. epoch says which
 * keys they are, for the trace: EPOCH13_EARLY, EPOCH13_HANDSHAKE, or EPOCH13_APPLICATION (the
 * first application keys, or the next after a KeyUpdate). */
int hs13_install(parley_conn *c, int dir, const uint8_t *secret, uint32_t epoch, const char *what);
/* The same for a suite other than the connection's: a client's 0-RTT goes out under the
 * resumed session's suite before the server has chosen one. */
int hs13_install_suite(parley_conn *c, int dir, const suite_info *suite, const uint8_t *secret,
                       uint32_t epoch, const char *what);
/* Sends the one dummy ChangeCipherSpec of middlebox compatibility mode, if not sent yet. */
int hs13_send_compat_ccs(parley_conn *c);
/* Our Finished (with our handshake traffic secret) into the flight; and the peer's, checked. */
int hs13_write_finished(parley_conn *c);
int hs13_check_finished(parley_conn *c, const uint8_t *body, size_t len);
/* CertificateVerify: ours signed with chain's key (or the connection's signer, for its own
 * certificate), and the peer's checked against hs->peer_key and our signature algorithms. */
int hs13_write_certificate_verify(parley_conn *c, const x509_chain *chain, uint16_t scheme);
int hs13_check_certificate_verify(parley_conn *c, const uint8_t *body, size_t len);
/* The peer's Certificate (TLS 1.3 form), verified as hs_verify_peer does. */
int hs13_verify_certificate(parley_conn *c, const uint8_t *body, size_t len,
                            const x509_trust *trust, x509_peer_role role, const char *host,
                            x509_peer *peer, bool *empty);
/* The first of our signature schemes the peer's list allows that fits key in TLS 1.3; 0 if none. */
uint16_t hs13_choose_scheme(const parley_config *cfg, crypto_key *key, span peer_sig_algs);
/* A handshake message after the handshake (NewSessionTicket, KeyUpdate), whole. */
int hs13_post_handshake(parley_conn *c, uint8_t type, const uint8_t *body, size_t len);
/* Sends a KeyUpdate and switches our write keys to the next secret. */
int hs13_send_key_update(parley_conn *c, bool request_peer);

/* TLS 1.3 resumption (resume13.c). */
/* Client: the PSK identity of the session to offer, and the binder's size; 0 if none. */
int resume13_client_offer(parley_conn *c, hs_client_hello *ch, uint8_t *identities, size_t cap);
/* Client: fills the binder placeholder at the end of the ClientHello just written (msg, len). */
int resume13_client_bind(parley_conn *c, uint8_t *msg, size_t len);
/* Client: checks the server's selected identity; 1 resumed, 0 not, -1 failed. */
int resume13_client_accept(parley_conn *c, const hs_server_hello *sh);
/* Client: a NewSessionTicket after the handshake: keeps the session it makes resumable. */
int resume13_client_ticket(parley_conn *c, const uint8_t *body, size_t len);
/* Server: looks for an acceptable PSK in the ClientHello (in the transcript) for suite; verifies
 * its binder. 1 accepted (hs->psk set), 0 none, -1 failed (bad binder: decrypt_error). */
int resume13_server_find(parley_conn *c, const hs_client_hello *ch, const suite_info *suite);
/* Server, after the client's Finished: sends a NewSessionTicket when tickets are on. */
int resume13_server_issue(parley_conn *c);

/* TLS 1.3 0-RTT early data (early13.c, RFC 8446 4.2.10). The client sends it after its first
 * ClientHello under the client early traffic key; a server that accepts it reads it with that
 * key until EndOfEarlyData, and one that does not skips it. */
enum early13_mode {
    EARLY13_OFF = 0,
    EARLY13_OPEN, /* client: 0-RTT may be sent; server: 0-RTT is read, until EndOfEarlyData */
    EARLY13_SKIP, /* server: 0-RTT was refused; records that do not open are skipped */
};
/* Client, writing the ClientHello: asks for early data when the application wants to send some
 * and the offered session allows it. */
void early13_client_offer(parley_conn *c, hs_client_hello *ch);
/* Client, once the ClientHello with early_data is out: the early traffic key goes on. */
int early13_client_start(parley_conn *c);
/* Client: a HelloRetryRequest refuses early data; the second hello goes out in plaintext. */
int early13_client_retry(parley_conn *c);
/* Client: the server's answer, in its EncryptedExtensions (checked against the session). */
int early13_client_answer(parley_conn *c, const hs_encrypted_extensions *ee);
/* Client, before its second flight: EndOfEarlyData when the server accepted early data. */
int early13_client_end(parley_conn *c);
/* Server, resuming session s from PSK identity index: whether its early data may be taken
 * (every rule of RFC 8446 4.2.10 and 8, the single-use store last). */
void early13_server_consider(parley_conn *c, const hs_client_hello *ch, const parley_session *s,
                             const suite_info *suite, size_t index);
/* Server, after the PSK decision (suite set): takes the early data (its read key goes on) or
 * refuses it (it will be skipped). */
int early13_server_decide(parley_conn *c, const hs_client_hello *ch);
/* Server, sending a HelloRetryRequest: early data is refused and skipped. */
void early13_server_retry(parley_conn *c, const hs_client_hello *ch);
/* Server: a record of len bytes that did not open (or came in plaintext before the second
 * ClientHello) while refused 0-RTT may still be arriving: skipped, or over the limit. 0 or -1. */
int early13_skip(parley_conn *c, size_t len);
/* Server: len bytes of accepted 0-RTT data arrived; 0, or -1 over max_early_data_size. */
int early13_count(parley_conn *c, size_t len);

static inline bool early13_skipping(const parley_conn *c)
{
    return c->hs != NULL && c->hs->early_mode == EARLY13_SKIP;
}
static inline bool early13_reading(const parley_conn *c)
{
    return c->hs != NULL && c->role == PARLEY_SERVER && c->hs->early_mode == EARLY13_OPEN;
}

/* Downgrade sentinels (version.c, RFC 8446 4.1.3). The server writes one into its random when
 * it negotiated below what it supports; the client, having offered client_max, checks. */
void version_mark_downgrade(uint8_t server_random[32], uint16_t negotiated, uint16_t server_max);
bool version_is_downgrade(const uint8_t server_random[32], uint16_t negotiated,
                          uint16_t client_max);

/* Verifies the peer's Certificate (cert, parsed from its message) against trust for its role (host:
 * the name a server must match, or NULL); on success keeps its key in hs->peer_key, its subject and
 * key name on the connection (and the chain, if configured) and fills *peer. Fails the connection
 * with the verifier's alert and reason. */
int hs_verify_peer(parley_conn *c, const hs_certificate *cert, const x509_trust *trust,
                   x509_peer_role role, const char *host, x509_peer *peer);

/* Whether v is among the first n entries of list (a configuration's suites, groups, schemes). */
static inline bool u16_list_has(const uint16_t *list, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}
/* The transcript signature of CertificateVerify (RFC 5246 7.4.8): over every handshake message
 * so far, with scheme (TLS 1.2) or the one signature of the key type (TLS 1.0/1.1). */
int hs_sign_transcript(parley_conn *c, crypto_key *key, uint16_t scheme, uint8_t *sig,
                       size_t *sig_len);

/* Session resumption (resume.c). */
/* Client: fills the session ID and ticket of the session to offer (the one set on the
 * connection, or the cache's for its key) into the ClientHello. */
int resume_client_offer(parley_conn *c, hs_client_hello *ch);
/* Client: whether the ServerHello resumes the offered session; if so, checks that it may and
 * installs its keys. 1 resumed, 0 full handshake, -1 failed. */
int resume_client_accept(parley_conn *c, const hs_server_hello *sh);
/* Client, once the handshake is complete: keeps the session (new or resumed) on the connection
 * and in the configuration's cache. */
int resume_client_keep(parley_conn *c);
/* Server: finds the session the ClientHello asks to resume (ticket first, then the cache) and
 * takes its master secret if every rule allows: 1 resumed (keys_resume follows once the
 * server's random is made), 0 full handshake, -1 failed. */
int resume_server_find(parley_conn *c, const hs_client_hello *ch);
/* Server, once the keys are settled: stores a new session in the cache (a resumed one is there
 * already) and, if the client is to get a ticket, writes the NewSessionTicket into the flight. */
int resume_server_keep(parley_conn *c);
/* A connection ended by a fatal alert: its session must never resume. */
void resume_forget(parley_conn *c);
/* Wipes and frees the client's kept session bytes. */
void resume_drop_bytes(parley_conn *c);

/* Client certificates (client.c), for both machines. */
/* The chain to answer a CertificateRequest with in *out, or NULL for an empty Certificate.
 * -1 (the connection failed) when the callback supplied a certificate that did not load. */
int client_choose_certificate(parley_conn *c, const x509_chain **out);
/* The signature scheme a chain would sign CertificateVerify with at this version; 0 if none. */
uint16_t client_scheme_for(const parley_conn *c, const x509_chain *chain);
/* The server's selected ALPN protocol: must be one we offered; kept on the connection. */
int client_accept_alpn(parley_conn *c, span proto);
/* Server: the first of our ALPN protocols the client offered; 0 none, 1 chosen, -1 the client
 * offered only protocols we do not speak. */
int server_choose_alpn(parley_conn *c, const hs_client_hello *ch);

/* Shared checks. */
/* Verifies that the finished message body matches what the peer must have computed. */
int hs_check_finished(parley_conn *c, const uint8_t *body, size_t len);
/* Writes our Finished into the flight. */
int hs_write_our_finished(parley_conn *c);
/* Fails the handshake with the alert a message parser returned. */
int hs_parse_failed(parley_conn *c, int alert, const char *message_name);

#endif
