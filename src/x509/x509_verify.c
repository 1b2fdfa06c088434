/*
 * Trust anchors and verification of a peer's chain with libcrypto's X509_STORE: chain, dates,
 * host name, key size. Every failure comes back as the TLS alert and a sentence that says what
 * did not match.
 */
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../crypto/crypto_key.h"
#include "describe.h"
#include "x509.h"

#define MIN_RSA_BITS 2048

struct x509_trust {
    X509_STORE *store;
};

x509_trust *x509_trust_new(const char *ca_file, const char *ca_dir, char *err, size_t err_len)
{
    x509_trust *t = calloc(1, sizeof(*t));
    if (t == NULL || (t->store = X509_STORE_new()) == NULL) {
        free(t);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    int ok = 1;
    if (ca_file && X509_STORE_load_file(t->store, ca_file) != 1) {
        snprintf(err, err_len, "cannot load trust anchors from %s", ca_file);
        ok = 0;
    } else if (ok && ca_dir && X509_STORE_load_path(t->store, ca_dir) != 1) {
        snprintf(err, err_len, "cannot use trust directory %s", ca_dir);
        ok = 0;
    } else if (ok && !ca_file && !ca_dir && X509_STORE_set_default_paths(t->store) != 1) {
        snprintf(err, err_len, "cannot load the system trust store");
        ok = 0;
    }
    ERR_clear_error();
    if (!ok) {
        x509_trust_free(t);
        return NULL;
    }
    return t;
}

void x509_trust_free(x509_trust *t)
{
    if (t == NULL)
        return;
    X509_STORE_free(t->store);
    free(t);
}

static int fail(int alert, char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(int alert, char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    ERR_clear_error();
    return alert;
}

/* The first DNS or IP name of the certificate, or its CN, for error sentences. */
static void first_name(X509 *cert, char *out, size_t cap)
{
    snprintf(out, cap, "(no name)");
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type == GEN_DNS) {
            snprintf(out, cap, "%.*s", ASN1_STRING_length(g->d.dNSName),
                     (const char *)ASN1_STRING_get0_data(g->d.dNSName));
            break;
        }
        if (g->type == GEN_IPADD) {
            int len = ASN1_STRING_length(g->d.iPAddress);
            if (len == 4 || len == 16)
                inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(g->d.iPAddress), out,
                          (socklen_t)cap);
            break;
        }
    }
    GENERAL_NAMES_free(names);
    if (strcmp(out, "(no name)") == 0)
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, out, (int)cap);
}

static int check_host(X509 *leaf, const char *host, char *err, size_t err_len)
{
    uint8_t addr[16];
    int is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    int ok = is_ip ? X509_check_ip_asc(leaf, host, 0)
                   : X509_check_host(leaf, host, strlen(host), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                                     NULL);
    if (ok == 1)
        return 0;
    char name[256];
    first_name(leaf, name, sizeof(name));
    return fail(X509_ALERT_BAD_CERTIFICATE, err, err_len,
                "certificate for %s does not match requested name %s", name, host);
}

static int verify_error(X509_STORE_CTX *ctx, x509_peer_role role, char *err, size_t err_len)
{
    int code = X509_STORE_CTX_get_error(ctx);
    X509 *cert = X509_STORE_CTX_get_current_cert(ctx);
    x509_summary s;
    memset(&s, 0, sizeof(s));
    if (cert)
        x509_summarize(cert, &s);
    switch (code) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return fail(X509_ALERT_CERTIFICATE_EXPIRED, err, err_len, "certificate expired on %s (%s)",
                    s.not_after, s.subject);
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return fail(X509_ALERT_CERTIFICATE_EXPIRED, err, err_len,
                    "certificate is not valid before %s (%s)", s.not_before, s.subject);
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return fail(X509_ALERT_UNKNOWN_CA, err, err_len,
                    "certificate issuer %s is not trusted (certificate %s)", s.issuer, s.subject);
    case X509_V_ERR_INVALID_PURPOSE:
        return fail(X509_ALERT_UNSUPPORTED_CERTIFICATE, err, err_len,
                    "certificate %s is not allowed for TLS %s authentication (its key usage or "
                    "extended key usage forbids it)",
                    s.subject, role == X509_PEER_CLIENT ? "client" : "server");
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        return fail(X509_ALERT_BAD_CERTIFICATE, err, err_len,
                    "certificate %s has a signature that does not verify", s.subject);
    default:
        return fail(X509_ALERT_CERTIFICATE_UNKNOWN, err, err_len, "certificate %s rejected: %s",
                    s.subject, X509_verify_cert_error_string(code));
    }
}

static int describe_peer(X509 *leaf, x509_peer *peer, char *err, size_t err_len)
{
    x509_summary s;
    x509_summarize(leaf, &s);
    snprintf(peer->subject, sizeof(peer->subject), "%s", s.subject);
    snprintf(peer->issuer, sizeof(peer->issuer), "%s", s.issuer);
    snprintf(peer->key_name, sizeof(peer->key_name), "%s", s.key);
    EVP_PKEY *pkey = X509_get_pubkey(leaf);
    if (pkey == NULL)
        return fail(X509_ALERT_UNSUPPORTED_CERTIFICATE, err, err_len,
                    "certificate %s has a public key that cannot be used", s.subject);
    peer->key = crypto_key_wrap(pkey);
    if (peer->key == NULL)
        return fail(X509_ALERT_INTERNAL_ERROR, err, err_len, "out of memory");
    peer->key_type = crypto_key_kind(peer->key);
    peer->key_bits = crypto_key_bits(peer->key);
    return 0;
}

/* An ASN1_TIME as seconds since the epoch: libcrypto's difference from the epoch's own. */
static int asn1_seconds(const ASN1_TIME *epoch, const ASN1_TIME *t, int64_t *out)
{
    int days, secs;
    if (t == NULL || ASN1_TIME_diff(&days, &secs, epoch, t) != 1)
        return -1;
    *out = (int64_t)days * 86400 + secs;
    return 0;
}

/* The window in which the whole verified chain is valid, for the verified-chain cache. */
static int chain_window(X509_STORE_CTX *ctx, x509_peer *peer)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int n = chain ? sk_X509_num(chain) : 0;
    if (n <= 0)
        return -1;
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    if (epoch == NULL)
        return -1;
    peer->not_before = INT64_MIN;
    peer->not_after = INT64_MAX;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        X509 *cert = sk_X509_value(chain, i);
        int64_t nb, na;
        rc = asn1_seconds(epoch, X509_get0_notBefore(cert), &nb) < 0 ||
                     asn1_seconds(epoch, X509_get0_notAfter(cert), &na) < 0
                 ? -1
                 : 0;
        if (rc == 0 && nb > peer->not_before)
            peer->not_before = nb;
        if (rc == 0 && na < peer->not_after)
            peer->not_after = na;
    }
    ASN1_TIME_free(epoch);
    return rc;
}

int x509_verify_peer(const x509_trust *trust, x509_peer_role role, const uint8_t *const *der,
                     const size_t *der_len, size_t count, const char *host, x509_peer *peer,
                     char *err, size_t err_len)
{
    memset(peer, 0, sizeof(*peer));
    if (count == 0 || count > X509_MAX_CHAIN)
        return fail(X509_ALERT_BAD_CERTIFICATE, err, err_len,
                    "peer sent %zu certificates (1 to %d accepted)", count, X509_MAX_CHAIN);
    X509 *certs[X509_MAX_CHAIN] = {0};
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = NULL;
    int alert = 0;
    for (size_t i = 0; i < count && !alert; i++) {
        const unsigned char *p = der[i];
        certs[i] = d2i_X509(NULL, &p, (long)der_len[i]);
        if (certs[i] == NULL || p != der[i] + der_len[i])
            alert = fail(X509_ALERT_BAD_CERTIFICATE, err, err_len,
                         "certificate %zu of %zu does not parse", i + 1, count);
        else if (i > 0)
            sk_X509_push(untrusted, certs[i]);
    }
    if (!alert && trust != NULL) {
        ctx = X509_STORE_CTX_new();
        if (ctx == NULL || X509_STORE_CTX_init(ctx, trust->store, certs[0], untrusted) != 1)
            alert = fail(X509_ALERT_INTERNAL_ERROR, err, err_len, "cannot start verification");
        else if (X509_STORE_CTX_set_purpose(ctx, role == X509_PEER_CLIENT
                                                     ? X509_PURPOSE_SSL_CLIENT
                                                     : X509_PURPOSE_SSL_SERVER) != 1 ||
                 X509_verify_cert(ctx) != 1)
            alert = verify_error(ctx, role, err, err_len);
    }
    if (!alert && trust != NULL && host != NULL)
        alert = check_host(certs[0], host, err, err_len);
    if (!alert)
        alert = describe_peer(certs[0], peer, err, err_len);
    if (!alert && peer->key_type == CRYPTO_KEY_RSA && peer->key_bits < MIN_RSA_BITS)
        alert = fail(X509_ALERT_BAD_CERTIFICATE, err, err_len,
                     "RSA key of %d bits in %s is below the %d-bit minimum", peer->key_bits,
                     peer->subject, MIN_RSA_BITS);
    /* Only now, with every check passed, may the result answer a later verification; a window
     * that cannot be read just leaves it uncached. */
    if (!alert && trust != NULL)
        peer->verified = chain_window(ctx, peer) == 0;
    if (alert && peer->key) {
        crypto_key_free(peer->key);
        peer->key = NULL;
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    for (size_t i = 0; i < count; i++)
        X509_free(certs[i]);
    return alert;
}

int x509_ca_names_load(const char *ca_file, uint8_t **out, size_t *out_len, char *err,
                       size_t err_len)
{
    *out = NULL;
    *out_len = 0;
    BIO *in = BIO_new_file(ca_file, "r");
    if (in == NULL) {
        ERR_clear_error();
        snprintf(err, err_len, "cannot open %s", ca_file);
        return -1;
    }
    size_t cap = 0;
    int rc = 0;
    X509 *cert;
    while (rc == 0 && (cert = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
        unsigned char *name = NULL;
        int n = i2d_X509_NAME(X509_get_subject_name(cert), &name);
        X509_free(cert);
        if (n <= 0 || n > 0xffff) {
            OPENSSL_free(name);
            snprintf(err, err_len, "a certificate subject in %s cannot be encoded", ca_file);
            rc = -1;
            break;
        }
        if (*out_len + 2 + (size_t)n > cap) {
            size_t grown = (cap ? 2 * cap : 1024) + (size_t)n;
            uint8_t *p = realloc(*out, grown);
            if (p == NULL) {
                OPENSSL_free(name);
                snprintf(err, err_len, "out of memory");
                rc = -1;
                break;
            }
            *out = p;
            cap = grown;
        }
        (*out)[*out_len] = (uint8_t)(n >> 8);
        (*out)[*out_len + 1] = (uint8_t)n;
        memcpy(*out + *out_len + 2, name, (size_t)n);
        *out_len += 2 + (size_t)n;
        OPENSSL_free(name);
    }
    ERR_clear_error();
    BIO_free(in);
    if (rc == 0 && *out_len == 0) {
        snprintf(err, err_len, "no certificate found in %s", ca_file);
        rc = -1;
    }
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *out_len = 0;
    }
    return rc;
}
