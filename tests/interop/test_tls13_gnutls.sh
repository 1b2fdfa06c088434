#!/usr/bin/env bash
# TLS 1.3 against GnuTLS in both roles: parley client -> gnutls-serv and gnutls-cli -> parley
# server, for every TLS 1.3 suite x X25519 and P-256 x RSA and ECDSA certificates (GnuTLS
# restricted to exactly that suite and group), then client certificates, HelloRetryRequest forced
# each way, resumption each way and KeyUpdate each way. What is checked is what each side
# reports: version, suite, group, signature, bytes byte-exact, resumed or not, and the HRR and
# KeyUpdate messages in each side's trace or debug log. The parley client runs --raw against
# `gnutls-serv --echo`, whose NewSessionTickets and KeyUpdate arrive while stdin is being sent.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need gnutls-serv gnutls-cli python3
CA=(--cacert "$CERTS/ca-bundle.pem")
G13="NORMAL:-VERS-ALL:+VERS-TLS1.3"

# IANA name, GnuTLS cipher name.
SUITES13=("TLS_AES_128_GCM_SHA256 AES-128-GCM" "TLS_AES_256_GCM_SHA384 AES-256-GCM"
    "TLS_CHACHA20_POLY1305_SHA256 CHACHA20-POLY1305")
# parley group name, GnuTLS group name.
GROUPS13=("x25519 X25519" "secp256r1 SECP256R1")
# certificate, parley's peer-key, GnuTLS signature name.
CERTS13=("rsa RSA-2048 RSA-PSS-RSAE-SHA256" "ecdsa EC-P256 ECDSA-SECP256R1-SHA256")

# gnutls-serv --echo handles each record as a C string: the payload is binary without NUL.
{
    printf '\r\n\377\r\n\r\n'
    head -c 12000 /dev/urandom | tr -d '\0'
} >"$WORK/echo.bin"
mkdir -p "$WORK/www"
payload "$WORK/www/payload.bin" 40000

# http_body RESPONSE OUT: the body of the one HTTP response in RESPONSE, after its head.
http_body() {
    python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); i = d.find(b"\r\n\r\n")
sys.stdout.buffer.write(d[i + 4:] if i >= 0 else b"")' "$1" >"$2"
}

# gnutls_cli INPUT NAME [gnutls-cli args...]: gnutls-cli to localhost with INPUT (a string) as
# stdin; what it received in $WORK/NAME.out, its own messages and debug log in $WORK/NAME.info, the
# body of the HTTP response in $WORK/NAME.body.
gnutls_cli() {
    local input=$1 name=$2 rc
    shift 2
    printf '%b' "$input" | timeout 20 gnutls-cli localhost --x509cafile "$CERTS/ca-bundle.pem" \
        --logfile "$WORK/$name.log" "$@" >"$WORK/$name.out" 2>"$WORK/$name.dbg"
    rc=$?
    cat "$WORK/$name.log" "$WORK/$name.dbg" >"$WORK/$name.info" 2>/dev/null
    http_body "$WORK/$name.out" "$WORK/$name.body"
    return $rc
}

# gnutls_get PORT PRIORITY NAME [gnutls-cli args...]: GET /payload.bin over HTTP/1.0. gnutls-cli
# sends close_notify as soon as its input ends, right behind the request: in TLS 1.3 that closes
# only its direction, and parley server must still answer (RFC 8446 6.1).
gnutls_get() {
    local port=$1 prio=$2 name=$3
    shift 3
    gnutls_cli 'GET /payload.bin HTTP/1.0\r\n\r\n' "$name" -p "$port" --priority "$prio" "$@"
}

# ---- parley client -> gnutls-serv --echo: every suite x group x certificate ----
for c in "${CERTS13[@]}"; do
    read -r cert key sig <<<"$c"
    for s in "${SUITES13[@]}"; do
        read -r iana gcipher <<<"$s"
        for g in "${GROUPS13[@]}"; do
            read -r group ggroup <<<"$g"
            what="parley client -> gnutls-serv $cert $iana $group"
            start_gnutls_server serv --echo --x509certfile "$CERTS/server-$cert.pem" \
                --x509keyfile "$CERTS/server-$cert.key" \
                --priority "$G13:-CIPHER-ALL:+$gcipher:-GROUP-ALL:+GROUP-$ggroup"
            parley_client "https://localhost:$PORT/" --raw "${CA[@]}" -v <"$WORK/echo.bin" \
                >"$WORK/got" 2>"$WORK/err"
            assert_eq "$what: exits 0" 0 $?
            assert_contains "$what: version TLSv1.3" "$WORK/err" "^version: TLSv1.3$"
            assert_contains "$what: cipher" "$WORK/err" "^cipher: $iana$"
            assert_contains "$what: group" "$WORK/err" "^group: $group$"
            assert_contains "$what: peer key $key" "$WORK/err" "^peer-key: $key$"
            assert_same_file "$what: echo byte-exact" "$WORK/echo.bin" "$WORK/got"
            assert_contains "$what: gnutls-serv agrees" "$WORK/serv.log" \
                "Description: (TLS1.3-X.509)-(ECDHE-$ggroup)-($sig)-($gcipher)"
            stop_bg
        done
    done
done

# ---- gnutls-cli -> parley server: every suite x group x certificate ----
for c in "${CERTS13[@]}"; do
    read -r cert key sig <<<"$c"
    start_parley_server server --cert "$CERTS/server-$cert.pem" --key "$CERTS/server-$cert.key" \
        --root "$WORK/www" --tls-min 1.3
    for s in "${SUITES13[@]}"; do
        read -r iana gcipher <<<"$s"
        for g in "${GROUPS13[@]}"; do
            read -r group ggroup <<<"$g"
            what="gnutls-cli -> parley server $cert $iana $group"
            gnutls_get "$PORT" "$G13:-CIPHER-ALL:+$gcipher:-GROUP-ALL:+GROUP-$ggroup" cli
            assert_eq "$what: exits 0" 0 $?
            assert_contains "$what: certificate trusted" "$WORK/cli.info" \
                "Status: The certificate is trusted"
            assert_contains "$what: TLS1.3 $ggroup $sig $gcipher" "$WORK/cli.info" \
                "Description: (TLS1.3-X.509)-(ECDHE-$ggroup)-($sig)-($gcipher)"
            assert_same_file "$what: body byte-exact" "$WORK/www/payload.bin" "$WORK/cli.body"
        done
    done
    stop_bg
done

# ---- client certificates ----
# parley client -> gnutls-serv that requires one and verifies it.
start_gnutls_server serv --echo --x509certfile "$CERTS/server-ecdsa.pem" \
    --x509keyfile "$CERTS/server-ecdsa.key" --priority "$G13" --require-client-cert \
    --verify-client-cert --x509cafile "$CERTS/ca-bundle.pem"
for c in "rsa RSA-PSS-RSAE-SHA256 parley client" "ecdsa ECDSA-SECP256R1-SHA256 parley client ecdsa"; do
    read -r cert sig cn <<<"$c"
    what="parley client with client-$cert -> gnutls-serv requiring one"
    : >"$WORK/serv.log"
    parley_client "https://localhost:$PORT/" --raw "${CA[@]}" --cert "$CERTS/client-$cert.pem" \
        --key "$CERTS/client-$cert.key" <"$WORK/echo.bin" >"$WORK/got" 2>"$WORK/err"
    assert_eq "$what: exits 0" 0 $?
    assert_same_file "$what: echo byte-exact" "$WORK/echo.bin" "$WORK/got"
    assert_contains "$what: gnutls-serv trusts it" "$WORK/serv.log" \
        "Status: The certificate is trusted"
    assert_contains "$what: gnutls-serv names it" "$WORK/serv.log" \
        "Subject: CN=$cn,O=parley"
    assert_contains "$what: signed with $sig" "$WORK/serv.log" "Client Signature: $sig"
done
parley_client "https://localhost:$PORT/" --raw "${CA[@]}" </dev/null >/dev/null 2>"$WORK/err"
assert_eq "parley client without a certificate -> gnutls-serv requiring one: exits 1" 1 $?
assert_contains "parley client without a certificate: certificate_required (116)" "$WORK/err" \
    "^parley: peer sent fatal alert certificate_required (116)"
stop_bg

# gnutls-cli -> parley server that requires one.
start_parley_server server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --root "$WORK/www" --tls-min 1.3 --verify-client require --client-ca "$CERTS/ca.pem"
for c in "rsa RSA-2048 parley client" "ecdsa EC-P256 parley client ecdsa"; do
    read -r cert key cn <<<"$c"
    what="gnutls-cli with client-$cert -> parley server requiring one"
    gnutls_get "$PORT" "$G13" cli --x509certfile "$CERTS/client-$cert.pem" \
        --x509keyfile "$CERTS/client-$cert.key"
    assert_eq "$what: exits 0" 0 $?
    assert_same_file "$what: body byte-exact" "$WORK/www/payload.bin" "$WORK/cli.body"
    eventually_contains "$what: parley server names it" "$WORK/server.log" \
        "^client certificate from .*: CN=$cn,O=parley ($key)"
done
gnutls_get "$PORT" "$G13" cli
assert_eq "gnutls-cli without a certificate -> parley server requiring one: fails" 1 $?
assert_contains "gnutls-cli without a certificate: told a certificate is required" \
    "$WORK/cli.info" "Certificate is required"
eventually_contains "gnutls-cli without a certificate: parley server says why" \
    "$WORK/server.log" "^handshake failed from .*sent no certificate"
stop_bg

# ---- HelloRetryRequest, each suite ----
# parley client shares only P-256 first; gnutls-serv prefers X25519 and asks for it.
for s in "${SUITES13[@]}"; do
    read -r iana gcipher <<<"$s"
    what="HRR parley client -> gnutls-serv $iana"
    start_gnutls_server serv --echo --x509certfile "$CERTS/server-rsa.pem" \
        --x509keyfile "$CERTS/server-rsa.key" \
        --priority "$G13:-CIPHER-ALL:+$gcipher:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:%SERVER_PRECEDENCE"
    parley_client "https://localhost:$PORT/" --raw "${CA[@]}" -v --key-shares secp256r1 \
        --trace --trace-file "$WORK/trace" <"$WORK/echo.bin" >"$WORK/got" 2>"$WORK/err"
    assert_eq "$what: exits 0" 0 $?
    assert_contains "$what: the trace shows the retry" "$WORK/trace" \
        "server asks for another key share"
    assert_eq "$what: two ClientHellos" 2 "$(grep -c '  ClientHello  ' "$WORK/trace")"
    assert_contains "$what: cipher" "$WORK/err" "^cipher: $iana$"
    assert_contains "$what: group x25519" "$WORK/err" "^group: x25519$"
    assert_same_file "$what: echo byte-exact" "$WORK/echo.bin" "$WORK/got"
    assert_contains "$what: gnutls-serv agrees" "$WORK/serv.log" \
        "Description: (TLS1.3-X.509)-(ECDHE-X25519)-(RSA-PSS-RSAE-SHA256)-($gcipher)"
    stop_bg
done
# Control: with a share for X25519 in the first hello there is no retry.
start_gnutls_server serv --echo --x509certfile "$CERTS/server-rsa.pem" \
    --x509keyfile "$CERTS/server-rsa.key" \
    --priority "$G13:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:%SERVER_PRECEDENCE"
parley_client "https://localhost:$PORT/" --raw "${CA[@]}" --key-shares x25519 --trace \
    --trace-file "$WORK/trace" <"$WORK/echo.bin" >"$WORK/got" 2>"$WORK/err"
assert_eq "no HRR when the first share fits: exits 0" 0 $?
assert_not_contains "no HRR when the first share fits: no retry in the trace" "$WORK/trace" \
    "another key share"
stop_bg

# gnutls-cli sends a share for its first ECDH group only (P-384 here); parley server does not
# take P-384 and asks for P-256.
start_parley_server server --cert "$CERTS/server-ecdsa.pem" --key "$CERTS/server-ecdsa.key" \
    --root "$WORK/www" --groups x25519,secp256r1 --trace --trace-file "$WORK/strace"
for s in "${SUITES13[@]}"; do
    read -r iana gcipher <<<"$s"
    what="HRR gnutls-cli -> parley server $iana"
    : >"$WORK/strace"
    gnutls_get "$PORT" "$G13:-CIPHER-ALL:+$gcipher:-GROUP-ALL:+GROUP-SECP384R1:+GROUP-SECP256R1" \
        cli -d 4
    assert_eq "$what: exits 0" 0 $?
    assert_contains "$what: gnutls-cli shared P-384 only" "$WORK/cli.info" \
        "sending key share for SECP384R1"
    assert_contains "$what: gnutls-cli got a HelloRetryRequest" "$WORK/cli.info" \
        "HELLO RETRY REQUEST (1025) was received"
    assert_contains "$what: asking for P-256" "$WORK/cli.info" "HRR key share with SECP256R1"
    assert_contains "$what: TLS1.3 SECP256R1 $gcipher" "$WORK/cli.info" \
        "Description: (TLS1.3-X.509)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-SHA256)-($gcipher)"
    assert_same_file "$what: body byte-exact" "$WORK/www/payload.bin" "$WORK/cli.body"
    eventually_contains "$what: parley server's trace shows the retry" "$WORK/strace" \
        "no key share for our group: HelloRetryRequest"
done
stop_bg

# ---- resumption ----
start_gnutls_server serv --x509certfile "$CERTS/server-ecdsa.pem" \
    --x509keyfile "$CERTS/server-ecdsa.key" --priority "$G13"
parley_client "https://localhost:$PORT/" "${CA[@]}" --reconnect 2 --trace \
    --trace-file "$WORK/trace" >"$WORK/page" 2>"$WORK/err"
assert_eq "resumption parley client -> gnutls-serv: exits 0" 0 $?
assert_contains "resumption parley client -> gnutls-serv: connection 2 resumed" "$WORK/err" \
    "^connection 2: resumed the session (abbreviated handshake)$"
assert_contains "resumption parley client -> gnutls-serv: connection 3 resumed" "$WORK/err" \
    "^connection 3: resumed the session (abbreviated handshake)$"
assert_eq "resumption parley client -> gnutls-serv: one Certificate from the server, in 3" 1 \
    "$(grep -c '^ *| *+[0-9.]* ms *Certificate  |$' "$WORK/trace")"
assert_eq "resumption parley client -> gnutls-serv: gnutls-serv resumed twice" 2 \
    "$(grep -c '^\*\*\* This is a resumed session' "$WORK/serv.log")"
stop_bg

for tickets in on off; do
    args=()
    [ "$tickets" = off ] && args=(--no-tickets)
    start_parley_server server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
        --root "$WORK/www" "${args[@]}"
    what="resumption gnutls-cli --resume -> parley server, tickets $tickets"
    gnutls_get "$PORT" "$G13" cli --resume
    assert_eq "$what: exits 0" 0 $?
    assert_contains "$what: TLS 1.3" "$WORK/cli.info" "Description: (TLS1.3-X.509)"
    assert_same_file "$what: body byte-exact" "$WORK/www/payload.bin" "$WORK/cli.body"
    if [ "$tickets" = on ]; then
        assert_contains "$what: resumed" "$WORK/cli.info" "^\*\*\* This is a resumed session"
        eventually_contains "$what: parley server logs it" "$WORK/server.log" \
            "^session resumed from 127.0.0.1"
    else
        # TLS 1.3 resumes only from a ticket: without tickets, a full handshake again.
        assert_not_contains "$what: not resumed" "$WORK/cli.info" "This is a resumed session"
        assert_not_contains "$what: parley server resumed nothing" "$WORK/server.log" \
            "^session resumed"
    fi
    stop_bg
done

# ---- KeyUpdate ----
# parley client asks gnutls-serv to update too, then echoes data under the new keys.
start_gnutls_server serv --echo -d 4 --x509certfile "$CERTS/server-ecdsa.pem" \
    --x509keyfile "$CERTS/server-ecdsa.key" --priority "$G13"
parley_client "https://localhost:$PORT/" --raw "${CA[@]}" --key-update --trace \
    --trace-file "$WORK/trace" <"$WORK/echo.bin" >"$WORK/got" 2>"$WORK/err"
assert_eq "KeyUpdate parley client -> gnutls-serv: exits 0" 0 $?
assert_same_file "KeyUpdate parley client -> gnutls-serv: echo byte-exact" "$WORK/echo.bin" \
    "$WORK/got"
assert_contains "KeyUpdate parley client -> gnutls-serv: gnutls-serv got update_requested" \
    "$WORK/serv.log" "received TLS 1.3 key update (1)"
assert_contains "KeyUpdate parley client -> gnutls-serv: gnutls-serv answered" \
    "$WORK/serv.log" "sending key update (0)"
assert_contains "KeyUpdate parley client -> gnutls-serv: client's write keys updated" \
    "$WORK/trace" "write keys updated"
assert_contains "KeyUpdate parley client -> gnutls-serv: client's read keys updated" \
    "$WORK/trace" "read keys updated"
stop_bg

# gnutls-cli ^rekey^ (an update asking the peer to update too), then the request.
start_parley_server server --cert "$CERTS/server-ecdsa.pem" --key "$CERTS/server-ecdsa.key" \
    --root "$WORK/www" --trace --trace-file "$WORK/strace"
gnutls_cli '^rekey^\nGET /payload.bin HTTP/1.0\r\n\r\n' cli -p "$PORT" --priority "$G13" \
    --inline-commands -d 4
assert_eq "KeyUpdate gnutls-cli -> parley server: exits 0" 0 $?
assert_same_file "KeyUpdate gnutls-cli -> parley server: body byte-exact" \
    "$WORK/www/payload.bin" "$WORK/cli.body"
assert_contains "KeyUpdate gnutls-cli -> parley server: gnutls-cli asked" "$WORK/cli.info" \
    "sending key update (1)"
assert_contains "KeyUpdate gnutls-cli -> parley server: parley server answered" \
    "$WORK/cli.info" "received TLS 1.3 key update (0)"
eventually_contains "KeyUpdate gnutls-cli -> parley server: server's read keys updated" \
    "$WORK/strace" "read keys updated"
assert_contains "KeyUpdate gnutls-cli -> parley server: server's write keys updated" \
    "$WORK/strace" "write keys updated"
stop_bg

summary
