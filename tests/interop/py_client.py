"""A Python ssl client for the interop tests: fetches PATH over TLS 1.2 with one suite, verifying
the server against CAFILE, and prints the negotiated version and suite; the body goes to OUT."""
import socket
import ssl
import sys

host, port, path, cafile, cipher, out = sys.argv[1:7]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_ciphers(cipher)
ctx.load_verify_locations(cafile)
with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname=host) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        print(f"version: {s.version()}")
        print(f"cipher: {s.cipher()[0]}")
head, _, body = data.partition(b"\r\n\r\n")
open(out, "wb").write(body)
sys.exit(0 if head.startswith(b"HTTP/1.1 200") else 1)
