#!/usr/bin/env python3
"""Instructions outside public-key math in a callgrind profile of parley-bench --callgrind-one.

    callgrind_outside_pk.py cg.parley-tls13-rsa [cg.openssl-tls13-rsa ...]

For each profile: the total, the inclusive instructions of the public-key primitives, and the
difference. The primitives are the innermost libcrypto functions that do the math and nothing
else, the same on both stacks (same libcrypto, same calls):

  RSA_private_encrypt    RSA signature (after PSS padding)
  RSA_public_decrypt     RSA signature verification (CertificateVerify and the chain)
  ECDSA_do_sign_ex       ECDSA signature
  ECDSA_do_verify        ECDSA verification
  X25519 base-point multiplication (key generation) and X25519 ladder (shared secret):
                         static functions of libcrypto with no symbol; found as the callee
                         under the keygen/derive call chain that the profile names by address,
                         see X25519_FUNCTIONS below (Debian 12's libssl3 3.0.x; another build
                         has other addresses: override with PK_EXTRA=0xADDR,0xADDR).

Everything else - hashing, HKDF, AEAD, record and message work, certificate parsing and chain
building, allocations, provider fetches, OSSL_PARAM traffic, key (de)serialisation - counts as
outside public-key math. The last column also leaves out the client's X.509 work that both
stacks do through the same libcrypto calls: d2i_X509 of the server's chain (in OpenSSL 3.0 it
builds an OSSL_DECODER context per certificate) and X509_verify_cert less the RSA/ECDSA
verifications inside it (CHAIN_PK, default: the RSA_public_decrypt instructions of a chain from
tests/certs/make-certs.sh, measured in the ECDSA profile where no other RSA verification runs).
"""
import os
import re
import subprocess
import sys

NAMED = ["RSA_private_encrypt", "RSA_public_decrypt", "ECDSA_do_sign_ex", "ECDSA_do_verify"]
# ossl_x25519_public_from_private and ossl_x25519 in /usr/lib/x86_64-linux-gnu/libcrypto.so.3
# of Debian 12 (checked: both stacks call them twice per full handshake pair, the first below
# EVP_PKEY_fromdata / EVP_PKEY_generate, the second below EVP_PKEY_derive).
X25519_FUNCTIONS = ["0x0000000000183880", "0x000000000017e940"]

LINE = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+\S*?:(\S+) \[([^\]]*)\]")


def inclusive(path):
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    total = None
    costs = {}
    for line in out.splitlines():
        if "PROGRAM TOTALS" in line:
            total = int(line.split()[0].replace(",", ""))
            continue
        m = LINE.match(line)
        if m and "libcrypto" in m.group(3):
            costs[m.group(2)] = max(costs.get(m.group(2), 0), int(m.group(1).replace(",", "")))
    return total, costs


def main(paths):
    extra = [a for a in os.environ.get("PK_EXTRA", "").split(",") if a]
    names = NAMED + (extra or X25519_FUNCTIONS)
    chain_pk = int(os.environ.get("CHAIN_PK", "668276"))
    print(f"{'profile':34} {'total':>12} {'public-key':>12} {'outside':>12} {'X.509':>12} "
          f"{'outside both':>12}")
    for path in paths:
        total, costs = inclusive(path)
        pk = sum(costs.get(n, 0) for n in names)
        verify = costs.get("X509_verify_cert", 0)
        x509 = costs.get("d2i_X509", 0) + (verify - chain_pk if verify else 0)
        print(f"{os.path.basename(path):34} {total:>12,} {pk:>12,} {total - pk:>12,} "
              f"{x509:>12,} {total - pk - x509:>12,}")
        if os.environ.get("PK_VERBOSE"):
            for n in names:
                print(f"    {n:32} {costs.get(n, 0):>12,}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
