#!/usr/bin/env bash
# Handshakes that must fail: each fails with the right alert and an error that names the cause,
# and a parley server keeps serving other clients after every kind of abuse.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need openssl curl python3
RAW=$INTEROP_DIR/raw_tls.py
CA=(--cacert "$CERTS/ca-bundle.pem")

# ---- certificates parley client must refuse, served by openssl s_server and by parley server ----
refuse_openssl() { # refuse_openssl CERTNAME EXPECTED-TEXT URL-HOST [client args...]
    local name=$1 want=$2 host=$3
    shift 3
    # s_server sends only the first certificate of -cert; the rest goes in -cert_chain.
    openssl x509 -in "$CERTS/$name.pem" -out "$WORK/leaf.pem"
    start_openssl_server s_server -cert "$WORK/leaf.pem" -cert_chain "$CERTS/$name.pem" \
        -key "$CERTS/$name.key" -www -cipher DEFAULT@SECLEVEL=0
    local what="s_server $name${*:+ $*}"
    parley_client "https://$host:$PORT/" "${CA[@]}" "$@" >/dev/null 2>"$WORK/err"
    assert_eq "$what: parley client exits 1" 1 $?
    assert_contains "$what: error says \"$want\"" "$WORK/err" "^parley: .*$want"
    stop_bg
}
refuse_openssl wrongname "does not match requested name localhost" localhost
refuse_openssl untrusted "is not trusted" localhost
refuse_openssl expired "expired on 2020-01-02" localhost
refuse_openssl server-rsa "does not match requested name api.example.com" localhost \
    --servername api.example.com
refuse_openssl rsa1024 "below the 2048-bit minimum" localhost

refuse_parley() { # refuse_parley CERTNAME EXPECTED-TEXT ALERT URL-HOST [client args...]
    local name=$1 want=$2 alert=$3 host=$4
    shift 4
    start_parley_server server --cert "$CERTS/$name.pem" --key "$CERTS/$name.key"
    local args=("${@//@PORT@/$PORT}") what="parley server $name${*:+ $*}"
    parley_client "https://$host:$PORT/" "${CA[@]}" "${args[@]}" >/dev/null 2>"$WORK/err"
    assert_eq "$what: parley client exits 1" 1 $?
    assert_contains "$what: error says \"$want\"" "$WORK/err" "^parley: .*$want"
    eventually_contains "$what: server got alert $alert" "$WORK/server.log" \
        "handshake failed from .*fatal alert $alert"
    stop_bg
}
refuse_parley wrongname "does not match requested name localhost" bad_certificate localhost
refuse_parley untrusted "is not trusted" unknown_ca localhost
refuse_parley expired "expired on 2020-01-02" certificate_expired localhost
# TCP goes to the server (@PORT@: the port it gets) while other.example is still the name sent and checked.
refuse_parley server-rsa "does not match requested name other.example" bad_certificate \
    other.example --connect-to 127.0.0.1:@PORT@

# ---- no suite in common: the server allows only AES-256-GCM, the client only ChaCha20 ----
start_openssl_server s_server -cert "$CERTS/server-rsa-leaf.pem" -cert_chain "$CERTS/int.pem" \
    -key "$CERTS/server-rsa.key" -www -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
parley_client "https://localhost:$PORT/" "${CA[@]}" \
    --ciphers TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 >/dev/null 2>"$WORK/err"
assert_eq "no shared suite with s_server: client exits 1" 1 $?
assert_contains "no shared suite with s_server: error names handshake_failure" "$WORK/err" \
    "^parley: .*handshake_failure"
stop_bg

start_parley_server server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --ciphers TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
parley_client "https://localhost:$PORT/" "${CA[@]}" \
    --ciphers TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 >/dev/null 2>"$WORK/err"
assert_eq "no shared suite with parley server: client exits 1" 1 $?
assert_contains "no shared suite with parley server: error names handshake_failure" "$WORK/err" \
    "^parley: .*handshake_failure"
eventually_contains "no shared suite: server logs it" "$WORK/server.log" \
    "handshake failed from .*no cipher suite in common"

# ---- raw bytes at parley server (same server from here on) ----
assert_eq "garbage ClientHello: fatal decode_error alert (2 50)" "alert 2 50" \
    "$(python3 "$RAW" "$PORT" garbage)"
assert_eq "plain HTTP on the TLS port: fatal unexpected_message alert (2 10)" "alert 2 10" \
    "$(python3 "$RAW" "$PORT" http)"
assert_eq "early ChangeCipherSpec: fatal unexpected_message alert (2 10)" "alert 2 10" \
    "$(python3 "$RAW" "$PORT" early-ccs)"
assert_eq "SSL 3.0-only ClientHello: fatal protocol_version alert (2 70)" "alert 2 70" \
    "$(python3 "$RAW" "$PORT" ssl3-hello)"
python3 "$RAW" "$PORT" truncated >"$WORK/truncated"
eventually_contains "truncated record: server logs the failure" "$WORK/server.log" \
    "handshake failed from .*closed the connection during the handshake"
for _ in $(seq 20); do python3 "$RAW" "$PORT" random; done >"$WORK/random"
assert_eq "20 connections of random bytes: each ends in an alert or a close" 20 \
    "$(grep -cE '^(alert 2 [0-9]+|closed)$' "$WORK/random")"
code=$(timeout 20 curl -s -o /dev/null -w '%{http_code}' "${CA[@]}" "https://localhost:$PORT/")
assert_eq "server still serves after garbage, early CCS, truncation and noise" 200 "$code"

# ALPN: a client offering only protocols the server does not speak gets no_application_protocol.
printf '' | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
    -alpn h2 -CAfile "$CERTS/ca-bundle.pem" >"$WORK/alpn" 2>&1
assert_contains "ALPN h2 only: no_application_protocol" "$WORK/alpn" "no application protocol"

# Renegotiation is refused with a no_renegotiation warning, and the connection carries on.
(printf 'R\n'; sleep 1; printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) |
    timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -tls1_2 \
        -CAfile "$CERTS/ca-bundle.pem" -msg >"$WORK/reneg" 2>&1
assert_contains "renegotiation: no_renegotiation warning" "$WORK/reneg" "warning no_renegotiation"

# A client that connects and sends nothing does not hold up the others.
exec 5<>/dev/tcp/127.0.0.1/"$PORT"
printf '\x16\x03\x01' >&5 # three bytes of a record header, then silence
timeout 10 curl -s --max-time 5 "${CA[@]}" "https://localhost:$PORT/" >"$WORK/page2"
assert_contains "a stalled client does not stall others" "$WORK/page2" "TLS_ECDHE_RSA"
exec 5>&-

timeout 20 curl -s "${CA[@]}" --tls-max 1.2 "https://localhost:$PORT/" >"$WORK/page"
assert_contains "server still serves after all that" "$WORK/page" \
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
stop_bg
summary
