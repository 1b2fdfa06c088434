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

typedef struct hs_state {
    int state; /* client_state or server_state */

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
    uint16_t client_version; /* ClientHello.client_version: checked in the RSA pre-master */
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

/* Starts the handshake (client: queues the ClientHello). */
int hs_start(parley_conn *c);
int client_send_hello(parley_conn *c);
/* Feeds plaintext of a handshake record. */
int hs_receive(parley_conn *c, const uint8_t *data, size_t len);
/* A ChangeCipherSpec arrived. */
int hs_receive_change_cipher_spec(parley_conn *c);
/* Frees the handshake state, wiping secrets. */
void hs_free(parley_conn *c);

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

/* Downgrade sentinels (version.c, RFC 8446 4.1.3). The server writes one into its random when
 * it negotiated below what it supports; the client, having offered client_max, checks. */
void version_mark_downgrade(uint8_t server_random[32], uint16_t negotiated, uint16_t server_max);
bool version_is_downgrade(const uint8_t server_random[32], uint16_t negotiated,
                          uint16_t client_max);

/* Verifies the peer's Certificate (cert, parsed from the certificate_list of len bytes at list)
 * against trust for its role (host: the name a server must match, or NULL); on success keeps
 * its key in hs->peer_key, its subject and key name on the connection (and the chain, if
 * configured) and fills *peer. Fails the connection with the verifier's alert and reason. */
int hs_verify_peer(parley_conn *c, const hs_certificate *cert, const uint8_t *list, size_t len,
                   const x509_trust *trust, x509_peer_role role, const char *host, x509_peer *peer);

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

/* Shared checks. */
/* Verifies that the finished message body matches what the peer must have computed. */
int hs_check_finished(parley_conn *c, const uint8_t *body, size_t len);
/* Writes our Finished into the flight. */
int hs_write_our_finished(parley_conn *c);
/* Fails the handshake with the alert a message parser returned. */
int hs_parse_failed(parley_conn *c, int alert, const char *message_name);

#endif
