#include "describe.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

static void name_line(const X509_NAME *name, char *out, size_t cap)
{
    out[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL)
        return;
    X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    snprintf(out, cap, "%.*s", (int)(n < 0 ? 0 : n), p);
    BIO_free(b);
}

static void time_line(const ASN1_TIME *t, char *out, size_t cap)
{
    struct tm tm;
    out[0] = '\0';
    if (t != NULL && ASN1_TIME_to_tm(t, &tm) == 1)
        snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void key_line(EVP_PKEY *key, char *out, size_t cap)
{
    out[0] = '\0';
    if (key == NULL)
        return;
    if (EVP_PKEY_is_a(key, "RSA")) {
        snprintf(out, cap, "RSA-%d", EVP_PKEY_get_bits(key));
    } else if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = "";
        size_t n = 0;
        EVP_PKEY_get_group_name(key, group, sizeof(group), &n);
        snprintf(out, cap, "EC-%s",
                 strcmp(group, "prime256v1") == 0  ? "P256"
                 : strcmp(group, "secp384r1") == 0 ? "P384"
                                                   : group);
    } else {
        snprintf(out, cap, "%s", EVP_PKEY_get0_type_name(key));
    }
}

void x509_summarize(const X509 *cert, x509_summary *out)
{
    memset(out, 0, sizeof(*out));
    name_line(X509_get_subject_name(cert), out->subject, sizeof(out->subject));
    name_line(X509_get_issuer_name(cert), out->issuer, sizeof(out->issuer));
    key_line(X509_get0_pubkey(cert), out->key, sizeof(out->key));
    time_line(X509_get0_notBefore(cert), out->not_before, sizeof(out->not_before));
    time_line(X509_get0_notAfter(cert), out->not_after, sizeof(out->not_after));
}

int x509_describe_name(const uint8_t *der, size_t len, char *out, size_t cap)
{
    out[0] = '\0';
    const unsigned char *p = der;
    X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);
    if (name == NULL)
        return -1;
    name_line(name, out, cap);
    X509_NAME_free(name);
    return 0;
}

int x509_describe(const uint8_t *der, size_t len, x509_summary *out)
{
    memset(out, 0, sizeof(*out));
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    if (cert == NULL)
        return -1;
    x509_summarize(cert, out);
    X509_free(cert);
    return 0;
}
