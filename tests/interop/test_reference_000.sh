#!/usr/bin/env bash
# Reference 000 (/work/shared/reference/000_*: "Main Scenario with Client's Certificate and Session
# Resumption"), steps 1-13 end to end, parley against parley and against GnuTLS in each role.
#   First TCP connection: TLS 1.0, TLS_RSA_WITH_RC4_128_SHA, the server's certificate and a
#   CertificateRequest, the client's Certificate, ClientKeyExchange, CertificateVerify, the
#   client's ChangeCipherSpec and Finished, then the server's; an HTTP request and its answer;
#   close_notify from both sides.
#   Second TCP connection: the ClientHello offers that session ID, the ServerHello returns it, the
#   server's ChangeCipherSpec and Finished come first, then the client's; HTTP; close_notify.
# The exact message order of both connections is read from parley's JSON trace (the client's when
# parley is the client, the server's when it is the server, both for parley against parley), with
# the session ID equality, and the server saw the client's certificate subject on both.
# Resumption is by session ID only: tickets are off on both sides.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need gnutls-serv gnutls-cli python3 ss pgrep

CA=$CERTS/ca-bundle.pem
RC4=TLS_RSA_WITH_RC4_128_SHA
# (%NO_TICKETS: gnutls-cli 3.7's --noticket alone still offers a ticket at TLS 1.2 and below)
PRIORITY="NORMAL:-VERS-ALL:+VERS-TLS1.0:-CIPHER-ALL:+ARCFOUR-128:-KX-ALL:+RSA:-MAC-ALL:+SHA1:%NO_TICKETS"
SUBJECT="CN=parley client,O=parley"
SERVER=(--cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" --client-ca "$CA"
    --verify-client require --tls-min 1.0 --tls-max 1.0 --ciphers "$RC4" --no-tickets
    --trace=json --trace-file "$WORK/s.json")
CLIENT=(--tls-min 1.0 --tls-max 1.0 --ciphers "$RC4" --cacert "$CA" --no-tickets
    --cert "$CERTS/client-rsa.pem" --key "$CERTS/client-rsa.key" -v --raw)

FLOW1="C:ClientHello S:ServerHello S:Certificate S:CertificateRequest S:ServerHelloDone"
FLOW1+=" C:Certificate C:ClientKeyExchange C:CertificateVerify C:ChangeCipherSpec C:Finished"
FLOW1+=" S:ChangeCipherSpec S:Finished C:ApplicationData S:ApplicationData"
FLOW2="C:ClientHello S:ServerHello S:ChangeCipherSpec S:Finished C:ChangeCipherSpec C:Finished"
FLOW2+=" C:ApplicationData S:ApplicationData"
CN='Alert(close_notify)'
flow() { python3 "$INTEROP_DIR/trace_flow.py" "$@"; }
wait_conns() { # wait_conns TRACE N: until the trace holds N connections (5 s)
    for _ in $(seq 50); do
        [ "$(grep -c '"kind":"message","content_type":22,"name":"ClientHello"' "$1" 2>/dev/null)" \
            -ge "$2" ] && sleep 0.2 && return 0
        sleep 0.1
    done
}
# flows TAG TRACE: both connections of the reference, message by message, from that trace
flows() {
    local tag=$1 t=$2 f k want sh1 ch2 sh2
    python3 "$INTEROP_DIR/trace_flow.py" "$t" split
    assert_eq "$tag: 2 connections" 2 "$(wc -l <"$t.flow")"
    for k in 1 2; do
        [ $k = 1 ] && want=$FLOW1 || want=$FLOW2
        f=$(sed -n "${k}p" "$t.flow")
        # the HTTP exchange, then close_notify from each side (who closes first may vary)
        if [ "$f" = "$want C:$CN S:$CN" ] || [ "$f" = "$want S:$CN C:$CN" ]; then
            ok "$tag: connection $k, in order: $want, close_notify both ways"
        else
            bad "$tag: connection $k in order (expected '$want' + both close_notify, got '$f')"
        fi
    done
    field() { sed -n "${1}p" "$t.fields" | tr '\t' '\n' | sed -n "s/^$2=//p"; }
    for k in 1 2; do
        assert_eq "$tag: connection $k ServerHello TLSv1.0 $RC4" "TLSv1.0 $RC4" \
            "$(field $k ServerHello.version) $(field $k ServerHello.cipher_suite)"
        assert_eq "$tag: connection $k ClientHello offers no ticket" "" \
            "$(field $k ClientHello.session_ticket)"
    done
    sh1=$(field 1 ServerHello.session_id) ch2=$(field 2 ClientHello.session_id)
    sh2=$(field 2 ServerHello.session_id)
    assert_eq "$tag: the first ClientHello has no session ID" empty "$(field 1 ClientHello.session_id)"
    check "$tag: the first ServerHello gives a session ID ($sh1)" grep -Eq '^[0-9a-f]{2,64}$' <<<"$sh1"
    assert_eq "$tag: the second ClientHello offers that session ID" "$sh1" "$ch2"
    assert_eq "$tag: the second ServerHello returns it" "$sh1" "$sh2"
    check "$tag: the second handshake resumed the session" grep -q '^session resumed' \
        <(sed -n 2p "$t.steps" | tr '|' '\n' | sed 's/^ //')
}
printf 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n' >"$WORK/get11.txt"
printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >"$WORK/get10.txt"
head -c 3000 /dev/urandom | base64 >"$WORK/body.txt"
start=$(date +%s)

# parley_pair TAG PORT TRACE-OUT ARGS...: two parley client processes (--sess-out, --sess-in),
# each sending the GET in --raw mode and closing once the answer is in; their traces joined.
parley_pair() {
    local tag=$1 port=$2 out=$3 k sess
    shift 3
    rm -f "$WORK/sess" "$out"
    for k in 1 2; do
        [ $k = 1 ] && sess=(--sess-out "$WORK/sess") || sess=(--sess-in "$WORK/sess")
        : >"$WORK/out$k"
        held_stdin "$WORK/get11.txt" "$WORK/out$k" "$@"
        parley_client "https://localhost:$port/" --connect-to "127.0.0.1:$port" "${CLIENT[@]}" \
            "${sess[@]}" --trace=json --trace-file "$WORK/c$k.json" <"$WORK/fifo" \
            >"$WORK/out$k" 2>"$WORK/err$k"
        assert_eq "$tag: parley client $k exits 0" 0 $?
        assert_contains "$tag: parley client $k says TLSv1.0" "$WORK/err$k" '^version: TLSv1.0$'
        assert_contains "$tag: parley client $k says $RC4" "$WORK/err$k" "^cipher: $RC4$"
        cat "$WORK/c$k.json" >>"$out"
    done
    assert_contains "$tag: the first connection was a full handshake" "$WORK/err1" \
        '^connection 1: full handshake'
    assert_contains "$tag: the second resumed the session" "$WORK/err2" \
        '^connection 1: resumed the session (abbreviated handshake)$'
}

# ================= parley client -> parley server =================
tag="parley->parley"
rm -f "$WORK/s.json"
start_parley_server ps "${SERVER[@]}"
parley_pair "$tag" "$PORT" "$WORK/c.json" '</html>'
for k in 1 2; do
    assert_contains "$tag: the page of connection $k shows the client subject" "$WORK/out$k" \
        "<dd id=\"peer\">$SUBJECT</dd>"
done
assert_contains "$tag: the second page says resumed" "$WORK/out2" '<dd id="resumed">yes</dd>'
wait_conns "$WORK/s.json" 2
flows "$tag (client trace)" "$WORK/c.json"
flows "$tag (server trace)" "$WORK/s.json"
assert_eq "$tag: the server logs the client subject on both connections" 2 \
    "$(grep -c "^client certificate from 127.0.0.1:[0-9]*: $SUBJECT (RSA-2048)$" "$WORK/ps.log")"
assert_eq "$tag: the server logs one resumption" 1 "$(grep -c '^session resumed from' "$WORK/ps.log")"
stop_bg

# ================= gnutls-cli -> parley server =================
# One gnutls-cli: GET, then (--inline-commands) ^resume^ once the page is in, which closes and
# reconnects offering the session, GET again, and the end of input once that page is in.
tag="gnutls-cli->parley"
rm -f "$WORK/s.json"
start_parley_server ps "${SERVER[@]}"
rm -f "$WORK/fifo"
mkfifo "$WORK/fifo"
: >"$WORK/out"
(
    wait_for() { for _ in $(seq 100); do [ "$(grep -c -- "$1" "$WORK/out")" -ge "$2" ] && return; sleep 0.1; done; }
    cat "$WORK/get11.txt"
    wait_for '</html>' 1
    echo '^resume^'
    wait_for '^\*\*\* This is a resumed session' 1
    cat "$WORK/get11.txt"
    wait_for '</html>' 2
) >"$WORK/fifo" &
timeout 30 gnutls-cli -p "$PORT" localhost --x509cafile "$CA" --x509certfile "$CERTS/client-rsa.pem" \
    --x509keyfile "$CERTS/client-rsa.key" --priority "$PRIORITY" --noticket --inline-commands \
    <"$WORK/fifo" >"$WORK/out" 2>"$WORK/err"
assert_eq "$tag: gnutls-cli exits 0" 0 $?
assert_contains "$tag: gnutls-cli says resumed" "$WORK/out" '^\*\*\* This is a resumed session'
assert_eq "$tag: two pages, resumed no then yes" "no yes" \
    "$(sed -n 's/.*<dd id="resumed">\([a-z]*\)<.*/\1/p' "$WORK/out" | tr '\n' ' ' | sed 's/ $//')"
assert_eq "$tag: both pages show the client subject" 2 \
    "$(grep -c "<dd id=\"peer\">$SUBJECT</dd>" "$WORK/out")"
wait_conns "$WORK/s.json" 2
flows "$tag (server trace)" "$WORK/s.json"
assert_eq "$tag: the server logs the client subject on both connections" 2 \
    "$(grep -c "^client certificate from 127.0.0.1:[0-9]*: $SUBJECT (RSA-2048)$" "$WORK/ps.log")"
assert_eq "$tag: the server logs one resumption" 1 "$(grep -c '^session resumed from' "$WORK/ps.log")"
stop_bg

# ================= parley client -> gnutls-serv --http =================
tag="parley->gnutls-serv"
start_gnutls_server gs --http --httpdata "$WORK/body.txt" --require-client-cert \
    --verify-client-cert --x509cafile "$CA" --x509certfile "$CERTS/server-rsa.pem" \
    --x509keyfile "$CERTS/server-rsa.key" --priority "$PRIORITY" --noticket
parley_pair "$tag" "$PORT" "$WORK/c.json" "$(tail -1 "$WORK/body.txt")"
for k in 1 2; do
    sed '1,/^\r\?$/d' "$WORK/out$k" >"$WORK/body$k"
    assert_same_file "$tag: connection $k: the body, exact" "$WORK/body.txt" "$WORK/body$k"
done
flows "$tag (client trace)" "$WORK/c.json"
for _ in $(seq 50); do [ "$(grep -c '^\* Accepted' "$WORK/gs.log")" -ge 2 ] && break; sleep 0.1; done
sleep 0.3
assert_eq "$tag: gnutls-serv: 2 connections" 2 "$(grep -c '^\* Accepted' "$WORK/gs.log")"
assert_eq "$tag: gnutls-serv: the second is resumed" 1 \
    "$(grep -c '^\*\*\* This is a resumed session' "$WORK/gs.log")"
assert_eq "$tag: gnutls-serv saw the client subject on both connections" 2 \
    "$(grep -c "^\s*Subject: $SUBJECT$" "$WORK/gs.log")"
assert_eq "$tag: gnutls-serv trusted the client certificate (first connection)" 1 \
    "$(grep -c '^- Status: The certificate is trusted' "$WORK/gs.log")"
stop_bg

took=$(($(date +%s) - start))
echo "took $took s"
check "the whole scenario within 60 s" test "$took" -le 60
summary
