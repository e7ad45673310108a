#!/usr/bin/env bash
# BFD over IPv6 (RFC 5881, hop limit 255 sent and required): an IPv6
# instance pair with a bfd block on global addresses comes Up both ways
# with no hop-limit drops, and stays Up once a master holds the VIP
# 2001:db8::100, an address of the peers' own prefix that the kernel would
# pick as the source of the master's BFD packets (the newest address of the
# prefix: the peer, which knows 2001:db8::11 and ::12, dropped them and its
# session failed 30 ms after every takeover).  (The takeover needs the peer's link-local
# address: test_vrrp_bfd_ipv6_takeover.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
conf6() { # NODE PRIO PEER
	# SCHED_FIFO as vrrp_lab's configs: 10 ms x 3 on a loaded machine
	printf 'global {\n\tcontrol %s/%s.sock;\n\tmlock off;\n\trealtime-priority 5;\n}\n' "$T" "$1"
	printf 'instance VI_52 {\n\tinterface eth0;\n\tvrid 52;\n\tpriority %s;\n\tadvert 100ms;\n' "$2"
	printf '\tvirtual-address fe80::52/64;\n\tvirtual-address 2001:db8::100/64;\n'
	printf '\tbfd { peer %s; min-tx 10ms; min-rx 10ms; }\n}\n' "$3"
}
conf6 n1 100 2001:db8::12 > "$T/n1.conf"
conf6 n2 90 2001:db8::11 > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
vrrp_run n2 "$T/n2.conf"
wait_for 10 "BFD Up on node 1" field_is n1 bfd.state Up
wait_for 5 "BFD Up on node 2" field_is n2 bfd.state Up
wait_for 3 "node 2 sends every 10 ms" field_is n2 bfd.tx_interval_us 10000
t_assert "no hop-limit drops" [ "$(vrrp_field n2 bfd.counters.discards.bad_ttl)" = 0 ]
t_assert "packets received" [ "$(vrrp_field n2 bfd.counters.received)" -gt 0 ]
# A packet with hop limit 254 (a router away) is dropped and counted.
ns_exec n1 "$PY" - <<'EOP'
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 254)
s.bind(("2001:db8::11", 50000))
pkt = bytes([0x20, 0x40, 3, 24, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40, 0, 0x0f, 0x42, 0x40, 0, 0, 0, 0])
s.sendto(pkt, ("2001:db8::12", 3784))
EOP
wait_for 3 "node 2 counts the hop limit 254 packet" field_is n2 bfd.counters.discards.bad_ttl 1
t_assert "still Up on node 2" [ "$(vrrp_field n2 bfd.state)" = Up ]

# A master with the VIP 2001:db8::100: each node still hears its peer
# (packets from an unknown source are dropped before the session) and its
# session is Up.
vip6_held() { vip_on n1 2001:db8::100 || vip_on n2 2001:db8::100; }
rx_above() { [ "$(vrrp_field "$1" bfd.counters.received)" -gt "$2" ]; }
wait_for 5 "a master holds 2001:db8::100" vip6_held
for n in n1 n2; do
	rx=$(vrrp_field $n bfd.counters.received)
	wait_for 10 "$n hears 20 more BFD packets from its peer" rx_above $n $((rx + 20))
	t_assert "$n's session is Up" [ "$(vrrp_field $n bfd.state)" = Up ]
done
