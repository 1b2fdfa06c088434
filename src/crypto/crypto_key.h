/*
 * The inside of crypto_key, shared by src/crypto/ and src/x509/ only (both may include OpenSSL
 * headers). Everything else sees crypto_key as opaque.
 */
#ifndef PARLEY_CRYPTO_KEY_H
#define PARLEY_CRYPTO_KEY_H

#include <openssl/evp.h>
#include <stdatomic.h>

#include "crypto.h"

struct crypto_key {
    EVP_PKEY *pkey;
    crypto_key_type type;
    int bits;
    atomic_int refs;
};

/* Wraps pkey, taking ownership of the caller's reference; classifies type and bits once.
 * NULL on allocation failure (pkey is then freed). */
crypto_key *crypto_key_wrap(EVP_PKEY *pkey);

#endif
