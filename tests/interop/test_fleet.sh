#!/usr/bin/env bash
# Issue 7: a fleet of parley servers sharing sessions, with a real redis-server.
#   1. Two parley servers with --session-cache redis://... --no-tickets: a session made on A
#      resumes on B (parley client --sess-out/--sess-in, and openssl s_client -sess_out/-sess_in);
#      B's trace says it came from the session cache, and the session is in Redis, with a TTL.
#   2. Tickets and no Redis: servers sharing --ticket-keys resume each other's sessions; a server
#      with another key does not, and falls back to a clean full handshake.
#   3. Redis killed mid-run: connections still succeed, promptly, with full handshakes, and the
#      servers warn about Redis; restarted on the same port, A->B resumption works again within
#      a few seconds. The same for a Redis that hangs (SIGSTOP: it accepts, never answers).
# Parts 1 and 3 are about TLS 1.2's session IDs, so the servers there stop at TLS 1.2; part 2 is
# run at TLS 1.2 and again at TLS 1.3, whose PSK tickets the shared keys seal just the same.
# Every process started here is killed on exit (lib.sh's trap; a stopped Redis is continued
# first so that it can die).
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
need openssl redis-server redis-cli python3 pgrep

CA=$CERTS/ca-bundle.pem
SERVER=(--cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" --tls-max 1.2)
PAGE_VERSION=TLSv1.2 # what the connection page must name
flow() { python3 "$INTEROP_DIR/trace_flow.py" "$@"; }

RSPID=
fleet_cleanup() {
    local rc=$?
    [ -n "$RSPID" ] && kill -CONT "$RSPID" 2>/dev/null
    (exit "$rc")
    cleanup
}
trap fleet_cleanup EXIT

# Redis on a fixed port (it must come back on the same one), found free just before.
RPORT=$(free_port)
REDIS=redis://127.0.0.1:$RPORT
start_redis() { # sets RSPID, the redis-server process itself (start_bg's pid is its timeout)
    start_bg redis redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no
    RTIMEOUT=${PIDS[-1]}
    for _ in $(seq 100); do
        [ "$(timeout 2 redis-cli -p "$RPORT" ping 2>/dev/null)" = PONG ] && break
        sleep 0.1
    done
    RSPID=$(pgrep -P "$RTIMEOUT" -x redis-server)
    check "redis-server answers on port $RPORT" test -n "$RSPID"
}

# client TAG PORT ARGS...: parley client against PORT, bounded to a few seconds; sets ELAPSED (ms)
client() {
    local tag=$1 port=$2 t0 rc
    shift 2
    t0=$(date +%s%N)
    timeout 10 "$PARLEY" client "https://localhost:$port/" --connect-to "127.0.0.1:$port" \
        --cacert "$CA" --timeout 5 "$@" >"$WORK/out" 2>"$WORK/err"
    rc=$?
    ELAPSED=$((($(date +%s%N) - t0) / 1000000))
    assert_eq "$tag: parley client exits 0" 0 "$rc"
    assert_contains "$tag: the page arrived" "$WORK/out" "<dd id=\"version\">$PAGE_VERSION</dd>"
}
# a_to_b TAG PORT-A PORT-B: a session made on A, offered to B
a_to_b() {
    rm -f "$WORK/sess"
    client "$1: first, to A" "$2" --sess-out "$WORK/sess"
    client "$1: second process, to B" "$3" --sess-in "$WORK/sess" --trace=json --trace-file "$WORK/c.json"
}
resumed() { # resumed TAG: the last client resumed, by its own word and its trace
    assert_contains "$1: resumed" "$WORK/err" '^connection 1: resumed the session (abbreviated handshake)$'
    assert_contains "$1: the page says resumed" "$WORK/out" '<dd id="resumed">yes</dd>'
    assert_not_contains "$1: no Certificate in the resumed handshake" \
        <(flow "$WORK/c.json" flow | sed -n 1p) Certificate
}
full() { # full TAG: the last client made a full handshake, cleanly
    assert_contains "$1: full handshake" "$WORK/err" '^connection 1: full handshake'
    assert_contains "$1: the page says not resumed" "$WORK/out" '<dd id="resumed">no</dd>'
}
# new_lines LOG MARK-VAR: the lines LOG gained since the count in MARK-VAR (into $WORK/new.log)
log_mark() { wc -l <"$WORK/$1.log"; }
new_lines() { tail -n +"$(($2 + 1))" "$WORK/$1.log" >"$WORK/new.log"; }

start=$(date +%s)
# ================= 1. Redis shared by A and B =================
start_redis
start_parley_server A "${SERVER[@]}" --session-cache "$REDIS" --no-tickets
PA=$PORT
start_parley_server B "${SERVER[@]}" --session-cache "$REDIS" --no-tickets \
    --trace=json --trace-file "$WORK/b.json"
PB=$PORT

tag="redis, parley client A->B"
a_to_b "$tag" "$PA" "$PB"
resumed "$tag"
eventually_contains "$tag: B logs the resumption" "$WORK/B.log" '^session resumed from 127.0.0.1:'
for _ in $(seq 50); do [ -s "$WORK/b.json" ] && break; sleep 0.1; done
assert_contains "$tag: B resumed it from the session cache" <(flow "$WORK/b.json" steps) \
    '^session resumed from the session cache'
sid=$(flow "$WORK/c.json" field ClientHello session_id | sed -n 1p)
check "$tag: the session ID is in Redis" grep -q "$sid" \
    <(timeout 5 redis-cli -p "$RPORT" --scan --pattern '*')
key=$(timeout 5 redis-cli -p "$RPORT" --scan --pattern "*$sid*" | head -1)
ttl=$(timeout 5 redis-cli -p "$RPORT" ttl "$key")
check "$tag: the Redis entry expires (TTL $ttl s, within the default lifetime 300)" \
    test "$ttl" -gt 0 -a "$ttl" -le 300

tag="redis, s_client A->B"
timeout 20 openssl s_client -connect "127.0.0.1:$PA" -servername localhost -CAfile "$CA" \
    -sess_out "$WORK/ossl-sess" </dev/null >"$WORK/out" 2>&1
assert_contains "$tag: New on A" "$WORK/out" '^New, TLSv1.2,'
timeout 20 openssl s_client -connect "127.0.0.1:$PB" -servername localhost -CAfile "$CA" \
    -sess_in "$WORK/ossl-sess" </dev/null >"$WORK/out" 2>&1
assert_contains "$tag: Reused on B" "$WORK/out" '^Reused, TLSv1.2,'
assert_eq "$tag: B logs 2 resumptions so far" 2 "$(grep -c '^session resumed from' "$WORK/B.log")"

# ================= 2. shared ticket keys, no Redis =================
openssl rand -hex 32 >"$WORK/keys1"
openssl rand -hex 32 >"$WORK/keys2"
# TLS 1.2 carries the ticket in the session_ticket extension, TLS 1.3 in pre_shared_key.
for max in 1.2 1.3; do
    PAGE_VERSION=TLSv$max
    [ "$max" = 1.2 ] && resumed_step='^session resumed from the ticket'
    [ "$max" = 1.3 ] && resumed_step='^session resumed (PSK from a ticket)'
    log=$WORK/d$max.json
    start_parley_server "C$max" "${SERVER[@]}" --tls-max "$max" --session-cache memory \
        --ticket-keys "$WORK/keys1"
    PC=$PORT
    start_parley_server "D$max" "${SERVER[@]}" --tls-max "$max" --session-cache memory \
        --ticket-keys "$WORK/keys1" --trace=json --trace-file "$log"
    PD=$PORT
    start_parley_server "E$max" "${SERVER[@]}" --tls-max "$max" --session-cache memory \
        --ticket-keys "$WORK/keys2" --trace=json --trace-file "$WORK/e$max.json"
    PE=$PORT
    tag="TLS $max shared ticket keys C->D"
    a_to_b "$tag" "$PC" "$PD"
    resumed "$tag"
    for _ in $(seq 50); do [ -s "$log" ] && break; sleep 0.1; done
    assert_contains "$tag: D resumed it from the ticket" <(flow "$log" steps) "$resumed_step"
    eventually_contains "$tag: D logs the resumption" "$WORK/D$max.log" \
        '^session resumed from 127.0.0.1:'
    tag="TLS $max other ticket keys C->E"
    client "$tag: to E" "$PE" --sess-in "$WORK/sess" --trace=json --trace-file "$WORK/c.json"
    full "$tag"
    if [ "$max" = 1.2 ]; then
        check "$tag: the ticket was offered" grep -Eq '^[1-9][0-9]* bytes$' \
            <(flow "$WORK/c.json" field ClientHello session_ticket)
    else
        for _ in $(seq 50); do [ -s "$WORK/e$max.json" ] && break; sleep 0.1; done
        assert_contains "$tag: the ticket was offered as a PSK, and E refused it" \
            <(flow "$WORK/e$max.json" steps) 'PSK identity 0 refused: not a ticket of ours'
    fi
    assert_not_contains "$tag: E did not resume" "$WORK/E$max.log" 'session resumed'
    assert_not_contains "$tag: no handshake failed on E" "$WORK/E$max.log" 'handshake failed'
done
PAGE_VERSION=TLSv1.2
echo "parts 1-2 took $(($(date +%s) - start)) s"

# ================= 3. Redis goes away, and comes back =================
# outage TAG: with Redis unusable, A and B still serve promptly, with full handshakes
outage() {
    local tag=$1 ma mb
    ma=$(log_mark A) mb=$(log_mark B)
    client "$tag: new session on A" "$PA" --sess-out "$WORK/sess2"
    check "$tag: ... within 5 s (${ELAPSED} ms)" test "$ELAPSED" -lt 5000
    client "$tag: A's session offered to B" "$PB" --sess-in "$WORK/sess2"
    check "$tag: ... within 5 s (${ELAPSED} ms)" test "$ELAPSED" -lt 5000
    full "$tag"
    client "$tag: an old stored session offered to B" "$PB" --sess-in "$WORK/sess"
    check "$tag: ... within 5 s (${ELAPSED} ms)" test "$ELAPSED" -lt 5000
    full "$tag (old session)"
    for s in A B; do
        [ "$s" = A ] && m=$ma || m=$mb
        new_lines "$s" "$m"
        assert_contains "$tag: $s warns about Redis" "$WORK/new.log" '^warning: .*Redis.*unreachable'
        assert_not_contains "$tag: no handshake failed on $s" "$WORK/new.log" 'handshake failed'
    done
}
# back TAG: Redis is back: A->B resumes again within 5 s (after ~1-2 s of reconnecting)
back() {
    local tag=$1 t0 ma mb took
    ma=$(log_mark A) mb=$(log_mark B)
    t0=$(date +%s%N)
    for _ in $(seq 10); do
        a_to_b "$tag (try)" "$PA" "$PB" >/dev/null
        grep -q '^connection 1: resumed' "$WORK/err" && break
        sleep 0.5
    done
    took=$((($(date +%s%N) - t0) / 1000000))
    resumed "$tag: A->B"
    check "$tag: resumes again within 5 s (${took} ms)" test "$took" -lt 5000
    for s in A B; do
        [ "$s" = A ] && m=$ma || m=$mb
        new_lines "$s" "$m"
        assert_contains "$tag: $s says Redis is back" "$WORK/new.log" '^warning: .*Redis.*reachable again'
    done
}

rm -f "$WORK/sess"
client "before the outage: a session on A" "$PA" --sess-out "$WORK/sess"
kill -KILL "$RSPID"
wait "$RTIMEOUT" 2>/dev/null
RSPID=
outage "redis killed"
start_redis
back "redis restarted on port $RPORT"

kill -STOP "$RSPID"
outage "redis hung (SIGSTOP)"
kill -CONT "$RSPID"
back "redis continued"

echo "took $(($(date +%s) - start)) s"
summary
