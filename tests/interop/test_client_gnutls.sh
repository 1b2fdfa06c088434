#!/usr/bin/env bash
# parley client --raw against `gnutls-serv --echo`, one server per TLS 1.2 suite of issue 3,
# GnuTLS restricted to exactly that suite: the negotiated version and suite as -v reports them,
# and a binary payload echoed back byte-exact.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need gnutls-serv
# gnutls-serv --echo handles each record as a C string, so the payload is binary without NUL.
{
    printf '\r\n\377\r\n\r\n'
    head -c 8000 /dev/urandom | tr -d '\0'
} >"$WORK/payload.bin"

for row in "${SUITES[@]}"; do
    read -r iana _ gnutls cert <<<"$row"
    PORT=$(free_port)
    start_bg gnutls-serv gnutls-serv --echo -p "$PORT" --x509certfile "$CERTS/server-$cert.pem" \
        --x509keyfile "$CERTS/server-$cert.key" --priority "$(gnutls_priority "$gnutls")"
    wait_port "$PORT"

    parley_client "https://localhost:$PORT/" --raw --cacert "$CERTS/ca-bundle.pem" -v \
        <"$WORK/payload.bin" >"$WORK/got" 2>"$WORK/err"
    assert_eq "$iana: parley client exits 0" 0 $?
    assert_contains "$iana: version: TLSv1.2" "$WORK/err" "^version: TLSv1.2$"
    assert_contains "$iana: cipher: $iana" "$WORK/err" "^cipher: $iana$"
    assert_same_file "$iana: echo byte-exact" "$WORK/payload.bin" "$WORK/got"
    stop_bg
done
summary
