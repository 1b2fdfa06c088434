"""Raw-socket probes of a TLS server, and a fake TLS 1.3 server, for the negative tests.

usage: raw_tls.py PORT PROBE
Sends the bytes of PROBE, closes the sending side, and prints what came back: `alert LEVEL
DESCRIPTION` for the first alert record (content type 21), `records TYPES` when records came
but no alert, `closed` when the server closed without sending anything.

The tls13-* probes hold a conversation instead (a HelloRetryRequest answered, or a whole TLS 1.3
handshake with TLS_AES_128_GCM_SHA256 and X25519, decrypting what the server sends) and print
one line per finding: `hello-retry GROUP`, `server-hello psk=none|IDENTITY`, `http STATUS-LINE`,
or the alert as above, decrypted if it came encrypted.

usage: raw_tls.py serve MODE
A fake TLS 1.3 server on an ephemeral port: prints `listening on 127.0.0.1:PORT`, takes one
connection, reads its ClientHello, answers with the HelloRetryRequest MODE names, and prints what
the client answered, as above.
"""
import hashlib
import hmac
import os
import socket
import ssl
import struct
import sys

CONTENT_HANDSHAKE = 22
CONTENT_ALERT = 21


def record(content_type, body, version=0x0303):
    return struct.pack("!BHH", content_type, version, len(body)) + body


def handshake(msg_type, body):
    return struct.pack("!B", msg_type) + len(body).to_bytes(3, "big") + body


def real_client_hello():
    """A real TLS 1.2 ClientHello, as Python's own ssl module writes it into a memory BIO."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def ssl3_client_hello():
    """A ClientHello that offers nothing newer than SSL 3.0 (RFC 6101 layout, no extensions)."""
    body = (struct.pack("!H", 0x0300) + os.urandom(32) + b"\x00"  # version, random, no session
            + struct.pack("!HH", 2, 0x002F)  # TLS_RSA_WITH_AES_128_CBC_SHA
            + b"\x01\x00")  # null compression only
    return record(CONTENT_HANDSHAKE, handshake(1, body), version=0x0300)


PROBES = {
    # A handshake record holding a ClientHello header over random bytes: far too short to be one.
    "garbage": lambda: record(CONTENT_HANDSHAKE, handshake(1, os.urandom(12)), 0x0301),
    # Someone speaking plain HTTP to the TLS port.
    "http": lambda: b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    # Bytes with no structure at all; the server may answer or just close, but must survive.
    "random": lambda: os.urandom(300),
    # ChangeCipherSpec straight after the ClientHello, before any key exchange.
    "early-ccs": lambda: real_client_hello() + b"\x14\x03\x03\x00\x01\x01",
    # A record header announcing 100 bytes, then only 10 of them.
    "truncated": lambda: struct.pack("!BHH", CONTENT_HANDSHAKE, 0x0301, 100) + b"\x01" * 10,
    "ssl3-hello": ssl3_client_hello,
}


# ---- TLS 1.3 (RFC 8446), just enough for the probes: TLS_AES_128_GCM_SHA256 with X25519 ----

CONTENT_CCS = 20
CONTENT_APPLICATION = 23
GROUP_X25519, GROUP_P256, GROUP_P521 = 0x001D, 0x0017, 0x0019
EXT_SERVER_NAME, EXT_GROUPS, EXT_SIG_ALGS = 0, 10, 13
EXT_PSK, EXT_VERSIONS, EXT_COOKIE, EXT_PSK_MODES, EXT_KEY_SHARE = 41, 43, 44, 45, 51
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")


def u16(v):
    return struct.pack("!H", v)


def vec(data, width):
    return len(data).to_bytes(width, "big") + data


def ext(ext_type, body):
    return u16(ext_type) + vec(body, 2)


# The cryptography module is imported where needed, so the probes above work without it.
def x25519_share():
    """A fresh X25519 key pair: (private key, public bytes)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    key = X25519PrivateKey.generate()
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, pub


def p256_share():
    """A fresh P-256 public value, uncompressed."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    return ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def key_share_ext(shares):
    return ext(EXT_KEY_SHARE, vec(b"".join(u16(g) + vec(k, 2) for g, k in shares), 2))


def psk_ext(identity, binder=None):
    identities = vec(vec(identity, 2) + struct.pack("!I", 0), 2)
    return ext(EXT_PSK, identities + vec(vec(binder or os.urandom(32), 1), 2))


def client_hello13(extensions, random=None, session_id=None):
    """A ClientHello offering TLS 1.3 with TLS_AES_128_GCM_SHA256; `extensions` come after the
    common ones (server_name, signature_algorithms, supported_versions), in that order."""
    common = (ext(EXT_SERVER_NAME, vec(b"\x00" + vec(b"localhost", 2), 2))
              + ext(EXT_SIG_ALGS, vec(b"\x04\x03\x08\x04\x08\x05\x04\x01", 2))
              + ext(EXT_VERSIONS, vec(u16(0x0304), 1)))
    body = (u16(0x0303) + (random or os.urandom(32)) + vec(session_id or os.urandom(32), 1)
            + vec(u16(0x1301), 2) + b"\x01\x00" + vec(common + b"".join(extensions), 2))
    return handshake(1, body)


def groups_ext(groups):
    return ext(EXT_GROUPS, vec(b"".join(u16(g) for g in groups), 2))


class Conn:
    """Records in and out of one socket, encrypted once keys are set."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""
        self.read_keys = self.write_keys = None  # (AESGCM, iv, [seq])

    def recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_record(self):
        """(content type, plaintext); decrypted (type from the inner plaintext) when keys are
        set and the record is application_data."""
        header = self.recv_exact(5)
        body = self.recv_exact(int.from_bytes(header[3:5], "big"))
        if header[0] != CONTENT_APPLICATION or self.read_keys is None:
            return header[0], body
        inner = aead_open(self.read_keys, header, body)
        inner = inner.rstrip(b"\x00")
        return inner[-1], inner[:-1]

    def send(self, content_type, data):
        if self.write_keys is None:
            self.sock.sendall(record(content_type, data, 0x0303))
            return
        inner = data + bytes([content_type])
        header = struct.pack("!BHH", CONTENT_APPLICATION, 0x0303, len(inner) + 16)
        self.sock.sendall(header + aead_seal(self.write_keys, header, inner))


def traffic_keys(secret):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    return (AESGCM(expand_label(secret, b"key", b"", 16)), expand_label(secret, b"iv", b"", 12),
            [0])


def nonce(keys):
    iv, seq = keys[1], keys[2]
    n = bytes(a ^ b for a, b in zip(iv, seq[0].to_bytes(12, "big")))
    seq[0] += 1
    return n


def aead_open(keys, header, body):
    return keys[0].decrypt(nonce(keys), body, header)


def aead_seal(keys, header, inner):
    return keys[0].encrypt(nonce(keys), inner, header)


def extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def expand_label(secret, label, context, length):
    info = u16(length) + vec(b"tls13 " + label, 1) + vec(context, 1)
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def derive(secret, label, transcript):
    return expand_label(secret, label, hashlib.sha256(transcript).digest(), 32)


def parse_extensions(data):
    exts, off = {}, 0
    while off + 4 <= len(data):
        ext_type, length = struct.unpack("!HH", data[off:off + 4])
        exts[ext_type] = data[off + 4:off + 4 + length]
        off += 4 + length
    return exts


def parse_server_hello(msg):
    """(random, cipher suite, extensions) of a ServerHello handshake message."""
    body = msg[4:]
    random, sid_len = body[2:34], body[34]
    off = 35 + sid_len
    suite = int.from_bytes(body[off:off + 2], "big")
    return random, suite, parse_extensions(body[off + 5:])


def handshake_messages(conn, stop_type):
    """Handshake messages (whole, with headers) until one of stop_type; an alert raises."""
    messages, data = [], b""
    while not messages or messages[-1][0] != stop_type:
        content_type, body = conn.read_record()
        if content_type == CONTENT_CCS:
            continue
        if content_type == CONTENT_ALERT:
            raise AlertReceived(body)
        data += body
        while len(data) >= 4 and len(data) >= 4 + int.from_bytes(data[1:4], "big"):
            length = 4 + int.from_bytes(data[1:4], "big")
            messages.append(data[:length])
            data = data[length:]
    return messages


class AlertReceived(Exception):
    pass


def expect_alert(conn):
    """The line describing how the peer answered: its alert, or what else it sent."""
    try:
        while True:
            content_type, body = conn.read_record()
            if content_type == CONTENT_ALERT:
                return f"alert {body[0]} {body[1]}" if len(body) == 2 else "alert malformed"
            if content_type != CONTENT_CCS:
                return f"records {content_type}"
    except (EOFError, ConnectionResetError, socket.timeout):
        return "closed"


def hello_retry(port, mode):
    """tls13-hrr-*: a first hello with no key share, so the server asks for one; the second hello
    answers it right (ok), without the cookie (no-cookie), or with a share for another group
    (other-group). Prints the group asked for, then what the server said to the second hello."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        conn = Conn(sock)
        random, sid = os.urandom(32), os.urandom(32)
        groups = groups_ext([GROUP_X25519, GROUP_P256])
        conn.send(CONTENT_HANDSHAKE, client_hello13([groups, key_share_ext([])], random, sid))
        try:
            hrr = handshake_messages(conn, 2)[0]
        except (AlertReceived, EOFError) as e:
            print("no hello-retry:", e)
            return
        hrr_random, _, exts = parse_server_hello(hrr)
        group = int.from_bytes(exts.get(EXT_KEY_SHARE, b"\0\0"), "big")
        print(f"hello-retry 0x{group:04x}" if hrr_random == HRR_RANDOM else "server-hello")
        if hrr_random != HRR_RANDOM:
            return
        if EXT_COOKIE not in exts:
            print("no cookie in the retry")
            return
        cookie = ext(EXT_COOKIE, exts[EXT_COOKIE])
        share_group = group
        if mode == "other-group":
            share_group = GROUP_P256 if group != GROUP_P256 else GROUP_X25519
        share = x25519_share()[1] if share_group == GROUP_X25519 else p256_share()
        extensions = [groups, key_share_ext([(share_group, share)])]
        if mode != "no-cookie":
            extensions.append(cookie)
        conn.send(CONTENT_HANDSHAKE, client_hello13(extensions, random, sid))
        print(expect_alert(conn))


def first_server_hello(conn, hello):
    """Sends hello, returns the ServerHello that answers it; None (having printed how the server
    answered instead: its alert, or `closed`) when none came."""
    conn.send(CONTENT_HANDSHAKE, hello)
    try:
        return handshake_messages(conn, 2)[0]
    except AlertReceived as e:
        print(f"alert {e.args[0][0]} {e.args[0][1]}")
    except (EOFError, ConnectionResetError, socket.timeout):
        print("closed")
    return None


def print_selected_psk(exts):
    """`server-hello psk=N`, the PSK identity the server selected, or `psk=none`."""
    psk = exts.get(EXT_PSK)
    print("server-hello psk=" + (str(int.from_bytes(psk, "big")) if psk else "none"))


def full_handshake(port, mode):
    """tls13-garbage-psk: a PSK whose ticket is random bytes, which the server cannot open; it
    must ignore it and complete a full handshake, which this one does, then GETs /.
    tls13-bad-finished: a full handshake whose client Finished is wrong in one bit.
    Mode "ticket" (for resume_with_binder): a good handshake and GET, returning the first
    NewSessionTicket's (PSK, ticket, age_add)."""
    priv, pub = x25519_share()
    extensions = [groups_ext([GROUP_X25519]), key_share_ext([(GROUP_X25519, pub)])]
    if mode == "garbage-psk":
        extensions += [ext(EXT_PSK_MODES, vec(b"\x01", 1)), psk_ext(os.urandom(120))]
    hello = client_hello13(extensions)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        conn = Conn(sock)
        server_hello = first_server_hello(conn, hello)
        if server_hello is None:
            return
        random, suite, exts = parse_server_hello(server_hello)
        if random == HRR_RANDOM or suite != 0x1301 or EXT_KEY_SHARE not in exts:
            print("unexpected ServerHello")
            return
        print_selected_psk(exts)
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
        share = exts[EXT_KEY_SHARE]
        shared = priv.exchange(X25519PublicKey.from_public_bytes(share[4:4 + 32]))
        transcript = hello + server_hello
        early = extract(b"\0" * 32, b"\0" * 32)
        hs_secret = extract(derive(early, b"derived", b""), shared)
        c_hs = derive(hs_secret, b"c hs traffic", transcript)
        s_hs = derive(hs_secret, b"s hs traffic", transcript)
        conn.read_keys, conn.write_keys = traffic_keys(s_hs), traffic_keys(c_hs)
        try:
            flight = handshake_messages(conn, 20)
        except AlertReceived as e:
            print(f"alert {e.args[0][0]} {e.args[0][1]}")
            return
        transcript += b"".join(flight)
        master = extract(derive(hs_secret, b"derived", b""), b"\0" * 32)
        c_ap = derive(master, b"c ap traffic", transcript)
        s_ap = derive(master, b"s ap traffic", transcript)
        finished_key = expand_label(c_hs, b"finished", b"", 32)
        verify = bytearray(hmac.new(finished_key, hashlib.sha256(transcript).digest(),
                                    hashlib.sha256).digest())
        if mode == "bad-finished":
            verify[7] ^= 0x01
        sock.sendall(record(CONTENT_CCS, b"\x01"))
        client_finished = handshake(20, bytes(verify))
        conn.send(CONTENT_HANDSHAKE, client_finished)
        res_master = derive(master, b"res master", transcript + client_finished)
        conn.read_keys, conn.write_keys = traffic_keys(s_ap), traffic_keys(c_ap)
        if mode == "bad-finished":
            print(expect_alert(conn))
            return
        conn.send(CONTENT_APPLICATION, b"GET / HTTP/1.0\r\n\r\n")
        data, tickets = b"", []
        try:
            while True:
                content_type, body = conn.read_record()
                if content_type == CONTENT_APPLICATION:
                    data += body
                elif content_type == CONTENT_HANDSHAKE and body[:1] == b"\x04":
                    tickets.append(body[4:])  # one NewSessionTicket per record, as parley sends
                elif content_type == CONTENT_ALERT:
                    break
        except (EOFError, ConnectionResetError, socket.timeout):
            pass
        if mode == "ticket":
            if not tickets:
                return None
            nst = tickets[0]
            age_add = int.from_bytes(nst[4:8], "big")
            nonce_len = nst[8]
            ticket_nonce = nst[9:9 + nonce_len]
            off = 9 + nonce_len
            ticket = nst[off + 2:off + 2 + int.from_bytes(nst[off:off + 2], "big")]
            return expand_label(res_master, b"resumption", ticket_nonce, 32), ticket, age_add
        print("http " + data.split(b"\r\n", 1)[0].decode(errors="replace"))


def resume_with_binder(port, mode):
    """tls13-good-binder / tls13-bad-binder: a ticket from a full handshake, offered on a second
    connection with its binder right (the server resumes: `server-hello psk=0`) or one bit off
    (decrypt_error, RFC 8446 4.2.11). The binder is the HMAC of the hello cut before its binders
    under the finished key of the PSK's binder key (RFC 8446 4.2.11.2)."""
    got = full_handshake(port, "ticket")
    if got is None:
        print("no NewSessionTicket")
        return
    psk, ticket, age_add = got
    _, pub = x25519_share()
    age = (age_add + 500) & 0xFFFFFFFF  # obfuscated_ticket_age of a ticket half a second old
    identities = vec(vec(ticket, 2) + struct.pack("!I", age), 2)
    placeholder = vec(vec(b"\0" * 32, 1), 2)
    extensions = [groups_ext([GROUP_X25519]), key_share_ext([(GROUP_X25519, pub)]),
                  ext(EXT_PSK_MODES, vec(b"\x01", 1)), ext(EXT_PSK, identities + placeholder)]
    hello = client_hello13(extensions)
    truncated = hello[:-len(placeholder)]
    early = extract(b"\0" * 32, psk)
    finished_key = expand_label(derive(early, b"res binder", b""), b"finished", b"", 32)
    binder = bytearray(hmac.new(finished_key, hashlib.sha256(truncated).digest(),
                                hashlib.sha256).digest())
    if mode == "bad-binder":
        binder[0] ^= 0x80
    hello = truncated + vec(vec(bytes(binder), 1), 2)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        server_hello = first_server_hello(Conn(sock), hello)
        if server_hello is not None:
            print_selected_psk(parse_server_hello(server_hello)[2])


def serve(mode):
    """A server whose HelloRetryRequest asks for the group the client already sent a share for
    (hrr-same-group: it changes nothing) or for one it did not offer (hrr-unoffered-group)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        print(f"listening on 127.0.0.1:{listener.getsockname()[1]}", flush=True)
        listener.settimeout(20)
        sock, _ = listener.accept()
        with sock:
            sock.settimeout(5)
            conn = Conn(sock)
            hello = handshake_messages(conn, 1)[0]
            body = hello[4:]
            off = 34
            sid = body[off + 1:off + 1 + body[off]]
            off += 1 + body[off]
            off += 2 + int.from_bytes(body[off:off + 2], "big")
            off += 1 + body[off]
            exts = parse_extensions(body[off + 2:])
            shares, data = [], exts.get(EXT_KEY_SHARE, b"")[2:]
            while len(data) >= 4:
                shares.append(int.from_bytes(data[:2], "big"))
                data = data[4 + int.from_bytes(data[2:4], "big"):]
            print("client shares " + " ".join(f"0x{g:04x}" for g in shares), flush=True)
            group = shares[0] if mode == "hrr-same-group" else GROUP_P521
            hrr_exts = ext(EXT_VERSIONS, u16(0x0304)) + ext(EXT_KEY_SHARE, u16(group))
            hrr = handshake(2, u16(0x0303) + HRR_RANDOM + vec(sid, 1) + u16(0x1301) + b"\x00"
                            + vec(hrr_exts, 2))
            conn.send(CONTENT_HANDSHAKE, hrr)
            print(expect_alert(conn), flush=True)


TLS13_PROBES = {
    "tls13-hrr-ok": lambda port: hello_retry(port, "ok"),
    "tls13-hrr-no-cookie": lambda port: hello_retry(port, "no-cookie"),
    "tls13-hrr-other-group": lambda port: hello_retry(port, "other-group"),
    "tls13-garbage-psk": lambda port: full_handshake(port, "garbage-psk"),
    "tls13-good-finished": lambda port: full_handshake(port, "good-finished"),
    "tls13-bad-finished": lambda port: full_handshake(port, "bad-finished"),
    "tls13-good-binder": lambda port: resume_with_binder(port, "good-binder"),
    "tls13-bad-binder": lambda port: resume_with_binder(port, "bad-binder"),
}


def bare_hello13(*extensions):
    return record(CONTENT_HANDSHAKE, client_hello13(list(extensions)), 0x0301)


# One-shot TLS 1.3 ClientHellos that must be refused.
PROBES.update({
    # supported_versions says 1.3, but neither key_share nor pre_shared_key: missing_extension.
    "tls13-no-key-share": lambda: bare_hello13(groups_ext([GROUP_X25519])),
    # Two shares for X25519: illegal_parameter.
    "tls13-dup-key-share": lambda: bare_hello13(
        groups_ext([GROUP_X25519]),
        key_share_ext([(GROUP_X25519, x25519_share()[1]), (GROUP_X25519, x25519_share()[1])])),
    # pre_shared_key followed by another extension: illegal_parameter.
    "tls13-psk-not-last": lambda: bare_hello13(
        key_share_ext([(GROUP_X25519, x25519_share()[1])]), ext(EXT_PSK_MODES, vec(b"\x01", 1)),
        psk_ext(os.urandom(64)), groups_ext([GROUP_X25519])),
})


def read_all(sock):
    sock.settimeout(5)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def describe(data):
    types = []
    off = 0
    while off + 5 <= len(data):
        content_type = data[off]
        length = int.from_bytes(data[off + 3:off + 5], "big")
        if content_type == CONTENT_ALERT and length == 2 and off + 7 <= len(data):
            return f"alert {data[off + 5]} {data[off + 6]}"
        types.append(str(content_type))
        off += 5 + length
    return "records " + " ".join(types) if types else "closed"


def main():
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
        return
    port, probe = int(sys.argv[1]), sys.argv[2]
    if probe in TLS13_PROBES:
        TLS13_PROBES[probe](port)
        return
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(PROBES[probe]())
            sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may hang up before it has read everything; its answer still counts
        print(describe(read_all(sock)))


main()
