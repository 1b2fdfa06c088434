/* What the files of src/crypto/ share: the table of algorithms fetched once per process. */
#ifndef PARLEY_CRYPTO_INTERNAL_H
#define PARLEY_CRYPTO_INTERNAL_H

#include <openssl/evp.h>
#include <stdlib.h>

#include "crypto.h"

typedef struct crypto_table {
    EVP_MD *md[CRYPTO_HASH_COUNT];
    EVP_MD *sha512;
    EVP_CIPHER *aead[3];
    EVP_CIPHER *cbc[3];
    EVP_MAC *hmac;
    EVP_MAC_CTX *hmac_template[CRYPTO_HASH_COUNT]; /* digest set, no key: dup'd per key */
    /* Keyed with HashLen zero bytes, HKDF-Extract's salt when there is none: dup'd, not keyed. */
    EVP_MAC_CTX *hmac_zero_key[CRYPTO_HASH_COUNT];
    uint8_t empty_hash[CRYPTO_HASH_COUNT][CRYPTO_MAX_HASH]; /* the digest of no bytes */
    EVP_PKEY *ec_group[2]; /* P-256, P-384 parameters only: keygen and peer keys start here */
} crypto_table;

extern crypto_table crypto_algs;

#endif
