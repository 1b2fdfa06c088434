#!/usr/bin/env bash
# Issue 5's interop matrix: TLS 1.0 and TLS 1.1, each of the ten suites below, both roles, one
# real peer per cell. Every cell checks the version and the suite as parley reports them and as
# the peer reports them, and bytes carried exactly in both directions:
#   parley client --raw against `openssl s_server -rev` (it sends back each line it received,
#     reversed: a line-based binary payload out, its reversal back, compared byte-exact; the
#     bytes inside each line are the payload, s_server does not keep CR/LF line ends) or
#     against `gnutls-serv --echo` (a binary payload without NUL out and back, byte-exact);
#   openssl s_client / gnutls-cli against `parley server --root`: the request names a file by
#     a percent-encoded path of random bytes, so the 200 and the body prove the server decrypted
#     the exact request (its JSON trace also counts every request byte it received), and the
#     body, a binary file, must come back byte-exact.
# Debian's libssl has no RC4 or 3DES, so those cells use GnuTLS; the AES cells use OpenSSL and
# GnuTLS too (more coverage, still a short run).
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need openssl gnutls-serv gnutls-cli python3 ss pgrep

# Each row: IANA name, OpenSSL name (- where Debian's libssl has no such suite), the GnuTLS
# cipher:key-exchange:MAC that pins exactly that suite, certificate.
LEGACY=(
    "TLS_RSA_WITH_RC4_128_MD5 - ARCFOUR-128:RSA:MD5 rsa"
    "TLS_RSA_WITH_RC4_128_SHA - ARCFOUR-128:RSA:SHA1 rsa"
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA - ARCFOUR-128:ECDHE-RSA:SHA1 rsa"
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA - ARCFOUR-128:ECDHE-ECDSA:SHA1 ecdsa"
    "TLS_RSA_WITH_AES_128_CBC_SHA AES128-SHA AES-128-CBC:RSA:SHA1 rsa"
    "TLS_RSA_WITH_AES_256_CBC_SHA AES256-SHA AES-256-CBC:RSA:SHA1 rsa"
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA ECDHE-RSA-AES128-SHA AES-128-CBC:ECDHE-RSA:SHA1 rsa"
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA ECDHE-RSA-AES256-SHA AES-256-CBC:ECDHE-RSA:SHA1 rsa"
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA ECDHE-ECDSA-AES128-SHA AES-128-CBC:ECDHE-ECDSA:SHA1 ecdsa"
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA - 3DES-CBC:RSA:SHA1 rsa"
)
# Each row: parley's version, parley's name for it, s_server/s_client flag and name, GnuTLS name.
VERSIONS=(
    "1.0 TLSv1.0 -tls1 TLSv1 TLS1.0"
    "1.1 TLSv1.1 -tls1_1 TLSv1.1 TLS1.1"
)
CA=$CERTS/ca-bundle.pem
# parley offers 1.0 to 1.1 in every cell; the peer allows only the cell's version.
PARLEY_RANGE=(--tls-min 1.0 --tls-max 1.1)

legacy_priority() { # legacy_priority TLS1.x CIPHER:KX:MAC -> GnuTLS priority with that one suite
    local cipher kx mac
    IFS=: read -r cipher kx mac <<<"$2"
    echo "NORMAL:-VERS-ALL:+VERS-$1:-CIPHER-ALL:+$cipher:-KX-ALL:+$kx:-MAC-ALL:+$mac"
}

# gnutls_view LOG: what GnuTLS (gnutls-serv, or gnutls-cli -V) says was negotiated, one line
# "VERSION KX CIPHER MAC"; waits up to 5 s for the lines to be written.
gnutls_view() {
    local v kx c m
    for _ in $(seq 50); do
        v=$(grep -a -m1 '^- Version: ' "$1" | cut -d' ' -f3)
        kx=$(grep -a -m1 '^- Key Exchange: ' "$1" | cut -d' ' -f4)
        c=$(grep -a -m1 '^- Cipher: ' "$1" | cut -d' ' -f3)
        m=$(grep -a -m1 '^- MAC: ' "$1" | cut -d' ' -f3)
        [ -n "$m" ] && break
        sleep 0.1
    done
    echo "$v $kx $c $m"
}

# parley_server_view TRACE: what parley server's JSON trace (one object a line, written when the
# connection ends) says it negotiated and received: "VERSION SUITE N", N the application-data
# bytes it decrypted. Waits up to 5 s for the whole trace.
parley_server_view() {
    local size=-1 hello n
    for _ in $(seq 50); do
        [ -s "$1" ] && [ "$(wc -c <"$1")" = "$size" ] && [ "$(tail -c 1 "$1")" = "" ] && break
        size=$(wc -c <"$1" 2>/dev/null || echo -1)
        sleep 0.1
    done
    hello=$(grep -a '"kind":"message"' "$1" 2>/dev/null | grep '"name":"ServerHello"' |
        grep -m1 '"dir":"out"')
    n=$(grep -a '"kind":"message"' "$1" 2>/dev/null | grep '"name":"ApplicationData"' |
        grep '"dir":"in"' | grep -o '"length":[0-9][0-9]*' | cut -d: -f2 |
        awk '{ n += $1 } END { print n + 0 }')
    echo "$(sed -n 's/.*[{,]"version":"\([^"]*\)".*/\1/p' <<<"$hello")" \
        "$(sed -n 's/.*[{,]"cipher_suite":"\([^"]*\)".*/\1/p' <<<"$hello")" "$n"
}

# http_body RESPONSE BODY: prints RESPONSE's status line and writes its body (all after the
# first blank line) to BODY.
http_body() {
    local head
    head=$(LC_ALL=C awk 'BEGIN { RS = "\r\n\r\n" } { print length($0) + 4; exit }' "$1")
    tail -c +"$((${head:-0} + 1))" "$1" >"$2"
    if [ -n "$head" ] && [ "$head" -le "$(wc -c <"$1")" ]; then
        head -1 "$1" | tr -d '\r'
    else
        echo "no HTTP response"
    fi
}

# ---- payloads ----
# lines.bin: lines of random bytes (NUL and 0xff included, no CR or LF inside) for s_server -rev;
# lines.rev: what it must send back, each line reversed. echo.bin: binary without NUL for
# gnutls-serv --echo, which handles each record as a C string. www/...: a file named by three
# components of random bytes (all but NUL and '/'), request.txt the HTTP/1.0 request naming it
# with every byte percent-encoded.
mkdir -p "$WORK/www"
python3 - "$WORK" <<'PY'
import os, sys
work = sys.argv[1]
def rand(n, banned):
    out = b""
    while len(out) < n:
        out += bytes(b for b in os.urandom(n) if b not in banned)
    return out[:n]
lines = [b"\x00\xff\x01 first line \x80\x7f\x00"] + [
    rand(1 + os.urandom(1)[0] % 160, b"\r\n") for _ in range(50)]
open(f"{work}/lines.bin", "wb").write(b"".join(l + b"\n" for l in lines))
open(f"{work}/lines.rev", "wb").write(b"".join(l[::-1] + b"\n" for l in lines))
open(f"{work}/echo.bin", "wb").write(b"\r\n\xff\r\n\r\n" + rand(8000, b"\x00"))
parts = [b"\xff\r\n %?#&+;=" + rand(110, b"\x00/") for _ in range(3)]
os.makedirs(os.path.join(work.encode(), b"www", parts[0], parts[1]))
name = os.path.join(work.encode(), b"www", *parts)
open(name, "wb").write(b"\x00\r\n\xff\r\n\r\n" + os.urandom(6000) + b"\x00")
open(f"{work}/body.expected", "wb").write(open(name, "rb").read())
target = "".join("/" + "".join("%%%02X" % b for b in p) for p in parts)
open(f"{work}/request.txt", "wb").write(
    f"GET {target} HTTP/1.0\r\nHost: localhost\r\nUser-Agent: legacy-matrix\r\n\r\n".encode())
PY
REQUEST_BYTES=$(wc -c <"$WORK/request.txt")

# ---- the four kinds of cell ----
# Each takes the version row and the suite row, and starts and stops its own server.

cell_client_openssl() { # parley client --raw -> openssl s_server -rev
    local tag="$gname $iana parley-client/s_server"
    start_openssl_server s_server -rev "$oflag" -cipher "$ossl:@SECLEVEL=0" -cert "$leaf" \
        -cert_chain "$CERTS/int.pem" -key "$key"
    parley_client "https://localhost:$PORT/" --connect-to "127.0.0.1:$PORT" --raw \
        "${PARLEY_RANGE[@]}" --ciphers "$iana" --cacert "$CA" -v \
        <"$WORK/lines.bin" >"$WORK/got" 2>"$WORK/err"
    assert_eq "$tag: parley client exits 0" 0 $?
    assert_contains "$tag: parley says version $pname" "$WORK/err" "^version: $pname$"
    assert_contains "$tag: parley says cipher $iana" "$WORK/err" "^cipher: $iana$"
    eventually_contains "$tag: s_server says Protocol version $oname" "$WORK/s_server.log" \
        "^Protocol version: $oname$"
    assert_contains "$tag: s_server says Ciphersuite $ossl" "$WORK/s_server.log" \
        "^Ciphersuite: $ossl$"
    assert_same_file "$tag: client->server lines came back reversed, byte-exact" \
        "$WORK/lines.rev" "$WORK/got"
    stop_bg
}

cell_client_gnutls() { # parley client --raw -> gnutls-serv --echo
    local tag="$gname $iana parley-client/gnutls-serv"
    start_gnutls_server gnutls-serv --echo --x509certfile "$CERTS/server-$cert.pem" \
        --x509keyfile "$key" --priority "$(legacy_priority "$gname" "$gnutls")"
    parley_client "https://localhost:$PORT/" --connect-to "127.0.0.1:$PORT" --raw \
        "${PARLEY_RANGE[@]}" --ciphers "$iana" --cacert "$CA" -v \
        <"$WORK/echo.bin" >"$WORK/got" 2>"$WORK/err"
    assert_eq "$tag: parley client exits 0" 0 $?
    assert_contains "$tag: parley says version $pname" "$WORK/err" "^version: $pname$"
    assert_contains "$tag: parley says cipher $iana" "$WORK/err" "^cipher: $iana$"
    assert_eq "$tag: gnutls-serv says $gname $gnutls_kx $gnutls_cipher $gnutls_mac" \
        "$gname $gnutls_kx $gnutls_cipher $gnutls_mac" "$(gnutls_view "$WORK/gnutls-serv.log")"
    assert_same_file "$tag: client->server->client echo byte-exact" "$WORK/echo.bin" "$WORK/got"
    stop_bg
}

# start_legacy_parley_server: parley server --root with the cell's suite and a JSON trace.
start_legacy_parley_server() {
    rm -f "$WORK/trace.json"
    start_parley_server parley-server --cert "$CERTS/server-$cert.pem" --key "$key" \
        "${PARLEY_RANGE[@]}" --ciphers "$iana" --root "$WORK/www" \
        --trace=json --trace-file "$WORK/trace.json"
}

# The checks both server cells share: the server's own view, the request, the body.
check_parley_server_side() {
    local tag=$1
    assert_eq "$tag: parley server says $pname $iana, got all $REQUEST_BYTES request bytes" \
        "$pname $iana $REQUEST_BYTES" "$(parley_server_view "$WORK/trace.json")"
    assert_eq "$tag: client->server: the request's random-byte path named the file (200)" \
        "HTTP/1.1 200 OK" "$(http_body "$WORK/out" "$WORK/body")"
    assert_same_file "$tag: server->client: body byte-exact" "$WORK/body.expected" "$WORK/body"
}

cell_server_openssl() { # openssl s_client -> parley server --root
    local tag="$gname $iana s_client/parley-server"
    start_legacy_parley_server
    timeout 20 openssl s_client -brief -ign_eof -connect "127.0.0.1:$PORT" \
        -servername localhost "$oflag" -cipher "$ossl:@SECLEVEL=0" -CAfile "$CA" \
        -verify_return_error <"$WORK/request.txt" >"$WORK/out" 2>"$WORK/err"
    assert_eq "$tag: s_client exits 0" 0 $?
    assert_contains "$tag: s_client says Protocol version $oname" "$WORK/err" \
        "^Protocol version: $oname$"
    assert_contains "$tag: s_client says Ciphersuite $ossl" "$WORK/err" "^Ciphersuite: $ossl$"
    check_parley_server_side "$tag"
    stop_bg
}

cell_server_gnutls() { # gnutls-cli -> parley server --root
    local tag="$gname $iana gnutls-cli/parley-server"
    start_legacy_parley_server
    timeout 20 gnutls-cli -V -p "$PORT" localhost --x509cafile "$CA" \
        --priority "$(legacy_priority "$gname" "$gnutls")" --logfile "$WORK/info" \
        <"$WORK/request.txt" >"$WORK/out" 2>"$WORK/err"
    assert_eq "$tag: gnutls-cli exits 0" 0 $?
    assert_eq "$tag: gnutls-cli says $gname $gnutls_kx $gnutls_cipher $gnutls_mac" \
        "$gname $gnutls_kx $gnutls_cipher $gnutls_mac" "$(gnutls_view "$WORK/info")"
    check_parley_server_side "$tag"
    stop_bg
}

start=$(date +%s)
for version in "${VERSIONS[@]}"; do
    read -r _ pname oflag oname gname <<<"$version"
    for row in "${LEGACY[@]}"; do
        read -r iana ossl gnutls cert <<<"$row"
        IFS=: read -r gnutls_cipher gnutls_kx gnutls_mac <<<"$gnutls"
        key=$CERTS/server-$cert.key leaf=$WORK/leaf-$cert.pem
        # s_server sends only the first certificate of -cert; the intermediate goes in -cert_chain.
        openssl x509 -in "$CERTS/server-$cert.pem" -out "$leaf"
        if [ "$ossl" != - ]; then
            cell_client_openssl
            cell_server_openssl
        fi
        cell_client_gnutls
        cell_server_gnutls
    done
done
echo "matrix took $(($(date +%s) - start)) s"
summary
