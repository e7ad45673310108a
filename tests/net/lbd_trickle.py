#!/usr/bin/python3
"""Heads that end a byte at a time: lbd_trickle.py HOST PORT N
opens N connections, sends on each a request head of about 13 KiB but its
last header line, then that line's 1,500 bytes one at a time (TCP_NODELAY,
a pause after each round so that each byte is a read of its own), then the
end of the head; prints the first 12 bytes of each answer.
   lbd_trickle.py HOST PORT toolarge
sends 16,000 bytes of one header line, then more a byte at a time until
an answer comes; prints its first 12 bytes and the seconds it took."""
import socket
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
if sys.argv[3] == "toolarge":
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 16000)
    t0 = time.monotonic()
    s.setblocking(False)
    answer = b""
    while not answer and time.monotonic() - t0 < 20:
        try:
            answer = s.recv(100)
        except BlockingIOError:
            try:
                s.send(b"b")
            except OSError:
                pass
            time.sleep(0.0005)
    print(answer[:12].decode(errors="replace"), "%.1f" % (time.monotonic() - t0))
    sys.exit(0)
n = int(sys.argv[3])
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
