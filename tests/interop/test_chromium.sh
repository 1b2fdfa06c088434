#!/usr/bin/env bash
# Headless Chromium loads the connection page of parley server over TLS 1.2; the rendered DOM
# holds every message of the handshake that delivered it, drawn by the HTML trace renderer. A
# screenshot is kept in the build directory as an artifact.
source "$(dirname "$0")/lib.sh"
need chromium
port=$(free_port)
start_bg server "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --port "$port"
wait_port "$port"
# The throwaway CA is not in Chromium's NSS store, so certificate errors are ignored here;
# verification is the business of the other tests.
chrome() {
    timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d -p "$WORK")" --ignore-certificate-errors "$@" \
        2>>"$WORK/chromium.log"
}
chrome --dump-dom "https://localhost:$port/" >"$WORK/dom.html"
check "Chromium negotiated TLS 1.2 with parley" contains "$WORK/dom.html" 'id="version">TLSv1.2'
for m in ClientHello ServerHello Certificate ServerKeyExchange ServerHelloDone ClientKeyExchange \
    ChangeCipherSpec Finished; do
    check "rendered DOM holds $m" contains "$WORK/dom.html" "data-message=\"$m\""
done
artifacts=${PARLEY_BUILD:-$WORK}/artifacts
mkdir -p "$artifacts"
(cd "$artifacts" && chrome --screenshot=chromium-trace.png --window-size=900,1400 \
    "https://localhost:$port/" >/dev/null)
check "screenshot kept in $artifacts/chromium-trace.png" test -s "$artifacts/chromium-trace.png"
stop_bg
summary
