#!/usr/bin/env bash
# parley client against `openssl s_server -WWW`, one server per TLS 1.2 suite of issue 3: the
# negotiated version and suite as -v reports them, and a binary file fetched byte-exact.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need openssl
mkdir -p "$WORK/www"
payload "$WORK/www/payload.bin" 6000

for row in "${SUITES[@]}"; do
    read -r iana ossl _ cert <<<"$row"
    key=$CERTS/server-$cert.key leaf=$WORK/leaf-$cert.pem
    # s_server sends only the first certificate of -cert; the intermediate goes in -cert_chain.
    openssl x509 -in "$CERTS/server-$cert.pem" -out "$leaf"
    BG_DIR=$WORK/www start_openssl_server s_server -tls1_2 -cipher "$ossl" -cert "$leaf" \
        -cert_chain "$CERTS/int.pem" -key "$key" -CAfile "$CERTS/ca-bundle.pem" -WWW

    parley_client "https://localhost:$PORT/payload.bin" --cacert "$CERTS/ca-bundle.pem" -v \
        >"$WORK/got" 2>"$WORK/err"
    assert_eq "$iana: parley client exits 0" 0 $?
    assert_contains "$iana: version: TLSv1.2" "$WORK/err" "^version: TLSv1.2$"
    assert_contains "$iana: cipher: $iana" "$WORK/err" "^cipher: $iana$"
    assert_same_file "$iana: body byte-exact" "$WORK/www/payload.bin" "$WORK/got"
    stop_bg
done
summary
