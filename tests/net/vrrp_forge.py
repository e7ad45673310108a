#!/usr/bin/env python3
"""vrrp_forge.py: send forged VRRP adverts as raw Ethernet frames (AF_PACKET),
for the XDP guard test (test_vrrp_guard.sh).  Every field a guard checks is
set by hand: TTL, version, VRID, source.

    vrrp_forge.py IFACE DST_MAC SRC_IP DST_IP COUNT TTL VER VRID PRIO
"""
import socket
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src_mac, dst_mac, src, dst, ttl, ver, vrid, prio):
    vip = socket.inet_aton('198.51.100.100')
    v = struct.pack('!BBBBHH', ver << 4 | 1, vrid, prio, 1, 10, 0) + vip
    c = csum(src + dst + struct.pack('!BBH', 0, 112, len(v)) + v)
    v = v[:6] + struct.pack('!H', c) + v[8:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0xc0, 20 + len(v), 0, 0, ttl, 112, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return dst_mac + src_mac + b'\x08\x00' + ip + v


def main():
    ifname, dst_mac, src, dst, count, ttl, ver, vrid, prio = sys.argv[1:10]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    src_mac = s.getsockname()[4]
    f = frame(src_mac, bytes.fromhex(dst_mac.replace(':', '')), socket.inet_aton(src),
              socket.inet_aton(dst), int(ttl), int(ver), int(vrid), int(prio))
    for _ in range(int(count)):  # bounded by COUNT
        s.send(f)


main()
