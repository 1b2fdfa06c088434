#!/usr/bin/env bash
# TLS 1.0/1.1 and version negotiation (issue 5) against real peers: the defaults refuse the legacy
# protocols and RC4 with the right alert and a sentence saying why; TLS_FALLBACK_SCSV (RFC 7507)
# on both sides; the downgrade sentinel (RFC 8446 4.1.3) written by parley server and checked by
# parley client, with a proxy rewriting the ClientHello's version in between; a ClientHello shaped
# like reference 004 (TLS 1.0 record, ~50 suites, 25+ curves, www.google.com) answered with
# TLS 1.1 and TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA; and the record version held after the
# ServerHello. Peers: openssl s_client/s_server, gnutls-cli/gnutls-serv, Python ssl, raw bytes.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need openssl gnutls-cli gnutls-serv python3 curl ss pgrep
LT=$INTEROP_DIR/legacy_tls.py
CA=(--cacert "$CERTS/ca-bundle.pem")
RSA=(--cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key")
# s_server sends only the first certificate of -cert; the intermediate goes in -cert_chain.
OSSL_RSA=(-cert "$CERTS/server-rsa-leaf.pem" -cert_chain "$CERTS/int.pem" -key "$CERTS/server-rsa.key")
L0='DEFAULT:@SECLEVEL=0' # OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 signatures) above level 0
RC4_ONLY="NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:-CIPHER-ALL:+ARCFOUR-128"
SENTINEL=444f574e47524400 # "DOWNGRD\0", RFC 8446 4.1.3, for TLS 1.1 and below

# sclient OUT PORT ARGS...: openssl s_client sends a GET and reads to the end; all output in OUT.
sclient() {
    local out=$1 port=$2
    shift 2
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
        -CAfile "$CERTS/ca-bundle.pem" -ign_eof "$@" >"$out" 2>&1
}
# gcli OUT PORT PRIORITY: gnutls-cli sends a GET; all output in OUT.
gcli() {
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 gnutls-cli -p "$2" localhost \
        --x509cafile "$CERTS/ca-bundle.pem" --priority "$3" >"$1" 2>&1
}
# start_gnutls_http NAME PRIORITY: gnutls-serv --http with the RSA chain (lib.sh's
# start_gnutls_server); sets PORT.
start_gnutls_http() {
    start_gnutls_server "$1" --http --x509certfile "$CERTS/server-rsa.pem" \
        --x509keyfile "$CERTS/server-rsa.key" --priority "$2" || bad "gnutls-serv $2 listens"
}
# start_proxy NAME TARGET-PORT [--downgrade]: legacy_tls.py proxy; sets PROXY.
start_proxy() {
    local name=$1
    shift
    start_bg "$name" python3 -u "$LT" proxy "$@"
    PROXY=$(wait_listening "$WORK/$name.log") || PROXY=0
}
hello_summary() { python3 "$LT" msg "$1"; } # the ClientHello/ServerHello in s_client -msg output
# session_is DESCRIPTION FILE PROTOCOL: s_client output of a completed handshake at PROTOCOL (a
# failed one prints "Cipher is (NONE)" and still names the protocol it tried).
session_is() {
    if grep -q "Cipher is [A-Z]" "$2" && grep -q "Protocol *: $3\$" "$2"; then
        ok "$1"
    else
        bad "$1 (no $3 session in $(basename "$2"):)"
        grep -E "Cipher is|Protocol *:|error" "$2" | head -10 | sed 's/^/     | /'
    fi
}
page_says() { # page_says DESCRIPTION FILE VERSION SUITE: the page parley server sent back
    assert_contains "$1: the page says version $3" "$2" "id=\"version\">$3<"
    [ -z "${4:-}" ] || assert_contains "$1: the page says suite $4" "$2" "id=\"suite\">$4<"
}

echo "# 1. defaults refuse TLS 1.0, TLS 1.1 and RC4"
start_parley_server default "${RSA[@]}"
# Each row: s_client flag suffix, parley's name of the version, OpenSSL's.
LEGACY=("1 TLSv1.0 TLSv1" "1_1 TLSv1.1 TLSv1.1")
for row in "${LEGACY[@]}"; do
    read -r v name _ <<<"$row"
    sclient "$WORK/out" "$PORT" -servername localhost "-tls$v" -cipher "$L0"
    assert_contains "s_client -tls$v vs default parley server: protocol_version alert" \
        "$WORK/out" "alert protocol version.*SSL alert number 70"
    assert_not_contains "s_client -tls$v vs default parley server: no session" "$WORK/out" \
        "Cipher is ECDHE"
    eventually_contains "default parley server says why it refused $name" \
        "$WORK/default.log" "handshake failed from .*$name.*TLSv1\.2"
done
gcli "$WORK/out" "$PORT" "NORMAL:-VERS-ALL:+VERS-TLS1.0"
assert_contains "gnutls-cli TLS 1.0 only vs default parley server: fatal alert" "$WORK/out" \
    "A TLS fatal alert has been received"
assert_contains "gnutls-cli TLS 1.0 only vs default parley server: alert 70, protocol version" \
    "$WORK/out" "Received alert \[70\]: Error in protocol version"
python3 "$LT" pyclient "$PORT" 1.1 >"$WORK/out" 2>&1
assert_contains "Python ssl TLS 1.1 only vs default parley server: protocol_version alert" \
    "$WORK/out" "^error: .*ALERT_PROTOCOL_VERSION"
python3 "$LT" pyclient "$PORT" 1.2 >"$WORK/out" 2>&1
assert_contains "Python ssl TLS 1.2 vs the same default server still works" "$WORK/out" \
    "^version: TLSv1.2$"
gcli "$WORK/out" "$PORT" "$RC4_ONLY"
assert_contains "gnutls-cli offering only RC4 vs default parley server: handshake_failure (40)" \
    "$WORK/out" "Received alert \[40\]: Handshake failed"
eventually_contains "default parley server says no suite in common for the RC4-only client" \
    "$WORK/default.log" "handshake failed from .*no cipher suite in common"
stop_bg

for row in "${LEGACY[@]}"; do
    read -r v name oname <<<"$row"
    start_openssl_server s_server "${OSSL_RSA[@]}" -www "-tls$v" -cipher "$L0"
    start_proxy proxy "$PORT" # pass-through, to see the alert on the wire
    # The default client offers TLS 1.2 and 1.3 in supported_versions, where OpenSSL looks
    # first: s_server finds neither and refuses.
    parley_client "https://localhost:$PROXY/" "${CA[@]}" >/dev/null 2>"$WORK/err"
    assert_eq "default parley client vs s_server -tls$v: exits 1" 1 $?
    assert_contains "default parley client vs s_server -tls$v: s_server refuses (70)" \
        "$WORK/err" "^parley: peer sent fatal alert protocol_version (70)"
    # A client up to TLS 1.2 sends no supported_versions: s_server answers $name, which parley
    # refuses itself, saying why.
    parley_client "https://localhost:$PROXY/" "${CA[@]}" --tls-max 1.2 >/dev/null 2>"$WORK/err"
    assert_eq "parley client --tls-max 1.2 vs s_server -tls$v: exits 1" 1 $?
    assert_contains "parley client --tls-max 1.2 vs s_server -tls$v: error names $name and the range" \
        "$WORK/err" "^parley: .*$name.*TLSv1\.2"
    eventually_contains "parley client --tls-max 1.2 vs s_server -tls$v: sends protocol_version (2 70)" \
        "$WORK/proxy.log" "^2 c>s record 21 .*alert 2 70"
    parley_client "https://localhost:$PORT/" "${CA[@]}" --tls-min 1.0 -v >"$WORK/body" \
        2>"$WORK/err"
    assert_eq "parley client --tls-min 1.0 vs s_server -tls$v: exits 0" 0 $?
    assert_contains "parley client --tls-min 1.0 vs s_server -tls$v: version $name" "$WORK/err" \
        "^version: $name$"
    assert_contains "parley client --tls-min 1.0 vs s_server -tls$v: got the page" "$WORK/body" \
        "Protocol *: $oname$"
    stop_bg
done

start_gnutls_http gnutls-rc4 "$RC4_ONLY"
parley_client "https://localhost:$PORT/" "${CA[@]}" >/dev/null 2>"$WORK/err"
assert_eq "default parley client vs RC4-only gnutls-serv: exits 1" 1 $?
assert_contains "default parley client vs RC4-only gnutls-serv: handshake_failure" "$WORK/err" \
    "^parley: .*handshake_failure"
parley_client "https://localhost:$PORT/" "${CA[@]}" --tls-min 1.0 \
    --ciphers TLS_RSA_WITH_RC4_128_SHA -v >"$WORK/body" 2>"$WORK/err"
assert_eq "parley client --tls-min 1.0 --ciphers TLS_RSA_WITH_RC4_128_SHA vs gnutls-serv: exits 0" \
    0 $?
assert_contains "parley client --tls-min 1.0 with RC4 named: cipher TLS_RSA_WITH_RC4_128_SHA" \
    "$WORK/err" "^cipher: TLS_RSA_WITH_RC4_128_SHA$"
assert_contains "parley client --tls-min 1.0 with RC4 named: TLS 1.2 (the highest both speak)" \
    "$WORK/err" "^version: TLSv1.2$"
assert_contains "parley client --tls-min 1.0 with RC4 named: gnutls-serv's page" "$WORK/body" \
    "ARCFOUR-128"
# The library allows RC4 at TLS 1.2 when it is named (its suite table: TLS 1.0 up to 1.2), so the
# name alone, with the default TLS 1.2-only range, is enough against a peer that allows it.
parley_client "https://localhost:$PORT/" "${CA[@]}" --ciphers TLS_RSA_WITH_RC4_128_SHA -v \
    >"$WORK/body" 2>"$WORK/err"
assert_eq "parley client --ciphers TLS_RSA_WITH_RC4_128_SHA (TLS 1.2 only) vs gnutls-serv: exits 0" \
    0 $?
assert_contains "parley client with RC4 named at TLS 1.2: RC4" "$WORK/err" \
    "^cipher: TLS_RSA_WITH_RC4_128_SHA$"
assert_contains "parley client with RC4 named at TLS 1.2: TLSv1.2" "$WORK/err" "^version: TLSv1.2$"
parley_client "https://localhost:$PORT/" "${CA[@]}" --tls-min 1.0 --tls-max 1.0 \
    --ciphers TLS_RSA_WITH_RC4_128_SHA -v >"$WORK/body" 2>"$WORK/err"
assert_contains "parley client --tls-max 1.0 with RC4 named: TLSv1.0" "$WORK/err" \
    "^version: TLSv1.0$"
assert_contains "parley client --tls-max 1.0 with RC4 named: gnutls-serv's page says TLS1.0, RC4" \
    "$WORK/body" "TLS1.0-X.509)-(RSA)-(ARCFOUR-128)"
stop_bg

# parley server with RC4 named: gnutls-cli's RC4-only hello is served, at TLS 1.0 too.
start_parley_server rc4 "${RSA[@]}" --tls-min 1.0 --ciphers TLS_RSA_WITH_RC4_128_SHA
for gv in TLS1.0 TLS1.2; do
    gcli "$WORK/out" "$PORT" "NORMAL:-VERS-ALL:+VERS-$gv:-CIPHER-ALL:+ARCFOUR-128"
    assert_contains "gnutls-cli RC4 only at $gv vs parley server --ciphers TLS_RSA_WITH_RC4_128_SHA" \
        "$WORK/out" "Description: ($gv-X.509)-(RSA)-(ARCFOUR-128)-(SHA1)"
    page_says "gnutls-cli RC4 at $gv: data flows" "$WORK/out" "TLSv1.${gv#TLS1.}" \
        TLS_RSA_WITH_RC4_128_SHA
done
stop_bg

echo "# 2. TLS_FALLBACK_SCSV (RFC 7507)"
# Up to TLS 1.2, so that a TLS 1.2 client's SCSV is no fallback; the default's case follows.
start_parley_server min10 "${RSA[@]}" --tls-min 1.0 --tls-max 1.2
for v in 1 1_1; do
    sclient "$WORK/out" "$PORT" -servername localhost "-tls$v" -fallback_scsv -cipher "$L0"
    assert_contains "s_client -tls$v -fallback_scsv vs parley server (up to 1.2): alert 86" \
        "$WORK/out" "alert inappropriate fallback.*SSL alert number 86"
done
eventually_contains "parley server says why it refused the fallback" "$WORK/min10.log" \
    "handshake failed from .*fallback"
sclient "$WORK/out" "$PORT" -servername localhost -tls1_1 -cipher "$L0"
session_is "s_client -tls1_1 without the SCSV: Protocol TLSv1.1" "$WORK/out" \
    TLSv1.1
page_says "s_client -tls1_1 without the SCSV" "$WORK/out" TLSv1.1
sclient "$WORK/out" "$PORT" -servername localhost -tls1 -cipher "$L0"
session_is "s_client -tls1 without the SCSV: Protocol TLSv1" "$WORK/out" TLSv1
page_says "s_client -tls1 without the SCSV" "$WORK/out" TLSv1.0
sclient "$WORK/out" "$PORT" -servername localhost -tls1_2 -fallback_scsv -cipher "$L0"
session_is "s_client -tls1_2 -fallback_scsv (no fallback: 1.2 is the server's best): TLSv1.2" \
    "$WORK/out" TLSv1.2
gcli "$WORK/out" "$PORT" "NORMAL:-VERS-ALL:+VERS-TLS1.1:%FALLBACK_SCSV"
assert_contains "gnutls-cli TLS 1.1 with %FALLBACK_SCSV: alert 86" "$WORK/out" \
    "Received alert \[86\]: Inappropriate fallback"
gcli "$WORK/out" "$PORT" "NORMAL:-VERS-ALL:+VERS-TLS1.1"
assert_contains "gnutls-cli TLS 1.1 without it: TLS1.1 session" "$WORK/out" "Description: (TLS1.1"
python3 "$LT" pyclient "$PORT" 1.1 >"$WORK/out" 2>&1
assert_contains "Python ssl TLS 1.1 vs parley server --tls-min 1.0: TLSv1.1" "$WORK/out" \
    "^version: TLSv1.1$"
python3 "$LT" pyclient "$PORT" 1.0 >"$WORK/out" 2>&1
assert_contains "Python ssl TLS 1.0 vs parley server --tls-min 1.0: TLSv1" "$WORK/out" \
    "^version: TLSv1$"
assert_contains "Python ssl TLS 1.0: the page came back" "$WORK/out" "^status: HTTP/1.1 200"
stop_bg
start_parley_server max11 "${RSA[@]}" --tls-min 1.0 --tls-max 1.1
sclient "$WORK/out" "$PORT" -servername localhost -tls1_1 -fallback_scsv -cipher "$L0"
session_is "s_client -tls1_1 -fallback_scsv vs parley server --tls-max 1.1: accepted" \
    "$WORK/out" TLSv1.1
stop_bg

start_openssl_server s_server "${OSSL_RSA[@]}" -www -no_tls1_3 -cipher "$L0"
parley_client "https://localhost:$PORT/" "${CA[@]}" --tls-min 1.0 --tls-max 1.1 \
    --fallback-scsv >/dev/null 2>"$WORK/err"
assert_eq "parley client --tls-max 1.1 --fallback-scsv vs s_server (up to 1.2): exits 1" 1 $?
assert_contains "parley client --fallback-scsv refused: error names inappropriate_fallback" \
    "$WORK/err" "^parley: .*inappropriate_fallback"
eventually_contains "s_server saw parley's TLS_FALLBACK_SCSV" "$WORK/s_server.log" \
    "inappropriate fallback"
parley_client "https://localhost:$PORT/" "${CA[@]}" --tls-min 1.0 --tls-max 1.1 -v \
    >"$WORK/body" 2>"$WORK/err"
assert_eq "parley client --tls-max 1.1 without the SCSV vs the same s_server: exits 0" 0 $?
assert_contains "parley client --tls-max 1.1 without the SCSV: TLSv1.1" "$WORK/err" \
    "^version: TLSv1.1$"
stop_bg
start_openssl_server s_server11 "${OSSL_RSA[@]}" -www -tls1_1 -cipher "$L0" -msg
parley_client "https://localhost:$PORT/" "${CA[@]}" --tls-min 1.0 --tls-max 1.1 \
    --fallback-scsv -v >"$WORK/body" 2>"$WORK/err"
assert_eq "parley client --fallback-scsv vs s_server -tls1_1 (no fallback happened): exits 0" 0 $?
assert_contains "parley client --fallback-scsv vs s_server -tls1_1: TLSv1.1" "$WORK/err" \
    "^version: TLSv1.1$"
assert_contains "parley client --fallback-scsv vs s_server -tls1_1: page" "$WORK/body" \
    "Protocol *: TLSv1.1"
hello_summary "$WORK/s_server11.log" >"$WORK/hello"
assert_contains "the ClientHello s_server -tls1_1 accepted did carry TLS_FALLBACK_SCSV" \
    "$WORK/hello" "scsv=yes"
stop_bg

echo "# 3. the downgrade sentinel (RFC 8446 4.1.3)"
# no_sentinel DESCRIPTION FILE VERSION: a ServerHello at VERSION whose random does not end in
# either DOWNGRD value (..00 for TLS 1.1 and below, ..01 for TLS 1.2).
no_sentinel() {
    local tail
    tail=$(sed -n "s/^serverhello version=$3 .*random_tail=//p" "$2")
    if [ -n "$tail" ] && [ "${tail:0:14}" != 444f574e475244 ]; then
        ok "$1"
    else
        bad "$1 (random tail '${tail:-no ServerHello at $3}')"
    fi
}
start_parley_server min10 "${RSA[@]}" --tls-min 1.0 --tls-max 1.2
for v in 1 1_1 1_2; do
    sclient "$WORK/out" "$PORT" -servername localhost "-tls$v" -cipher "$L0" -msg
    hello_summary "$WORK/out" >"$WORK/hello"
    cat "$WORK/hello"
    case $v in
    1) assert_contains "parley server (max 1.2) at TLS 1.0: ServerHello.random ends DOWNGRD\\0" \
        "$WORK/hello" "serverhello version=0301 .*random_tail=$SENTINEL" ;;
    1_1) assert_contains "parley server (max 1.2) at TLS 1.1: ServerHello.random ends DOWNGRD\\0" \
        "$WORK/hello" "serverhello version=0302 .*random_tail=$SENTINEL" ;;
    1_2) no_sentinel "parley server at TLS 1.2: ServerHello without a DOWNGRD sentinel" \
        "$WORK/hello" 0303 ;;
    esac
done
stop_bg
start_parley_server max11 "${RSA[@]}" --tls-min 1.0 --tls-max 1.1
sclient "$WORK/out" "$PORT" -servername localhost -tls1_1 -cipher "$L0" -msg
hello_summary "$WORK/out" >"$WORK/hello"
no_sentinel "parley server --tls-max 1.1 at TLS 1.1: no sentinel (nothing was lowered)" \
    "$WORK/hello" 0302
stop_bg
# The default server speaks TLS 1.3: TLS 1.2 is lowered too, and says so with DOWNGRD\1; and a
# TLS 1.2 client's SCSV now marks a real fallback.
start_parley_server max13 "${RSA[@]}" --tls-min 1.0
sclient "$WORK/out" "$PORT" -servername localhost -tls1_2 -msg
hello_summary "$WORK/out" >"$WORK/hello"
assert_contains "parley server (max 1.3) at TLS 1.2: ServerHello.random ends DOWNGRD\\1" \
    "$WORK/hello" "serverhello version=0303 .*random_tail=444f574e47524401"
sclient "$WORK/out" "$PORT" -servername localhost -tls1_1 -cipher "$L0" -msg
hello_summary "$WORK/out" >"$WORK/hello"
assert_contains "parley server (max 1.3) at TLS 1.1: ServerHello.random ends DOWNGRD\\0" \
    "$WORK/hello" "serverhello version=0302 .*random_tail=$SENTINEL"
sclient "$WORK/out" "$PORT" -servername localhost -tls1_2 -fallback_scsv
assert_contains "s_client -tls1_2 -fallback_scsv vs parley server (up to 1.3): alert 86" \
    "$WORK/out" "alert inappropriate fallback.*SSL alert number 86"
stop_bg

# parley client (up to 1.2) through a proxy that rewrites its client_version to 0x0302: s_server
# answers TLS 1.1 with the sentinel; parley must stop at the ServerHello.
start_openssl_server s_server "${OSSL_RSA[@]}" -www -no_tls1_3 -cipher "$L0"
oport=$PORT
start_proxy proxy "$oport"
parley_client "https://localhost:$PROXY/" "${CA[@]}" --tls-min 1.0 --tls-max 1.2 -v >/dev/null \
    2>"$WORK/err"
assert_eq "parley client via a pass-through proxy: exits 0" 0 $?
assert_contains "parley client via a pass-through proxy: TLSv1.2" "$WORK/err" "^version: TLSv1.2$"
start_proxy downgrade "$oport" --downgrade
parley_client "https://localhost:$PROXY/" "${CA[@]}" --tls-min 1.0 --tls-max 1.2 -v >/dev/null \
    2>"$WORK/err"
assert_eq "parley client via the downgrading proxy: exits 1" 1 $?
assert_contains "parley client via the downgrading proxy: the error names the downgrade" \
    "$WORK/err" "^parley: .*[Dd]owngrade"
sed 's/^/     proxy: /' "$WORK/downgrade.log"
assert_contains "the proxy rewrote the ClientHello" "$WORK/downgrade.log" \
    "^1 rewrote client_version 0303 -> 0302"
assert_contains "s_server answered TLS 1.1 with the sentinel" "$WORK/downgrade.log" \
    "^1 s>c .*server_version 0302 .*random_tail $SENTINEL"
eventually_contains "parley client sent alert illegal_parameter (2 47)" "$WORK/downgrade.log" \
    "^1 c>s record 21 .*alert 2 47"
assert_not_contains "parley client stopped at the ServerHello (no ClientKeyExchange sent)" \
    "$WORK/downgrade.log" "^1 c>s .*hs 16"
parley_client "https://localhost:$PROXY/" "${CA[@]}" --tls-min 1.0 --tls-max 1.1 -v \
    >/dev/null 2>"$WORK/err"
assert_eq "parley client --tls-max 1.1 via the same proxy (nothing to rewrite): exits 0" 0 $?
assert_contains "parley client --tls-max 1.1 accepts the sentinel (it asked for 1.1)" \
    "$WORK/err" "^version: TLSv1.1$"
stop_bg

# openssl s_client (up to 1.2) through the same kind of proxy to parley server: OpenSSL's client
# check finds parley's sentinel.
start_parley_server min10 "${RSA[@]}" --tls-min 1.0 --tls-max 1.2
pport=$PORT
start_proxy proxy "$pport"
sclient "$WORK/out" "$PROXY" -servername localhost -no_tls1_3 -cipher "$L0"
session_is "s_client via a pass-through proxy to parley server: TLSv1.2" "$WORK/out" \
    TLSv1.2
start_proxy downgrade "$pport" --downgrade
sclient "$WORK/out" "$PROXY" -servername localhost -no_tls1_3 -cipher "$L0"
assert_contains "s_client via the downgrading proxy: OpenSSL detects parley's sentinel" \
    "$WORK/out" "ssl_choose_client_version:inappropriate fallback"
assert_contains "the proxy saw parley server's sentinel at TLS 1.1" "$WORK/downgrade.log" \
    "^1 s>c .*server_version 0302 .*random_tail $SENTINEL"
eventually_contains "s_client sent alert illegal_parameter (2 47)" "$WORK/downgrade.log" \
    "^1 c>s record 21 .*alert 2 47"
eventually_contains "parley server logs s_client's illegal_parameter alert" "$WORK/min10.log" \
    "handshake failed from .*illegal_parameter"
stop_bg

echo "# 4. a ClientHello shaped like reference 004"
# 28 named curves OpenSSL 3.0 still offers in TLS (binary, Koblitz, brainpool), P-256 the one
# parley shares; ALL:COMPLEMENTOFALL with a PSK key puts ~60 suites in a TLS 1.1 hello.
CURVES=sect163k1:sect163r1:sect163r2:sect193r1:sect193r2:sect233k1:sect233r1:sect239k1
CURVES=$CURVES:sect283k1:sect283r1:sect409k1:sect409r1:sect571k1:sect571r1:secp160k1:secp160r1
CURVES=$CURVES:secp160r2:secp192k1:secp192r1:secp224k1:secp224r1:secp256k1:brainpoolP256r1
CURVES=$CURVES:brainpoolP384r1:brainpoolP512r1:P-256
start_parley_server ref004 "${RSA[@]}" --tls-min 1.0 \
    --ciphers TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA
sclient "$WORK/out" "$PORT" -tls1_1 -servername www.google.com -psk 0123456789abcdef \
    -cipher 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' -curves "$CURVES" -msg
hello_summary "$WORK/out" >"$WORK/hello"
cat "$WORK/hello"
read -r suites groups <<<"$(sed -n 's/^clienthello .*suites=\([0-9]*\) groups=\([0-9]*\).*/\1 \2/p' \
    "$WORK/hello")"
assert_contains "reference 004 shape: ClientHello in a TLS 1.0 record, client_version TLS 1.1" \
    "$WORK/hello" "^clienthello record_version=0301 version=0302 "
check "reference 004 shape: >= 40 suites offered (${suites:-none})" test "${suites:-0}" -ge 40
check "reference 004 shape: >= 20 curves offered (${groups:-none})" test "${groups:-0}" -ge 20
assert_contains "reference 004 shape: 3 point formats, server name www.google.com" \
    "$WORK/hello" "point_formats=3 sni=www.google.com"
assert_contains "parley server answers TLS 1.1 with TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (0xc013)" \
    "$WORK/hello" "^serverhello version=0302 suite=c013 "
session_is "s_client: Protocol TLSv1.1" "$WORK/out" TLSv1.1
assert_contains "s_client: ECDHE-RSA-AES128-SHA" "$WORK/out" "Cipher is ECDHE-RSA-AES128-SHA$"
assert_contains "s_client: the shared curve P-256 was chosen" "$WORK/out" \
    "Server Temp Key: ECDH, prime256v1"
page_says "data over the reference-004 connection" "$WORK/out" TLSv1.1 \
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
for v in 0302 0301 0303; do
    python3 "$LT" hello "$PORT" "$v" >"$WORK/raw" 2>&1
    assert_contains "raw ClientHello $v of unknown suites, groups, extensions and one known each: ServerHello $v, 0xc013, nothing unsolicited" \
        "$WORK/raw" "^serverhello version=$v suite=c013 unsolicited=none end=done$"
done

echo "# 5. the record version is held once the ServerHello chose TLS 1.1"
python3 "$LT" record-version "$PORT" 0302 >"$WORK/raw" 2>&1
cat "$WORK/raw"
assert_contains "raw TLS 1.1 client, records at 0x0302, garbage Finished: bad_record_mac, not protocol_version" \
    "$WORK/raw" "^alert 2 20 (server records were 0302)$"
python3 "$LT" record-version "$PORT" 0303 >"$WORK/raw" 2>&1
cat "$WORK/raw"
assert_contains "raw TLS 1.1 client, next record at 0x0303: protocol_version alert (2 70)" \
    "$WORK/raw" "^alert 2 70 (server records were 0302)$"
timeout 10 curl -s --insecure --tls-max 1.2 "https://localhost:$PORT/" >"$WORK/page" 2>&1
page_says "the server still serves after all that" "$WORK/page" TLSv1.2
stop_bg
summary
