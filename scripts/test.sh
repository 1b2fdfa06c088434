#!/usr/bin/env bash
# Builds parley and runs every test, in stages: gcc and clang builds with -Werror, the unit and
# interop tests, the unit tests again under ASan+UBSan, each libFuzzer target for a bounded time
# on a copy of its seed corpus, and a check that the shared library links libcrypto and never
# libssl. Every stage runs even after one fails; the exit status is non-zero if any failed.
#
#   PARLEY_FUZZ_SECONDS  seconds per fuzz target (default 60)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
jobs=$(nproc)
fuzz_seconds=${PARLEY_FUZZ_SECONDS:-60}
logs=build-logs
mkdir -p "$logs"
passed=0
failed=0

stage() { # stage NAME FUNCTION
    local name=$1 started=$SECONDS
    shift
    echo "=== $name"
    if "$@"; then
        echo "=== ok: $name ($((SECONDS - started)) s)"
        passed=$((passed + 1))
    else
        echo "=== FAILED: $name ($((SECONDS - started)) s)"
        failed=$((failed + 1))
    fi
}

# quietly LOG CMD...: runs CMD with its output in LOG, shown only when it fails.
quietly() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 && return 0
    tail -60 "$log"
    echo "(full output: $log)"
    return 1
}

gcc_build() {
    CC=gcc quietly "$logs/gcc-configure.log" cmake -S . -B build -DPARLEY_WERROR=ON &&
        quietly "$logs/gcc-build.log" cmake --build build -j"$jobs"
}
clang_build() { # compile only: a second compiler's warnings, as errors
    CC=clang quietly "$logs/clang-configure.log" cmake -S . -B build-clang -DPARLEY_WERROR=ON &&
        quietly "$logs/clang-build.log" cmake --build build-clang -j"$jobs"
}
all_tests() {
    (cd build && ctest --output-on-failure -j2)
}
asan_unit() {
    quietly "$logs/asan-configure.log" cmake -S . -B build-asan -DPARLEY_SANITIZE=ON \
        -DPARLEY_BENCH=OFF &&
        quietly "$logs/asan-build.log" cmake --build build-asan -j"$jobs" &&
        (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -L unit -j2)
}

fuzz_sources=(fuzz/fuzz_*.c)
[ -e "${fuzz_sources[0]}" ] || fuzz_sources=()
fuzz_all() {
    CC=clang quietly "$logs/fuzz-configure.log" cmake -S . -B build-fuzz -DPARLEY_FUZZ=ON \
        -DPARLEY_BENCH=OFF -DBUILD_TESTING=OFF &&
        quietly "$logs/fuzz-build.log" cmake --build build-fuzz -j"$jobs" || return 1
    local rc=0 src name corpus seeds
    for src in "${fuzz_sources[@]}"; do
        name=$(basename "$src" .c)
        seeds=fuzz/corpus/${name#fuzz_}
        # The fuzzer adds what it finds to its corpus directory; the committed seeds stay clean.
        corpus=$(mktemp -d)
        [ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
        if [ ! -x "build-fuzz/fuzz/$name" ]; then
            echo "$name: no binary at build-fuzz/fuzz/$name"
            rc=1
        elif (cd build-fuzz && "fuzz/$name" -max_total_time="$fuzz_seconds" -timeout=25 \
            -rss_limit_mb=2048 -print_final_stats=1 "$corpus" >"../$logs/$name.log" 2>&1); then
            echo "$name: $(grep -E '^stat::number_of_executed_units' "$logs/$name.log" |
                awk '{print $2}') inputs in ${fuzz_seconds}s, no crash"
        else
            # libFuzzer writes the crashing input (crash-*, leak-*, timeout-*) to build-fuzz/.
            echo "$name: FAILED, see $logs/$name.log and build-fuzz/crash-* / leak-* / timeout-*"
            grep -E "ERROR|SUMMARY|Test unit written" "$logs/$name.log" | head -20
            rc=1
        fi
        rm -rf "$corpus"
    done
    return $rc
}

links_libcrypto_only() {
    local deps
    deps=$(ldd build/libparley.so) || return 1
    echo "$deps" | grep -E "libcrypto|libssl"
    grep -q "libcrypto" <<<"$deps" && ! grep -q "libssl" <<<"$deps"
}

./scripts/install-deps.sh || exit 1
stage "gcc -Werror build (build/)" gcc_build
stage "clang -Werror build (build-clang/)" clang_build
stage "unit and interop tests (ctest in build/)" all_tests
stage "unit tests under ASan+UBSan (build-asan/)" asan_unit
if [ ${#fuzz_sources[@]} -gt 0 ]; then
    stage "${#fuzz_sources[@]} fuzz targets, ${fuzz_seconds}s each (build-fuzz/)" fuzz_all
fi
stage "build/libparley.so links libcrypto, not libssl" links_libcrypto_only

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
