#!/usr/bin/python3
"""A syslog socket that only counts, for bench/lbd_log_bench.sh:
   log_sink.py SOCKET COUNTFILE
binds a unix datagram socket at SOCKET, reads as fast as it can and writes
the number of datagrams received so far to COUNTFILE every 0.2 s."""
import os
import socket
import sys
import time

path, count_path = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(path)
s.settimeout(0.2)
n, last = 0, 0.0
while True:
    try:
        s.recv(65536)
        n += 1
    except socket.timeout:
        pass
    now = time.monotonic()
    if now - last >= 0.2:
        with open(count_path + ".tmp", "w") as f:
            f.write(f"{n}\n")
        os.replace(count_path + ".tmp", count_path)
        last = now
