#!/usr/bin/python3
"""HTTP/1.0 keep-alive client for tests/net/test_lbd_http10.sh:
   lbd_http10.py HOST PORT N [HEADER]
sends N "GET / HTTP/1.0" requests on one connection (with HEADER, e.g.
"Connection: keep-alive", if given), each after the previous answer, and
prints one line per answer: "STATUS CONNECTION-HEADER", then "closed" if
the server closed the connection before all N were sent."""
import socket
import sys

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
extra = sys.argv[4] + "\r\n" if len(sys.argv) > 4 else ""
s = socket.create_connection((host, port), timeout=5)
buf = b""
for i in range(n):
    try:
        s.sendall(f"GET /?i={i} HTTP/1.0\r\n{extra}\r\n".encode())
    except OSError:
        print("closed")
        break
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    if b"\r\n\r\n" not in buf:
        print("closed")
        break
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    length = int(hdrs.get("content-length", "-1"))
    if length < 0:
        print(lines[0].split()[1], "no-length")
        break
    while len(buf) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    buf = buf[length:]
    print(lines[0].split()[1], hdrs.get("connection", "-"))
    if hdrs.get("connection", "").lower() == "close":
        break
