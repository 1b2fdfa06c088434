#!/usr/bin/env bash
# TLS 1.3 against OpenSSL, in both roles: parley client -> `openssl s_server -tls1_3`, and
# `openssl s_client -tls1_3` (and curl, Python ssl) -> parley server. What it proves, each time by
# what both ends report (parley's -v lines, trace and connection page; OpenSSL's -brief summary
# and its -trace of the very ServerHello on the wire) and by bytes that arrive byte-exact:
#   1. the three TLS 1.3 suites x X25519 and P-256 x an RSA and an ECDSA server certificate
#      negotiate exactly that, with no HelloRetryRequest, in either role;
#   2. client certificates (RSA, ECDSA) are sent and verified in either role; a server requiring
#      one and getting none sends certificate_required (116), an untrusted one unknown_ca (48);
#   3. a HelloRetryRequest, seen on the wire (its special random in OpenSSL's -trace, a second
#      ClientHello) and in parley's trace, when the client's first key share is not the group
#      the server wants: parley client -> s_server, s_client -> parley server (which prefers
#      X25519 over a P-256 share the client did send), and to groups outside the first shares;
#   4. resumption by PSK from a ticket: parley client --reconnect 2 (s_server says Reused, no
#      Certificate in connections 2 and 3), s_client -sess_out/-sess_in (Reused, TLSv1.3);
#   5. KeyUpdate: s_client's `k` and `K` mid-connection, parley answering only the `K`, requests
#      still answered after each; parley client --key-update, answered by s_server; and --raw
#      keeps reading stdin while the server's tickets arrive before any data of its own;
#   6. curl and Python ssl (TLS 1.3 only, Python resuming with session=) against parley server;
#   7. parley's key log (--keylog, SSLKEYLOGFILE) holds the four TLS 1.3 secrets of the very
#      ClientHello tshark captured, and lets tshark decrypt the HTTP exchange, in both roles;
#   8. a parley server given only TLS 1.2 suites answers s_client's TLS 1.3 offer with TLS 1.2,
#      without the downgrade sentinel that would make s_client refuse it;
#   9. an Ed25519 server certificate: parley client verifies its ed25519 CertificateVerify.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need openssl curl python3 tshark
start=$(date +%s)

CA=$CERTS/ca-bundle.pem
# s_server/s_client -cert send only the first certificate: the leaves alone, int.pem as chain.
for c in server-rsa server-ecdsa client-rsa client-ecdsa client-untrusted; do
    openssl x509 -in "$CERTS/$c.pem" -out "$WORK/leaf-$c.pem"
done
mkdir -p "$WORK/www"
payload "$WORK/www/payload.bin" 70000 # several full records
head -c 3000 /dev/urandom | base64 -w 76 >"$WORK/www/page.txt"
last_line=$(tail -1 "$WORK/www/page.txt")
rev "$WORK/www/page.txt" >"$WORK/page.rev" # what s_server -rev answers
printf 'GET /payload.bin HTTP/1.0\r\n\r\n' >"$WORK/get-payload.txt"
printf 'GET / HTTP/1.0\r\n\r\n' >"$WORK/get-page.txt"

SUITES13=(TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256)
GROUPS13=(x25519 secp256r1) # parley's names
declare -A OSSL_GROUP=([x25519]=X25519 [secp256r1]=P-256 [secp384r1]=P-384)
declare -A TRACE_GROUP=([x25519]=ecdh_x25519 [secp256r1]=secp256r1 [secp384r1]=secp384r1)
declare -A TEMP_KEY=([x25519]="X25519, 253 bits" [secp256r1]="ECDH, prime256v1, 256 bits"
    [secp384r1]="ECDH, secp384r1, 384 bits")
declare -A PEER_KEY=([rsa]=RSA-2048 [ecdsa]=EC-P256)  # parley client -v
declare -A SIG_TYPE=([rsa]=RSA-PSS [ecdsa]=ECDSA)     # s_client -brief (TLS 1.3: PSS for RSA)
declare -A SUBJECT=([rsa]="CN=parley client,O=parley" [ecdsa]="CN=parley client ecdsa,O=parley")
declare -A OSSL_SUBJECT=([rsa]="O = parley, CN = parley client"
    [ecdsa]="O = parley, CN = parley client ecdsa")

# hellos LOG: the ServerHellos in an OpenSSL -trace log (s_server's or s_client's), one line
# each: HelloRetryRequest (told by its random, SHA-256 of "HelloRetryRequest", RFC 8446 4.1.3)
# or ServerHello, then the cipher suite and the key_share group it names.
hellos() {
    awk '
        function out() { if (kind != "") print kind, suite, group; kind = "" }
        /^(Sent|Received) Record/ { out() }
        /^ *ServerHello, Length=/ { kind = "ServerHello"; suite = group = "-"; t = 0 }
        kind != "" && /gmt_unix_time=0xCF21AD74$/ { t = 1 }
        kind != "" && t && /random_bytes \(len=28\): E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C$/ {
            kind = "HelloRetryRequest" }
        kind != "" && /^ *cipher_suite \{/ { suite = $NF }
        kind != "" && /^ *NamedGroup: / { group = $2 }
        END { out() }' "$1" | tr '\n' ';' | sed 's/;$//'
}
count() { grep -a -c -- "$2" "$1" 2>/dev/null; }
# settled LOG PATTERN [N]: waits (5 s at most) until a log shows PATTERN (N times): a peer's log
# may lag behind what the other end already saw, parley's trace is written as a connection ends.
settled() {
    for _ in $(seq 50); do
        [ "$(count "$1" "$2")" -ge "${3:-1}" ] && return 0
        sleep 0.1
    done
}
# body FILE: an HTTP response's body (after the first empty line), to stdout
body() { sed '1,/^\r\?$/d' "$1"; }
# certs_in_trace TRACE: the connections (1, 2, ...) of parley's text trace in which a
# Certificate message came from the server, as a list like "1".
certs_in_trace() {
    awk '/^parley client / { n++ } /ms +Certificate +\|$/ { c[n] = 1 }
        END { s = ""; for (i = 1; i <= n; i++) if (c[i]) s = s (s ? " " : "") i; print s }' "$1"
}

# ================= 1. suites x groups x server certificates =================
for cert in rsa ecdsa; do
    key=$CERTS/server-$cert.key
    # --- parley client -> openssl s_server -WWW, which allows only this suite and group ---
    for suite in "${SUITES13[@]}"; do
        for group in "${GROUPS13[@]}"; do
            tag="parley->s_server $cert $suite $group"
            BG_DIR=$WORK/www start_openssl_server s_server -tls1_3 -WWW -trace \
                -ciphersuites "$suite" -groups "${OSSL_GROUP[$group]}" \
                -cert "$WORK/leaf-server-$cert.pem" -cert_chain "$CERTS/int.pem" -key "$key"
            parley_client "https://localhost:$PORT/payload.bin" --cacert "$CA" -v \
                >"$WORK/got" 2>"$WORK/err"
            assert_eq "$tag: parley client exits 0" 0 $?
            assert_contains "$tag: parley says TLSv1.3" "$WORK/err" "^version: TLSv1.3$"
            assert_contains "$tag: parley says $suite" "$WORK/err" "^cipher: $suite$"
            assert_contains "$tag: parley says $group" "$WORK/err" "^group: $group$"
            assert_contains "$tag: parley verified a ${PEER_KEY[$cert]} server" "$WORK/err" \
                "^peer-key: ${PEER_KEY[$cert]}$"
            assert_same_file "$tag: body byte-exact" "$WORK/www/payload.bin" "$WORK/got"
            settled "$WORK/s_server.log" "ServerHello, Length"
            assert_eq "$tag: s_server sent one ServerHello with $suite, ${TRACE_GROUP[$group]}" \
                "ServerHello $suite ${TRACE_GROUP[$group]}" "$(hellos "$WORK/s_server.log")"
            stop_bg
        done
    done

    # --- openssl s_client, offering only this suite and group -> parley server ---
    start_parley_server page --cert "$CERTS/server-$cert.pem" --key "$key"
    page_port=$PORT
    start_parley_server files --cert "$CERTS/server-$cert.pem" --key "$key" --root "$WORK/www"
    files_port=$PORT
    for suite in "${SUITES13[@]}"; do
        for group in "${GROUPS13[@]}"; do
            tag="s_client->parley $cert $suite $group"
            sc=(openssl s_client -brief -ign_eof -servername localhost -tls1_3
                -ciphersuites "$suite" -groups "${OSSL_GROUP[$group]}" -CAfile "$CA"
                -verify_return_error)
            timeout 20 "${sc[@]}" -connect "127.0.0.1:$page_port" <"$WORK/get-page.txt" \
                >"$WORK/out" 2>"$WORK/err"
            assert_eq "$tag: s_client exits 0" 0 $?
            assert_contains "$tag: s_client says TLSv1.3" "$WORK/err" "^Protocol version: TLSv1.3$"
            assert_contains "$tag: s_client says $suite" "$WORK/err" "^Ciphersuite: $suite$"
            assert_contains "$tag: s_client's key exchange ${TEMP_KEY[$group]}" "$WORK/err" \
                "^Server Temp Key: ${TEMP_KEY[$group]}$"
            assert_contains "$tag: s_client verified a ${SIG_TYPE[$cert]} signature" "$WORK/err" \
                "^Signature type: ${SIG_TYPE[$cert]}$"
            assert_contains "$tag: s_client verified the chain" "$WORK/err" "^Verification: OK$"
            assert_contains "$tag: parley's page says TLSv1.3, $suite, $group" "$WORK/out" \
                "<dd id=\"version\">TLSv1.3</dd><dt>cipher suite</dt><dd id=\"suite\">$suite</dd><dt>group</dt><dd id=\"group\">$group</dd>"
            timeout 20 "${sc[@]}" -connect "127.0.0.1:$files_port" <"$WORK/get-payload.txt" \
                >"$WORK/out" 2>"$WORK/err"
            assert_eq "$tag: s_client fetching the file exits 0" 0 $?
            body "$WORK/out" >"$WORK/got"
            assert_same_file "$tag: body byte-exact" "$WORK/www/payload.bin" "$WORK/got"
        done
    done
    stop_bg
done
echo "part 1 took $(($(date +%s) - start)) s"

# ================= 2. client certificates =================
# --- openssl s_client -> parley server --verify-client require ---
start_parley_server auth --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --client-ca "$CA" --verify-client require
sc=(openssl s_client -brief -ign_eof -connect "127.0.0.1:$PORT" -servername localhost -tls1_3
    -CAfile "$CA" -verify_return_error)
for k in rsa ecdsa; do
    tag="s_client->parley, client certificate $k"
    timeout 20 "${sc[@]}" -cert "$WORK/leaf-client-$k.pem" -cert_chain "$CERTS/int.pem" \
        -key "$CERTS/client-$k.key" <"$WORK/get-page.txt" >"$WORK/out" 2>"$WORK/err"
    assert_eq "$tag: s_client exits 0" 0 $?
    assert_contains "$tag: s_client says TLSv1.3" "$WORK/err" "^Protocol version: TLSv1.3$"
    assert_contains "$tag: the page shows the client's subject" "$WORK/out" \
        "<dd id=\"peer\">${SUBJECT[$k]}</dd>"
    eventually_contains "$tag: parley server logs the client" "$WORK/auth.log" \
        "^client certificate from 127.0.0.1:[0-9]*: ${SUBJECT[$k]} (${PEER_KEY[$k]})$"
done
# refused TAG ALERT-NUMBER ALERT-NAME LOG-REASON S_CLIENT-ARGS...
refused() {
    local tag=$1 alert=$2 name=$3 reason=$4 seen
    shift 4
    seen=$(wc -l <"$WORK/auth.log")
    timeout 20 "${sc[@]}" -msg "$@" <"$WORK/get-page.txt" >"$WORK/out" 2>"$WORK/err"
    assert_eq "$tag: s_client fails" 1 $?
    assert_contains "$tag: s_client receives $name ($alert)" "$WORK/err" \
        "SSL alert number $alert$"
    assert_contains "$tag: s_client -msg shows the fatal $name alert" "$WORK/out" \
        "^<<< TLS 1.3, Alert \[length 0002\], fatal $name$"
    for _ in $(seq 50); do
        tail -n +"$((seen + 1))" "$WORK/auth.log" >"$WORK/new.log"
        grep -q '^handshake failed' "$WORK/new.log" && break
        sleep 0.1
    done
    assert_contains "$tag: parley server's log names the reason" "$WORK/new.log" \
        "^handshake failed from 127.0.0.1:[0-9]*: $reason"
}
refused "s_client->parley, no client certificate, required" 116 certificate_required \
    "the client sent no certificate, and this server requires one"
refused "s_client->parley, untrusted client certificate" 48 unknown_ca \
    "client certificate refused: certificate issuer CN=untrusted root is not trusted" \
    -cert "$WORK/leaf-client-untrusted.pem" -key "$CERTS/client-untrusted.key"
stop_bg
start_parley_server auth --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --client-ca "$CA" --verify-client optional
tag="s_client->parley, no client certificate, optional"
timeout 20 openssl s_client -brief -ign_eof -connect "127.0.0.1:$PORT" -servername localhost \
    -tls1_3 -CAfile "$CA" <"$WORK/get-page.txt" >"$WORK/out" 2>"$WORK/err"
assert_eq "$tag: s_client exits 0" 0 $?
assert_contains "$tag: the page says no client certificate" "$WORK/out" '<dd id="peer">none</dd>'
stop_bg

# --- parley client --raw -> openssl s_server -rev -Verify 1 (lines come back reversed) ---
start_openssl_server s_server -tls1_3 -rev -Verify 1 -CAfile "$CA" -verify_return_error \
    -cert "$WORK/leaf-server-ecdsa.pem" -cert_chain "$CERTS/int.pem" \
    -key "$CERTS/server-ecdsa.key"
for k in rsa ecdsa; do
    tag="parley->s_server -Verify 1, client certificate $k"
    seen=$(wc -l <"$WORK/s_server.log")
    parley_client "https://localhost:$PORT/" --raw --cacert "$CA" -v \
        --cert "$CERTS/client-$k.pem" --key "$CERTS/client-$k.key" \
        <"$WORK/www/page.txt" >"$WORK/got" 2>"$WORK/err"
    assert_eq "$tag: parley client exits 0" 0 $?
    assert_contains "$tag: parley says TLSv1.3" "$WORK/err" "^version: TLSv1.3$"
    assert_same_file "$tag: lines came back reversed" "$WORK/page.rev" "$WORK/got"
    settled "$WORK/s_server.log" "CONNECTION CLOSED"
    tail -n +"$((seen + 1))" "$WORK/s_server.log" >"$WORK/new.log"
    assert_contains "$tag: s_server verified the client (depth=0)" "$WORK/new.log" \
        "^depth=0 ${OSSL_SUBJECT[$k]}$"
    assert_contains "$tag: s_server's peer certificate is the client" "$WORK/new.log" \
        "^Peer certificate: ${OSSL_SUBJECT[$k]}$"
    assert_contains "$tag: s_server verified its ${SIG_TYPE[$k]} signature" "$WORK/new.log" \
        "^Signature type: ${SIG_TYPE[$k]}$"
done
tag="parley->s_server -Verify 1, no client certificate"
parley_client "https://localhost:$PORT/" --raw --cacert "$CA" \
    <"$WORK/www/page.txt" >"$WORK/got" 2>"$WORK/err"
assert_eq "$tag: parley client exits 1" 1 $?
assert_contains "$tag: parley reports certificate_required (116)" "$WORK/err" \
    "^parley: peer sent fatal alert certificate_required (116)$"
eventually_contains "$tag: s_server says no certificate came" "$WORK/s_server.log" \
    "peer did not return a certificate"
stop_bg
echo "part 2 took $(($(date +%s) - start)) s"

# ================= 3. HelloRetryRequest =================
# --- parley client -> s_server: its first key shares miss the server's one group ---
# (OpenSSL takes any share of a group it allows, so -groups names only the group it wants.)
hrr_client() { # hrr_client TAG SERVER-GROUP PARLEY-ARGS...
    local tag=$1 group=$2
    shift 2
    BG_DIR=$WORK/www start_openssl_server s_server -tls1_3 -WWW -trace \
        -groups "${OSSL_GROUP[$group]}" -cert "$WORK/leaf-server-rsa.pem" \
        -cert_chain "$CERTS/int.pem" -key "$CERTS/server-rsa.key"
    rm -f "$WORK/trace"
    parley_client "https://localhost:$PORT/payload.bin" --cacert "$CA" -v "$@" \
        --trace --trace-file "$WORK/trace" >"$WORK/got" 2>"$WORK/err"
    assert_eq "$tag: parley client exits 0" 0 $?
    assert_contains "$tag: parley says $group" "$WORK/err" "^group: $group$"
    assert_same_file "$tag: body byte-exact" "$WORK/www/payload.bin" "$WORK/got"
    settled "$WORK/s_server.log" "EncryptedExtensions"
    assert_eq "$tag: s_server sent a HelloRetryRequest for ${TRACE_GROUP[$group]}, then its ServerHello" \
        "HelloRetryRequest TLS_AES_128_GCM_SHA256 ${TRACE_GROUP[$group]};ServerHello TLS_AES_128_GCM_SHA256 ${TRACE_GROUP[$group]}" \
        "$(hellos "$WORK/s_server.log")"
    assert_eq "$tag: s_server received two ClientHellos" 2 \
        "$(count "$WORK/s_server.log" "ClientHello, Length=")"
    assert_contains "$tag: parley's trace: the server asks for another key share" \
        "$WORK/trace" "\* server asks for another key share"
    assert_contains "$tag: parley's trace: transcript restarted" "$WORK/trace" \
        "\* transcript restarted: message_hash(ClientHello1)"
    assert_eq "$tag: parley's trace: two ClientHellos" 2 \
        "$(count "$WORK/trace" "^ *|  ClientHello  ")"
    stop_bg
}
hrr_client "parley --key-shares secp256r1 -> s_server -groups X25519" x25519 \
    --groups x25519,secp256r1 --key-shares secp256r1
hrr_client "parley (shares x25519, P-256) -> s_server -groups P-384" secp384r1

# --- s_client -> parley server: the client's one share is not the group parley wants ---
hrr_server() { # hrr_server TAG GROUP-PARLEY-CHOOSES S_CLIENT-GROUPS PARLEY-SERVER-ARGS...
    local tag=$1 group=$2 cgroups=$3
    shift 3
    rm -f "$WORK/strace"
    start_parley_server ps --cert "$CERTS/server-ecdsa.pem" --key "$CERTS/server-ecdsa.key" \
        --trace --trace-file "$WORK/strace" "$@"
    timeout 20 openssl s_client -brief -ign_eof -connect "127.0.0.1:$PORT" -servername localhost \
        -tls1_3 -groups "$cgroups" -CAfile "$CA" -verify_return_error -trace \
        -msgfile "$WORK/msg" <"$WORK/get-page.txt" >"$WORK/out" 2>"$WORK/err"
    assert_eq "$tag: s_client exits 0" 0 $?
    assert_eq "$tag: s_client received a HelloRetryRequest for ${TRACE_GROUP[$group]}, then the ServerHello" \
        "HelloRetryRequest TLS_AES_128_GCM_SHA256 ${TRACE_GROUP[$group]};ServerHello TLS_AES_128_GCM_SHA256 ${TRACE_GROUP[$group]}" \
        "$(hellos "$WORK/msg")"
    assert_eq "$tag: s_client sent two ClientHellos" 2 "$(count "$WORK/msg" "ClientHello, Length=")"
    assert_contains "$tag: s_client's key exchange ${TEMP_KEY[$group]}" "$WORK/err" \
        "^Server Temp Key: ${TEMP_KEY[$group]}$"
    assert_contains "$tag: parley's page says $group" "$WORK/out" "<dd id=\"group\">$group</dd>"
    settled "$WORK/strace" "messages in"
    assert_contains "$tag: parley's trace: HelloRetryRequest" "$WORK/strace" \
        "no key share for our group: HelloRetryRequest \*"
    stop_bg
}
# s_client sends a key share for its first group only: P-256, which parley allows but, preferring
# X25519 (which the client also supports), it asks for that instead.
hrr_server "s_client -groups P-256:X25519 -> parley (prefers X25519)" x25519 P-256:X25519
hrr_server "s_client (X25519 share) -> parley --groups secp256r1" secp256r1 X25519:P-256 \
    --groups secp256r1
echo "part 3 took $(($(date +%s) - start)) s"

# ================= 4. resumption =================
tag="parley --reconnect 2 -> s_server"
start_openssl_server s_server -tls1_3 -www -cert "$WORK/leaf-server-rsa.pem" \
    -cert_chain "$CERTS/int.pem" -key "$CERTS/server-rsa.key"
rm -f "$WORK/trace"
parley_client "https://localhost:$PORT/" --cacert "$CA" -v --reconnect 2 --trace \
    --trace-file "$WORK/trace" >"$WORK/out" 2>"$WORK/err"
assert_eq "$tag: parley client exits 0" 0 $?
assert_contains "$tag: connection 1 full" "$WORK/err" '^connection 1: full handshake'
assert_contains "$tag: connection 2 resumed" "$WORK/err" \
    '^connection 2: resumed the session (abbreviated handshake)$'
assert_contains "$tag: connection 3 resumed" "$WORK/err" \
    '^connection 3: resumed the session (abbreviated handshake)$'
assert_eq "$tag: parley says TLSv1.3 three times" 3 "$(count "$WORK/err" '^version: TLSv1.3$')"
assert_eq "$tag: s_server's pages: New, Reused, Reused (TLSv1.3)" \
    "New, TLSv1.3 Reused, TLSv1.3 Reused, TLSv1.3" \
    "$(grep -E '^(New|Reused), ' "$WORK/out" | cut -d, -f1,2 | tr '\n' ' ' | sed 's/ $//')"
assert_eq "$tag: parley's trace: two resumptions by PSK from a ticket" 2 \
    "$(count "$WORK/trace" '\* session resumed (PSK from a ticket)')"
assert_eq "$tag: a Certificate came in connection 1 only" 1 "$(certs_in_trace "$WORK/trace")"
stop_bg

tag="s_client -sess_out/-sess_in -> parley"
start_parley_server ps --cert "$CERTS/server-ecdsa.pem" --key "$CERTS/server-ecdsa.key"
sc=(openssl s_client -ign_eof -msg -connect "127.0.0.1:$PORT" -servername localhost -tls1_3
    -CAfile "$CA" -verify_return_error)
timeout 20 "${sc[@]}" -sess_out "$WORK/sess.pem" <"$WORK/get-page.txt" >"$WORK/out1" 2>&1
assert_eq "$tag: first s_client exits 0" 0 $?
assert_contains "$tag: first: New, TLSv1.3" "$WORK/out1" '^New, TLSv1.3, '
assert_contains "$tag: first: the page says not resumed" "$WORK/out1" '<dd id="resumed">no</dd>'
timeout 20 "${sc[@]}" -sess_in "$WORK/sess.pem" <"$WORK/get-page.txt" >"$WORK/out2" 2>&1
assert_eq "$tag: second s_client exits 0" 0 $?
assert_contains "$tag: second: Reused, TLSv1.3" "$WORK/out2" '^Reused, TLSv1.3, '
assert_contains "$tag: second: the page says resumed" "$WORK/out2" '<dd id="resumed">yes</dd>'
assert_eq "$tag: Certificates received: 1 then 0" "1 0" \
    "$(count "$WORK/out1" '^<<< TLS 1.3, Handshake .*, Certificate$') $(count "$WORK/out2" '^<<< TLS 1.3, Handshake .*, Certificate$')"
eventually_contains "$tag: parley server logs the resumption" "$WORK/ps.log" \
    '^session resumed from 127.0.0.1:[0-9]*$'
stop_bg
echo "part 4 took $(($(date +%s) - start)) s"

# ================= 5. KeyUpdate =================
# --- s_client: a request, `k` (update, no answer asked), a request, `K` (update_requested), a
# last request. s_client takes a line starting with k/K as a command only if it comes alone in
# one read, hence each next line waits until s_client has said KEYUPDATE; its stdin stays open
# until the third answer is in. ---
tag="s_client k/K -> parley"
rm -f "$WORK/strace"
start_parley_server ps --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --root "$WORK/www" --trace --trace-file "$WORK/strace"
: >"$WORK/out"
seen() { settled "$WORK/out" "$1" "$2"; } # seen PATTERN N: s_client's output shows it N times
(
    printf 'GET /page.txt HTTP/1.1\r\nHost: localhost\r\n\r\n'
    seen "^$last_line$" 1
    printf 'k\n'
    seen '^KEYUPDATE$' 1
    printf 'GET /page.txt HTTP/1.1\r\nHost: localhost\r\n\r\n'
    seen "^$last_line$" 2
    printf 'K\n'
    seen '^KEYUPDATE$' 2
    printf 'GET /page.txt HTTP/1.0\r\n\r\n'
    seen "^$last_line$" 3
) | timeout 20 openssl s_client -msg -connect "127.0.0.1:$PORT" -servername localhost -tls1_3 \
    -CAfile "$CA" -verify_return_error >"$WORK/out" 2>&1
assert_eq "$tag: s_client exits 0" 0 $?
assert_eq "$tag: s_client printed KEYUPDATE twice" 2 "$(count "$WORK/out" '^KEYUPDATE$')"
assert_eq "$tag: s_client sent 2 KeyUpdates" 2 \
    "$(count "$WORK/out" '^>>> TLS 1.3, Handshake \[length 0005\], KeyUpdate$')"
assert_eq "$tag: parley answered the K (update_requested) only: 1 KeyUpdate received" 1 \
    "$(count "$WORK/out" '^<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate$')"
assert_eq "$tag: all three requests answered, the last after both updates" 3 \
    "$(count "$WORK/out" "^$last_line$")"
assert_not_contains "$tag: no alert but close_notify" "$WORK/out" 'Alert.*fatal'
settled "$WORK/strace" "messages in"
assert_eq "$tag: parley's trace: 2 KeyUpdates in, 1 out" "2 1" \
    "$(count "$WORK/strace" '^ *|  KeyUpdate  ') $(count "$WORK/strace" 'ms  *KeyUpdate  |$')"
stop_bg

# --- parley client --key-update (asking for one back) -> s_server -rev ---
start_openssl_server s_server -tls1_3 -rev -msg -cert "$WORK/leaf-server-rsa.pem" \
    -cert_chain "$CERTS/int.pem" -key "$CERTS/server-rsa.key"
tag="parley --key-update -> s_server"
rm -f "$WORK/trace"
parley_client "https://localhost:$PORT/" --raw --cacert "$CA" --key-update --trace \
    --trace-file "$WORK/trace" <"$WORK/www/page.txt" >"$WORK/got" 2>"$WORK/err"
assert_eq "$tag: parley client exits 0" 0 $?
assert_same_file "$tag: lines came back reversed, after the update" "$WORK/page.rev" "$WORK/got"
settled "$WORK/s_server.log" "CONNECTION CLOSED"
assert_eq "$tag: s_server received 1 KeyUpdate and answered with 1" "1 1" \
    "$(count "$WORK/s_server.log" '^<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate$') $(count "$WORK/s_server.log" '^>>> TLS 1.3, Handshake \[length 0005\], KeyUpdate$')"
assert_contains "$tag: parley's trace: write keys updated" "$WORK/trace" '\* write keys updated'
assert_contains "$tag: parley's trace: read keys updated" "$WORK/trace" '\* read keys updated'

# --- parley client --raw whose stdin starts after the server's NewSessionTickets: those records
# carry no data, and the client must go on reading stdin (it used to wait for data instead) ---
tag="parley --raw, stdin late -> s_server -rev"
(sleep 0.5; cat "$WORK/www/page.txt") | parley_client "https://localhost:$PORT/" --raw \
    --cacert "$CA" --timeout 5 >"$WORK/got" 2>"$WORK/err"
assert_eq "$tag: parley client exits 0" 0 $?
assert_same_file "$tag: lines came back reversed" "$WORK/page.rev" "$WORK/got"
stop_bg
echo "part 5 took $(($(date +%s) - start)) s"

# ================= 6. curl and Python ssl -> parley server =================
start_parley_server ps --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --cert "$CERTS/server-ecdsa.pem" --key "$CERTS/server-ecdsa.key" --root "$WORK/www"
for suite in TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
    tag="curl --tlsv1.3 --tls13-ciphers $suite -> parley"
    rm -f "$WORK/got"
    code=$(timeout 20 curl -sS -v --tlsv1.3 --tls13-ciphers "$suite" --cacert "$CA" \
        -w '%{http_code} %{ssl_verify_result}' "https://localhost:$PORT/payload.bin" \
        -o "$WORK/got" 2>"$WORK/err")
    assert_eq "$tag: 200, verified" "200 0" "$code"
    assert_contains "$tag: curl says TLSv1.3 / $suite" "$WORK/err" \
        "SSL connection using TLSv1.3 / $suite$"
    assert_same_file "$tag: body byte-exact" "$WORK/www/payload.bin" "$WORK/got"
done

tag="python ssl (TLS 1.3 only) -> parley"
cat >"$WORK/py13.py" <<'PY'
import socket, ssl, sys
port, ca, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
session = None
for n in (1, 2):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            s.sendall(b"GET /payload.bin HTTP/1.0\r\n\r\n")
            data = b""
            while True:
                d = s.recv(65536)
                if not d:
                    break
                data += d
            print(f"{n} version: {s.version()}")
            print(f"{n} cipher: {s.cipher()[0]}")
            print(f"{n} session_reused: {s.session_reused}")
            session = s.session  # the tickets came with the answer
    with open(f"{out}.{n}", "wb") as f:
        f.write(data.split(b"\r\n\r\n", 1)[1])
PY
timeout 30 python3 "$WORK/py13.py" "$PORT" "$CA" "$WORK/py" >"$WORK/out" 2>&1
assert_eq "$tag: exits 0" 0 $?
for n in 1 2; do
    assert_contains "$tag: connection $n: TLSv1.3" "$WORK/out" "^$n version: TLSv1.3$"
    assert_contains "$tag: connection $n: a TLS 1.3 suite" "$WORK/out" \
        "^$n cipher: TLS_\(AES_128_GCM_SHA256\|AES_256_GCM_SHA384\|CHACHA20_POLY1305_SHA256\)$"
    assert_same_file "$tag: connection $n: body byte-exact" "$WORK/www/payload.bin" "$WORK/py.$n"
done
assert_contains "$tag: connection 1 not resumed" "$WORK/out" "^1 session_reused: False$"
assert_contains "$tag: connection 2 resumed with session=" "$WORK/out" "^2 session_reused: True$"
eventually_contains "$tag: parley server logs the resumption" "$WORK/ps.log" \
    '^session resumed from 127.0.0.1'
stop_bg
echo "part 6 took $(($(date +%s) - start)) s"

# ================= 7. key log and tshark =================
# capture_start TAG PORT / capture_stop: tshark on loopback, that port only, bounded in time.
capture_start() {
    rm -f "$WORK/cap.pcapng"
    : >"$WORK/tshark.log" # (not left to the background redirection: no earlier run's line)
    timeout 30 tshark -i lo -f "tcp port $2" -w "$WORK/cap.pcapng" >"$WORK/tshark.log" 2>&1 &
    TSHARK=$!
    for _ in $(seq 150); do grep -q "Capturing on" "$WORK/tshark.log" && break; sleep 0.1; done
    assert_contains "$1: tshark is capturing" "$WORK/tshark.log" "Capturing on"
    sleep 0.5
}
capture_stop() {
    sleep 0.5
    kill -INT "$TSHARK" 2>/dev/null
    wait "$TSHARK" 2>/dev/null
}
# keylog_check TAG KEYS HEXLEN: the four TLS 1.3 secrets, once each, of one ClientHello (the
# one tshark saw), HEXLEN hex digits long (the suite's hash); with them, and only with them,
# tshark decrypts the GET /page.txt and its answer.
keylog_check() {
    local tag=$1 keys=$2 hexlen=$3 label random
    for label in CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET \
        CLIENT_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_0; do
        assert_eq "$tag: key log has one $label line" 1 \
            "$(grep -cE "^$label [0-9a-f]{64} [0-9a-f]{$hexlen}$" "$keys")"
    done
    assert_not_contains "$tag: no TLS 1.2 CLIENT_RANDOM line" "$keys" '^CLIENT_RANDOM '
    random=$(tshark -r "$WORK/cap.pcapng" -Y "tls.handshake.type == 1" -T fields \
        -e tls.handshake.random 2>/dev/null | head -1 | tr -d ':')
    assert_eq "$tag: every line names the ClientHello random tshark saw" "$random" \
        "$(cut -d' ' -f2 "$keys" | sort -u)"
    # the decrypted stream, both ways (s_server -WWW's answer has no length, so tshark's HTTP
    # dissector never sees it end; the stream shows it all the same)
    tshark -r "$WORK/cap.pcapng" -o "tls.keylog_file:$keys" -q -z follow,tls,ascii,0 \
        2>/dev/null >"$WORK/stream"
    assert_contains "$tag: tshark decrypts the request" "$WORK/stream" "^GET /page.txt HTTP/1.1"
    assert_contains "$tag: tshark decrypts the answer (page.txt's last line)" "$WORK/stream" \
        "^$last_line$"
    tshark -r "$WORK/cap.pcapng" -q -z follow,tls,ascii,0 2>/dev/null >"$WORK/stream"
    assert_not_contains "$tag: without the key log, no request in clear" "$WORK/stream" "GET /"
}

# --- parley server --keylog, curl ---
start_parley_server ps --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --root "$WORK/www" --keylog "$WORK/server.keys"
capture_start "keylog, parley server" "$PORT"
timeout 20 curl -sS --tlsv1.3 --tls13-ciphers TLS_AES_256_GCM_SHA384 --cacert "$CA" \
    "https://localhost:$PORT/page.txt" -o "$WORK/got" 2>"$WORK/err"
assert_same_file "keylog, parley server: curl fetched page.txt" "$WORK/www/page.txt" "$WORK/got"
capture_stop
keylog_check "keylog, parley server (--keylog)" "$WORK/server.keys" 96
stop_bg

# --- parley client with SSLKEYLOGFILE -> s_server -WWW ---
BG_DIR=$WORK/www start_openssl_server s_server -tls1_3 -WWW -cert "$WORK/leaf-server-rsa.pem" \
    -cert_chain "$CERTS/int.pem" -key "$CERTS/server-rsa.key"
capture_start "keylog, parley client" "$PORT"
SSLKEYLOGFILE=$WORK/client.keys parley_client "https://localhost:$PORT/page.txt" --cacert "$CA" \
    --ciphers TLS_CHACHA20_POLY1305_SHA256 >"$WORK/got" 2>"$WORK/err"
assert_same_file "keylog, parley client: fetched page.txt" "$WORK/www/page.txt" "$WORK/got"
capture_stop
keylog_check "keylog, parley client (SSLKEYLOGFILE)" "$WORK/client.keys" 64
stop_bg

# ================= 8. a parley server without TLS 1.3 suites =================
# It can speak TLS 1.2 at most, so answering a TLS 1.3 client with TLS 1.2 is no downgrade: its
# ServerHello must not carry the DOWNGRD sentinel, which s_client refuses ("inappropriate
# fallback"), as it did when the sentinel went by the configured maximum version.
tag="s_client (offers TLS 1.3) -> parley server with TLS 1.2 suites only"
start_parley_server ps --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --ciphers TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
timeout 20 openssl s_client -brief -ign_eof -connect "127.0.0.1:$PORT" -servername localhost \
    -CAfile "$CA" -verify_return_error <"$WORK/get-page.txt" >"$WORK/out" 2>"$WORK/err"
assert_eq "$tag: s_client exits 0" 0 $?
assert_contains "$tag: s_client says TLSv1.2" "$WORK/err" "^Protocol version: TLSv1.2$"
assert_contains "$tag: parley's page says TLSv1.2" "$WORK/out" '<dd id="version">TLSv1.2</dd>'
assert_not_contains "$tag: no fallback refusal" "$WORK/err" "inappropriate fallback"
stop_bg

# ---- 9. an Ed25519 server certificate: parley client verifies an ed25519 CertificateVerify ----
tag="Ed25519 certificate, parley client -> s_server"
openssl x509 -in "$CERTS/server-ed25519.pem" -out "$WORK/leaf-ed25519.pem"
start_openssl_server s_server -tls1_3 -cert "$WORK/leaf-ed25519.pem" -cert_chain "$CERTS/int.pem" \
    -key "$CERTS/server-ed25519.key" -www
parley_client "https://localhost:$PORT/" --cacert "$CERTS/ca-bundle.pem" -v --trace \
    >"$WORK/out" 2>"$WORK/err"
assert_eq "$tag: parley client exits 0" 0 $?
assert_contains "$tag: peer key ED25519" "$WORK/err" "^peer-key: ED25519$"
assert_contains "$tag: CertificateVerify signed with ed25519" "$WORK/err" \
    "signature_algorithm *ed25519"
assert_contains "$tag: s_server's page arrived" "$WORK/out" "Protocol *: TLSv1.3"
stop_bg

echo "took $(($(date +%s) - start)) s"
summary
