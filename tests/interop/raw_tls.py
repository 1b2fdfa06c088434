"""Raw-socket probes of a TLS server for the negative tests.

usage: raw_tls.py PORT PROBE
Sends the bytes of PROBE, closes the sending side, and prints what came back: `alert LEVEL
DESCRIPTION` for the first alert record (content type 21), `records TYPES` when records came
but no alert, `closed` when the server closed without sending anything.
"""
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
    port, probe = int(sys.argv[1]), sys.argv[2]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(PROBES[probe]())
            sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may hang up before it has read everything; its answer still counts
        print(describe(read_all(sock)))


main()
