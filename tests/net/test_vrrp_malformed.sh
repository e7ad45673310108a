#!/usr/bin/env bash
# Malformed adverts: the client sends each class of bad packet (priority 255
# where there is a priority, 254 for the address list, so any that got
# through would preempt) to the
# VRRP group.  Each is dropped, counted under its reason on both nodes, in
# the RFC's order of checks, and no state changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
# vrrpd's own checks: without the XDP guard, which drops the TTL, version,
# type and VRID classes before they reach vrrpd (test_vrrp_guard.sh).
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
sed -i 's/^\tmlock off;/\tmlock off;\n\txdp-guard off;/' "$T/n1.conf" "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 2 "VIP on node 1" vip_on n1
ns_exec cl "$PY" - <<'PYEOF'
import socket, struct
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
SRC, DST = socket.inet_aton('198.51.100.50'), socket.inet_aton('224.0.0.18')
VIP = socket.inet_aton('198.51.100.100')
def advert(ver=3, typ=1, vrid=51, prio=255, count=1, interval=10, addrs=VIP, good_csum=True, pseudo=True):
    b = struct.pack('!BBBBHH', ver << 4 | typ, vrid, prio, count, interval, 0) + addrs
    c = csum((SRC + DST + struct.pack('!BBH', 0, 112, len(b)) if pseudo else b'') + b)
    if not good_csum: c ^= 0x5a5a
    return b[:6] + struct.pack('!H', c) + b[8:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('198.51.100.50'))
cases = [
    ('bad_ttl', advert(), 254),
    ('bad_ttl', advert(good_csum=False), 1),        # first check wins
    ('bad_version', advert(ver=2), 255),
    ('bad_type', advert(typ=2), 255),
    ('bad_length', advert(count=2), 255),             # claims two addresses, carries one
    ('bad_length', advert()[:5], 255),                # truncated header
    ('bad_checksum', advert(good_csum=False), 255),
    ('unknown_vrid', advert(vrid=99), 255),
    # 254: the owner's (255) advert is processed whatever its addresses (7.1)
    ('address_mismatch', advert(prio=254, addrs=socket.inet_aton('198.51.100.101')), 255),
    ('bad_interval', advert(interval=0), 255),
]
for _ in range(3):
    for name, pkt, ttl in cases:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
        s.sendto(pkt, ('224.0.0.18', 0))
PYEOF
expect() { # node reason count
	wait_for 2 "$1 counted $3 x $2" field_is "$1" "counters.discards.$2" "$3"
}
for n in n2 n1; do
	expect $n bad_ttl 6
	expect $n bad_version 3
	expect $n bad_type 3
	expect $n bad_length 6
	expect $n bad_checksum 3
	expect $n unknown_vrid 3
	expect $n address_mismatch 3
	expect $n bad_interval 3
done
t_assert "node 1 is still master" vrrp_state_is n1 master
t_assert "node 2 is still backup" vrrp_state_is n2 backup
t_assert "node 2 never became master" [ "$(vrrp_field n2 counters.became_master)" = 0 ]
t_assert "node 1 made no further transition" [ "$(vrrp_field n1 counters.transitions)" = 2 ]
t_assert "drops are logged (rate-limited)" grep -q "dropped advert from 198.51.100.50" "$T/vrrpd_n2.log"
