#!/usr/bin/env bash
# IPv6 adverts come from the sender's link-local address (RFC 5798 / 9568
# 5.1.2.1).  The client forges adverts for the pair's VRID from its global
# address 2001:db8::50 with priority 200 (correct checksum, hop limit 255,
# the pair's VIP): each is dropped and counted as source_not_link_local, and
# node 1 stays master.  The same advert from the client's link-local address
# does take over, so the drop is for the source alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
VIP6=2001:db8::100
for n in n1 n2; do
	p=100; [ $n = n2 ] && p=90
	printf 'global {\n\tcontrol %s/%s.sock;\n\tmlock off;\n\trealtime-priority 5;\n}\n' "$T" "$n" > "$T/$n.conf"
	printf 'instance VI6 {\n\tinterface eth0;\n\tvrid 52;\n\tpriority %s;\n\tadvert 100ms;\n\tvirtual-address %s/64;\n\tgarp { count 2; repeat 0s; }\n}\n' "$p" "$VIP6" >> "$T/$n.conf"
done
ll_ready() {
	local n
	for n in n1 n2 cl; do
		ip -n "$(eval echo "\$NS_$n")" -6 addr show dev eth0 scope link | grep -q 'inet6 fe80' || return 1
		! ip -n "$(eval echo "\$NS_$n")" -6 addr show dev eth0 | grep -q tentative || return 1
	done
}
wait_for 5 "link-local addresses ready" ll_ready
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
before=$(vrrp_field n1 counters.transitions)

# forge SOURCE COUNT [INTERVAL-CS]: COUNT adverts, VRID 52, priority 200, from SOURCE.
forge() {
	ns_exec cl "$PY" - "$1" "$2" "${3:-10}" <<'PYEOF'
import socket, struct, sys
src, count, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
ifindex = socket.if_nametoindex('eth0')
S = socket.inet_pton(socket.AF_INET6, src)
D = socket.inet_pton(socket.AF_INET6, 'ff02::12')
body = struct.pack('!BBBBHH', 0x31, 52, 200, 1, interval, 0) + socket.inet_pton(socket.AF_INET6, '2001:db8::100')
c = csum(S + D + struct.pack('!IxxxB', len(body), 112) + body)
pkt = body[:6] + struct.pack('!H', c) + body[8:]
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 112)
s.bind((src, 0, 0, ifindex))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
for _ in range(count):
    s.sendto(pkt, ('ff02::12', 0, 0, ifindex))
PYEOF
}
forge 2001:db8::50 5 || t_fail "sending the forged adverts"
wait_for 2 "node 1 counted 5 x source_not_link_local" field_is n1 counters.discards.source_not_link_local 5
wait_for 2 "node 2 counted 5 x source_not_link_local" field_is n2 counters.discards.source_not_link_local 5
t_assert "the drops are logged with the source" grep -q "dropped advert from 2001:db8::50: source_not_link_local" "$T/vrrpd_n1.log"
t_assert "node 1 is still master" vrrp_state_is n1 master
t_assert "node 1 made no transition" [ "$(vrrp_field n1 counters.transitions)" = "$before" ]
t_assert "node 2 never became master" [ "$(vrrp_field n2 counters.became_master)" = 0 ]
t_assert "VIP still on node 1" vip_on n1 "$VIP6"

# The same advert from the client's link-local address is a valid master
# (with a 10 s interval, so that the nodes wait for it long enough to look).
ll=$(ip -n "$NS_cl" -6 -o addr show dev eth0 scope link | sed -n 's/.* inet6 \(fe80[^/]*\)\/.*/\1/p' | head -n 1)
forge "$ll" 1 1000 || t_fail "sending the link-local advert"
wait_for 2 "node 1 yields to the link-local priority-200 advert" vrrp_state_is n1 backup
t_assert "for a higher priority" [ "$(vrrp_field n1 last_transition.reason)" = higher_priority ]
