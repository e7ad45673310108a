#!/usr/bin/env python3
"""Sends one BFD control packet (RFC 5880 4.1, 4.4) with TTL 255 to port 3784,
for tests/net/test_vrrp_bfd_*.sh.

  bfd_forge.py DST MY_DISC YOUR_DISC none
  bfd_forge.py DST MY_DISC YOUR_DISC meticulous-keyed-sha1 KEY_ID SECRET SEQ
"""
import hashlib
import socket
import struct
import sys

dst, my, your, kind = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
flags = 0xc0  # state Up
body = struct.pack('>IIIII', my, your, 10000, 10000, 0)
if kind == 'none':
    pkt = bytes([0x20, flags, 3, 24]) + body
else:
    key_id, secret, seq = int(sys.argv[5]), sys.argv[6].encode(), int(sys.argv[7])
    atype = {'keyed-sha1': 4, 'meticulous-keyed-sha1': 5}[kind]
    head = bytes([0x20, flags | 0x04, 3, 52]) + body
    auth = bytes([atype, 28, key_id, 0]) + struct.pack('>I', seq & 0xffffffff)
    digest = hashlib.sha1(head + auth + secret.ljust(20, b'\0')).digest()
    pkt = head + auth + digest
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
s.sendto(pkt, (dst, 3784))
