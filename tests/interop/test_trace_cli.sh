#!/usr/bin/env bash
# parley client --trace: the trace goes to stderr or --trace-file and never into the body; the
# JSON lines parse, and the text and HTML renderings name every message of the handshake, in TLS
# 1.2 (pinned) and in TLS 1.3 (the default). Then parley demo: the reference flows and the TLS
# 1.3 ones.
source "$(dirname "$0")/lib.sh"
need python3
mkdir -p "$WORK/www"
head -c 3000 /dev/urandom >"$WORK/www/blob"
port=$(free_port)
start_bg server "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --port "$port" --root "$WORK/www"
wait_port "$port"
url="https://localhost:$port/blob"
ca="--cacert $CERTS/ca-bundle.pem"

# The TLS 1.2 message set, pinned: TLS 1.3 is the default.
"$PARLEY" client "$url" $ca --tls-max 1.2 --trace >"$WORK/body" 2>"$WORK/text"
check "--trace keeps the body byte-exact" cmp -s "$WORK/body" "$WORK/www/blob"
for m in ClientHello ServerHello Certificate ServerKeyExchange ServerHelloDone \
    ClientKeyExchange ChangeCipherSpec Finished; do
    check "text trace shows $m" contains "$WORK/text" " $m "
done

"$PARLEY" client "$url" $ca --tls-max 1.2 --trace=json --trace-file "$WORK/trace.json" >"$WORK/body"
check "--trace-file keeps the body byte-exact" cmp -s "$WORK/body" "$WORK/www/blob"
python3 - "$WORK/trace.json" >"$WORK/json.out" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
names = [e["name"] for e in events if e["kind"] == "message" and e["content_type"] == 22]
print(" ".join(names))
hello = next(e for e in events if e["name"] == "ClientHello")
print("sni=" + hello["fields"]["server_name"])
PY
check "JSON lines parse, in handshake order" contains "$WORK/json.out" \
    "^ClientHello ServerHello Certificate ServerKeyExchange ServerHelloDone ClientKeyExchange Finished NewSessionTicket Finished$"
check "JSON carries the ClientHello fields" contains "$WORK/json.out" "sni=localhost"

"$PARLEY" client "$url" $ca --tls-max 1.2 --trace=html --trace-file "$WORK/trace.html" >/dev/null
for m in ClientHello ServerHello Certificate Finished; do
    check "HTML has $m" contains "$WORK/trace.html" "data-message=\"$m\""
done
# TLS 1.3, the default, with a KeyUpdate each way: the encrypted messages decoded and marked.
"$PARLEY" client "$url" $ca --key-update --trace=json --trace-file "$WORK/trace13.json" \
    >"$WORK/body"
check "TLS 1.3 --trace keeps the body byte-exact" cmp -s "$WORK/body" "$WORK/www/blob"
python3 - "$WORK/trace13.json" >"$WORK/json13.out" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
hs = [e for e in events if e["kind"] == "message" and e["content_type"] == 22]
print(" ".join(e["dir"] + ":" + e["name"] for e in hs))
for e in hs:
    print("%s %s %s" % (e["dir"], e["name"], e["fields"].get("encrypted", "plaintext")))
sh = next(e for e in hs if e["name"] == "ServerHello")
print("selected=" + sh["fields"]["supported_versions"])
PY
check "TLS 1.3 JSON trace, in handshake order" contains "$WORK/json13.out" \
    "^out:ClientHello in:ServerHello in:EncryptedExtensions in:Certificate in:CertificateVerify in:Finished out:Finished .*out:KeyUpdate"
check "TLS 1.3 ServerHello selects TLSv1.3" contains "$WORK/json13.out" "^selected=TLSv1.3$"
check "TLS 1.3 ServerHello is in the clear" contains "$WORK/json13.out" "^in ServerHello plaintext$"
check "TLS 1.3 EncryptedExtensions under the handshake keys" contains "$WORK/json13.out" \
    "^in EncryptedExtensions under the handshake traffic keys$"
check "TLS 1.3 client Finished under the handshake keys" contains "$WORK/json13.out" \
    "^out Finished under the handshake traffic keys$"
check "TLS 1.3 NewSessionTicket under the application keys" contains "$WORK/json13.out" \
    "^in NewSessionTicket under the application traffic keys"
check "TLS 1.3 KeyUpdate decoded" contains "$WORK/json13.out" "^in KeyUpdate under the application"
# Without --root the connection page carries the diagram of its own handshake; the client's SNI
# is peer-controlled and must come back escaped.
port2=$(free_port)
start_bg page "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --port "$port2"
wait_port "$port2"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port2" \
    -tls1_2 -servername '<b>evil' -quiet >"$WORK/evil" 2>/dev/null
check "connection page escapes a hostile SNI" contains "$WORK/evil" "&lt;b&gt;evil"
check "connection page never echoes it raw" test "$(grep -c '<b>evil' "$WORK/evil")" -eq 0
check "connection page draws its own handshake" contains "$WORK/evil" 'data-message="ServerHelloDone"'
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port2" \
    -servername localhost -quiet >"$WORK/page13" 2>/dev/null
check "connection page draws its own TLS 1.3 handshake" contains "$WORK/page13" \
    'data-message="EncryptedExtensions"'
# parley server --trace writes each connection's diagram when it ends.
port3=$(free_port)
start_bg traced "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --port "$port3" --root "$WORK/www" --trace=json --trace-file "$WORK/server.json"
wait_port "$port3"
curl -s --tls-max 1.2 --cacert "$CERTS/ca-bundle.pem" "https://localhost:$port3/blob" -o "$WORK/body"
curl -s --cacert "$CERTS/ca-bundle.pem" "https://localhost:$port3/blob" -o "$WORK/body"
sleep 0.5
# One line per connection: each starts at its ClientHello.
python3 - "$WORK/server.json" >"$WORK/server.out" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
names = [e["dir"] + ":" + e["name"] for e in events if e["kind"] == "message" and e["content_type"] == 22]
print(" ".join(names).replace(" in:ClientHello", "\nin:ClientHello"))
PY
check "server --trace records its side of the handshake" contains "$WORK/server.out" \
    "^in:ClientHello out:ServerHello out:Certificate out:ServerKeyExchange out:ServerHelloDone in:ClientKeyExchange in:Finished out:Finished$"
check "server --trace records its side of a TLS 1.3 handshake" contains "$WORK/server.out" \
    "^in:ClientHello out:ServerHello out:EncryptedExtensions out:Certificate out:CertificateVerify out:Finished in:Finished out:NewSessionTicket"
# parley demo draws every flow, and --html writes one page per flow and an index.
"$PARLEY" demo --html "$WORK" >"$WORK/demo.txt"
check "demo succeeds on every flow" contains "$WORK/demo.txt" "^10 of 10 flows succeeded$"
# One flow's drawing and result: from its "== TITLE" line to the next flow's.
section() { awk -v t="== $1" '/^== /{p = index($0, t) == 1} p' "$WORK/demo.txt"; }
# Each flow's messages in order, named by sender (the drawing draws the sender's events):
# "|  Name   +1.2 ms  |" is the client's arrow, "|  +1.2 ms   Name  |" the server's.
python3 - "$WORK/demo.txt" >"$WORK/demo-order.out" <<'PY'
import re, sys
flow = 0
order = {}
for line in open(sys.argv[1]).read().splitlines():
    if line.startswith("== "):
        flow += 1
        order[flow] = []
    m = re.match(r"^\s*\|  ([A-Za-z]+)\s+\+[0-9.]+ ms  \|$", line)
    if m:
        order[flow].append("C:" + m.group(1))
    m = re.match(r"^\s*\|  \+[0-9.]+ ms\s+([A-Za-z]+)  \|$", line)
    if m:
        order[flow].append("S:" + m.group(1))
for flow, names in order.items():
    print("order %d %s" % (flow, " ".join(names)))
PY
# Reference 004's flow: TLS 1.1 offered in a TLS 1.0 record, ECDHE_RSA with AES-128-CBC.
check "demo draws reference 004's hello in a TLS 1.0 record" \
    contains "$WORK/demo.txt" "record: Handshake, TLSv1.0"
check "demo negotiates TLS 1.1 for reference 004" \
    contains "$WORK/demo.txt" "version   TLSv1.1"
check "demo draws reference 004's suite" contains "$WORK/demo.txt" \
    "suite     TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
check "demo --html writes reference 004's flow" contains "$WORK/flow-4.html" \
    'data-message="ServerKeyExchange"'
check "demo draws the RSA key exchange" contains "$WORK/demo.txt" "TLS_RSA_WITH_AES_128_GCM_SHA256"
check "demo draws a chain of three" contains "$WORK/demo.txt" "issuer\[1\] *CN=parley demo root"
# References 000 and 003: the server asks for a client certificate, the client sends its chain and
# proves it holds the key; TLS 1.0, RSA key transport, RC4. Only that flow is asked (the others
# reproduce references without a CertificateRequest).
section "Client certificate" >"$WORK/demo-mutual.txt"
check "demo draws the server's CertificateRequest" \
    contains "$WORK/demo-mutual.txt" "CertificateRequest  |$"
check "demo names the CA the server asks for" contains "$WORK/demo-mutual.txt" \
    "certificate_authorities  1: CN=parley demo root,O=parley demo"
check "demo draws the client's Certificate" \
    contains "$WORK/demo-mutual.txt" "^   |  Certificate  .*ms  |$"
check "demo draws the client's certificate subject" \
    contains "$WORK/demo-mutual.txt" "certificate\[0\]  CN=parley demo client"
check "demo draws the client's CertificateVerify" \
    contains "$WORK/demo-mutual.txt" "^   |  CertificateVerify  .*ms  |$"
check "demo negotiates reference 000's suite" \
    contains "$WORK/demo-mutual.txt" "suite     TLS_RSA_WITH_RC4_128_SHA"
check "demo negotiates TLS 1.0 for reference 000" contains "$WORK/demo-mutual.txt" "version   TLSv1.0"
check "demo prints the client the server verified" contains "$WORK/demo-mutual.txt" \
    "client    CN=parley demo client,O=parley demo (RSA-2048), as verified by the server"
check "the other flows are not asked for a certificate" \
    test "$(grep -c CertificateRequest "$WORK/demo.txt")" -eq 1
check "demo --html writes the client-certificate flow" contains "$WORK/flow-5.html" \
    'data-message="CertificateVerify"'
# Flow 6: reference 000's second TCP connection resumes flow 5's session by its ID.
section "Second connection" >"$WORK/demo-resumed.txt"
python3 - "$WORK/demo-mutual.txt" "$WORK/demo-resumed.txt" >"$WORK/resumed.out" <<'PY'
import re, sys
first, second = (open(p).read() for p in sys.argv[1:3])
def messages(text):
    # "|  Name   +1.2 ms  |" is the client's arrow, "|  +1.2 ms   Name  |" the server's.
    out = []
    for line in text.splitlines():
        m = re.match(r"^\s*\|  ([A-Za-z]+)\s+\+[0-9.]+ ms  \|$", line)
        if m:
            out.append("C:" + m.group(1))
        m = re.match(r"^\s*\|  \+[0-9.]+ ms\s+([A-Za-z]+)  \|$", line)
        if m:
            out.append("S:" + m.group(1))
    return out
def session_ids(text):
    return re.findall(r"session_id\s+(\S+)", text)
print("order " + " ".join(messages(second)))
ids1, ids2 = session_ids(first), session_ids(second)
# flow 5: the server's new ID; flow 6: the client offers it and the server echoes it.
print("same-id", len(ids2) == 2 and ids2[0] == ids2[1] == ids1[-1] and ids1[-1] != "empty")
PY
check "demo's second connection is abbreviated: server's ChangeCipherSpec and Finished first" \
    contains "$WORK/resumed.out" \
    "^order C:ClientHello S:ServerHello S:ChangeCipherSpec S:Finished C:ChangeCipherSpec C:Finished C:ApplicationData S:ApplicationData S:Alert C:Alert$"
check "demo's second connection offers and gets back the first session's ID" \
    contains "$WORK/resumed.out" "^same-id True$"
check "demo says the second connection resumed" contains "$WORK/demo-resumed.txt" \
    "resumed   yes: no certificates, no key exchange"
check "demo keeps the client identity on resumption" contains "$WORK/demo-resumed.txt" \
    "client    CN=parley demo client,O=parley demo (RSA-2048), as verified by the server"
sed -n '1,/^== TLS 1.3/p' "$WORK/demo.txt" >"$WORK/demo-references.txt"
check "demo draws no session tickets in the reference flows (they use session IDs)" \
    test "$(grep -c NewSessionTicket "$WORK/demo-references.txt")" -eq 0
check "the reference flows stay below TLS 1.3" \
    test "$(grep -c 'TLSv1.3\|encrypted  ' "$WORK/demo-references.txt")" -eq 0
check "demo --html writes the resumed flow" contains "$WORK/flow-6.html" 'data-message="Finished"'
check "demo --html writes an index" contains "$WORK/index.html" 'href="flow-3.html"'
check "demo --html writes each flow" contains "$WORK/flow-2.html" 'data-message="ServerKeyExchange"'

# Flow 7: a TLS 1.3 full handshake. The server's flight after the ServerHello and the client's
# Finished are encrypted under the handshake traffic keys (each message says so), the ticket and
# the data under the application ones.
section "TLS 1.3 full handshake" >"$WORK/demo-13.txt"
check "demo's TLS 1.3 flow negotiates TLS 1.3" contains "$WORK/demo-13.txt" "^   version   TLSv1.3$"
check "demo's TLS 1.3 flow negotiates TLS_AES_128_GCM_SHA256" contains "$WORK/demo-13.txt" \
    "^   suite     TLS_AES_128_GCM_SHA256$"
check "demo's TLS 1.3 flow uses X25519" contains "$WORK/demo-13.txt" "^   group     x25519$"
check "demo's TLS 1.3 flow is in handshake order" contains "$WORK/demo-order.out" \
    "^order 7 C:ClientHello S:ServerHello S:ChangeCipherSpec S:EncryptedExtensions S:Certificate S:CertificateVerify S:Finished C:ChangeCipherSpec C:Finished .*S:NewSessionTicket.* S:ApplicationData S:Alert C:Alert$"
check "demo's ClientHello offers TLS 1.3" contains "$WORK/demo-13.txt" \
    "supported_versions *1: TLSv1.3 "
check "demo's ClientHello carries an X25519 key share" contains "$WORK/demo-13.txt" \
    "key_share  *1: x25519 (32 bytes) "
check "demo's ClientHello names the server (SNI)" contains "$WORK/demo-13.txt" \
    "server_name  *localhost "
check "demo's ServerHello selects TLS 1.3" contains "$WORK/demo-13.txt" "supported_versions  TLSv1.3 "
check "demo's ServerHello answers with an X25519 share" contains "$WORK/demo-13.txt" \
    "key_share  *x25519 (32 bytes) "
check "demo marks the five handshake-key messages as encrypted" \
    test "$(grep -c 'encrypted  *under the handshake traffic keys' "$WORK/demo-13.txt")" -eq 5
check "demo's EncryptedExtensions acknowledge the server name" contains "$WORK/demo-13.txt" \
    "server_name  acknowledged"
check "demo's TLS 1.3 Certificate has an empty request context" contains "$WORK/demo-13.txt" \
    "request_context  *empty "
check "demo's TLS 1.3 Certificate names the server" contains "$WORK/demo-13.txt" \
    "certificate\[0\]  *CN=localhost,O=parley demo "
check "demo's TLS 1.3 Certificate shows its entries' extensions" contains "$WORK/demo-13.txt" \
    "entry_extensions  *none "
check "demo's CertificateVerify is RSA-PSS" contains "$WORK/demo-13.txt" \
    "signature_algorithm  rsa_pss_rsae_sha256 "
check "demo's TLS 1.3 Finished is 32 bytes" contains "$WORK/demo-13.txt" "verify_data  32 bytes "
for step in "write keys on (handshake)" "read keys on (handshake)" \
    "write keys on (application)" "read keys on (application)" \
    "session ticket issued" "session ticket kept"; do
    check "demo's TLS 1.3 flow shows the step: $step" contains "$WORK/demo-13.txt" "$step"
done
check "demo's NewSessionTicket is under the application keys" \
    contains "$WORK/demo-13.txt" "encrypted  under the application traffic keys"
for f in lifetime age_add nonce ticket; do
    check "demo's NewSessionTicket shows $f" contains "$WORK/demo-13.txt" "^   |    $f  "
done
check "demo's TLS 1.3 flow ends with close_notify" contains "$WORK/demo-13.txt" \
    "description  close_notify"
check "demo --html brackets the encrypted messages (RFC 8446 notation)" \
    contains "$WORK/flow-7.html" '>{EncryptedExtensions}<'
check "demo --html writes the TLS 1.3 flow" contains "$WORK/flow-7.html" \
    'data-message="CertificateVerify"'

# Flow 8: a second TCP connection resumes with flow 7's ticket: PSK with X25519, no certificate.
section "TLS 1.3 resumption" >"$WORK/demo-13psk.txt"
check "demo's TLS 1.3 resumption is abbreviated" contains "$WORK/demo-order.out" \
    "^order 8 C:ClientHello S:ServerHello S:ChangeCipherSpec S:EncryptedExtensions S:Finished C:ChangeCipherSpec C:Finished "
check "demo's resumption offers the ticket" contains "$WORK/demo-13psk.txt" \
    "pre_shared_key  *1 identity: a ticket of [0-9]* bytes"
check "demo's resumption proves it with a binder" contains "$WORK/demo-13psk.txt" "binder  *32 bytes"
check "demo's resumption asks for psk_dhe_ke" contains "$WORK/demo-13psk.txt" \
    "psk_key_exchange_modes  1: psk_dhe_ke "
check "demo's server accepts the PSK" contains "$WORK/demo-13psk.txt" \
    "pre_shared_key  *identity 0 accepted "
check "demo's resumption still exchanges X25519 keys" contains "$WORK/demo-13psk.txt" \
    "key_share  *x25519 (32 bytes) "
check "demo says the session resumed (PSK from a ticket)" contains "$WORK/demo-13psk.txt" \
    "session resumed (PSK from a ticket)"
check "demo's resumption result" contains "$WORK/demo-13psk.txt" \
    "^   resumed   yes: PSK from the ticket"
check "demo's resumption negotiates TLS 1.3" contains "$WORK/demo-13psk.txt" "^   version   TLSv1.3$"

# Flow 9: the client shares P-256 only; the server prefers X25519 and asks again.
section "TLS 1.3 HelloRetryRequest" >"$WORK/demo-hrr.txt"
check "demo's retry flow: HelloRetryRequest, then a second ClientHello" \
    contains "$WORK/demo-order.out" \
    "^order 9 C:ClientHello S:HelloRetryRequest S:ChangeCipherSpec C:ChangeCipherSpec C:ClientHello S:ServerHello S:EncryptedExtensions S:Certificate S:CertificateVerify S:Finished C:Finished "
check "demo's first ClientHello shares P-256 only" contains "$WORK/demo-hrr.txt" \
    "key_share  *1: secp256r1 (65 bytes) "
check "demo's HelloRetryRequest asks for X25519" contains "$WORK/demo-hrr.txt" \
    "key_share  *x25519 (the group it wants a share for)"
check "demo's HelloRetryRequest carries a cookie" contains "$WORK/demo-hrr.txt" "cookie  *32 bytes (to be"
check "demo's second ClientHello returns the cookie" contains "$WORK/demo-hrr.txt" "cookie  *32 bytes  *|$"
check "demo's second ClientHello shares X25519" contains "$WORK/demo-hrr.txt" \
    "key_share  *1: x25519 (32 bytes) "
check "demo's retry restarts the transcript" contains "$WORK/demo-hrr.txt" \
    "transcript restarted: message_hash(ClientHello1)"
check "demo's client records after the first say TLS 1.2" \
    test "$(grep -c 'record: .*TLSv1.0' "$WORK/demo-hrr.txt")" -eq 1
check "demo's retry flow ends on X25519" contains "$WORK/demo-hrr.txt" "^   group     x25519$"
check "demo says the server retried" contains "$WORK/demo-hrr.txt" \
    "^   retried   yes: a HelloRetryRequest for x25519"
check "demo --html writes the retry flow" contains "$WORK/flow-9.html" \
    'data-message="HelloRetryRequest"'

# Flow 10: 0-RTT. The GET goes with the ClientHello under the early traffic keys, the server
# accepts it, and the client ends its early data with EndOfEarlyData before its Finished.
section "TLS 1.3 0-RTT" >"$WORK/demo-0rtt.txt"
check "demo's 0-RTT flow: early data, then the server's flight, EndOfEarlyData, Finished" \
    contains "$WORK/demo-order.out" \
    "^order 10 C:ClientHello C:ChangeCipherSpec C:ApplicationData S:ServerHello S:ChangeCipherSpec S:EncryptedExtensions S:Finished C:EndOfEarlyData C:Finished "
check "demo's 0-RTT ClientHello offers early data" contains "$WORK/demo-0rtt.txt" \
    "early_data  *offered"
check "demo's 0-RTT request is under the early traffic keys" contains "$WORK/demo-0rtt.txt" \
    "encrypted  *under the early traffic keys (0-RTT)"
check "demo's server accepts the early data" contains "$WORK/demo-0rtt.txt" \
    "early_data  *accepted"
check "demo's server trace says early data accepted" contains "$WORK/demo-0rtt.txt" \
    "early data accepted \*"
check "demo's 0-RTT result" contains "$WORK/demo-0rtt.txt" "^   0-RTT     accepted"
check "demo --html draws the 0-RTT request in ()" contains "$WORK/flow-10.html" \
    "() encrypted under the early traffic keys"
stop_bg
summary
