/*
 * Certificates: loading our chains (and the sentences when that fails) and verifying a peer's
 * chain, with the alert and sentence for each way it can be wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "x509/x509.h"

static char dir[512];

static const char *path(const char *name)
{
    static char buf[4][600];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 600, "%s/%s", dir, name);
    return p;
}

/* Verifies the named chain file as a peer would present it. */
static int verify(const x509_trust *trust, const char *chain_name, const char *host, char *err,
                  size_t err_len)
{
    char e[256];
    char key_name[64];
    snprintf(key_name, sizeof(key_name), "%.*s.key", (int)(strlen(chain_name) - 4), chain_name);
    x509_chain *c = x509_chain_load_file(path(chain_name), path(key_name), e, sizeof(e));
    CHECK(c != NULL);
    if (c == NULL)
        return -1;
    const uint8_t *der[X509_MAX_CHAIN];
    size_t len[X509_MAX_CHAIN];
    for (size_t i = 0; i < x509_chain_count(c); i++)
        der[i] = x509_chain_der(c, i, &len[i]);
    x509_peer peer;
    int alert = x509_verify_peer(trust, X509_PEER_SERVER, der, len, x509_chain_count(c), host,
                                 &peer, err, err_len);
    if (alert == 0) {
        CHECK(peer.key != NULL);
        crypto_key_free(peer.key);
    }
    x509_chain_free(c);
    return alert;
}

int main(void)
{
    const char *env = check_certs_dir();
    if (env == NULL)
        return check_summary("no test certificates");
    snprintf(dir, sizeof(dir), "%s", env);
    char err[256];

    x509_chain *rsa =
        x509_chain_load_file(path("server-rsa.pem"), path("server-rsa.key"), err, sizeof(err));
    CHECK(rsa != NULL);
    CHECK_EQ_INT(x509_chain_count(rsa), 2);
    CHECK(strstr(x509_chain_subject(rsa), "CN=localhost") != NULL);
    CHECK_EQ_INT(crypto_key_kind(x509_chain_key(rsa)), CRYPTO_KEY_RSA);
    x509_chain_free(rsa);
    x509_chain *ec =
        x509_chain_load_file(path("server-ecdsa.pem"), path("server-ecdsa.key"), err, sizeof(err));
    CHECK(ec != NULL && crypto_key_kind(x509_chain_key(ec)) == CRYPTO_KEY_EC_P256);
    x509_chain_free(ec);

    CHECK(x509_chain_load_file(path("server-rsa.pem"), path("server-ecdsa.key"), err,
                               sizeof(err)) == NULL);
    CHECK(strstr(err, "does not match certificate") != NULL);
    CHECK(x509_chain_load_file(path("missing.pem"), path("server-rsa.key"), err, sizeof(err)) ==
          NULL);
    CHECK(strstr(err, "cannot open") != NULL && strstr(err, "missing.pem") != NULL);
    CHECK(x509_chain_load_file(path("server-rsa.key"), path("server-rsa.key"), err, sizeof(err)) ==
          NULL);
    CHECK(strstr(err, "no certificate found") != NULL);

    x509_trust *trust = x509_trust_new(path("ca-bundle.pem"), NULL, err, sizeof(err));
    CHECK(trust != NULL);
    CHECK(x509_trust_new(path("missing.pem"), NULL, err, sizeof(err)) == NULL);

    CHECK_EQ_INT(verify(trust, "server-rsa.pem", "localhost", err, sizeof(err)), 0);
    CHECK_EQ_INT(verify(trust, "server-rsa.pem", "127.0.0.1", err, sizeof(err)), 0);
    CHECK_EQ_INT(verify(trust, "server-rsa.pem", "::1", err, sizeof(err)), 0);
    CHECK_EQ_INT(verify(trust, "server-rsa.pem", "api.parley.test", err, sizeof(err)), 0);
    CHECK_EQ_INT(verify(trust, "server-rsa.pem", "foo.parley.test", err, sizeof(err)), 0);
    CHECK_EQ_INT(verify(trust, "server-ecdsa.pem", "localhost", err, sizeof(err)), 0);
    /* A wildcard covers one label only. */
    CHECK_EQ_INT(verify(trust, "server-rsa.pem", "a.b.parley.test", err, sizeof(err)), 42);
    CHECK_EQ_INT(verify(trust, "server-rsa.pem", "127.0.0.2", err, sizeof(err)), 42);
    CHECK_EQ_INT(verify(trust, "server-rsa.pem", "other.example", err, sizeof(err)), 42);
    CHECK(strstr(err, "certificate for localhost does not match requested name other.example"));
    CHECK_EQ_INT(verify(trust, "wrongname.pem", "localhost", err, sizeof(err)), 42);
    CHECK(strstr(err, "certificate for other.example does not match requested name localhost"));
    CHECK_EQ_INT(verify(trust, "expired.pem", "localhost", err, sizeof(err)), 45);
    CHECK(strstr(err, "expired on 2020-01-02 00:00:00 UTC") != NULL);
    CHECK(strstr(err, "CN=localhost") != NULL);
    CHECK_EQ_INT(verify(trust, "untrusted.pem", "localhost", err, sizeof(err)), 48);
    CHECK(strstr(err, "untrusted root") != NULL);
    CHECK_EQ_INT(verify(trust, "rsa1024.pem", "localhost", err, sizeof(err)), 42);
    CHECK(strstr(err, "1024 bits") != NULL);
    /* A client certificate is not for servers (extended key usage). */
    CHECK(verify(trust, "client-rsa.pem", NULL, err, sizeof(err)) != 0);
    /* Verification off: the leaf is only parsed, whatever its issuer or name. */
    CHECK_EQ_INT(verify(NULL, "untrusted.pem", "other", err, sizeof(err)), 0);

    /* Bytes that are not a certificate. */
    static const uint8_t junk[] = {0x30, 0x82, 0x01, 0x00, 0x01, 0x02};
    const uint8_t *der[1] = {junk};
    size_t len[1] = {sizeof(junk)};
    x509_peer peer;
    CHECK_EQ_INT(x509_verify_peer(trust, X509_PEER_SERVER, der, len, 1, "localhost", &peer, err,
                                  sizeof(err)),
                 42);
    CHECK(strstr(err, "does not parse") != NULL);
    CHECK_EQ_INT(x509_verify_peer(trust, X509_PEER_SERVER, der, len, 0, "localhost", &peer, err,
                                  sizeof(err)),
                 42);
    CHECK(peer.key == NULL);

    /* A good leaf followed by junk: the sentence says which certificate is broken. */
    x509_chain *good =
        x509_chain_load_file(path("server-rsa.pem"), path("server-rsa.key"), err, sizeof(err));
    CHECK(good != NULL);
    if (good != NULL) {
        const uint8_t *pair[2] = {x509_chain_der(good, 0, &len[0]), junk};
        size_t pair_len[2] = {len[0], sizeof(junk)};
        CHECK_EQ_INT(x509_verify_peer(trust, X509_PEER_SERVER, pair, pair_len, 2, "localhost",
                                      &peer, err, sizeof(err)),
                     42);
        CHECK(strstr(err, "certificate 2 of 2 does not parse") != NULL);
        /* Trailing bytes after a certificate are not a certificate either. */
        uint8_t padded[4096];
        if (len[0] < sizeof(padded)) {
            memcpy(padded, pair[0], len[0]);
            padded[len[0]] = 0;
            const uint8_t *one[1] = {padded};
            size_t one_len[1] = {len[0] + 1};
            CHECK_EQ_INT(x509_verify_peer(NULL, X509_PEER_SERVER, one, one_len, 1, NULL, &peer, err,
                                          sizeof(err)),
                         42);
        }
        /* Verification off still describes the leaf and hands over its key. */
        CHECK_EQ_INT(x509_verify_peer(NULL, X509_PEER_SERVER, pair, pair_len, 1, NULL, &peer, err,
                                      sizeof(err)),
                     0);
        CHECK(peer.key != NULL);
        CHECK_EQ_INT(peer.key_type, CRYPTO_KEY_RSA);
        CHECK_EQ_INT(peer.key_bits, 2048);
        CHECK(strcmp(peer.key_name, "RSA-2048") == 0);
        CHECK(strstr(peer.subject, "CN=localhost") != NULL);
        CHECK(strstr(peer.issuer, "CN=parley test intermediate") != NULL);
        crypto_key_free(peer.key);
        x509_chain_free(good);
    }
    x509_trust_free(trust);
    return check_summary("test_x509");
}
