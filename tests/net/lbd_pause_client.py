#!/usr/bin/python3
"""A client that stops reading for a while:
   lbd_pause_client.py HOST PORT PATH AFTER_BYTES PAUSE_SECS
sends GET PATH, reads AFTER_BYTES of the answer, reads nothing for
PAUSE_SECS, then reads to the end; prints the status code and the number of
body bytes received (the server's Content-Length says how many are due)."""
import socket
import sys
import time

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
after, pause = int(sys.argv[4]), float(sys.argv[5])
s = socket.create_connection((host, port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode())
buf = b""
while len(buf) < after:
    d = s.recv(65536)
    if not d:
        break
    buf += d
time.sleep(pause)
total = len(buf)
head_end = buf.find(b"\r\n\r\n")
while True:
    d = s.recv(1 << 20)
    if not d:
        break
    if head_end < 0:
        buf += d
        head_end = buf.find(b"\r\n\r\n")
    total += len(d)
status = buf.split(b" ", 2)[1].decode() if buf.startswith(b"HTTP/") else "none"
print(status, total - head_end - 4 if head_end >= 0 else 0)
