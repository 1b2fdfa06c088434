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

curl -s --cacert "$CERTS/ca-bundle.pem" --tls-max 1.2 "https://localhost:$port/" >"$WORK/page"
check "server still serves after all that" contains "$WORK/page" "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
stop_bg
summary
