#!/usr/bin/env bash
# parley client against openssl s_server and gnutls-serv, every suite: the negotiated version and
# suite, and a byte-exact payload.
source "$(dirname "$0")/lib.sh"
need openssl gnutls-serv
mkdir -p "$WORK/www"
head -c 6000 /dev/urandom >"$WORK/www/payload.bin"
head -c 3000 /dev/urandom | base64 >"$WORK/echo.txt" # gnutls-serv --echo is line oriented

for row in "${SUITES[@]}"; do
    read -r iana ossl gnutls cert <<<"$row"
    chain=$CERTS/server-$cert.pem key=$CERTS/server-$cert.key leaf=$WORK/leaf.pem
    openssl x509 -in "$chain" -out "$leaf"

    port=$(free_port)
    (cd "$WORK/www" && start_bg s_server openssl s_server -accept "127.0.0.1:$port" -tls1_2 \
        -cipher "$ossl" -cert "$leaf" -cert_chain "$CERTS/int.pem" -key "$key" -WWW -quiet)
    wait_port "$port"
    "$PARLEY" client "https://localhost:$port/payload.bin" --cacert "$CERTS/ca-bundle.pem" \
        --ciphers "$iana" -v >"$WORK/got" 2>"$WORK/err"
    check "openssl s_server $iana: exit 0" test $? -eq 0
    check "openssl s_server $iana: TLSv1.2" contains "$WORK/err" "^version: TLSv1.2$"
    check "openssl s_server $iana: suite" contains "$WORK/err" "^cipher: $iana$"
    check "openssl s_server $iana: byte-exact body" cmp -s "$WORK/got" "$WORK/www/payload.bin"
    stop_bg

    port=$(free_port)
    start_bg gnutls gnutls-serv --echo -p "$port" --x509certfile "$chain" --x509keyfile "$key" \
        --priority "$(gnutls_priority "$gnutls")"
    wait_port "$port"
    "$PARLEY" client "https://localhost:$port/" --raw --cacert "$CERTS/ca-bundle.pem" \
        --ciphers "$iana" -v <"$WORK/echo.txt" >"$WORK/got" 2>"$WORK/err"
    check "gnutls-serv $iana: exit 0" test $? -eq 0
    check "gnutls-serv $iana: suite" contains "$WORK/err" "^cipher: $iana$"
    check "gnutls-serv $iana: byte-exact echo" cmp -s "$WORK/got" "$WORK/echo.txt"
    stop_bg
done
summary
