#!/usr/bin/env bash
# Installs the Debian packages parley's build and tests need, only those missing: the compilers,
# the libcrypto and hiredis headers, the sanitizer/libFuzzer runtime, and every peer the tests talk
# to (a missing peer, redis-server included, makes its test fail rather than skip). Silent when
# everything is present.
set -euo pipefail

# clang's sanitizer and libFuzzer runtime ships separately, named after clang's major version
# (Debian 12: clang 14, libclang-rt-14-dev).
clang_major=14
command -v clang >/dev/null && clang_major=$(clang -dumpversion | cut -d. -f1)

packages=(
    cmake make gcc clang clang-format pkg-config libssl-dev "libclang-rt-$clang_major-dev"
    libhiredis-dev redis-server # the Redis session cache, and the Redis its test starts
    valgrind openssl gnutls-bin curl python3 tshark chromium
    iproute2 procps # ss and pgrep: the interop tests find the port gnutls-serv took
    python3-cryptography # raw_tls.py's TLS 1.3 key schedule (X25519, AES-GCM)
)
# One dpkg query for all: a package it does not list as installed is missing.
installed=$({ dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true; } |
    awk '$2 == "ii" { print $1 }')
missing=()
for p in "${packages[@]}"; do
    grep -qx "$p" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || {
        echo "install-deps: need root (or sudo) to install ${missing[*]}" >&2
        exit 1
    }
    sudo=(sudo env DEBIAN_FRONTEND=noninteractive)
fi
# tshark asks whether non-root users may capture; the default answer is fine.
export DEBIAN_FRONTEND=noninteractive
# Another install may hold the dpkg lock (CI images warm up in the background): wait for it.
apt_opts=(-qq -o DPkg::Lock::Timeout=600)
"${sudo[@]}" apt-get "${apt_opts[@]}" update
"${sudo[@]}" apt-get "${apt_opts[@]}" install -y "${missing[@]}" >/dev/null
