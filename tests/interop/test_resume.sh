#!/usr/bin/env bash
# Issue 7: session resumption against real peers, proved by the messages on the wire.
#   1. parley server against `openssl s_client -reconnect` (tickets, and -no_ticket) and
#      `gnutls-cli --resume` (tickets, and --noticket), at TLS 1.2 and TLS 1.0: every later
#      handshake is abbreviated (no Certificate, the server's ChangeCipherSpec and Finished
#      first) in parley's JSON trace and in s_client's -msg, by the mechanism asked for (ticket
#      or session cache), the peer says so, parley logs it, and the page fetched on the resumed
#      connection says resumed.
#   2. parley client --reconnect 2 against `openssl s_server -www` and `gnutls-serv --http`,
#      tickets on and off on either side: connections 2 and 3 are abbreviated, reported, and
#      carry the body; a session-ID resumption offers the very ID the server gave.
#   3. --sess-out then --sess-in in a new parley client process resumes; a corrupt, truncated
#      or empty session file is a warning and a clean full handshake.
#   4. What must not resume: a session offered to a restarted server (new ticket key, empty
#      cache), and a session past --session-lifetime.
# All of it is about the session ID and RFC 5077 tickets of TLS 1.2 and earlier, so parley is
# pinned to TLS 1.2 at most; TLS 1.3's PSK resumption is in test_tls13_*.sh.
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need openssl gnutls-serv gnutls-cli python3 ss pgrep

CA=$CERTS/ca-bundle.pem
openssl x509 -in "$CERTS/server-rsa.pem" -out "$WORK/leaf.pem" # s_server -cert: the leaf alone
SERVER=(--cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" --tls-min 1.0 --tls-max 1.2)
# flow TRACE flow|steps|count, flow TRACE field MSG NAME: one line per connection of parley's
# JSON trace (tests/interop/trace_flow.py, run once per version of the trace: python is slow to
# start on a loaded machine).
flow() {
    local t=$1
    [ -s "$t" ] || { [ "$2" = count ] && echo 0; return; }
    [ "$t.flow" -nt "$t" ] || python3 "$INTEROP_DIR/trace_flow.py" "$t" split
    case $2 in
    count) wc -l <"$t.flow" ;;
    flow | steps) cat "$t.$2" ;;
    field) while IFS= read -r line; do
            v=$(tr '\t' '\n' <<<"$line" | sed -n "s/^$3\\.$4=//p")
            echo "${v:--}"
        done <"$t.fields" ;;
    esac
}
# wait_conns TRACE N: until parley's trace holds N connections (written as each ends), 5 s.
wait_conns() {
    for _ in $(seq 50); do
        [ "$(grep -c '"kind":"message","content_type":22,"name":"ClientHello"' "$1" 2>/dev/null)" \
            -ge "$2" ] && return 0
        sleep 0.1
    done
}
# The start of an abbreviated handshake, by sender (a ticket may be renewed before CCS).
ABBREV='^C:ClientHello S:ServerHello \(S:NewSessionTicket \)\?S:ChangeCipherSpec S:Finished C:ChangeCipherSpec C:Finished'
FULL='^C:ClientHello S:ServerHello S:Certificate '
# abbreviated TAG TRACE K...: connections K of TRACE are abbreviated handshakes.
abbreviated() {
    local tag=$1 trace=$2 k f
    shift 2
    for k in "$@"; do
        f=$(flow "$trace" flow | sed -n "${k}p")
        if echo "$f" | grep -q -- "$ABBREV" && ! echo "$f" | grep -q Certificate; then
            ok "$tag: connection $k abbreviated, no Certificate"
        else
            bad "$tag: connection $k abbreviated, no Certificate (flow: $f)"
        fi
    done
}
full() { # full TAG TRACE K: connection K of TRACE is a full handshake
    local f
    f=$(flow "$2" flow | sed -n "${3}p")
    if echo "$f" | grep -q -- "$FULL"; then
        ok "$1: connection $3 is a full handshake"
    else
        bad "$1: connection $3 is a full handshake (flow: $f)"
    fi
}
count_lines() { grep -c -- "$2" "$1" 2>/dev/null; }
# held_stdin FILE: $WORK/fifo gives FILE, then stays open (no EOF) until `kill $FEEDER`.
held_stdin() {
    rm -f "$WORK/fifo"
    mkfifo "$WORK/fifo"
    (cat "$1"; exec sleep 30) >"$WORK/fifo" &
    FEEDER=$!
}

printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >"$WORK/get.txt"
start=$(date +%s)

# ================= 1. parley server, peers resume =================
# Each row: parley's version, the OpenSSL flag and name, the GnuTLS name.
VERSIONS=("1.2 -tls1_2 TLSv1.2 TLS1.2" "1.0 -tls1 TLSv1.0 TLS1.0")
for version in "${VERSIONS[@]}"; do
    read -r pver oflag oname gname <<<"$version"
    for tickets in on off; do
        if [ "$tickets" = on ]; then
            ossl_opt=() gnutls_opt=() gnutls_prio='' how="the ticket"
        else
            # (gnutls-cli 3.7 --noticket still sends the session_ticket extension at TLS 1.2,
            # and resumes by ticket: %NO_TICKETS in the priority string does turn it off)
            ossl_opt=(-no_ticket) gnutls_opt=(--noticket) gnutls_prio=:%NO_TICKETS
            how="the session cache"
        fi

        # --- openssl s_client -reconnect: 1 full handshake then 5 resumed; GET on the last ---
        tag="TLSv$pver tickets $tickets s_client -reconnect->parley"
        rm -f "$WORK/s.json"
        start_parley_server ps "${SERVER[@]}" --trace=json --trace-file "$WORK/s.json"
        timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
            -reconnect -msg -ign_eof "$oflag" -cipher 'DEFAULT:@SECLEVEL=0' -CAfile "$CA" \
            "${ossl_opt[@]}" <"$WORK/get.txt" >"$WORK/out" 2>&1
        assert_eq "$tag: s_client exits 0" 0 $?
        assert_eq "$tag: s_client: 1 New" 1 "$(count_lines "$WORK/out" "^New, $oname,")"
        assert_eq "$tag: s_client: 5 Reused" 5 "$(count_lines "$WORK/out" "^Reused, $oname,")"
        # s_client -msg: the connections (CONNECTED lines) in which a Certificate came in
        assert_eq "$tag: s_client -msg: a Certificate came in the first connection only" "1" \
            "$(awk '/^CONNECTED/ { n++ } /^<<< .*, Certificate$/ { c[n] = 1 }
                END { s = ""; for (i in c) s = s i; print s }' "$WORK/out")"
        wait_conns "$WORK/s.json" 6
        assert_eq "$tag: parley traced 6 connections" 6 "$(flow "$WORK/s.json" count)"
        full "$tag" "$WORK/s.json" 1
        abbreviated "$tag" "$WORK/s.json" 2 3 4 5 6
        assert_eq "$tag: resumed from $how 5 times" 5 \
            "$(flow "$WORK/s.json" steps | grep -c "^session resumed from $how")"
        assert_eq "$tag: parley logs 5 resumptions" 5 \
            "$(count_lines "$WORK/ps.log" '^session resumed from 127.0.0.1:[0-9]*$')"
        assert_contains "$tag: the page fetched says resumed" "$WORK/out" '<dd id="resumed">yes</dd>'
        assert_contains "$tag: the page fetched says TLSv$pver" "$WORK/out" \
            "<dd id=\"version\">TLSv$pver</dd>"
        stop_bg

        # --- gnutls-cli --resume: a full handshake, then a resumed one that sends the GET ---
        tag="TLSv$pver tickets $tickets gnutls-cli --resume->parley"
        rm -f "$WORK/s.json"
        start_parley_server ps "${SERVER[@]}" --trace=json --trace-file "$WORK/s.json"
        # stdin stays open (HTTP/1.0: the server closes after its answer), else gnutls-cli's
        # close_notify could overtake the request.
        held_stdin "$WORK/get.txt"
        timeout 20 gnutls-cli -p "$PORT" localhost --x509cafile "$CA" --resume \
            --priority "NORMAL:-VERS-ALL:+VERS-$gname$gnutls_prio" "${gnutls_opt[@]}" \
            <"$WORK/fifo" >"$WORK/out" 2>"$WORK/err"
        assert_eq "$tag: gnutls-cli exits 0" 0 $?
        kill "$FEEDER" 2>/dev/null
        assert_contains "$tag: gnutls-cli says resumed" "$WORK/out" '^\*\*\* This is a resumed session'
        assert_contains "$tag: the page fetched says resumed" "$WORK/out" '<dd id="resumed">yes</dd>'
        assert_contains "$tag: the page fetched says TLSv$pver" "$WORK/out" \
            "<dd id=\"version\">TLSv$pver</dd>"
        wait_conns "$WORK/s.json" 2
        full "$tag" "$WORK/s.json" 1
        abbreviated "$tag" "$WORK/s.json" 2
        assert_contains "$tag: resumed from $how" <(flow "$WORK/s.json" steps | sed -n 2p) \
            "^session resumed from $how"
        assert_eq "$tag: parley logs 1 resumption" 1 \
            "$(count_lines "$WORK/ps.log" '^session resumed from 127.0.0.1:[0-9]*$')"
        stop_bg
    done
done
echo "part 1 took $(($(date +%s) - start)) s"

# ================= 2. parley client --reconnect 2 =================
# reconnect_case TAG SERVER-TICKETS CLIENT-TICKETS BODY-COUNT-PATTERN: against the server on PORT
reconnect_case() {
    local tag=$1 stickets=$2 ctickets=$3 marker=$4 copt=() sid1 sid2 sid3
    [ "$ctickets" = off ] && copt=(--no-tickets)
    rm -f "$WORK/c.json"
    parley_client "https://localhost:$PORT/" --connect-to "127.0.0.1:$PORT" --cacert "$CA" \
        --tls-max 1.2 --reconnect 2 "${copt[@]}" --trace=json --trace-file "$WORK/c.json" \
        >"$WORK/out" 2>"$WORK/err"
    assert_eq "$tag: parley client exits 0" 0 $?
    assert_contains "$tag: connection 2 resumed" "$WORK/err" \
        '^connection 2: resumed the session (abbreviated handshake)$'
    assert_contains "$tag: connection 3 resumed" "$WORK/err" \
        '^connection 3: resumed the session (abbreviated handshake)$'
    assert_eq "$tag: 3 connections traced" 3 "$(flow "$WORK/c.json" count)"
    full "$tag" "$WORK/c.json" 1
    abbreviated "$tag" "$WORK/c.json" 2 3
    assert_eq "$tag: the body arrived 3 times" 3 "$(count_lines "$WORK/out" "$marker")"
    if [ "$ctickets" = off ]; then
        assert_eq "$tag: --no-tickets: no session_ticket extension offered" "- - -" \
            "$(flow "$WORK/c.json" field ClientHello session_ticket | tr '\n' ' ' | sed 's/ $//')"
    else
        assert_eq "$tag: the session_ticket extension offered" "0 bytes" \
            "$(flow "$WORK/c.json" field ClientHello session_ticket | head -1)"
    fi
    if [ "$stickets" = off ] || [ "$ctickets" = off ]; then
        # resumption by session ID: offered back, and the server answers with it
        sid1=$(flow "$WORK/c.json" field ServerHello session_id | sed -n 1p)
        sid2=$(flow "$WORK/c.json" field ClientHello session_id | sed -n 2p)
        sid3=$(flow "$WORK/c.json" field ServerHello session_id | sed -n 2p)
        assert_eq "$tag: connection 2 offers the session ID of connection 1" "$sid1" "$sid2"
        assert_eq "$tag: the server resumes that session ID" "$sid1" "$sid3"
        check "$tag: the session ID is not empty" test ${#sid1} -ge 2 -a "$sid1" != empty
    else
        check "$tag: connection 2 offers a ticket" grep -q '^[1-9][0-9]* bytes$' \
            <(flow "$WORK/c.json" field ClientHello session_ticket | sed -n 2p)
    fi
}
for stickets in on off; do
    for ctickets in on off; do
        sopt=()
        [ "$stickets" = off ] && sopt=(-no_ticket)
        start_openssl_server s_server -www -cert "$WORK/leaf.pem" -cert_chain "$CERTS/int.pem" \
            -key "$CERTS/server-rsa.key" "${sopt[@]}"
        reconnect_case "parley->s_server tickets $stickets/$ctickets" \
            "$stickets" "$ctickets" '^Ciphers supported in s_server binary'
        assert_eq "parley->s_server tickets $stickets/$ctickets: s_server's pages: New, Reused, Reused" \
            "New Reused Reused" "$(grep -E '^(New|Reused), ' "$WORK/out" | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')"
        stop_bg

        sopt=()
        [ "$stickets" = off ] && sopt=(--noticket)
        start_gnutls_server gs --http --x509certfile "$CERTS/server-rsa.pem" \
            --x509keyfile "$CERTS/server-rsa.key" "${sopt[@]}"
        reconnect_case "parley->gnutls-serv tickets $stickets/$ctickets" \
            "$stickets" "$ctickets" '</HTML>'
        stop_bg
    done
done
echo "part 2 took $(($(date +%s) - start)) s"

# ================= 3. --sess-out, then --sess-in in another process =================
# client TAG TRACE ARGS...: parley client -v against the server on PORT
client() {
    local tag=$1 trace=$2
    shift 2
    rm -f "$trace"
    parley_client "https://localhost:$PORT/" --connect-to "127.0.0.1:$PORT" --cacert "$CA" -v \
        --tls-max 1.2 --trace=json --trace-file "$trace" "$@" >"$WORK/out" 2>"$WORK/err"
    assert_eq "$tag: parley client exits 0" 0 $?
    assert_contains "$tag: the page arrived" "$WORK/out" '<dd id="version">TLSv1.2</dd>'
}
for tickets in on off; do
    sopt=() how="the ticket"
    [ "$tickets" = off ] && sopt=(--no-tickets) how="the session cache"
    tag="sess-out/sess-in tickets $tickets"
    start_parley_server ps "${SERVER[@]}" "${sopt[@]}" --trace=json --trace-file "$WORK/s.json"
    rm -f "$WORK/sess" "$WORK/s.json"
    client "$tag first" "$WORK/c.json" --sess-out "$WORK/sess"
    assert_eq "$tag: the session file is mode 600" 600 "$(stat -c %a "$WORK/sess" 2>/dev/null)"
    client "$tag second process" "$WORK/c.json" --sess-in "$WORK/sess"
    assert_contains "$tag: the second process resumed" "$WORK/err" \
        '^connection 1: resumed the session (abbreviated handshake)$'
    assert_contains "$tag: the page says resumed" "$WORK/out" '<dd id="resumed">yes</dd>'
    abbreviated "$tag (client trace)" "$WORK/c.json" 1
    wait_conns "$WORK/s.json" 2
    abbreviated "$tag (server trace)" "$WORK/s.json" 2
    assert_contains "$tag: resumed from $how" <(flow "$WORK/s.json" steps | sed -n 2p) \
        "^session resumed from $how"
    eventually_contains "$tag: parley server logs it" "$WORK/ps.log" '^session resumed from 127.0.0.1'

    # corrupt session files: a warning, then a clean full handshake
    cp "$WORK/sess" "$WORK/bad-magic"
    printf 'XX' | dd of="$WORK/bad-magic" conv=notrunc status=none
    head -c 40 "$WORK/sess" >"$WORK/truncated"
    : >"$WORK/empty"
    head -c 520 /dev/urandom >"$WORK/random"
    for bad in bad-magic truncated empty random; do
        client "$tag corrupt ($bad)" "$WORK/c.json" --sess-in "$WORK/$bad"
        assert_contains "$tag corrupt ($bad): a warning" "$WORK/err" \
            "^parley: no usable session in $WORK/$bad; a full handshake follows$"
        assert_contains "$tag corrupt ($bad): a full handshake" "$WORK/err" \
            '^connection 1: full handshake'
        full "$tag corrupt ($bad)" "$WORK/c.json" 1
        assert_contains "$tag corrupt ($bad): the page says not resumed" "$WORK/out" \
            '<dd id="resumed">no</dd>'
    done
    assert_eq "$tag: the server resumed only once" 1 \
        "$(count_lines "$WORK/ps.log" '^session resumed from')"
    assert_not_contains "$tag: no handshake failed" "$WORK/ps.log" 'handshake failed'
    stop_bg
done
echo "part 3 took $(($(date +%s) - start)) s"

# ================= 4. what must not resume =================
# A restarted server: a fresh process, a new random ticket key, an empty cache.
for tickets in on off; do
    sopt=() offered=session_ticket
    [ "$tickets" = off ] && sopt=(--no-tickets) offered=session_id
    tag="restarted server, tickets $tickets"
    start_parley_server ps "${SERVER[@]}" "${sopt[@]}"
    client "$tag: first" "$WORK/c.json" --sess-out "$WORK/sess"
    stop_bg
    rm -f "$WORK/s.json"
    start_parley_server ps "${SERVER[@]}" "${sopt[@]}" --trace=json --trace-file "$WORK/s.json"
    client "$tag: second" "$WORK/c.json" --sess-in "$WORK/sess"
    check "$tag: the session was offered ($offered)" grep -Eq '^([0-9a-f]{32,64}|[1-9][0-9]* bytes)$' \
        <(flow "$WORK/c.json" field ClientHello "$offered")
    assert_contains "$tag: full handshake" "$WORK/err" '^connection 1: full handshake'
    full "$tag" "$WORK/c.json" 1
    wait_conns "$WORK/s.json" 1
    full "$tag (server trace)" "$WORK/s.json" 1
    assert_not_contains "$tag: the server did not resume" "$WORK/ps.log" 'session resumed'
    assert_not_contains "$tag: no handshake failed" "$WORK/ps.log" 'handshake failed'
    stop_bg
done

# --session-lifetime 1: resumes at once (the control), not 2 s later. parley client does not even
# offer a ticket past its lifetime hint, so openssl s_client, which does, tests the server's check.
rm -f "$WORK/s.json"
start_parley_server ps "${SERVER[@]}" --session-lifetime 1 --trace=json --trace-file "$WORK/s.json"
PORT_T=$PORT
start_parley_server ps2 "${SERVER[@]}" --session-lifetime 1 --no-tickets
PORT_S=$PORT
PORT=$PORT_T
client "lifetime 1, tickets: at once" "$WORK/c.json" --sess-out "$WORK/sess-t" --reconnect 1
assert_contains "lifetime 1, tickets: resumes at once" "$WORK/err" '^connection 2: resumed'
timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$CA" \
    -sess_out "$WORK/ossl-sess" </dev/null >/dev/null 2>&1
PORT=$PORT_S
client "lifetime 1, session ID: at once" "$WORK/c.json" --sess-out "$WORK/sess-s" --reconnect 1
assert_contains "lifetime 1, session ID: resumes at once" "$WORK/err" '^connection 2: resumed'
sleep 2
for tickets in on off; do
    if [ "$tickets" = on ]; then PORT=$PORT_T sess=$WORK/sess-t; else PORT=$PORT_S sess=$WORK/sess-s; fi
    tag="lifetime 1, tickets $tickets, 2 s later"
    client "$tag" "$WORK/c.json" --sess-in "$sess"
    assert_contains "$tag: full handshake" "$WORK/err" '^connection 1: full handshake'
    full "$tag" "$WORK/c.json" 1
done
check "lifetime 1, session ID, 2 s later: the session ID was offered" grep -Eq '^[0-9a-f]{64}$' \
    <(flow "$WORK/c.json" field ClientHello session_id)
tag="lifetime 1, s_client -sess_in, 2 s later"
PORT=$PORT_T
timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$CA" \
    -sess_in "$WORK/ossl-sess" </dev/null >"$WORK/out" 2>&1
assert_contains "$tag: s_client: New" "$WORK/out" '^New, TLSv1.2,'
wait_conns "$WORK/s.json" 5
assert_eq "$tag: s_client offered its ticket" "yes" \
    "$(flow "$WORK/s.json" field ClientHello session_ticket | sed -n 5p | sed -n 's/^[1-9][0-9]* bytes$/yes/p')"
full "$tag" "$WORK/s.json" 5
assert_contains "$tag: parley server: it expired" <(flow "$WORK/s.json" steps | sed -n 5p) 'expired'
assert_eq "lifetime 1: each server resumed only the control" "1 1" \
    "$(count_lines "$WORK/ps.log" 'session resumed') $(count_lines "$WORK/ps2.log" 'session resumed')"
stop_bg

echo "took $(($(date +%s) - start)) s"
summary
