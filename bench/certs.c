/*
 * The certificates both stacks serve: either the project's test PEMs, or - so `parley bench`
 * works with no setup - a throwaway RSA-2048 CA and two localhost leaves (RSA-2048 and ECDSA
 * P-256) made here with libcrypto. Both stacks load the same files, so neither gets a cheaper
 * chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench.h"

static int join_path(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, BENCH_PATH_MAX, "%s/%s", dir, name);
    return n > 0 && n < BENCH_PATH_MAX ? 0 : -1;
}

int bench_certs_from_dir(bench_certs *certs, const char *dir)
{
    memset(certs, 0, sizeof(*certs));
    if (join_path(certs->chain_file[BENCH_CERT_RSA], dir, "server-rsa.pem") < 0 ||
        join_path(certs->key_file[BENCH_CERT_RSA], dir, "server-rsa.key") < 0 ||
        join_path(certs->chain_file[BENCH_CERT_ECDSA], dir, "server-ecdsa.pem") < 0 ||
        join_path(certs->key_file[BENCH_CERT_ECDSA], dir, "server-ecdsa.key") < 0 ||
        join_path(certs->ca_file, dir, "ca-bundle.pem") < 0) {
        fprintf(stderr, "parley-bench: certificate directory path too long: %s\n", dir);
        return -1;
    }
    const char *files[] = {certs->chain_file[BENCH_CERT_RSA], certs->key_file[BENCH_CERT_RSA],
                           certs->chain_file[BENCH_CERT_ECDSA], certs->key_file[BENCH_CERT_ECDSA],
                           certs->ca_file};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (access(files[i], R_OK) != 0) {
            fprintf(stderr,
                    "parley-bench: cannot read %s (make it with tests/certs/make-certs.sh %s)\n",
                    files[i], dir);
            return -1;
        }
    }
    return 0;
}

static int add_extension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    int ok = ext != NULL && X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* A certificate for key, signed by issuer_key; issuer NULL makes it self-signed (the CA). */
static X509 *make_certificate(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *cn,
                              long serial)
{
    X509 *cert = X509_new();
    if (cert == NULL)
        return NULL;
    int is_ca = issuer == NULL;
    X509_NAME *subject = X509_get_subject_name(cert);
    int ok = X509_set_version(cert, 2) == 1 &&
             ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) == 1 &&
             X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != NULL &&
             X509_gmtime_adj(X509_getm_notAfter(cert), 7L * 24 * 3600) != NULL &&
             X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                        -1, 0) == 1 &&
             X509_set_issuer_name(cert, is_ca ? subject : X509_get_subject_name(issuer)) == 1 &&
             X509_set_pubkey(cert, key) == 1;
    X509 *signer = is_ca ? cert : issuer;
    if (ok && is_ca)
        ok = add_extension(cert, signer, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
             add_extension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign") == 0;
    if (ok && !is_ca)
        ok = add_extension(cert, signer, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
             add_extension(cert, signer, NID_key_usage,
                           "critical,digitalSignature,keyEncipherment") == 0 &&
             add_extension(cert, signer, NID_ext_key_usage, "serverAuth") == 0 &&
             add_extension(cert, signer, NID_subject_alt_name,
                           "DNS:" BENCH_SERVER_NAME ",IP:127.0.0.1") == 0;
    if (ok)
        ok = add_extension(cert, signer, NID_subject_key_identifier, "hash") == 0 &&
             X509_sign(cert, issuer_key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

static int write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
    /* The key is throwaway, but still nobody else's to read. */
    mode_t old_mask = umask(077);
    FILE *f = fopen(path, "w");
    umask(old_mask);
    if (f == NULL)
        return -1;
    int ok = cert ? PEM_write_X509(f, cert) == 1
                  : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int bench_certs_generate(bench_certs *certs)
{
    memset(certs, 0, sizeof(*certs));
    const char *tmp = getenv("TMPDIR");
    snprintf(certs->generated_dir, sizeof(certs->generated_dir), "%s/parley-bench-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(certs->generated_dir) == NULL) {
        perror("parley-bench: mkdtemp");
        certs->generated_dir[0] = '\0';
        return -1;
    }
    static const char *const names[BENCH_CERT_KINDS][2] = {
        {"server-rsa.pem", "server-rsa.key"}, {"server-ecdsa.pem", "server-ecdsa.key"}};
    EVP_PKEY *ca_key = EVP_RSA_gen(2048);
    X509 *ca = ca_key ? make_certificate(ca_key, NULL, ca_key, "parley-bench CA", 1) : NULL;
    int rc = ca != NULL && join_path(certs->ca_file, certs->generated_dir, "ca-bundle.pem") == 0 &&
                     write_pem(certs->ca_file, ca, NULL) == 0
                 ? 0
                 : -1;
    for (int k = 0; rc == 0 && k < BENCH_CERT_KINDS; k++) {
        EVP_PKEY *leaf_key = k == BENCH_CERT_RSA ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
        X509 *leaf =
            leaf_key ? make_certificate(leaf_key, ca, ca_key, BENCH_SERVER_NAME, 2 + k) : NULL;
        rc = leaf != NULL &&
                     join_path(certs->chain_file[k], certs->generated_dir, names[k][0]) == 0 &&
                     join_path(certs->key_file[k], certs->generated_dir, names[k][1]) == 0 &&
                     write_pem(certs->chain_file[k], leaf, NULL) == 0 &&
                     write_pem(certs->key_file[k], NULL, leaf_key) == 0
                 ? 0
                 : -1;
        X509_free(leaf);
        EVP_PKEY_free(leaf_key);
    }
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    if (rc < 0) {
        fprintf(stderr, "parley-bench: cannot generate a throwaway certificate\n");
        bench_certs_remove(certs);
    }
    return rc;
}

void bench_certs_remove(bench_certs *certs)
{
    if (certs->generated_dir[0] == '\0')
        return;
    const char *files[] = {certs->chain_file[BENCH_CERT_RSA], certs->key_file[BENCH_CERT_RSA],
                           certs->chain_file[BENCH_CERT_ECDSA], certs->key_file[BENCH_CERT_ECDSA],
                           certs->ca_file};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (files[i][0] != '\0')
            unlink(files[i]);
    rmdir(certs->generated_dir);
    certs->generated_dir[0] = '\0';
}
