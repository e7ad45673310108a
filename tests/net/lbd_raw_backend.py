#!/usr/bin/python3
"""A backend that keeps exactly what it received, for the lbd namespace tests:
   lbd_raw_backend.py HOST PORT DIR
Each connection's bytes go to DIR/conn.N (N from 1, written when the request
ends or the connection closes).  It answers every request with
  GET /te-odd   a chunked body announced as "Transfer-Encoding: ,CHUNKED"
  GET /trailer  a chunked body whose trailer says "Content-Length: 44"
  anything else 200 "ok" with Content-Length
and closes the connection after its answer."""
import os
import socket
import sys
import threading

RESPONSES = {
    b"/te-odd": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: ,CHUNKED\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    b"/trailer": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nContent-Length: 44\r\n\r\n",
}


def request_done(data):
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    head = data[:head_end].lower()
    if b"transfer-encoding:" in head:  # the last chunk, trailers, the empty line
        body = data[head_end + 2:]
        last = body.find(b"\r\n0\r\n")
        return last >= 0 and body.endswith(b"\r\n\r\n") and len(body) >= last + 7
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return len(data) - head_end - 4 >= int(line.split(b":")[1])
    return True


def serve(conn, path):
    data = b""
    conn.settimeout(5)
    try:
        while not request_done(data):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)
    target = data.split(b" ")[1] if data.count(b" ") >= 2 else b""
    reply = RESPONSES.get(target, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
    try:
        if data:
            conn.sendall(reply)
    except OSError:
        pass
    conn.close()


def main(host, port, outdir):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(64)
    n = 0
    while True:
        conn, _ = s.accept()
        n += 1
        threading.Thread(target=serve, args=(conn, os.path.join(outdir, f"conn.{n}")), daemon=True).start()


main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
