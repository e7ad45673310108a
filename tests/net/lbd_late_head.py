#!/usr/bin/python3
"""A head that starts late: lbd_late_head.py HOST PORT DELAY [keepalive]
connects, (with keepalive: sends a whole GET and reads its answer first),
waits DELAY seconds, sends half a request head and waits for the answer;
prints its status and the seconds from the connect (or from the end of the
first answer) to it."""
import socket
import sys
import time

host, port, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.create_connection((host, port))
t0 = time.monotonic()
if len(sys.argv) > 4:
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    while b"\r\n\r\n" not in got or not got.endswith(b"\n"):
        got += s.recv(4096)
    t0 = time.monotonic()
time.sleep(delay)
s.sendall(b"GET / HTTP/1.1\r\n")
s.settimeout(20)
data = s.recv(4096)
print(data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "none", "%.2f" % (time.monotonic() - t0))
