#!/usr/bin/env bash
# Builds parley (Release, in build/) and runs `parley demo`: the reference flows on loopback.
# Warnings are not errors here: a newer compiler's new warning must not stop someone trying it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPARLEY_WERROR=OFF >/dev/null
cmake --build build -j"$(nproc)" --target parley >/dev/null
exec ./build/parley demo "$@"
