#!/usr/bin/env bash
# Issue 6: client certificates (mutual authentication) against real peers.
#   1. Both roles at TLS 1.0, 1.1, 1.2 and 1.3 with an RSA and an ECDSA client key: parley server
#      against openssl s_client and gnutls-cli (the server logs the client's subject, the
#      connection page shows it), parley client against `openssl s_server -rev -Verify 1` and
#      `gnutls-serv --echo --require-client-cert` (each prints the subject it verified); data
#      flows both ways in every cell.
#   2. The reference flow end to end: TLS 1.0, TLS_RSA_WITH_RC4_128_SHA, server and client
#      certificates, an HTTP request and its 200, close_notify from both sides, proved by parley's
#      JSON trace; gnutls-cli -> parley server, parley client -> gnutls-serv --http, and parley
#      against parley.
#   3. What parley server refuses, with the alert the client receives and the reason in the
#      server's log: no certificate when one is required (and the same client let in by
#      --verify-client optional), an untrusted issuer, an expired certificate, a server-only
#      certificate, and, through a proxy that rewrites the client's clear CertificateVerify, a
#      signature that does not verify and a signature scheme the server did not offer.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need openssl gnutls-serv gnutls-cli python3 ss pgrep

CA=$CERTS/ca-bundle.pem
# s_client/s_server -cert send only the first certificate: the leaves alone, int.pem as chain.
for c in client-rsa client-ecdsa server-rsa client-expired; do
    openssl x509 -in "$CERTS/$c.pem" -out "$WORK/leaf-$c.pem"
done
declare -A SUBJECT=([rsa]="CN=parley client,O=parley" [ecdsa]="CN=parley client ecdsa,O=parley")
declare -A OSSL_SUBJECT=([rsa]="O = parley, CN = parley client"
    [ecdsa]="O = parley, CN = parley client ecdsa")
declare -A KEYTYPE=([rsa]="RSA-2048" [ecdsa]="EC-P256")
SERVER_AUTH=(--cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" --client-ca "$CA")

# alerts TRACE DIR: the descriptions of the alerts in parley's JSON trace going DIR (in/out).
alerts() {
    grep -a '"kind":"message"' "$1" 2>/dev/null | grep '"name":"Alert"' | grep "\"dir\":\"$2\"" |
        sed -n 's/.*"description":"\([^"]*\)".*/\1/p' | tr '\n' ' ' | sed 's/ $//'
}
# wait_file FILE: until FILE exists and has stopped growing (a trace written at the end), 5 s.
wait_file() {
    local size=-1
    for _ in $(seq 50); do
        [ -s "$1" ] && [ "$(wc -c <"$1")" = "$size" ] && return 0
        size=$(wc -c <"$1" 2>/dev/null || echo -1)
        sleep 0.1
    done
}

printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >"$WORK/get.txt"
# HTTP/1.1 and kept alive: the server answers, then waits for the client's close_notify (sent
# when its stdin ends) and answers it with its own, so both show in the server's trace.
printf 'GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n' >"$WORK/get11.txt"
head -c 3000 /dev/urandom | base64 -w 76 >"$WORK/lines.txt" # text lines for s_server -rev
rev "$WORK/lines.txt" >"$WORK/lines.rev"
head -c 6000 /dev/urandom | base64 -w 100 >"$WORK/echo.txt" # gnutls-serv --echo: whole lines

start=$(date +%s)
# ================= 1. both roles, four versions, two client keys =================
# Each row: parley's version, its name, the OpenSSL flag and name, the GnuTLS name.
VERSIONS=(
    "1.0 TLSv1.0 -tls1 TLSv1 TLS1.0"
    "1.1 TLSv1.1 -tls1_1 TLSv1.1 TLS1.1"
    "1.2 TLSv1.2 -tls1_2 TLSv1.2 TLS1.2"
    "1.3 TLSv1.3 -tls1_3 TLSv1.3 TLS1.3"
)
for version in "${VERSIONS[@]}"; do
    read -r pver pname oflag oname gname <<<"$version"
    for k in rsa ecdsa; do
        tag="$pname $k"
        ckey=$CERTS/client-$k.key

        # --- openssl s_client -> parley server (connection page) ---
        start_parley_server ps "${SERVER_AUTH[@]}" --verify-client require --tls-min 1.0
        timeout 20 openssl s_client -brief -ign_eof -connect "127.0.0.1:$PORT" "$oflag" \
            -cipher 'DEFAULT:@SECLEVEL=0' -CAfile "$CA" -verify_return_error \
            -cert "$WORK/leaf-client-$k.pem" -cert_chain "$CERTS/int.pem" -key "$ckey" \
            <"$WORK/get.txt" >"$WORK/out" 2>"$WORK/err"
        assert_eq "$tag s_client->parley: s_client exits 0" 0 $?
        assert_contains "$tag s_client->parley: s_client says $oname" "$WORK/err" \
            "^Protocol version: $oname$"
        eventually_contains "$tag s_client->parley: server logs the client ${SUBJECT[$k]}" \
            "$WORK/ps.log" "^client certificate from 127.0.0.1:[0-9]*: ${SUBJECT[$k]} (${KEYTYPE[$k]})$"
        assert_contains "$tag s_client->parley: page shows version $pname" "$WORK/out" \
            "<dd id=\"version\">$pname</dd>"
        assert_contains "$tag s_client->parley: page shows the client subject" "$WORK/out" \
            "<dd id=\"peer\">${SUBJECT[$k]}</dd>"
        stop_bg

        # --- gnutls-cli -> parley server ---
        start_parley_server ps "${SERVER_AUTH[@]}" --verify-client require --tls-min 1.0
        timeout 20 gnutls-cli -V -p "$PORT" localhost --x509cafile "$CA" \
            --x509certfile "$CERTS/client-$k.pem" --x509keyfile "$ckey" \
            --priority "NORMAL:-VERS-ALL:+VERS-$gname" --logfile "$WORK/info" \
            <"$WORK/get11.txt" >"$WORK/out" 2>"$WORK/err"
        assert_eq "$tag gnutls-cli->parley: gnutls-cli exits 0" 0 $?
        assert_contains "$tag gnutls-cli->parley: gnutls-cli says $gname" "$WORK/info" \
            "^- Version: $gname$"
        eventually_contains "$tag gnutls-cli->parley: server logs the client ${SUBJECT[$k]}" \
            "$WORK/ps.log" "^client certificate from 127.0.0.1:[0-9]*: ${SUBJECT[$k]} (${KEYTYPE[$k]})$"
        assert_contains "$tag gnutls-cli->parley: page shows version $pname" "$WORK/out" \
            "<dd id=\"version\">$pname</dd>"
        assert_contains "$tag gnutls-cli->parley: page shows the client subject" "$WORK/out" \
            "<dd id=\"peer\">${SUBJECT[$k]}</dd>"
        stop_bg

        # --- parley client --raw -> openssl s_server -rev -Verify 1 ---
        start_openssl_server s_server -rev "$oflag" -cipher 'DEFAULT:@SECLEVEL=0' \
            -Verify 1 -CAfile "$CA" -verify_return_error \
            -cert "$WORK/leaf-server-rsa.pem" -cert_chain "$CERTS/int.pem" \
            -key "$CERTS/server-rsa.key"
        parley_client "https://localhost:$PORT/" --connect-to "127.0.0.1:$PORT" --raw \
            --tls-min "$pver" --tls-max "$pver" --cacert "$CA" \
            --cert "$CERTS/client-$k.pem" --key "$ckey" -v \
            <"$WORK/lines.txt" >"$WORK/got" 2>"$WORK/err"
        assert_eq "$tag parley->s_server: parley client exits 0" 0 $?
        assert_contains "$tag parley->s_server: parley says $pname" "$WORK/err" "^version: $pname$"
        eventually_contains "$tag parley->s_server: s_server verified the client (depth=0)" \
            "$WORK/s_server.log" "^depth=0 ${OSSL_SUBJECT[$k]}$"
        assert_contains "$tag parley->s_server: s_server's peer certificate is the client" \
            "$WORK/s_server.log" "^Peer certificate: ${OSSL_SUBJECT[$k]}$"
        assert_contains "$tag parley->s_server: s_server says $oname" "$WORK/s_server.log" \
            "^Protocol version: $oname$"
        assert_same_file "$tag parley->s_server: lines came back reversed" \
            "$WORK/lines.rev" "$WORK/got"
        stop_bg

        # --- parley client --raw -> gnutls-serv --echo --require-client-cert ---
        start_gnutls_server gs --echo --require-client-cert --verify-client-cert \
            --x509cafile "$CA" --x509certfile "$CERTS/server-rsa.pem" \
            --x509keyfile "$CERTS/server-rsa.key" --priority "NORMAL:-VERS-ALL:+VERS-$gname"
        parley_client "https://localhost:$PORT/" --connect-to "127.0.0.1:$PORT" --raw \
            --tls-min "$pver" --tls-max "$pver" --cacert "$CA" \
            --cert "$CERTS/client-$k.pem" --key "$ckey" -v \
            <"$WORK/echo.txt" >"$WORK/got" 2>"$WORK/err"
        assert_eq "$tag parley->gnutls-serv: parley client exits 0" 0 $?
        assert_contains "$tag parley->gnutls-serv: parley says $pname" "$WORK/err" \
            "^version: $pname$"
        eventually_contains "$tag parley->gnutls-serv: gnutls-serv says $gname" \
            "$WORK/gs.log" "^- Version: $gname$"
        assert_contains "$tag parley->gnutls-serv: gnutls-serv trusts the client certificate" \
            "$WORK/gs.log" "^- Status: The certificate is trusted"
        assert_eq "$tag parley->gnutls-serv: gnutls-serv got the client ${SUBJECT[$k]}" \
            "Subject: ${SUBJECT[$k]}" "$(grep -a -m1 'Subject: ' "$WORK/gs.log" | sed 's/^\s*//')"
        assert_same_file "$tag parley->gnutls-serv: echo byte-exact" "$WORK/echo.txt" "$WORK/got"
        stop_bg
    done
done
echo "part 1 took $(($(date +%s) - start)) s"

# ================= 2. the reference flow: TLS 1.0, RSA, RC4-128-SHA, both certificates ===========
RC4=TLS_RSA_WITH_RC4_128_SHA
RC4_PRIORITY="NORMAL:-VERS-ALL:+VERS-TLS1.0:-CIPHER-ALL:+ARCFOUR-128:-KX-ALL:+RSA:-MAC-ALL:+SHA1"
mkdir -p "$WORK/www"
{ head -c 4000 /dev/urandom | base64; echo END-OF-BODY; } >"$WORK/www/index.html"
cp "$WORK/www/index.html" "$WORK/body.expected"
REF_SERVER=("${SERVER_AUTH[@]}" --verify-client require --tls-min 1.0 --tls-max 1.0
    --ciphers "$RC4" --root "$WORK/www" --trace=json --trace-file "$WORK/strace.json")
REF_CLIENT=(--tls-min 1.0 --tls-max 1.0 --ciphers "$RC4" --cacert "$CA"
    --cert "$CERTS/client-rsa.pem" --key "$CERTS/client-rsa.key" -v
    --trace=json --trace-file "$WORK/ctrace.json")

# server_side TAG: what parley server saw, from its log and JSON trace.
server_side() {
    wait_file "$WORK/strace.json"
    assert_contains "$1: parley server sent ServerHello TLSv1.0 $RC4" "$WORK/strace.json" \
        "\"name\":\"ServerHello\".*\"version\":\"TLSv1.0\".*\"cipher_suite\":\"$RC4\""
    assert_contains "$1: parley server received the client Certificate" "$WORK/strace.json" \
        '"dir":"in","kind":"message","content_type":22,"name":"Certificate"'
    assert_contains "$1: parley server logs the client subject" "$WORK/ps.log" \
        "^client certificate from 127.0.0.1:[0-9]*: ${SUBJECT[rsa]} (RSA-2048)$"
    assert_eq "$1: parley server received close_notify" "close_notify" \
        "$(alerts "$WORK/strace.json" in)"
    assert_eq "$1: parley server sent close_notify" "close_notify" \
        "$(alerts "$WORK/strace.json" out)"
}
# client_side TAG: what parley client saw (its -v lines and JSON trace).
client_side() {
    assert_contains "$1: parley client says TLSv1.0" "$WORK/err" "^version: TLSv1.0$"
    assert_contains "$1: parley client says $RC4" "$WORK/err" "^cipher: $RC4$"
    assert_contains "$1: parley client sent its Certificate and CertificateVerify" \
        "$WORK/ctrace.json" '"dir":"out","kind":"message","content_type":22,"name":"CertificateVerify"'
    assert_eq "$1: parley client sent close_notify" "close_notify" \
        "$(alerts "$WORK/ctrace.json" out)"
    assert_eq "$1: parley client received close_notify" "close_notify" \
        "$(alerts "$WORK/ctrace.json" in)"
}
body_check() {
    local status
    status=$(head -1 "$WORK/out" | tr -d '\r')
    assert_eq "$1: HTTP 200" "$2" "$status"
    sed '1,/^\r\?$/d' "$WORK/out" >"$WORK/body"
    assert_same_file "$1: the body, exact" "$WORK/body.expected" "$WORK/body"
}

# --- gnutls-cli -> parley server ---
tag="ref gnutls-cli->parley"
rm -f "$WORK/strace.json"
start_parley_server ps "${REF_SERVER[@]}"
timeout 20 gnutls-cli -V -p "$PORT" localhost --x509cafile "$CA" \
    --x509certfile "$CERTS/client-rsa.pem" --x509keyfile "$CERTS/client-rsa.key" \
    --priority "$RC4_PRIORITY" --logfile "$WORK/info" <"$WORK/get11.txt" >"$WORK/out" 2>"$WORK/err"
assert_eq "$tag: gnutls-cli exits 0" 0 $?
assert_contains "$tag: gnutls-cli says TLS1.0" "$WORK/info" "^- Version: TLS1.0$"
assert_contains "$tag: gnutls-cli says RSA key exchange" "$WORK/info" "^- Key Exchange: RSA$"
assert_contains "$tag: gnutls-cli says ARCFOUR-128" "$WORK/info" "^- Cipher: ARCFOUR-128$"
assert_contains "$tag: gnutls-cli says SHA1" "$WORK/info" "^- MAC: SHA1$"
body_check "$tag" "HTTP/1.1 200 OK"
stop_bg
server_side "$tag"

# --- parley client -> gnutls-serv --http (the request by hand: --raw sends close_notify at EOF) ---
tag="ref parley->gnutls-serv"
rm -f "$WORK/ctrace.json"
start_gnutls_server gs --http --httpdata "$WORK/body.expected" --require-client-cert \
    --verify-client-cert --x509cafile "$CA" --x509certfile "$CERTS/server-rsa.pem" \
    --x509keyfile "$CERTS/server-rsa.key" --priority "$RC4_PRIORITY"
parley_client "https://localhost:$PORT/" --connect-to "127.0.0.1:$PORT" --raw "${REF_CLIENT[@]}" \
    <"$WORK/get.txt" >"$WORK/out" 2>"$WORK/err"
assert_eq "$tag: parley client exits 0" 0 $?
client_side "$tag"
eventually_contains "$tag: gnutls-serv says TLS1.0" "$WORK/gs.log" "^- Version: TLS1.0$"
assert_contains "$tag: gnutls-serv says ARCFOUR-128" "$WORK/gs.log" "^- Cipher: ARCFOUR-128$"
assert_contains "$tag: gnutls-serv trusts the client certificate" "$WORK/gs.log" \
    "^- Status: The certificate is trusted"
assert_eq "$tag: gnutls-serv got the client subject" "Subject: ${SUBJECT[rsa]}" \
    "$(grep -a -m1 'Subject: ' "$WORK/gs.log" | sed 's/^\s*//')"
body_check "$tag" "HTTP/1.0 200 OK"
stop_bg

# --- parley client -> parley server ---
tag="ref parley->parley"
rm -f "$WORK/strace.json" "$WORK/ctrace.json"
start_parley_server ps "${REF_SERVER[@]}"
# The client closes only once the answer is in, as in the reference: a close_notify right
# behind the request ends the connection before the server answers (RFC 5246 7.2.1).
: >"$WORK/out"
held_stdin "$WORK/get11.txt" "$WORK/out" END-OF-BODY
parley_client "https://localhost:$PORT/index.html" --connect-to "127.0.0.1:$PORT" --raw \
    "${REF_CLIENT[@]}" <"$WORK/fifo" >"$WORK/out" 2>"$WORK/err"
assert_eq "$tag: parley client exits 0" 0 $?
client_side "$tag"
body_check "$tag" "HTTP/1.1 200 OK"
stop_bg
server_side "$tag"

# ================= 3. what parley server refuses =================
# refused TAG ALERT-NUMBER LOG-PATTERN S_CLIENT-ARGS...: s_client (TLS 1.2 unless the args name
# a version: s_client takes only one version flag) is refused with that alert, and parley server
# logs that reason.
refused() {
    local tag=$1 alert=$2 reason=$3 seen version=-tls1_2
    shift 3
    [[ " $* " =~ \ -tls1(_[123])?\  ]] && version=
    seen=$(wc -l <"$WORK/ps.log") # only the log lines this connection adds count
    timeout 20 openssl s_client -brief -ign_eof -connect "127.0.0.1:$PORT" \
        -cipher 'DEFAULT:@SECLEVEL=0' -CAfile "$CA" -cert_chain "$CERTS/int.pem" $version "$@" \
        <"$WORK/get.txt" >"$WORK/out" 2>"$WORK/err"
    assert_eq "$tag: s_client fails" 1 $?
    assert_contains "$tag: s_client receives alert $alert" "$WORK/err" "SSL alert number $alert$"
    for _ in $(seq 50); do
        tail -n +"$((seen + 1))" "$WORK/ps.log" >"$WORK/new.log"
        grep -q '^handshake failed' "$WORK/new.log" && break
        sleep 0.1
    done
    assert_contains "$tag: parley server's log names the reason" "$WORK/new.log" \
        "^handshake failed from 127.0.0.1:[0-9]*: $reason"
}
start_parley_server ps "${SERVER_AUTH[@]}" --verify-client require --tls-min 1.0
refused "no certificate, required" 40 "the client sent no certificate, and this server requires one"
# TLS 1.3 names this case with its own alert, certificate_required (RFC 8446 4.4.2.4).
refused "TLS1.3 no certificate, required" 116 \
    "the client sent no certificate, and this server requires one" -tls1_3
refused "TLS1.3 untrusted issuer" 48 \
    "client certificate refused: certificate issuer CN=untrusted root is not trusted" \
    -tls1_3 -cert "$CERTS/client-untrusted.pem" -key "$CERTS/client-untrusted.key"
refused "untrusted issuer" 48 \
    "client certificate refused: certificate issuer CN=untrusted root is not trusted" \
    -cert "$CERTS/client-untrusted.pem" -key "$CERTS/client-untrusted.key"
refused "expired" 45 "client certificate refused: certificate expired on 2020" \
    -cert "$WORK/leaf-client-expired.pem" -key "$CERTS/client-expired.key"
refused "server-only certificate (EKU serverAuth)" 43 \
    "client certificate refused: certificate CN=localhost,O=parley is not allowed for TLS client authentication" \
    -cert "$WORK/leaf-server-rsa.pem" -key "$CERTS/server-rsa.key"
# s_client limited to rsa_pkcs1_sha1, which parley's CertificateRequest does not offer: OpenSSL
# then sends no certificate at all (so the server never sees a SHA-1 CertificateVerify).
refused "client limited to rsa_pkcs1_sha1 (not offered): sends no certificate" 40 \
    "the client sent no certificate, and this server requires one" \
    -tls1_2 -client_sigalgs RSA+SHA1 -cert "$WORK/leaf-client-rsa.pem" -key "$CERTS/client-rsa.key"
stop_bg

tag="no certificate, optional"
start_parley_server ps "${SERVER_AUTH[@]}" --verify-client optional --tls-min 1.0
timeout 20 openssl s_client -brief -ign_eof -connect "127.0.0.1:$PORT" -CAfile "$CA" \
    <"$WORK/get.txt" >"$WORK/out" 2>"$WORK/err"
assert_eq "$tag: s_client exits 0" 0 $?
assert_contains "$tag: the page says no client certificate" "$WORK/out" '<dd id="peer">none</dd>'
assert_not_contains "$tag: no certificate logged" "$WORK/ps.log" "client certificate from"
assert_not_contains "$tag: no failure logged" "$WORK/ps.log" "handshake failed"
stop_bg

# A proxy between s_client and parley server rewrites the client's CertificateVerify, which
# travels in the clear before ChangeCipherSpec: "flip" changes the signature's last byte (what a
# signature by another key looks like to the server), "sha1" relabels the TLS 1.2 scheme as
# rsa_pkcs1_sha1 (0x0201), which the server did not offer.
cat >"$WORK/cv_proxy.py" <<'PY'
import socket, sys, threading
target, mode = int(sys.argv[1]), sys.argv[2]
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
print(f"listening on 127.0.0.1:{ls.getsockname()[1]}", flush=True)
cs, _ = ls.accept()
ss = socket.create_connection(("127.0.0.1", target))

def pipe(src, dst, rewrite):
    buf, clear = b"", True
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if not rewrite:
                dst.sendall(data)
                continue
            buf += data
            out = b""
            while len(buf) >= 5 and len(buf) >= 5 + int.from_bytes(buf[3:5], "big"):
                n = 5 + int.from_bytes(buf[3:5], "big")
                rec, buf = bytearray(buf[:n]), buf[n:]
                if rec[0] == 20:
                    clear = False
                if clear and rec[0] == 22:
                    p = 5
                    while p + 4 <= len(rec):
                        ln = int.from_bytes(rec[p + 1:p + 4], "big")
                        if rec[p] == 15:
                            if mode == "flip":
                                rec[p + 4 + ln - 1] ^= 0x01
                            else:
                                print(f"scheme was {rec[p + 4]:02x}{rec[p + 5]:02x}", flush=True)
                                rec[p + 4:p + 6] = b"\x02\x01"
                            print(f"rewrote CertificateVerify ({mode})", flush=True)
                        p += 4 + ln
                out += bytes(rec)
            dst.sendall(out)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

t = threading.Thread(target=pipe, args=(ss, cs, False))
t.start()
pipe(cs, ss, True)
t.join()
PY
# cv_case TAG MODE ALERT REASON S_CLIENT-ARGS...
cv_case() {
    local tag=$1 mode=$2 alert=$3 reason=$4
    shift 4
    start_parley_server ps "${SERVER_AUTH[@]}" --verify-client require --tls-min 1.0
    start_bg proxy python3 -u "$WORK/cv_proxy.py" "$PORT" "$mode"
    PORT=$(wait_listening "$WORK/proxy.log") || PORT=0
    refused "$tag" "$alert" "$reason" "$@"
    assert_contains "$tag: the proxy rewrote the CertificateVerify" "$WORK/proxy.log" \
        "^rewrote CertificateVerify ($mode)$"
    stop_bg
}
for v in "-tls1 TLS1.0" "-tls1_2 TLS1.2"; do
    read -r oflag vname <<<"$v"
    for k in rsa ecdsa; do
        cv_case "$vname $k CertificateVerify that does not verify" flip 51 \
            "the client's CertificateVerify does not verify with the key of its certificate ${SUBJECT[$k]}: it does not hold that key" \
            "$oflag" -cert "$WORK/leaf-client-$k.pem" -key "$CERTS/client-$k.key"
    done
done
cv_case "TLS1.2 CertificateVerify relabelled rsa_pkcs1_sha1 (not offered)" sha1 47 \
    "the client signed CertificateVerify with scheme 0x0201, which this server did not offer" \
    -tls1_2 -cipher AES128-SHA -cert "$WORK/leaf-client-rsa.pem" -key "$CERTS/client-rsa.key"

echo "took $(($(date +%s) - start)) s"
summary
