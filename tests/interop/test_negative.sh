#!/usr/bin/env bash
# Handshakes that must fail: each gets the right alert and a clear error, and the server keeps
# serving other clients.
source "$(dirname "$0")/lib.sh"
need openssl curl python3
RAW=$(dirname "$0")/raw_tls.py

# parley client against openssl s_server with a certificate that must be refused.
refuse() { # refuse CERTNAME EXPECTED-TEXT [client args...]
    local name=$1 want=$2
    shift 2
    local port
    port=$(free_port)
    # -cert sends only its first certificate: the rest of the chain goes in -cert_chain.
    openssl x509 -in "$CERTS/$name.pem" -out "$WORK/leaf.pem"
    start_bg s_server openssl s_server -accept "127.0.0.1:$port" -cert "$WORK/leaf.pem" \
        -cert_chain "$CERTS/$name.pem" -key "$CERTS/$name.key" -www -quiet \
        -cipher DEFAULT@SECLEVEL=0
    wait_port "$port"
    "$PARLEY" client "https://localhost:$port/" --cacert "$CERTS/ca-bundle.pem" "$@" \
        >/dev/null 2>"$WORK/err"
    local rc=$?
    check "$name: client exits non-zero" test $rc -ne 0
    check "$name: error says \"$want\"" contains "$WORK/err" "$want"
    stop_bg
}
refuse wrongname "does not match requested name localhost"
refuse untrusted "is not trusted"
refuse expired "expired on 2020-01-02"
refuse server-rsa "does not match requested name api.example.com" --servername api.example.com
refuse rsa1024 "below the 2048-bit minimum"

port=$(free_port)
start_bg server "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --port "$port" --ciphers TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
wait_port "$port"

"$PARLEY" client "https://localhost:$port/" --cacert "$CERTS/ca-bundle.pem" \
    --ciphers TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 >/dev/null 2>"$WORK/err"
check "no shared suite: client fails" test $? -ne 0
check "no shared suite: client names handshake_failure" contains "$WORK/err" "handshake_failure"
check "no shared suite: server logs it" contains "$WORK/server.log" "no cipher suite in common"

check "garbage: fatal alert back" test "$(python3 "$RAW" "$port" garbage)" != closed
check "early ChangeCipherSpec: fatal unexpected_message (2 10)" \
    test "$(python3 "$RAW" "$port" early-ccs)" = "alert 2 10"
python3 "$RAW" "$port" truncated >/dev/null
check "truncated record: server logs the failure" contains "$WORK/server.log" \
    "closed the connection during the handshake"

# ALPN: a client offering only protocols the server does not speak gets no_application_protocol.
printf '' | timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost \
    -alpn h2 -CAfile "$CERTS/ca-bundle.pem" >"$WORK/alpn" 2>&1
check "ALPN h2 only: no_application_protocol" contains "$WORK/alpn" "no application protocol"

# Renegotiation is refused with a no_renegotiation warning, and the connection carries on.
(printf 'R\n'; sleep 1; printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) |
    timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost -tls1_2 \
        -CAfile "$CERTS/ca-bundle.pem" -msg >"$WORK/reneg" 2>&1
check "renegotiation: no_renegotiation warning" contains "$WORK/reneg" "warning no_renegotiation"

# A client that connects and sends nothing does not hold up the others.
exec 5<>/dev/tcp/127.0.0.1/"$port"
printf '\x16\x03\x01' >&5 # three bytes of a record header, then silence
curl -s --max-time 5 --cacert "$CERTS/ca-bundle.pem" "https://localhost:$port/" >"$WORK/page2"
check "a stalled client does not stall others" contains "$WORK/page2" "TLS_ECDHE_RSA"
exec 5>&-

curl -s --cacert "$CERTS/ca-bundle.pem" --tls-max 1.2 "https://localhost:$port/" >"$WORK/page"
check "server still serves after all that" contains "$WORK/page" "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
stop_bg
summary
