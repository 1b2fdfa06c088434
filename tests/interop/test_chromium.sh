#!/usr/bin/env bash
# Headless Chromium loads the connection page of parley server, by default over TLS 1.3 and, with
# a server limited to TLS 1.2, over TLS 1.2. The page names the negotiated version and suite, and
# its rendered DOM holds every message of the handshake that delivered it, drawn by the HTML
# trace renderer. A screenshot of each is kept in the build directory as an artifact.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need chromium
# The throwaway CA is not in Chromium's NSS store, so certificate errors are ignored here;
# verification is the business of the other tests.
chrome() {
    timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d -p "$WORK")" --ignore-certificate-errors "$@" \
        2>>"$WORK/chromium.log"
}
artifacts=${PARLEY_BUILD:-$WORK}/artifacts
mkdir -p "$artifacts"

# load VERSION SUITE-PREFIX MESSAGES SERVER-ARGS...: the page over that version, drawn whole
load() {
    local version=$1 suite=$2 messages=$3 port shot
    shift 3
    port=$(free_port)
    start_bg server "$PARLEY" server --cert "$CERTS/server-rsa.pem" \
        --key "$CERTS/server-rsa.key" --port "$port" "$@"
    wait_port "$port"
    chrome --dump-dom "https://localhost:$port/" >"$WORK/dom.html"
    check "Chromium negotiated $version with parley: the page says so" \
        contains "$WORK/dom.html" "id=\"version\">$version<"
    check "$version: the page names a $suite suite" \
        contains "$WORK/dom.html" "id=\"suite\">$suite"
    for m in $messages; do
        check "$version: rendered DOM holds $m" contains "$WORK/dom.html" "data-message=\"$m\""
    done
    shot=chromium-trace-$version.png
    (cd "$artifacts" && chrome --screenshot="$shot" --window-size=900,1400 \
        "https://localhost:$port/" >/dev/null)
    check "$version: screenshot kept in $artifacts/$shot" test -s "$artifacts/$shot"
    stop_bg
}
load TLSv1.3 TLS_AES_ "ClientHello ServerHello EncryptedExtensions Certificate CertificateVerify \
    Finished"
load TLSv1.2 TLS_ECDHE_RSA_ "ClientHello ServerHello Certificate ServerKeyExchange \
    ServerHelloDone ClientKeyExchange ChangeCipherSpec Finished" --tls-max 1.2
summary
