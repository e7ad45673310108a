#!/usr/bin/env python3
"""TLS client whose bytes arrive in bursts: the handshake's last flight
(Finished) and N pipelined requests, each in its own TLS record, leave in
one send(), so the server receives several records at once; then the N
responses are read.  Prints the status line of each response.

    lbd_tls_burst.py HOST PORT SNI N
"""
import re
import socket
import ssl
import sys

host, port, sni, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, out, server_hostname=sni)
s = socket.create_connection((host, port), timeout=5)


def flush():
    data = out.read()
    if data:
        s.sendall(data)


def pull():
    try:
        d = s.recv(65536)
    except socket.timeout:
        raise SystemExit("no more bytes within 5 s")
    if not d:
        raise SystemExit("server closed")
    inc.write(d)


# Handshake up to the client's Finished, which is held back.
while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        flush()
        pull()
held = out.read()  # the Finished
for i in range(n):
    tls.write(("GET /?burst=%d HTTP/1.1\r\nHost: %s\r\n%s\r\n" %
               (i, sni, "Connection: close\r\n" if i == n - 1 else "")).encode())
s.sendall(held + out.read())  # one burst: Finished and N records
got = b""
while True:
    try:
        d = tls.read(65536)
        if not d:
            break
        got += d
    except ssl.SSLWantReadError:
        try:
            pull()
        except SystemExit:
            break
    except ssl.SSLZeroReturnError:
        break
# Status lines (a body need not end in a newline).
for status in re.findall(rb"HTTP/1\.[01] [0-9]{3}[^\r\n]*", got):
    print(status.decode())
