#!/usr/bin/python3
"""Scripted HTTP/1.1 servers for the lbd namespace tests:
   lbd_backend.py ADDR PORT MODE [ARG] [LOG]
MODE:
  canned FILE      each request (head and Content-Length body read) is answered
                   with the bytes of FILE; the connection stays open
  slowread SECS    reads a request head, waits SECS, then reads the
                   Content-Length body and answers "got N" (N body bytes)
  headclose        reads a request head, appends its request line to LOG, closes
  answerclose      answers a request "ok" (keep-alive headers) and closes the
                   connection with it (one segment), without saying so
Every request line received is appended to LOG when given."""
import socket
import sys
import threading
import time


def read_head(conn, buf):
    while b"\r\n\r\n" not in buf:
        d = conn.recv(65536)
        if not d:
            return None, buf
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head, rest


def content_length(head):
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            return int(v.strip())
    return 0


def read_body(conn, rest, n):
    got = len(rest)
    while got < n:
        d = conn.recv(min(1 << 20, n - got))
        if not d:
            break
        got += len(d)
    return got, b""


def log_line(head):
    if LOG:
        with open(LOG, "ab") as f:
            f.write(head.split(b"\r\n", 1)[0] + b"\n")


def serve(conn):
    buf = b""
    try:
        while True:
            head, buf = read_head(conn, buf)
            if head is None:
                return
            log_line(head)
            if MODE == "headclose":
                return
            n = content_length(head)
            if MODE == "slowread":
                time.sleep(float(ARG))
            got, buf = read_body(conn, buf, n) if n > len(buf) else (n, buf[n:])
            if MODE == "canned":
                conn.sendall(CANNED)
            elif MODE == "slowread":
                body = b"got %d\n" % got
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            elif MODE == "answerclose":
                # Corked: the answer and the FIN leave in one segment, so the
                # FIN is there before the proxy has read the answer.
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n")
                return
    except OSError:
        pass
    finally:
        conn.close()


ADDR, PORT, MODE = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ARG = sys.argv[4] if len(sys.argv) > 4 else None
LOG = sys.argv[5] if len(sys.argv) > 5 else (None if MODE != "headclose" else ARG)
CANNED = open(ARG, "rb").read() if MODE == "canned" else b""
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((ADDR, PORT))
srv.listen(512)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
