#!/usr/bin/env bash
# openssl s_client, gnutls-cli, curl and Python ssl against parley server, every suite: the
# negotiated version and suite, and a byte-exact file from --root.
source "$(dirname "$0")/lib.sh"
need openssl gnutls-cli curl python3
mkdir -p "$WORK/www"
head -c 6000 /dev/urandom >"$WORK/www/payload.bin"
head -c 2000 /dev/urandom | base64 >"$WORK/www/page.txt"
PY=$(dirname "$0")/py_client.py

for row in "${SUITES[@]}"; do
    read -r iana ossl gnutls cert <<<"$row"
    port=$(free_port)
    start_bg server "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
        --cert "$CERTS/server-ecdsa.pem" --key "$CERTS/server-ecdsa.key" --port "$port" \
        --root "$WORK/www" --ciphers "$iana"
    wait_port "$port"

    printf 'GET /page.txt HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
        -servername localhost -tls1_2 -cipher "$ossl" -CAfile "$CERTS/ca-bundle.pem" \
        -verify_return_error -ign_eof >"$WORK/out" 2>&1
    check "openssl s_client $iana: suite" contains "$WORK/out" "Cipher is $ossl"
    check "openssl s_client $iana: TLSv1.2" contains "$WORK/out" "Protocol  : TLSv1.2"
    check "openssl s_client $iana: body" contains "$WORK/out" "$(tail -1 "$WORK/www/page.txt")"

    printf 'GET /page.txt HTTP/1.0\r\n\r\n' | timeout 10 gnutls-cli -p "$port" localhost \
        --x509cafile "$CERTS/ca-bundle.pem" --priority "$(gnutls_priority "$gnutls")" \
        >"$WORK/out" 2>&1
    check "gnutls-cli $iana: handshake" contains "$WORK/out" "Handshake was completed"
    check "gnutls-cli $iana: body" contains "$WORK/out" "$(tail -1 "$WORK/www/page.txt")"

    rm -f "$WORK/got"
    curl -s --cacert "$CERTS/ca-bundle.pem" --tls-max 1.2 --ciphers "$ossl" \
        -w '%{http_code}' "https://localhost:$port/payload.bin" -o "$WORK/got" >"$WORK/code"
    check "curl $iana: 200" contains "$WORK/code" "200"
    check "curl $iana: byte-exact body" cmp -s "$WORK/got" "$WORK/www/payload.bin"

    python3 "$PY" localhost "$port" /payload.bin "$CERTS/ca-bundle.pem" "$ossl" "$WORK/got" \
        >"$WORK/out" 2>&1
    check "python ssl $iana: TLSv1.2 and suite" \
        bash -c "grep -q 'version: TLSv1.2' '$WORK/out' && grep -q 'cipher: $ossl' '$WORK/out'"
    check "python ssl $iana: byte-exact body" cmp -s "$WORK/got" "$WORK/www/payload.bin"
    stop_bg
done

# Without --root the server describes the connection that carried the request.
port=$(free_port)
start_bg server "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --port "$port"
wait_port "$port"
curl -s --cacert "$CERTS/ca-bundle.pem" "https://localhost:$port/" >"$WORK/page"
check "connection page names the version" contains "$WORK/page" 'id="version">TLSv1.2'
check "connection page names the suite" contains "$WORK/page" 'id="suite">TLS_ECDHE_RSA'
check "connection page names the SNI" contains "$WORK/page" 'id="sni">localhost'
check "connection page names ALPN" contains "$WORK/page" 'id="alpn">http/1.1'

# A request head split over many records, bare LF line ends, HTTP/1.0 without Host.
python3 - "$port" "$CERTS/ca-bundle.pem" >"$WORK/split" 2>&1 <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
for ch in "GET / HTTP/1.0\n\n":
    s.sendall(ch.encode())
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
print(data.decode(errors="replace"))
PY
check "request split over records with bare LF is answered" contains "$WORK/split" "HTTP/1.1 200"
stop_bg
summary
