#!/usr/bin/env bash
# Builds parley and runs every test: gcc and clang builds with -Werror, the unit and interop
# tests, the unit tests again under ASan+UBSan, each fuzz target for a bounded time, and a check
# that the shared library links libcrypto and never libssl.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
fuzz_seconds=${PARLEY_FUZZ_SECONDS:-60}
passed=0 failed=0
stage() {
    local name=$1
    shift
    echo "=== $name"
    if "$@"; then
        echo "=== $name: ok"
        passed=$((passed + 1))
    else
        echo "=== $name: FAILED"
        failed=$((failed + 1))
    fi
}

./scripts/install-deps.sh || exit 1

gcc_build() {
    cmake -S . -B build -DPARLEY_WERROR=ON >/dev/null && cmake --build build -j"$jobs" 2>&1 | grep -v "^\[" ; return "${PIPESTATUS[0]}"
}
clang_build() {
    CC=clang cmake -S . -B build-clang -DPARLEY_WERROR=ON >/dev/null &&
        cmake --build build-clang -j"$jobs" 2>&1 | grep -v "^\[" ; return "${PIPESTATUS[0]}"
}
all_tests() { (cd build && ctest --output-on-failure -j"$jobs"); }
asan_unit() {
    cmake -S . -B build-asan -DPARLEY_SANITIZE=ON -DPARLEY_BENCH=OFF >/dev/null &&
        cmake --build build-asan -j"$jobs" >/dev/null &&
        (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -L unit -j"$jobs")
}
fuzz_all() {
    CC=clang cmake -S . -B build-fuzz -DPARLEY_FUZZ=ON -DPARLEY_BENCH=OFF -DBUILD_TESTING=OFF \
        >/dev/null && cmake --build build-fuzz -j"$jobs" >/dev/null || return 1
    local rc=0
    for target in build-fuzz/fuzz/fuzz_*; do
        [ -x "$target" ] || continue
        local name corpus
        name=$(basename "$target")
        corpus=$(mktemp -d)
        [ -d "fuzz/corpus/${name#fuzz_}" ] && cp "fuzz/corpus/${name#fuzz_}"/* "$corpus"/
        echo "--- $name for ${fuzz_seconds}s"
        if ! "$target" -max_total_time="$fuzz_seconds" -print_final_stats=0 "$corpus" \
            >"build-fuzz/$name.log" 2>&1; then
            tail -40 "build-fuzz/$name.log"
            rc=1
        else
            grep -E "^#[0-9]+.*DONE" "build-fuzz/$name.log" | tail -1
        fi
        rm -rf "$corpus"
    done
    return $rc
}
links_libcrypto_only() {
    local deps
    deps=$(ldd build/libparley.so) || return 1
    echo "$deps" | grep -E "libcrypto|libssl"
    echo "$deps" | grep -q libcrypto && ! echo "$deps" | grep -q libssl
}

stage "gcc -Werror build" gcc_build
stage "clang -Werror build" clang_build
stage "unit and interop tests" all_tests
stage "unit tests under ASan+UBSan" asan_unit
stage "fuzz targets (${fuzz_seconds}s each)" fuzz_all
stage "libparley.so links libcrypto, not libssl" links_libcrypto_only

echo "test stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
