#!/usr/bin/env bash
# Builds parley and runs `parley demo`: the reference flows on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target parley >/dev/null
exec ./build/parley demo "$@"
