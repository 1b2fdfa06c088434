"""Raw-socket probes of a TLS server for the negative tests. Prints what came back:
`alert LEVEL DESCRIPTION` for an alert record, `closed` when the server closed without one."""
import socket
import ssl
import sys


def client_hello():
    """A real TLS 1.2 ClientHello, taken from Python's own ssl module through a memory BIO."""
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


def first_alert(sock):
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
    off = 0
    while off + 5 <= len(data):
        length = int.from_bytes(data[off + 3:off + 5], "big")
        if data[off] == 21 and length == 2:
            return f"alert {data[off + 5]} {data[off + 6]}"
        off += 5 + length
    return "closed"


port, probe = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
if probe == "garbage":
    s.sendall(b"\x16\x03\x01\x00\x10" + bytes(range(16)) + b"not tls at all")
elif probe == "early-ccs":
    s.sendall(client_hello() + b"\x14\x03\x03\x00\x01\x01")
elif probe == "truncated":
    s.sendall(b"\x16\x03\x01\x00\x64" + b"\x01" * 10)
    s.shutdown(socket.SHUT_WR)
print(first_alert(s))
