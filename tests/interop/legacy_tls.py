"""Helpers for test_legacy_negotiation.sh (TLS 1.0/1.1, fallback SCSV, downgrade sentinel).

usage:
  legacy_tls.py proxy TARGET_PORT [--downgrade]
      A TCP proxy on an ephemeral port of 127.0.0.1 to 127.0.0.1:TARGET_PORT. It prints
      `listening on 127.0.0.1:PORT`, then one line per record it forwards (direction, content
      type, record version, and for clear handshake records the message types; the ServerHello's
      version and the last 8 bytes of its random; clear alerts as `alert LEVEL DESCRIPTION`).
      With --downgrade it rewrites the client_version of the first ClientHello from 0x0303 to
      0x0302, the way an on-path attacker would force TLS 1.1.
  legacy_tls.py msg FILE
      Reads the output of `openssl s_client -msg` (or s_server -msg) and prints the first
      ClientHello's record version, client_version, number of suites, groups and point formats,
      its server name and whether it carries TLS_FALLBACK_SCSV, then the ServerHello's version,
      suite and random tail, then any alerts.
  legacy_tls.py hello PORT VERSION
      Sends a ClientHello (client_version VERSION, e.g. 0302, in a TLS 1.0 record) offering
      mostly suites, groups and extensions no server knows plus one supported of each, and prints
      what came back: `serverhello version=.. suite=.. unsolicited=..` or `alert L D` or `closed`.
  legacy_tls.py record-version PORT VERSION
      A TLS 1.1 handshake up to the ServerHelloDone (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, x25519),
      then a ClientKeyExchange in a record whose version field is VERSION (0302 agrees with the
      ServerHello, 0303 does not) followed by ChangeCipherSpec and a garbage Finished. Prints
      the first alert the server sends (`alert L D`), `closed`, or `silent`.
  legacy_tls.py pyclient PORT VERSION
      Python's ssl module (so OpenSSL via CPython) limited to VERSION (1.0, 1.1 or 1.2), no
      certificate check, @SECLEVEL=0; prints `version: ..` and `cipher: ..`, or `error: ..`.
"""
import os
import re
import socket
import struct
import sys
import threading

HANDSHAKE, ALERT, CCS = 22, 21, 20


def record(content_type, body, version=0x0301):
    return struct.pack("!BHH", content_type, version, len(body)) + body


def handshake(msg_type, body):
    return struct.pack("!B", msg_type) + len(body).to_bytes(3, "big") + body


def vec(body, size):
    return len(body).to_bytes(size, "big") + body


def u16s(values):
    return b"".join(struct.pack("!H", v) for v in values)


def ext(ext_type, body):
    return struct.pack("!H", ext_type) + vec(body, 2)


# ---- parsing ----
def parse_client_hello(msg):
    """msg: a ClientHello handshake message (with its 4-byte header)."""
    p = 4
    version = msg[p:p + 2].hex()
    p += 2 + 32
    p += 1 + msg[p]  # session id
    n = int.from_bytes(msg[p:p + 2], "big")
    suites = [int.from_bytes(msg[p + 2 + i:p + 4 + i], "big") for i in range(0, n, 2)]
    p += 2 + n
    p += 1 + msg[p]  # compression methods
    exts = parse_extensions(msg, p)
    groups = point_formats = 0
    sni = "-"
    if 10 in exts:
        groups = int.from_bytes(exts[10][:2], "big") // 2
    if 11 in exts:
        point_formats = exts[11][0]
    if 0 in exts:
        sni = exts[0][5:].decode("ascii", "replace")
    return version, suites, groups, point_formats, sni, exts


def parse_extensions(msg, p):
    exts = {}
    if p + 2 > len(msg):
        return exts
    end = p + 2 + int.from_bytes(msg[p:p + 2], "big")
    p += 2
    while p + 4 <= end:
        t, n = struct.unpack("!HH", msg[p:p + 4])
        exts[t] = msg[p + 4:p + 4 + n]
        p += 4 + n
    return exts


def parse_server_hello(msg):
    p = 4
    version = msg[p:p + 2].hex()
    random = msg[p + 2:p + 34]
    p += 34
    p += 1 + msg[p]
    suite = msg[p:p + 2].hex()
    p += 3
    return version, suite, random[-8:].hex(), parse_extensions(msg, p)


class Records:
    """Splits one direction of a TLS stream into records and clear handshake messages."""

    def __init__(self):
        self.buf = b""
        self.hs = b""
        self.encrypted = False

    def feed(self, data):
        """Returns a list of (raw record bytes, content type, version, body)."""
        self.buf += data
        out = []
        while len(self.buf) >= 5:
            n = int.from_bytes(self.buf[3:5], "big")
            if len(self.buf) < 5 + n:
                break
            raw, self.buf = self.buf[:5 + n], self.buf[5 + n:]
            out.append((raw, raw[0], int.from_bytes(raw[1:3], "big"), raw[5:]))
        return out

    def messages(self, body):
        """Handshake messages completed by this clear handshake record body."""
        self.hs += body
        msgs = []
        while len(self.hs) >= 4:
            n = int.from_bytes(self.hs[1:4], "big")
            if len(self.hs) < 4 + n:
                break
            msgs.append(self.hs[:4 + n])
            self.hs = self.hs[4 + n:]
        return msgs


# ---- proxy ----
LOCK = threading.Lock()


def log(line):
    with LOCK:
        print(line, flush=True)


def pump(conn_id, src, dst, direction, downgrade):
    recs = Records()
    first = True
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            for raw, ctype, version, body in recs.feed(data):
                words = [f"{conn_id} {direction} record {ctype} version {version:04x}"]
                if first and direction == "c>s" and ctype == HANDSHAKE and body[:1] == b"\x01":
                    first = False
                    if downgrade and raw[9:11] == b"\x03\x03":
                        raw = raw[:9] + b"\x03\x02" + raw[11:]
                        body = raw[5:]
                        log(f"{conn_id} rewrote client_version 0303 -> 0302")
                if ctype == CCS:
                    recs.encrypted = True
                elif ctype == HANDSHAKE and not recs.encrypted:
                    for msg in recs.messages(body):
                        words.append(f"hs {msg[0]}")
                        if msg[0] == 2:
                            v, suite, tail, _ = parse_server_hello(msg)
                            words.append(f"server_version {v} suite {suite} random_tail {tail}")
                elif ctype == ALERT and not recs.encrypted and len(body) == 2:
                    words.append(f"alert {body[0]} {body[1]}")
                elif recs.encrypted:
                    words.append("encrypted")
                log(" ".join(words))
                dst.sendall(raw)
    except OSError:
        pass
    log(f"{conn_id} {direction} closed")
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def proxy(target_port, downgrade):
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    log(f"listening on 127.0.0.1:{lsock.getsockname()[1]}")
    conn_id = 0
    while True:
        client, _ = lsock.accept()
        conn_id += 1
        try:
            server = socket.create_connection(("127.0.0.1", target_port), timeout=10)
            server.settimeout(None)
        except OSError as e:
            log(f"{conn_id} cannot reach the target: {e}")
            client.close()
            continue
        log(f"{conn_id} connected")
        for a, b, d in ((client, server, "c>s"), (server, client, "s>c")):
            threading.Thread(target=pump, args=(conn_id, a, b, d, downgrade), daemon=True).start()


# ---- openssl s_client -msg output ----
def msg(path):
    blocks = []  # (header line, bytes)
    hexline = re.compile(r"^    ((?:[0-9a-f]{2} )*[0-9a-f]{2})\s*$")
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith(">>> ") or line.startswith("<<< "):
            blocks.append([line.strip(), b""])
        elif blocks and hexline.match(line):
            blocks[-1][1] += bytes.fromhex(hexline.match(line).group(1))
    for i, (head, data) in enumerate(blocks):
        if head.endswith("ClientHello"):  # sent by s_client, received by s_server
            rec = blocks[i - 1][1] if i and "RecordHeader" in blocks[i - 1][0] else b""
            version, suites, groups, pf, sni, _ = parse_client_hello(data)
            print(f"clienthello record_version={rec[1:3].hex() or '?'} version={version} "
                  f"suites={len(suites)} groups={groups} point_formats={pf} sni={sni} "
                  f"scsv={'yes' if 0x5600 in suites else 'no'}")
            break
    for head, data in blocks:
        if head.endswith("ServerHello"):
            version, suite, tail, _ = parse_server_hello(data)
            print(f"serverhello version={version} suite={suite} random_tail={tail}")
            break
    for head, data in blocks:
        if "Alert" in head and len(data) == 2:
            print(f"alert {'sent' if head.startswith('>>>') else 'received'} {data[0]} {data[1]}")


# ---- raw clients ----
def read_records(sock, want_done, timeout=5):
    """Reads records until an alert, a close, the ServerHelloDone (want_done) or the timeout."""
    sock.settimeout(timeout)
    recs = Records()
    got = []
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return got, "closed"
            for _, ctype, version, body in recs.feed(data):
                if ctype == ALERT and len(body) == 2:
                    return got, f"alert {body[0]} {body[1]}"
                if ctype == HANDSHAKE:
                    for m in recs.messages(body):
                        got.append((version, m))
                        if want_done and m[0] == 14:
                            return got, "done"
    except socket.timeout:
        return got, "silent"
    except ConnectionResetError:
        return got, "closed"


UNKNOWN_SUITES = [0x0A0A, 0x1301, 0x1302, 0x1303, 0x0088, 0x0084, 0x0096, 0x0041, 0xC0AC,
                  0xFF85, 0x0081, 0xFEFE, 0x00C4, 0xCCAA, 0x00A2]
UNKNOWN_GROUPS = [0x0A0A, 1, 2, 3, 9, 14, 22, 26, 27, 28, 0x001E, 0x0100, 0xFE01]
UNKNOWN_EXTS = [0x0A0A, 0x3374, 0x7550, 0x000F, 0x0012, 0x4469, 0xFE0D, 0xABCD]


def odd_client_hello(version):
    """Unknown suites, groups, signature algorithms and extensions, each list with one entry the
    server supports: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, secp256r1, rsa_pkcs1_sha256."""
    suites = UNKNOWN_SUITES[:7] + [0xC013] + UNKNOWN_SUITES[7:]
    groups = UNKNOWN_GROUPS[:8] + [23] + UNKNOWN_GROUPS[8:]
    exts = ext(0x0A0A, b"") + ext(0x3374, b"") + ext(0x7550, os.urandom(8))
    exts += ext(0, vec(b"\x00" + vec(b"localhost", 2), 2))
    exts += ext(10, vec(u16s(groups), 2))
    exts += ext(0x000F, b"\x01") + ext(0x0012, b"")
    exts += ext(11, vec(b"\x00\x01\x02\x7f", 1))
    exts += ext(13, vec(u16s([0x0A0A, 0x0808, 0xFEED, 0x0401]), 2))
    exts += ext(0x4469, vec(vec(b"h2", 1), 2)) + ext(0xFE0D, os.urandom(40))
    exts += ext(0xABCD, os.urandom(17)) + ext(0x1A1A, b"\x00")
    body = (bytes.fromhex(version) + os.urandom(32) + b"\x00" + vec(u16s(suites), 2)
            + b"\x01\x00" + vec(exts, 2))
    return record(HANDSHAKE, handshake(1, body))


def hello(port, version):
    offered = set(parse_client_hello(odd_client_hello(version)[5:])[5])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(odd_client_hello(version))
        got, end = read_records(sock, want_done=True)
    for _, m in got:
        if m[0] == 2:
            v, suite, tail, exts = parse_server_hello(m)
            unsolicited = sorted(set(exts) - offered - {0xFF01})  # RFC 5746 may be answered
            print(f"serverhello version={v} suite={suite} "
                  f"unsolicited={','.join(map(str, unsolicited)) or 'none'} end={end}")
            return
    print(end)


def record_version(port, version):
    exts = ext(10, vec(u16s([29]), 2)) + ext(11, vec(b"\x00", 1))
    body = (b"\x03\x02" + os.urandom(32) + b"\x00" + vec(u16s([0xC013]), 2) + b"\x01\x00"
            + vec(exts, 2))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(record(HANDSHAKE, handshake(1, body)))
        got, end = read_records(sock, want_done=True)
        versions = sorted({f"{v:04x}" for v, _ in got})
        if end != "done":
            print(f"no ServerHelloDone: {end}")
            return
        sh = [m for _, m in got if m[0] == 2][0]
        if parse_server_hello(sh)[0] != "0302":
            print(f"server chose {parse_server_hello(sh)[0]}, not 0302")
            return
        wire = int(version, 16)
        cke = handshake(16, vec(os.urandom(32), 1))  # an x25519 share
        try:
            sock.sendall(record(HANDSHAKE, cke, wire) + record(CCS, b"\x01", wire)
                         + record(HANDSHAKE, os.urandom(48), wire))
        except OSError:
            pass
        _, end = read_records(sock, want_done=False, timeout=3)
        print(f"{end} (server records were {' '.join(versions)})")


def pyclient(port, version):
    import ssl
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    v = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
         "1.2": ssl.TLSVersion.TLSv1_2}[version]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = ctx.maximum_version = v
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                print(f"version: {s.version()}")
                print(f"cipher: {s.cipher()[0]}")
                status = data.split(b"\r\n", 1)[0].decode("latin-1")
                print(f"status: {status}")
    except (ssl.SSLError, OSError) as e:
        print(f"error: {e}")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "proxy":
        proxy(int(args[0]), "--downgrade" in args[1:])
    elif cmd == "msg":
        msg(args[0])
    elif cmd == "hello":
        hello(int(args[0]), args[1])
    elif cmd == "record-version":
        record_version(int(args[0]), args[1])
    elif cmd == "pyclient":
        pyclient(int(args[0]), args[1])
    else:
        sys.exit(__doc__)


main()
