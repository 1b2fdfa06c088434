# shellcheck shell=bash disable=SC2034 # (the variables set here are for the sourcing scripts)
# Helpers for the interop tests, sourced by each tests/interop/test_*.sh. Every server started
# here is bounded by `timeout` and killed on exit; a missing peer tool is a failure, not a skip,
# because scripts/install-deps.sh provides them all and a silent skip would hide lost coverage.
#
# Environment (set by CTest): PARLEY (the parley binary), PARLEY_CERTS (the directory made by
# tests/certs/make-certs.sh), PARLEY_SRC (source tree), PARLEY_BUILD (build tree).
set -u
: "${PARLEY:?path to the parley binary}" "${PARLEY_CERTS:?directory from make-certs.sh}"
PARLEY_SRC=${PARLEY_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PARLEY_BUILD=${PARLEY_BUILD:-$(dirname "$PARLEY")}
INTEROP_DIR=$PARLEY_SRC/tests/interop
CERTS=$PARLEY_CERTS
WORK=$(mktemp -d)
PIDS=()
PASS=0
FAIL=0
SUMMARY_DONE=0
# How long any one peer process may live; well under CTest's per-script timeout.
BG_SECONDS=${BG_SECONDS:-120}

cleanup() {
    local rc=$?
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$WORK"
    # A script that dies half-way (set -u, a typo) must not look like a pass.
    if [ "$SUMMARY_DONE" -eq 0 ]; then
        echo "FAIL the script ended before its summary"
        exit 1
    fi
    exit "$rc"
}
trap cleanup EXIT

# ---- counting ----
ok() { echo "ok   $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL $*"; FAIL=$((FAIL + 1)); }
pass() { ok "$@"; }
fail() { bad "$@"; }
check() { # check DESCRIPTION COMMAND...: one line, pass if COMMAND succeeds
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
contains() { grep -q -- "$2" "$1"; }
assert_eq() { # assert_eq DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1 (expected '$2', got '$3')"; fi
}
assert_contains() { # assert_contains DESCRIPTION FILE PATTERN (grep basic regex)
    if grep -q -- "$3" "$2"; then
        ok "$1"
    else
        bad "$1 ('$3' not in $(basename "$2"):)"
        head -c 2000 "$2" | sed 's/^/     | /'
    fi
}
eventually_contains() { # eventually_contains DESCRIPTION FILE PATTERN: within 5 s (a log)
    for _ in $(seq 50); do
        grep -q -- "$3" "$2" && { ok "$1"; return; }
        sleep 0.1
    done
    assert_contains "$@"
}
assert_not_contains() { # assert_not_contains DESCRIPTION FILE PATTERN
    if grep -q -- "$3" "$2"; then bad "$1 ('$3' found)"; else ok "$1"; fi
}
assert_same_file() { # assert_same_file DESCRIPTION EXPECTED-FILE ACTUAL-FILE: byte-exact
    if cmp -s "$2" "$3"; then
        ok "$1"
    else
        bad "$1 ($(wc -c <"$3" 2>/dev/null || echo no) bytes vs $(wc -c <"$2") expected)"
    fi
}

need() { # need TOOL...: each must be installed (scripts/install-deps.sh)
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || bad "$tool is installed (run scripts/install-deps.sh)"
    done
}

summary() {
    SUMMARY_DONE=1
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}

# ---- peers in the background ----
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_bg NAME CMD...: runs CMD in the background for at most BG_SECONDS, output in
# $WORK/NAME.log, in directory BG_DIR if set. Killed by stop_bg or at exit.
start_bg() {
    local name=$1
    shift
    # Emptied here, not only by the redirection below, which the background child makes when
    # it gets to it: a wait_listening right after could read a previous server's line.
    : >"$WORK/$name.log"
    (cd "${BG_DIR:-.}" && exec timeout "$BG_SECONDS" "$@") >"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
}

stop_bg() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    PIDS=()
}

# wait_listening LOG: waits (at most 10 s) for the line a server prints once it accepts,
# `listening on ADDR:PORT` (parley server) or `ACCEPT ADDR:PORT` (openssl s_server), and prints
# PORT. Servers started on port 0 avoid any race for a free port between parallel tests.
wait_listening() {
    local log=$1 line
    for _ in $(seq 100); do
        line=$(grep -m1 -E '^(listening on|ACCEPT) ' "$log" 2>/dev/null) && {
            echo "${line##*:}"
            return 0
        }
        sleep 0.1
    done
    echo "no listening line in $log:" >&2
    head -20 "$log" >&2
    return 1
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (at most 10 s).
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1"
    return 1
}

# start_gnutls_server NAME ARGS...: gnutls-serv on port 0. It does not print the port it got, so
# the port is read back from the socket table for that very process (its IPv4 socket); sets PORT.
# Needs ss and pgrep.
start_gnutls_server() {
    local name=$1 pid port
    shift
    start_bg "$name" gnutls-serv -p 0 "$@"
    PORT=0
    for _ in $(seq 100); do
        pid=$(pgrep -P "${PIDS[-1]}" -x gnutls-serv)
        if [ -n "$pid" ]; then
            port=$(ss -Hltnp | awk -v p="pid=$pid," \
                'index($0, p) && $4 ~ /^0\.0\.0\.0:/ { sub(/.*:/, "", $4); print $4; exit }')
            [ -n "$port" ] && PORT=$port && return 0
        fi
        sleep 0.1
    done
    echo "gnutls-serv $name is not listening:"
    head -20 "$WORK/$name.log"
    return 1
}

# start_parley_server NAME ARGS...: parley server on an ephemeral port; sets PORT.
start_parley_server() {
    local name=$1
    shift
    start_bg "$name" "$PARLEY" server --port 0 "$@"
    PORT=$(wait_listening "$WORK/$name.log") || PORT=0
}

# start_openssl_server NAME ARGS...: openssl s_server on an ephemeral port; sets PORT.
start_openssl_server() {
    local name=$1
    shift
    start_bg "$name" openssl s_server -accept 127.0.0.1:0 "$@"
    PORT=$(wait_listening "$WORK/$name.log") || PORT=0
}

# parley_client ARGS...: the parley client, bounded in time whatever the peer does.
parley_client() { timeout 30 "$PARLEY" client --timeout 20 "$@"; }

# ---- the suites issue 3 covers ----
# Each row: IANA name, OpenSSL name, GnuTLS priority part (cipher:kx:mac), certificate.
SUITES=(
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 +AES-128-GCM:+ECDHE-ECDSA:+AEAD ecdsa"
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ECDHE-RSA-AES128-GCM-SHA256 +AES-128-GCM:+ECDHE-RSA:+AEAD rsa"
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384 +AES-256-GCM:+ECDHE-ECDSA:+AEAD ecdsa"
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ECDHE-RSA-AES256-GCM-SHA384 +AES-256-GCM:+ECDHE-RSA:+AEAD rsa"
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-CHACHA20-POLY1305 +CHACHA20-POLY1305:+ECDHE-ECDSA:+AEAD ecdsa"
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-RSA-CHACHA20-POLY1305 +CHACHA20-POLY1305:+ECDHE-RSA:+AEAD rsa"
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA ECDHE-RSA-AES128-SHA +AES-128-CBC:+ECDHE-RSA:+SHA1 rsa"
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 ECDHE-RSA-AES128-SHA256 +AES-128-CBC:+ECDHE-RSA:+SHA256 rsa"
  "TLS_RSA_WITH_AES_128_CBC_SHA AES128-SHA +AES-128-CBC:+RSA:+SHA1 rsa"
  "TLS_RSA_WITH_AES_128_GCM_SHA256 AES128-GCM-SHA256 +AES-128-GCM:+RSA:+AEAD rsa"
)

gnutls_priority() { # the part from SUITES -> a priority string with exactly that suite
    local cipher kx mac
    IFS=: read -r cipher kx mac <<<"$1"
    echo "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:$cipher:-KX-ALL:$kx:-MAC-ALL:$mac"
}

# payload FILE BYTES: random bytes, and sure to hold the bytes that trip text-minded code
# (NUL, CR, LF, 0xff) whatever the random draw.
payload() {
    {
        printf '\0\r\n\377\r\n\r\n'
        head -c "$2" /dev/urandom
        printf '\0'
    } >"$1"
}

# held_stdin FILE OUT PATTERN: $WORK/fifo gives FILE, then ends (EOF) once OUT contains
# PATTERN (the answer arrived; at most 10 s): the close comes after the HTTP exchange.
held_stdin() {
    rm -f "$WORK/fifo"
    mkfifo "$WORK/fifo"
    (
        cat "$1"
        for _ in $(seq 100); do grep -q -- "$3" "$2" 2>/dev/null && break; sleep 0.1; done
    ) >"$WORK/fifo" &
}
