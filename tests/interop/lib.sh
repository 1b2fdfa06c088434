# Helpers for the interop tests, sourced by each tests/interop/test_*.sh. Every server started
# here is bounded by `timeout` and killed on exit; a missing peer tool is a failure, not a skip.
set -u
: "${PARLEY:?path to the parley binary}" "${PARLEY_CERTS:?directory from make-certs.sh}"
CERTS=$PARLEY_CERTS
WORK=$(mktemp -d)
PIDS=()
PASS=0
FAIL=0
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

need() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; FAIL=$((FAIL + 1)); }
    done
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_bg NAME CMD...: runs CMD in the background for at most 120 s, output in $WORK/NAME.log.
start_bg() {
    local name=$1
    shift
    timeout 120 "$@" >"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
}

stop_bg() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    PIDS=()
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

ok() { echo "ok   $*"; PASS=$((PASS + 1)); }
bad() { echo "FAIL $*"; FAIL=$((FAIL + 1)); }
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
contains() { grep -q -- "$2" "$1"; }

summary() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}

# The TLS 1.2 suites issue 3 covers, as: IANA-name openssl-name gnutls-priority-part cert.
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
