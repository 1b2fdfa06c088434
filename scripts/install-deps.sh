#!/usr/bin/env bash
# Installs the Debian packages parley's build and tests need, only those missing.
set -euo pipefail
packages=(cmake make gcc clang clang-format libssl-dev openssl gnutls-bin curl python3
          valgrind libclang-rt-14-dev pkg-config tshark chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: need root to install ${missing[*]}" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
