#!/usr/bin/python3
"""A syslog reader on a unix datagram socket, for the lbd namespace tests:
   lbd_syslog_reader.py SOCKET FILE
writes each datagram received as one line of FILE (flushed at once).  Stop
it with SIGSTOP to play a wedged journald: it then reads nothing."""
import os
import socket
import sys

sock_path, out_path = sys.argv[1], sys.argv[2]
if os.path.exists(sock_path):
    os.unlink(sock_path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
os.chmod(sock_path, 0o666)
with open(out_path, "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\n") + b"\n")
