/*
 * RC4, for the legacy suites only. OpenSSL 3 keeps RC4 in its legacy provider. It is loaded, the
 * first time a stream cipher is asked for, into a library-private OSSL_LIB_CTX: the application's
 * default context never gains the legacy algorithms because parley needed one of them.
 */
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto_internal.h"

static pthread_once_t legacy_once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX *legacy_ctx; /* process lifetime, like the algorithms of crypto_init */
static EVP_CIPHER *rc4;
static char legacy_why[256];

static void legacy_load(void)
{
    legacy_ctx = OSSL_LIB_CTX_new();
    if (legacy_ctx == NULL || OSSL_PROVIDER_load(legacy_ctx, "legacy") == NULL) {
        /* Where libcrypto looked: $OPENSSL_MODULES, else its built-in "MODULESDIR: \"...\"". */
        const char *dir = getenv("OPENSSL_MODULES");
        if (dir == NULL)
            dir = OpenSSL_version(OPENSSL_MODULES_DIR);
        snprintf(legacy_why, sizeof(legacy_why),
                 "RC4 needs OpenSSL's legacy provider (legacy.so), which could not be loaded "
                 "(looked in %s)",
                 dir);
        return;
    }
    rc4 = EVP_CIPHER_fetch(legacy_ctx, "RC4", NULL);
    if (rc4 == NULL)
        snprintf(legacy_why, sizeof(legacy_why),
                 "OpenSSL's legacy provider is loaded but offers no RC4");
}

bool crypto_stream_available(crypto_stream_alg alg, const char **why)
{
    if (alg != CRYPTO_RC4_128) {
        if (why)
            *why = "unknown stream cipher";
        return false;
    }
    pthread_once(&legacy_once, legacy_load);
    if (rc4 == NULL && why)
        *why = legacy_why;
    return rc4 != NULL;
}

size_t crypto_stream_key_size(crypto_stream_alg alg)
{
    return alg == CRYPTO_RC4_128 ? 16 : 0;
}

struct crypto_stream {
    EVP_CIPHER_CTX *ctx;
};

crypto_stream *crypto_stream_new(crypto_stream_alg alg, int encrypt, const uint8_t *key)
{
    if (!crypto_stream_available(alg, NULL))
        return NULL;
    crypto_stream *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->ctx = EVP_CIPHER_CTX_new();
    if (s->ctx == NULL || !EVP_CipherInit_ex2(s->ctx, rc4, key, NULL, encrypt ? 1 : 0, NULL)) {
        crypto_stream_free(s);
        return NULL;
    }
    return s;
}

int crypto_stream_run(crypto_stream *s, const uint8_t *in, size_t len, uint8_t *out)
{
    int n;
    if (len == 0)
        return 0;
    if (len > INT_MAX || !EVP_CipherUpdate(s->ctx, out, &n, in, (int)len) || (size_t)n != len)
        return -1;
    return 0;
}

void crypto_stream_free(crypto_stream *s)
{
    if (s == NULL)
        return;
    EVP_CIPHER_CTX_free(s->ctx); /* cleanses the key schedule */
    free(s);
}
