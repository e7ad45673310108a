#!/usr/bin/python3
"""Heads that end a byte at a time: lbd_trickle.py HOST PORT N
opens N connections, sends on each a request head of about 13 KiB but its
last header line, then that line's 1,500 bytes one at a time (TCP_NODELAY,
a pause after each round so that each byte is a read of its own), then the
end of the head; prints the first 12 bytes of each answer."""
import socket
import sys
import time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    socks.append(s)
pad = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 1400) for i in range(9))
for s in socks:
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + pad + b"X-Long: ")
for _ in range(1500):
    for s in socks:
        s.send(b"a")
    time.sleep(0.0005)
for s in socks:
    s.sendall(b"\r\n\r\n")
for s in socks:
    print(s.recv(100)[:12].decode(errors="replace"))
