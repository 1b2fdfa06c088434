/*
 * parley_config: shared, reference-counted, frozen by the first connection. Everything that can
 * be computed once (wire-form lists, our Certificate messages, the trust store) is computed here
 * and never per handshake.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../handshake/handshake.h"
#include "../session/cache.h"
#include "../session/replay.h"
#include "../session/ticket.h"
#include "../x509/verify_cache.h"

static int config_error(parley_config *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int config_error(parley_config *cfg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cfg->error, sizeof(cfg->error), fmt, ap);
    va_end(ap);
    return PARLEY_ERROR;
}

/* Setters are refused once a connection uses the configuration: it is shared from then on. */
static int config_mutable(parley_config *cfg)
{
    if (cfg == NULL)
        return PARLEY_ERROR;
    if (atomic_load(&cfg->frozen))
        return config_error(cfg, "the configuration is in use by a connection and cannot change");
    cfg->error[0] = '\0';
    return PARLEY_OK;
}

parley_config *parley_config_new(void)
{
    if (crypto_init() < 0)
        return NULL;
    parley_config *cfg = calloc(1, sizeof(*cfg));
    if (cfg == NULL)
        return NULL;
    atomic_init(&cfg->refs, 1);
    atomic_init(&cfg->frozen, false);
    pthread_mutex_init(&cfg->freeze_lock, NULL);
    cfg->min_version = PARLEY_TLS1_2;
    cfg->max_version = PARLEY_TLS1_3;
    cfg->n_suites = suite_defaults(cfg->suites, SUITE_MAX);
    static const uint16_t default_groups[] = {PARLEY_GROUP_X25519, PARLEY_GROUP_SECP256R1,
                                              PARLEY_GROUP_SECP384R1};
    memcpy(cfg->groups, default_groups, sizeof(default_groups));
    cfg->n_groups = sizeof(default_groups) / sizeof(default_groups[0]);
    cfg->n_sigalgs = sigalg_defaults(cfg->sigalgs, CONFIG_MAX_SIGALGS);
    cfg->verify = true;
    cfg->verify_cache_entries = PARLEY_VERIFY_CACHE_DEFAULT;
    cfg->server_preference = true;
    cfg->session_lifetime = 300;
    cfg->tickets = true;
    cfg->key_update_records = (uint64_t)1 << 24; /* RFC 8446 5.5: AES-GCM's margin, 2^24.5 */
    return cfg;
}

parley_config *parley_config_ref(parley_config *cfg)
{
    if (cfg != NULL)
        atomic_fetch_add(&cfg->refs, 1);
    return cfg;
}

void parley_config_free(parley_config *cfg)
{
    if (cfg == NULL || atomic_fetch_sub(&cfg->refs, 1) != 1)
        return;
    for (size_t i = 0; i < cfg->n_certs; i++) {
        x509_chain_free(cfg->certs[i].chain);
        free(cfg->certs[i].certificate_msg);
        free(cfg->certs[i].certificate13_msg);
    }
    x509_trust_free(cfg->trust);
    x509_trust_free(cfg->client_trust);
    x509_verify_cache_free(cfg->verify_cache);
    parley_session_cache_free(cfg->session_cache);
    ticket_keys_free(cfg->ticket_keys);
    early_replay_free(cfg->early_replay);
    free(cfg->ticket_key_file);
    free(cfg->client_ca_file);
    free(cfg->client_ca_names);
    free(cfg->ca_file);
    free(cfg->ca_dir);
    pthread_mutex_destroy(&cfg->freeze_lock);
    crypto_wipe(cfg, sizeof(*cfg));
    free(cfg);
}

const char *parley_config_error(const parley_config *cfg)
{
    return cfg ? cfg->error : "no configuration";
}

int parley_config_set_versions(parley_config *cfg, uint16_t min, uint16_t max)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    if (min < PARLEY_TLS1_0 || max > PARLEY_TLS1_3 || min > max)
        return config_error(cfg,
                            "invalid version range 0x%04x to 0x%04x (SSL 3.0 and older are "
                            "not implemented: RFC 7568)",
                            min, max);
    cfg->min_version = min;
    cfg->max_version = max;
    return PARLEY_OK;
}

int parley_config_set_key_update_records(parley_config *cfg, uint64_t records)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    if (records == 0 || records > ((uint64_t)1 << 24))
        return config_error(cfg, "a KeyUpdate interval must be 1 to 2^24 records, not %llu",
                            (unsigned long long)records);
    cfg->key_update_records = records;
    return PARLEY_OK;
}

int parley_config_set_fallback_scsv(parley_config *cfg, int on)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    cfg->fallback_scsv = on != 0;
    return PARLEY_OK;
}

/* Calls each(cfg, item, len) for each comma-separated item, trimming spaces. */
static int for_each_item(parley_config *cfg, const char *list,
                         int (*each)(parley_config *, const char *, size_t))
{
    if (list == NULL)
        return config_error(cfg, "empty list");
    const char *p = list;
    for (;;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        size_t trimmed = len;
        while (trimmed > 0 && p[trimmed - 1] == ' ')
            trimmed--;
        if (trimmed == 0)
            return config_error(cfg, "empty item in list \"%s\"", list);
        if (each(cfg, p, trimmed) != PARLEY_OK)
            return PARLEY_ERROR;
        if (end == NULL)
            return PARLEY_OK;
        p = end + 1;
    }
}

static int add_suite(parley_config *cfg, const char *name, size_t len)
{
    const suite_info *s = suite_by_name(name, len);
    if (s == NULL)
        return config_error(cfg, "unknown or unsupported cipher suite \"%.*s\"", (int)len, name);
    const char *why;
    if (s->protection == RECORD_STREAM && !crypto_stream_available(s->stream, &why))
        return config_error(cfg, "%s is unavailable: %s", s->name, why);
    for (size_t i = 0; i < cfg->n_suites; i++)
        if (cfg->suites[i] == s->id)
            return PARLEY_OK;
    if (cfg->n_suites == SUITE_MAX)
        return config_error(cfg, "too many cipher suites");
    cfg->suites[cfg->n_suites++] = s->id;
    return PARLEY_OK;
}

/* Replaces a list through add, one item at a time; on any bad item the old list stays. */
static int set_list(parley_config *cfg, const char *list, uint16_t *items, size_t *count,
                    size_t cap, int (*add)(parley_config *, const char *, size_t))
{
    uint16_t saved[SUITE_MAX];
    size_t n_saved = *count;
    _Static_assert(CONFIG_MAX_GROUPS <= SUITE_MAX, "saved[] holds every list");
    _Static_assert(CONFIG_MAX_KEY_SHARES <= SUITE_MAX, "saved[] holds every list");
    memcpy(saved, items, cap * sizeof(*items));
    *count = 0;
    if (for_each_item(cfg, list, add) != PARLEY_OK) {
        memcpy(items, saved, cap * sizeof(*items));
        *count = n_saved;
        return PARLEY_ERROR;
    }
    return PARLEY_OK;
}

uint16_t config_max_version(const parley_config *cfg)
{
    if (cfg->max_version < PARLEY_TLS1_3)
        return cfg->max_version;
    for (size_t i = 0; i < cfg->n_suites; i++)
        if (suite_allowed_at(suite_find(cfg->suites[i]), PARLEY_TLS1_3))
            return cfg->max_version;
    return PARLEY_TLS1_2;
}

int parley_config_set_ciphers(parley_config *cfg, const char *list)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    return set_list(cfg, list, cfg->suites, &cfg->n_suites, SUITE_MAX, add_suite);
}

static int add_group(parley_config *cfg, const char *name, size_t len)
{
    uint16_t id = group_by_name(name, len);
    if (id == 0 || !crypto_group_supported(id))
        return config_error(cfg, "unknown or unsupported group \"%.*s\"", (int)len, name);
    for (size_t i = 0; i < cfg->n_groups; i++)
        if (cfg->groups[i] == id)
            return PARLEY_OK;
    if (cfg->n_groups == CONFIG_MAX_GROUPS)
        return config_error(cfg, "too many groups");
    cfg->groups[cfg->n_groups++] = id;
    return PARLEY_OK;
}

int parley_config_set_groups(parley_config *cfg, const char *list)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    return set_list(cfg, list, cfg->groups, &cfg->n_groups, CONFIG_MAX_GROUPS, add_group);
}

static int add_key_share(parley_config *cfg, const char *name, size_t len)
{
    uint16_t id = group_by_name(name, len);
    if (id == 0 || !crypto_group_supported(id))
        return config_error(cfg, "unknown or unsupported group \"%.*s\"", (int)len, name);
    for (size_t i = 0; i < cfg->n_key_shares; i++)
        if (cfg->key_shares[i] == id)
            return PARLEY_OK;
    if (cfg->n_key_shares == CONFIG_MAX_KEY_SHARES)
        return config_error(cfg, "too many key shares (at most %d)", CONFIG_MAX_KEY_SHARES);
    cfg->key_shares[cfg->n_key_shares++] = id;
    return PARLEY_OK;
}

int parley_config_set_key_shares(parley_config *cfg, const char *list)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    return set_list(cfg, list, cfg->key_shares, &cfg->n_key_shares, CONFIG_MAX_KEY_SHARES,
                    add_key_share);
}

/* The client's initial key shares: as set, or by default the first group and the first one of
 * another kind (x25519 and P-256 with the default groups), so most servers need no
 * HelloRetryRequest while P-384 costs a key generation only when asked for. */
static int settle_key_shares(parley_config *cfg)
{
    for (size_t i = 0; i < cfg->n_key_shares; i++)
        if (!u16_list_has(cfg->groups, cfg->n_groups, cfg->key_shares[i]))
            return config_error(cfg, "key share %s is not among the configured groups",
                                parley_group_name(cfg->key_shares[i]));
    if (cfg->n_key_shares > 0 || cfg->n_groups == 0)
        return 0;
    cfg->key_shares[cfg->n_key_shares++] = cfg->groups[0];
    bool first_x25519 = cfg->groups[0] == PARLEY_GROUP_X25519;
    for (size_t i = 1; i < cfg->n_groups; i++)
        if ((cfg->groups[i] == PARLEY_GROUP_X25519) != first_x25519 &&
            cfg->groups[i] != PARLEY_GROUP_SECP384R1) {
            cfg->key_shares[cfg->n_key_shares++] = cfg->groups[i];
            break;
        }
    return 0;
}

static int add_alpn(parley_config *cfg, const char *name, size_t len)
{
    if (len > CONFIG_ALPN_NAME_MAX)
        return config_error(cfg, "ALPN protocol name \"%.*s\" is longer than %d bytes", (int)len,
                            name, CONFIG_ALPN_NAME_MAX);
    if (cfg->alpn_len + 1 + len > sizeof(cfg->alpn))
        return config_error(cfg, "ALPN list too long");
    cfg->alpn[cfg->alpn_len++] = (uint8_t)len;
    memcpy(cfg->alpn + cfg->alpn_len, name, len);
    cfg->alpn_len += len;
    return PARLEY_OK;
}

int parley_config_set_alpn(parley_config *cfg, const char *list)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    cfg->alpn_len = 0;
    if (for_each_item(cfg, list, add_alpn) != PARLEY_OK) {
        cfg->alpn_len = 0;
        return PARLEY_ERROR;
    }
    return PARLEY_OK;
}

int parley_config_set_server_preference(parley_config *cfg, int server_order)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    cfg->server_preference = server_order != 0;
    return PARLEY_OK;
}

/* Encodes the chain's Certificate message once, so a handshake only copies it. */
static int add_chain(parley_config *cfg, x509_chain *chain)
{
    if (cfg->n_certs == CONFIG_MAX_CERTS) {
        x509_chain_free(chain);
        return config_error(cfg, "too many certificates (at most %d)", CONFIG_MAX_CERTS);
    }
    size_t total = hs_chain_message_len(chain);
    config_cert *cc = &cfg->certs[cfg->n_certs];
    cc->certificate_msg = malloc(total);
    writer w;
    writer_init(&w, cc->certificate_msg, cc->certificate_msg ? total : 0);
    if (cc->certificate_msg == NULL || hs_write_chain(&w, chain) < 0) {
        free(cc->certificate_msg);
        cc->certificate_msg = NULL;
        x509_chain_free(chain);
        return config_error(cfg, "cannot encode the certificate chain");
    }
    cc->certificate_msg_len = w.len;
    /* The TLS 1.3 form adds a context byte and two bytes of extensions per certificate. */
    size_t total13 = total + 1 + 2 * x509_chain_count(chain);
    cc->certificate13_msg = malloc(total13);
    writer_init(&w, cc->certificate13_msg, cc->certificate13_msg ? total13 : 0);
    if (cc->certificate13_msg == NULL || hs_write_chain13(&w, chain, (span){NULL, 0}) < 0) {
        free(cc->certificate_msg);
        free(cc->certificate13_msg);
        cc->certificate_msg = cc->certificate13_msg = NULL;
        x509_chain_free(chain);
        return config_error(cfg, "cannot encode the certificate chain");
    }
    cc->certificate13_msg_len = w.len;
    cc->chain = chain;
    cc->key_type = crypto_key_kind(x509_chain_key(chain));
    cfg->n_certs++;
    return PARLEY_OK;
}

int parley_config_add_certificate(parley_config *cfg, const char *chain_file, const char *key_file)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    if (chain_file == NULL || key_file == NULL)
        return config_error(cfg, "a certificate needs both a chain file and a key file");
    x509_chain *chain = x509_chain_load_file(chain_file, key_file, cfg->error, sizeof(cfg->error));
    if (chain == NULL)
        return PARLEY_ERROR;
    return add_chain(cfg, chain);
}

int parley_config_add_certificate_pem(parley_config *cfg, const char *chain_pem, size_t chain_len,
                                      const char *key_pem, size_t key_len)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    if (chain_pem == NULL || key_pem == NULL)
        return config_error(cfg, "a certificate needs both a chain and a key");
    x509_chain *chain =
        x509_chain_load_pem(chain_pem, chain_len, key_pem, key_len, cfg->error, sizeof(cfg->error));
    if (chain == NULL)
        return PARLEY_ERROR;
    return add_chain(cfg, chain);
}

static int set_string(parley_config *cfg, char **slot, const char *value)
{
    char *copy = value ? strdup(value) : NULL;
    if (value && copy == NULL)
        return config_error(cfg, "out of memory");
    free(*slot);
    *slot = copy;
    return PARLEY_OK;
}

int parley_config_set_ca_file(parley_config *cfg, const char *file)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    return set_string(cfg, &cfg->ca_file, file);
}

int parley_config_set_ca_dir(parley_config *cfg, const char *dir)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    return set_string(cfg, &cfg->ca_dir, dir);
}

int parley_config_set_verify_cache(parley_config *cfg, int entries)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    if (entries < 0 || entries > X509_VERIFY_CACHE_MAX)
        return config_error(cfg, "a verified-chain cache holds 0 to %d chains, not %d",
                            X509_VERIFY_CACHE_MAX, entries);
    cfg->verify_cache_entries = (size_t)entries;
    return PARLEY_OK;
}

int parley_config_set_verify(parley_config *cfg, int verify)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    cfg->verify = verify != 0;
    return PARLEY_OK;
}

int parley_config_set_client_auth(parley_config *cfg, parley_client_auth mode)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    if (mode != PARLEY_CLIENT_AUTH_NONE && mode != PARLEY_CLIENT_AUTH_OPTIONAL &&
        mode != PARLEY_CLIENT_AUTH_REQUIRED)
        return config_error(cfg, "unknown client authentication mode %d", (int)mode);
    cfg->client_auth = mode;
    return PARLEY_OK;
}

int parley_config_set_client_ca_file(parley_config *cfg, const char *file, int announce_names)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    cfg->client_ca_announce = announce_names != 0;
    return set_string(cfg, &cfg->client_ca_file, file);
}

int parley_config_set_client_cert_callback(parley_config *cfg, parley_client_cert_fn fn, void *arg)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    cfg->client_cert_fn = fn;
    cfg->client_cert_arg = arg;
    return PARLEY_OK;
}

int parley_config_set_keep_peer_chain(parley_config *cfg, int keep)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    cfg->keep_peer_chain = keep != 0;
    return PARLEY_OK;
}

/* Server with client authentication: the client CAs as a trust store, and their names. */
static int load_client_cas(parley_config *cfg)
{
    if (cfg->client_ca_file == NULL) {
        config_error(cfg, "client authentication needs the CAs that issue client certificates "
                          "(parley_config_set_client_ca_file)");
        return -1;
    }
    cfg->client_trust = x509_trust_new(cfg->client_ca_file, NULL, cfg->error, sizeof(cfg->error));
    if (cfg->client_trust == NULL)
        return -1;
    if (cfg->client_ca_announce &&
        x509_ca_names_load(cfg->client_ca_file, &cfg->client_ca_names, &cfg->client_ca_names_len,
                           cfg->error, sizeof(cfg->error)) < 0)
        return -1;
    return 0;
}

static size_t encode_u16_list(const uint16_t *list, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = (uint8_t)(list[i] >> 8);
        out[2 * i + 1] = (uint8_t)list[i];
    }
    return 2 * n;
}

int parley_config_set_session_cache(parley_config *cfg, parley_session_cache *cache)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    parley_session_cache_free(cfg->session_cache);
    cfg->session_cache = session_cache_ref(cache);
    cfg->session_cache_set = true;
    return PARLEY_OK;
}

int parley_config_set_session_lifetime(parley_config *cfg, unsigned seconds)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    if (seconds == 0 || seconds > 7 * 24 * 3600)
        return config_error(cfg, "session lifetime %u s is outside 1 s to 7 days", seconds);
    cfg->session_lifetime = seconds;
    return PARLEY_OK;
}

int parley_config_set_session_tickets(parley_config *cfg, int on)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    cfg->tickets = on != 0;
    return PARLEY_OK;
}

int parley_config_set_ticket_key_file(parley_config *cfg, const char *file, unsigned rotate)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    uint8_t secret[TICKET_SECRET_LEN];
    if (file == NULL || ticket_secret_from_file(file, secret, cfg->error, sizeof(cfg->error)) < 0)
        return PARLEY_ERROR;
    crypto_wipe(secret, sizeof(secret));
    char *copy = strdup(file);
    if (copy == NULL)
        return config_error(cfg, "out of memory");
    free(cfg->ticket_key_file);
    cfg->ticket_key_file = copy;
    cfg->ticket_rotate = rotate;
    return PARLEY_OK;
}

int parley_config_set_early_data(parley_config *cfg, uint32_t max_bytes)
{
    if (config_mutable(cfg) != PARLEY_OK)
        return PARLEY_ERROR;
    cfg->early_data_max = max_bytes;
    return PARLEY_OK;
}

/* A server's session cache and ticket keys, unless the application chose otherwise: the
 * embedded cache, and a random ticket secret of this process. With 0-RTT on, the single-use
 * store that guards it. */
static int make_session_state(parley_config *cfg)
{
    if (cfg->early_data_max > 0 && cfg->early_replay == NULL) {
        cfg->early_replay = early_replay_new(EARLY_REPLAY_SLOTS);
        if (cfg->early_replay == NULL)
            return config_error(cfg, "out of memory making the 0-RTT replay store"), -1;
    }
    if (!cfg->session_cache_set && cfg->session_cache == NULL) {
        cfg->session_cache = parley_session_cache_memory(20480);
        if (cfg->session_cache == NULL)
            return config_error(cfg, "out of memory making the session cache"), -1;
    }
    if (!cfg->tickets || cfg->ticket_keys != NULL)
        return 0;
    uint8_t secret[TICKET_SECRET_LEN];
    int rc = cfg->ticket_key_file ? ticket_secret_from_file(cfg->ticket_key_file, secret,
                                                            cfg->error, sizeof(cfg->error))
                                  : crypto_random(secret, sizeof(secret));
    if (rc == 0)
        cfg->ticket_keys = ticket_keys_new(secret, cfg->ticket_rotate, cfg->session_lifetime);
    crypto_wipe(secret, sizeof(secret));
    if (rc == 0 && cfg->ticket_keys == NULL)
        config_error(cfg, "out of memory making the ticket keys");
    return cfg->ticket_keys != NULL ? 0 : -1;
}

int config_freeze(parley_config *cfg, parley_role role)
{
    int rc = 0;
    if (role == PARLEY_SERVER && cfg->n_certs == 0) {
        config_error(cfg,
                     "a server needs at least one certificate (parley_config_add_certificate)");
        return -1;
    }
    pthread_mutex_lock(&cfg->freeze_lock);
    if (!atomic_load(&cfg->frozen)) {
        cfg->wire_suites_len = encode_u16_list(cfg->suites, cfg->n_suites, cfg->wire_suites);
        if (cfg->fallback_scsv) {
            static const uint16_t scsv[1] = {SCSV_FALLBACK};
            cfg->wire_suites_len +=
                encode_u16_list(scsv, 1, cfg->wire_suites + cfg->wire_suites_len);
        }
        cfg->wire_groups_len = encode_u16_list(cfg->groups, cfg->n_groups, cfg->wire_groups);
        cfg->wire_sigalgs_len = encode_u16_list(cfg->sigalgs, cfg->n_sigalgs, cfg->wire_sigalgs);
        if (settle_key_shares(cfg) < 0)
            rc = -1;
        atomic_store(&cfg->frozen, true);
    }
    if (role == PARLEY_CLIENT && cfg->verify && cfg->trust == NULL) {
        cfg->trust = x509_trust_new(cfg->ca_file, cfg->ca_dir, cfg->error, sizeof(cfg->error));
        if (cfg->trust == NULL)
            rc = -1;
    }
    if (role == PARLEY_SERVER && cfg->client_auth != PARLEY_CLIENT_AUTH_NONE &&
        cfg->client_trust == NULL && load_client_cas(cfg) < 0)
        rc = -1;
    if (role == PARLEY_SERVER && make_session_state(cfg) < 0)
        rc = -1;
    bool verifies =
        role == PARLEY_CLIENT ? cfg->verify : cfg->client_auth != PARLEY_CLIENT_AUTH_NONE;
    if (rc == 0 && verifies && cfg->verify_cache_entries > 0 && cfg->verify_cache == NULL) {
        cfg->verify_cache = x509_verify_cache_new(cfg->verify_cache_entries);
        if (cfg->verify_cache == NULL) {
            config_error(cfg, "out of memory making the verified-chain cache");
            rc = -1;
        }
    }
    pthread_mutex_unlock(&cfg->freeze_lock);
    return rc;
}
