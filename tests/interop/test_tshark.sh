#!/usr/bin/env bash
# Wireshark's dissector (tshark) on a loopback capture of a parley connection: it decodes the
# same handshake messages parley sends, and with parley's key log it decrypts the Finished
# messages and the HTTP exchange.
source "$(dirname "$0")/lib.sh"
need tshark
mkdir -p "$WORK/www"
echo "hello through wireshark" >"$WORK/www/page.txt"
port=$(free_port)
start_bg server "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --port "$port" --root "$WORK/www"
wait_port "$port"

cap=$WORK/cap.pcapng
timeout 30 tshark -i lo -f "tcp port $port" -w "$cap" >"$WORK/tshark.log" 2>&1 &
tshark_pid=$!
for _ in $(seq 100); do grep -q "Capturing on" "$WORK/tshark.log" && break; sleep 0.1; done
sleep 0.5
"$PARLEY" client "https://localhost:$port/page.txt" --cacert "$CERTS/ca-bundle.pem" \
    --ciphers TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 --keylog "$WORK/keys" >"$WORK/body"
check "client fetched the page" contains "$WORK/body" "hello through wireshark"
check "key log has a CLIENT_RANDOM line" grep -qE "^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$" \
    "$WORK/keys"
sleep 1
kill -INT "$tshark_pid"
wait "$tshark_pid" 2>/dev/null

# Without keys: the clear handshake messages, in order.
tshark -r "$cap" -Y tls.handshake.type -T fields -e tls.handshake.type 2>/dev/null |
    tr ',\n' '  ' >"$WORK/clear"
echo "clear handshake types: $(cat "$WORK/clear")"
check "tshark sees ClientHello, ServerHello, Certificate, ServerKeyExchange, ServerHelloDone, ClientKeyExchange" \
    grep -qE "^1 +2 +11 +12 +14 +16 " "$WORK/clear"
tshark -r "$cap" -Y "tls.handshake.type == 1" -T fields -e tls.handshake.extensions_server_name \
    2>/dev/null >"$WORK/sni"
check "tshark sees SNI localhost" contains "$WORK/sni" "localhost"
tshark -r "$cap" -Y "tls.handshake.type == 2" -T fields -e tls.handshake.ciphersuite \
    2>/dev/null >"$WORK/suite"
check "tshark sees the chosen suite 0xc02f" contains "$WORK/suite" "0xc02f"

# With the key log: both Finished messages and the HTTP request and response decrypted.
tshark -r "$cap" -o "tls.keylog_file:$WORK/keys" -Y "tls.handshake.type == 20" -T fields \
    -e frame.number 2>/dev/null >"$WORK/fin"
check "tshark decrypts both Finished messages" test "$(wc -l <"$WORK/fin")" -eq 2
tshark -r "$cap" -o "tls.keylog_file:$WORK/keys" -Y http -T fields -e http.request.uri \
    -e http.response.code 2>/dev/null >"$WORK/http"
check "tshark decrypts the HTTP request" contains "$WORK/http" "/page.txt"
check "tshark decrypts the HTTP response" contains "$WORK/http" "200"
stop_bg
summary
