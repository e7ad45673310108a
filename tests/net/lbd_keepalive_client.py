#!/usr/bin/env python3
"""Keep-alive client for the restart tests: CONNS persistent connections
(http.client, one thread each) send GET / back to back until STOPFILE exists
(or MAXSECS pass), and send each 4th batch as 2 pipelined requests.  Prints
"ok=N failed=M" and, for each failure, what it was.  A connection that the
server closed after an answer carrying "Connection: close" is reopened
without counting a failure; any other error (reset, EOF before an answer,
timeout, non-2xx) counts.

Like urllib3 and browsers, an idle connection is not reused once the server
has closed it (an EOF is waiting on it: a server may close an idle keep-alive
connection at any time, RFC 9112 9.3); it is reopened, not counted.  A
request sent and then answered by a close or a reset still counts."""
import http.client
import os
import select
import socket
import sys
import threading
import time

host, port, stopfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conns = int(sys.argv[4]) if len(sys.argv) > 4 else 4
maxsecs = float(sys.argv[5]) if len(sys.argv) > 5 else 120.0
lock = threading.Lock()
ok = 0
failed = []


def pipelined(n):
    """n requests in one write on a fresh connection; all n answers whole
    (status 200, Content-Length bodies)."""
    s = socket.create_connection((host, port), timeout=5)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n" * n)
        buf = b""
        got = 0
        while got < n:
            head_end = buf.find(b"\r\n\r\n")
            if head_end >= 0:
                head = buf[:head_end].decode("latin-1").split("\r\n")
                if not head[0].startswith("HTTP/1.1 200 "):
                    raise RuntimeError("answer %d: %s" % (got + 1, head[0]))
                clen = [int(h.split(":", 1)[1]) for h in head[1:] if h.lower().startswith("content-length:")]
                if not clen:
                    raise RuntimeError("answer %d without Content-Length" % (got + 1))
                if len(buf) >= head_end + 4 + clen[0]:
                    buf = buf[head_end + 4 + clen[0]:]
                    got += 1
                    continue
            d = s.recv(65536)
            if not d:
                raise RuntimeError("EOF after %d of %d pipelined answers" % (got, n))
            buf += d
        return n
    finally:
        s.close()


def closed_by_server(c):
    """The idle connection has an EOF waiting (what urllib3's
    is_connection_dropped() checks before it reuses a pooled connection)."""
    if c.sock is None:
        return False
    r, _, _ = select.select([c.sock], [], [], 0)
    if not r:
        return False
    try:
        return c.sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def run(idx):
    global ok
    end = time.monotonic() + maxsecs
    c = None
    i = 0
    while time.monotonic() < end and not os.path.exists(stopfile):
        i += 1
        try:
            if i % 4 == 0:
                n = pipelined(2)
                with lock:
                    ok += n
                continue
            if c is not None and closed_by_server(c):
                c.close()
                c = None
            if c is None:
                c = http.client.HTTPConnection(host, port, timeout=5)
            c.request("GET", "/")
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise RuntimeError("status %d" % r.status)
            with lock:
                ok += 1
            if r.will_close:
                c.close()
                c = None
        except Exception as e:  # every other way a request can fail
            with lock:
                failed.append("%s: %r" % (time.strftime("%T"), e))
            if c is not None:
                c.close()
            c = None


threads = [threading.Thread(target=run, args=(k,)) for k in range(conns)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("ok=%d failed=%d" % (ok, len(failed)))
for f in failed[:20]:
    print("failure:", f)
