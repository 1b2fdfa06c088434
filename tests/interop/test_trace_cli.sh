#!/usr/bin/env bash
# parley client --trace: the trace goes to stderr or --trace-file and never into the body; the
# JSON lines parse, and the text and HTML renderings name every message of the handshake.
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

"$PARLEY" client "$url" $ca --trace >"$WORK/body" 2>"$WORK/text"
check "--trace keeps the body byte-exact" cmp -s "$WORK/body" "$WORK/www/blob"
for m in ClientHello ServerHello Certificate ServerKeyExchange ServerHelloDone \
    ClientKeyExchange ChangeCipherSpec Finished; do
    check "text trace shows $m" contains "$WORK/text" " $m "
done

"$PARLEY" client "$url" $ca --trace=json --trace-file "$WORK/trace.json" >"$WORK/body"
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

"$PARLEY" client "$url" $ca --trace=html --trace-file "$WORK/trace.html" >/dev/null
for m in ClientHello ServerHello Certificate Finished; do
    check "HTML has $m" contains "$WORK/trace.html" "data-message=\"$m\""
done
# Without --root the connection page carries the diagram of its own handshake; the client's SNI
# is peer-controlled and must come back escaped.
port2=$(free_port)
start_bg page "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --port "$port2"
wait_port "$port2"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port2" \
    -servername '<b>evil' -quiet >"$WORK/evil" 2>/dev/null
check "connection page escapes a hostile SNI" contains "$WORK/evil" "&lt;b&gt;evil"
check "connection page never echoes it raw" test "$(grep -c '<b>evil' "$WORK/evil")" -eq 0
check "connection page draws its own handshake" contains "$WORK/evil" 'data-message="ServerHelloDone"'
# parley server --trace writes each connection's diagram when it ends.
port3=$(free_port)
start_bg traced "$PARLEY" server --cert "$CERTS/server-rsa.pem" --key "$CERTS/server-rsa.key" \
    --port "$port3" --root "$WORK/www" --trace=json --trace-file "$WORK/server.json"
wait_port "$port3"
curl -s --cacert "$CERTS/ca-bundle.pem" "https://localhost:$port3/blob" -o "$WORK/body"
sleep 0.5
python3 - "$WORK/server.json" >"$WORK/server.out" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
print(" ".join(e["dir"] + ":" + e["name"] for e in events if e["kind"] == "message" and e["content_type"] == 22))
PY
check "server --trace records its side of the handshake" contains "$WORK/server.out" \
    "^in:ClientHello out:ServerHello out:Certificate out:ServerKeyExchange out:ServerHelloDone in:ClientKeyExchange in:Finished out:Finished$"
# parley demo draws every flow, and --html writes one page per flow and an index.
"$PARLEY" demo --html "$WORK" >"$WORK/demo.txt"
check "demo succeeds on every flow" contains "$WORK/demo.txt" "6 of 6 flows succeeded"
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
sed -n '/^== Client certificate/,/^== Second connection/p' "$WORK/demo.txt" >"$WORK/demo-mutual.txt"
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
sed -n '/^== Second connection/,/flows succeeded/p' "$WORK/demo.txt" >"$WORK/demo-resumed.txt"
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
check "demo draws no session tickets (the references use session IDs)" \
    test "$(grep -c NewSessionTicket "$WORK/demo.txt")" -eq 0
check "demo --html writes the resumed flow" contains "$WORK/flow-6.html" 'data-message="Finished"'
check "demo --html writes an index" contains "$WORK/index.html" 'href="flow-3.html"'
check "demo --html writes each flow" contains "$WORK/flow-2.html" 'data-message="ServerKeyExchange"'
stop_bg
summary
