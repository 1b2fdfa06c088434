#!/usr/bin/env bash
# TLS 1.3 refusals on the wire (raw_tls.py speaks the protocol by hand): each malformed or
# inconsistent ClientHello at parley server gets the RFC 8446 alert, the server logs why and
# serves a normal client right after; an unknown PSK falls back to a full handshake; a wrong
# client Finished gets decrypt_error (encrypted, as the server's application keys say), and so
# does a real ticket offered again with its binder one bit off. Against parley client, a fake
# server's useless or impossible HelloRetryRequest gets illegal_parameter.
# tests/unit/test_tls13.c runs some of these in memory; here they cross real sockets.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need python3
# The python3 on PATH may be another build (pyenv) that lacks Debian's python3-cryptography.
PY=python3
python3 -c 'import cryptography' 2>/dev/null || PY=/usr/bin/python3
"$PY" -c 'import cryptography' 2>/dev/null ||
    bad "python3 has the cryptography module (Debian: python3-cryptography)"
RAW=$INTEROP_DIR/raw_tls.py
CA=(--cacert "$CERTS/ca-bundle.pem")

start_parley_server server --cert "$CERTS/server-ecdsa.pem" --key "$CERTS/server-ecdsa.key" \
    --trace --trace-file "$WORK/strace"

# still_serves WHAT: a normal TLS 1.3 client right after gets its page.
still_serves() {
    parley_client "https://localhost:$PORT/" "${CA[@]}" -v >"$WORK/page" 2>"$WORK/err"
    assert_eq "$1: a normal client right after: exits 0" 0 $?
    assert_contains "$1: a normal client right after: TLSv1.3" "$WORK/err" "^version: TLSv1.3$"
}

# refused PROBE ALERT LOG-TEXT WHAT: the probe's alert, the server's log line, then a client.
refused() {
    local probe=$1 alert=$2 why=$3 what=$4
    timeout 20 "$PY" "$RAW" "$PORT" "$probe" >"$WORK/probe" 2>&1
    assert_eq "$what: fatal alert $alert" "alert 2 $alert" "$(tail -1 "$WORK/probe")"
    eventually_contains "$what: server logs why" "$WORK/server.log" "^handshake failed from .*$why"
    still_serves "$what"
}

refused tls13-no-key-share 109 "has neither key_share nor pre_shared_key" \
    "ClientHello with supported_versions 1.3, no key_share, no PSK"
refused tls13-dup-key-share 47 "ClientHello carries a forbidden value" \
    "key_share with two X25519 entries"
refused tls13-psk-not-last 47 "ClientHello carries a forbidden value" \
    "pre_shared_key not the last extension"

# HelloRetryRequest: the first hello has an empty key_share, so the server must ask for one.
timeout 20 "$PY" "$RAW" "$PORT" tls13-hrr-ok >"$WORK/probe" 2>&1
assert_eq "HRR answered right (control): retry for x25519, then a ServerHello" \
    "hello-retry 0x001d|records 22" "$(paste -sd'|' "$WORK/probe")"
refused tls13-hrr-no-cookie 47 "does not return our cookie" "second ClientHello without the cookie"
assert_contains "second ClientHello without the cookie: the server did ask (HRR)" \
    "$WORK/probe" "^hello-retry 0x001d$"
refused tls13-hrr-other-group 47 "does not carry exactly one key share, for x25519" \
    "second ClientHello with a share for another group than asked"
assert_contains "second ClientHello for another group: the server did ask (HRR)" \
    "$WORK/probe" "^hello-retry 0x001d$"

# A PSK whose identity is no ticket of ours: ignored, a full handshake, the request answered.
failures=$(grep -c '^handshake failed' "$WORK/server.log")
timeout 20 "$PY" "$RAW" "$PORT" tls13-garbage-psk >"$WORK/probe" 2>&1
assert_eq "garbage PSK identity: full handshake (no PSK selected), page served" \
    "server-hello psk=none|http HTTP/1.1 200 OK" "$(paste -sd'|' "$WORK/probe")"
sleep 0.2
assert_eq "garbage PSK identity: no handshake failure logged" "$failures" \
    "$(grep -c '^handshake failed' "$WORK/server.log")"
assert_not_contains "garbage PSK identity: not resumed" "$WORK/server.log" "^session resumed"
still_serves "garbage PSK identity"

# The client Finished: right (control, proves the Python key schedule), then one bit off.
timeout 20 "$PY" "$RAW" "$PORT" tls13-good-finished >"$WORK/probe" 2>&1
assert_eq "client Finished right (control): page served" \
    "server-hello psk=none|http HTTP/1.1 200 OK" "$(paste -sd'|' "$WORK/probe")"
refused tls13-bad-finished 51 "Finished does not verify" "client Finished one bit off"
# The server's trace of that connection ends with its decrypt_error.
eventually_contains "client Finished one bit off: the server's trace shows decrypt_error" \
    "$WORK/strace" "description  decrypt_error"

# A real ticket from a full handshake, offered again with its binder right (control: the server
# selects the PSK), then with the binder one bit off: decrypt_error (RFC 8446 4.2.11).
timeout 20 "$PY" "$RAW" "$PORT" tls13-good-binder >"$WORK/probe" 2>&1
assert_eq "PSK binder right (control): the server selects PSK 0" \
    "server-hello psk=none|server-hello psk=0" "$(paste -sd'|' "$WORK/probe")"
refused tls13-bad-binder 51 "the binder of PSK identity 0 does not verify" \
    "PSK binder one bit off"
stop_bg

# ---- parley client against a fake server's HelloRetryRequest ----
for row in "hrr-same-group|already had a key share: the retry would change nothing" \
    "hrr-unoffered-group|which was not offered"; do
    mode=${row%%|*}
    why=${row#*|}
    start_bg fake "$PY" "$RAW" serve "$mode"
    PORT=$(wait_listening "$WORK/fake.log") || PORT=0
    parley_client "https://localhost:$PORT/" "${CA[@]}" >/dev/null 2>"$WORK/err"
    assert_eq "$mode: parley client exits 1" 1 $?
    assert_contains "$mode: parley client says why" "$WORK/err" "^parley: .*$why"
    eventually_contains "$mode: parley client sent illegal_parameter (2 47)" "$WORK/fake.log" \
        "^alert 2 47$"
    stop_bg
done
summary
