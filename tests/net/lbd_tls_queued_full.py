#!/usr/bin/env python3
"""lbd_tls_queued_full.py CA BODY_OUT HELD_CMD QUEUED_CMD: a TLS PUT that
fills lbd's client buffer and waits in the queue with the rest of its body
already read from the socket by OpenSSL (read-ahead).

A plain PUT to 192.0.2.10:9192 (/up/hold, 1000 bytes) sends half its body
and so holds the backend's only slot while HELD_CMD (a shell command) is
false.  Then one TLS connection to a.example at 192.0.2.10:9443 sends, in
one send(), a record of 16384 bytes (the PUT's head and the start of its
body: lbd's buffer full after one read) and a record of the last 1000 body
bytes; both arrive together, so the read of the first pulls the second
into OpenSSL's buffer and the socket is empty.  Once QUEUED_CMD says the
PUT waits in the queue, the holder's body ends, its slot frees, and the
PUT goes to the server.  Writes the PUT's body to BODY_OUT and prints the
status lines of both PUTs and the seconds the TLS one took after the slot
freed; "timeout" after 15 s."""
import socket
import ssl
import subprocess
import sys
import time

ca, body_out, held_cmd, queued_cmd = sys.argv[1:5]


def wait_cmd(cmd, what):
    for _ in range(500):
        if subprocess.run(cmd, shell=True).returncode == 0:
            return
        time.sleep(0.01)
    raise SystemExit(what + " never came")


def recv_some(sock):
    d = sock.recv(65536)
    if not d:
        raise SystemExit("lbd closed the connection")
    return d


def status_of(head):
    return head.split(b"\r\n")[0].decode()


# The holder: a plain PUT whose body stops half way.
hold = socket.create_connection(("192.0.2.10", 9192), timeout=15)
hold.sendall(b"PUT /up/hold HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + b"h" * 500)
wait_cmd(held_cmd, "the holder's slot")

ctx = ssl.create_default_context(cafile=ca)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = ctx.wrap_bio(inc, out, server_hostname="a.example")
sock = socket.create_connection(("192.0.2.10", 9443), timeout=15)


def flush():
    d = out.read()
    if d:
        sock.sendall(d)


while True:
    try:
        tls.do_handshake()
        flush()
        break
    except ssl.SSLWantReadError:
        flush()
        inc.write(recv_some(sock))

head = b"PUT /up/tls HTTP/1.1\r\nHost: a.example\r\nContent-Length: %d\r\n\r\n"
n = 16384 + 200 - len(head % 10000)
body = (bytes(range(256)) * 80)[:n]
with open(body_out, "wb") as f:
    f.write(body)
msg = head % n + body
tls.write(msg[:16384])
tls.write(msg[16384:])
flush()
wait_cmd(queued_cmd, "the queued PUT")

hold.sendall(b"h" * 500)
buf = b""
while b"\r\n\r\n" not in buf:
    buf += recv_some(hold)
print("hold:", status_of(buf), flush=True)
t0 = time.monotonic()
buf = b""
try:
    while b"\r\n\r\n" not in buf:
        try:
            buf += tls.read(65536)
        except ssl.SSLWantReadError:
            inc.write(recv_some(sock))
        except ssl.SSLZeroReturnError:
            raise SystemExit("lbd closed the TLS connection")
    print("put:", status_of(buf), "%.3f" % (time.monotonic() - t0), flush=True)
except socket.timeout:
    print("put: timeout", flush=True)
