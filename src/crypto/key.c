/* crypto_key: an EVP_PKEY classified once (type and size) and shared by reference count. */
#include <stdatomic.h>
#include <string.h>

#include "crypto_internal.h"
#include "crypto_key.h"

crypto_key *crypto_key_wrap(EVP_PKEY *pkey)
{
    crypto_key *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    k->pkey = pkey;
    k->bits = EVP_PKEY_get_bits(pkey);
    atomic_init(&k->refs, 1);
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        k->type = CRYPTO_KEY_RSA;
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        char group[32] = "";
        size_t n;
        EVP_PKEY_get_group_name(pkey, group, sizeof(group), &n);
        k->type = strcmp(group, "prime256v1") == 0  ? CRYPTO_KEY_EC_P256
                  : strcmp(group, "secp384r1") == 0 ? CRYPTO_KEY_EC_P384
                                                    : CRYPTO_KEY_OTHER;
    } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        k->type = CRYPTO_KEY_ED25519;
    } else {
        k->type = CRYPTO_KEY_OTHER;
    }
    return k;
}

crypto_key_type crypto_key_kind(const crypto_key *k)
{
    return k ? k->type : CRYPTO_KEY_NONE;
}

int crypto_key_bits(const crypto_key *k)
{
    return k ? k->bits : 0;
}

crypto_key *crypto_key_ref(crypto_key *k)
{
    if (k)
        atomic_fetch_add(&k->refs, 1);
    return k;
}

void crypto_key_free(crypto_key *k)
{
    if (k == NULL || atomic_fetch_sub(&k->refs, 1) != 1)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}
