#!/usr/bin/env bash
# TLS 1.3 0-RTT early data against OpenSSL in both roles:
#   1. openssl s_client -> parley server --early-data 16384: a session from a first connection
#      (-sess_out), then -sess_in with -early_data FILE (an HTTP request): s_client says the early
#      data was accepted, the server logs the request's exact size as 0-RTT and answers it. The
#      same session file once more is a replay of its ticket: rejected, the handshake completes and
#      the request sent after it is answered.
#   2. The same ticket (shared --ticket-keys) at a parley server without --early-data: rejected,
#      the 0-RTT records skipped, the handshake and the request after it fine, no bad_record_mac.
#   3. parley client --early-data -> openssl s_server -early_data: s_server prints the early data,
#      the client reports it accepted (-v); the same session again is refused by OpenSSL's own
#      anti-replay, and the client sends the data after the handshake instead.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need openssl python3

CA=$CERTS/ca-bundle.pem
openssl x509 -in "$CERTS/server-ecdsa.pem" -out "$WORK/leaf.pem" # s_server -cert: the leaf alone
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/ticket.keys"
SERVER=(--cert "$CERTS/server-ecdsa.pem" --key "$CERTS/server-ecdsa.key" --ticket-keys
    "$WORK/ticket.keys")
printf 'GET /early HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >"$WORK/early.req"
printf 'GET /late HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >"$WORK/late.req"
EARLY_BYTES=$(wc -c <"$WORK/early.req")

# s_client NAME STDIN ARGS...: openssl s_client to parley at $PORT; output in $WORK/NAME.out.
s_client() {
    local name=$1 input=$2
    shift 2
    timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$CA" \
        -verify_return_error -ign_eof "$@" <"$input" >"$WORK/$name.out" 2>&1
}

# ---- 1. s_client -> parley server --early-data ----
start_parley_server early "${SERVER[@]}" --early-data 16384
s_client first "$WORK/late.req" -sess_out "$WORK/s1.pem"
assert_contains "first connection: TLS 1.3" "$WORK/first.out" "TLSv1.3"
assert_contains "first connection: answered" "$WORK/first.out" "HTTP/1.1 200"
assert_contains "ticket allows early data" "$WORK/first.out" "Max Early Data: 16384"

s_client accepted /dev/null -sess_in "$WORK/s1.pem" -early_data "$WORK/early.req"
assert_contains "s_client: early data accepted" "$WORK/accepted.out" "Early data was accepted"
assert_contains "s_client: resumed" "$WORK/accepted.out" "^Reused, TLSv1.3"
assert_contains "the 0-RTT request is answered" "$WORK/accepted.out" "HTTP/1.1 200"
eventually_contains "parley server: the early data's exact size, as 0-RTT" "$WORK/early.log" \
    "early data from .*: $EARLY_BYTES bytes accepted (0-RTT)"

s_client replayed "$WORK/late.req" -sess_in "$WORK/s1.pem" -early_data "$WORK/early.req"
assert_contains "same ticket again: early data rejected" "$WORK/replayed.out" \
    "Early data was rejected"
assert_contains "same ticket again: the handshake completes" "$WORK/replayed.out" "TLSv1.3"
assert_contains "same ticket again: the request after it is answered" "$WORK/replayed.out" \
    "HTTP/1.1 200"
eventually_contains "parley server: the replay is rejected" "$WORK/early.log" \
    "early data from .*: rejected (skipped)"
assert_eq "parley server: one acceptance in all" 1 \
    "$(grep -c 'bytes accepted (0-RTT)' "$WORK/early.log")"
assert_not_contains "parley server: no handshake failed" "$WORK/early.log" "handshake failed"

# ---- 2. the same ticket at a parley server without --early-data ----
s_client second "$WORK/late.req" -sess_out "$WORK/s2.pem" # a ticket not used for 0-RTT yet
stop_bg
start_parley_server off "${SERVER[@]}"
s_client off "$WORK/late.req" -sess_in "$WORK/s2.pem" -early_data "$WORK/early.req"
assert_contains "server without --early-data: rejected" "$WORK/off.out" "Early data was rejected"
assert_contains "server without --early-data: resumed all the same" "$WORK/off.out" \
    "^Reused, TLSv1.3"
assert_contains "server without --early-data: the request after it is answered" "$WORK/off.out" \
    "HTTP/1.1 200"
assert_not_contains "server without --early-data: no bad_record_mac" "$WORK/off.out" \
    "bad record mac"
eventually_contains "parley server: the 0-RTT records are skipped" "$WORK/off.log" \
    "early data from .*: rejected (skipped)"
assert_not_contains "parley server: no handshake failed" "$WORK/off.log" "handshake failed"
stop_bg

# ---- 3. parley client -> openssl s_server -early_data ----
# s_server (not -www) prints what it reads, early data included, and sends its stdin: a fifo
# held open keeps it from ending each connection at EOF.
# (A background job's stdin is /dev/null, so the fifo is passed as fd 7 and made stdin inside.)
mkfifo "$WORK/s_server.in"
exec 7<>"$WORK/s_server.in"
start_bg s_server bash -c 'exec openssl s_server -accept 127.0.0.1:0 "$@" <&7' s_server \
    -cert "$WORK/leaf.pem" -cert_chain "$CERTS/int.pem" -key "$CERTS/server-ecdsa.key" -early_data
PORT=$(wait_listening "$WORK/s_server.log") || PORT=0
URL=https://localhost:$PORT/
parley_client "$URL" --cacert "$CA" --raw --sess-out "$WORK/p1.sess" </dev/null \
    >/dev/null 2>"$WORK/p0.err"
check "parley client: first connection, session saved" test -s "$WORK/p1.sess"
parley_client "$URL" --cacert "$CA" --raw --sess-in "$WORK/p1.sess" -v \
    --early-data 'zero-rtt payload one\n' </dev/null >/dev/null 2>"$WORK/p1.err"
assert_contains "parley client: early data accepted" "$WORK/p1.err" \
    "early-data: accepted (21 of 21 bytes as 0-RTT)"
assert_contains "parley client: resumed" "$WORK/p1.err" "resumed the session"
eventually_contains "s_server: early data received" "$WORK/s_server.log" "Early data received:"
assert_contains "s_server: the early bytes" "$WORK/s_server.log" "^zero-rtt payload one$"
parley_client "$URL" --cacert "$CA" --raw --sess-in "$WORK/p1.sess" -v \
    --early-data 'zero-rtt payload two\n' </dev/null >/dev/null 2>"$WORK/p2.err"
assert_contains "parley client: the reused ticket's early data is rejected" "$WORK/p2.err" \
    "early-data: rejected"
eventually_contains "s_server: early data rejected" "$WORK/s_server.log" "Early data was rejected"
eventually_contains "s_server: the data, sent after the handshake" "$WORK/s_server.log" \
    "^zero-rtt payload two$"
assert_not_contains "parley client: no failure" "$WORK/p2.err" "^parley:"
exec 7>&-
summary
