#!/usr/bin/env bash
# Unicast mode with multicast dropped: the bridge floods no multicast, so only the unicast adverts between the configured
# peers get through; election and SIGKILL failover still work.  A valid
# higher-priority advert from a host that is not a configured peer (the
# client) is discarded (by the XDP guard: counted as its not_peer) and does
# not preempt.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require bridge

vrrp_lab
# The bridge stops flooding multicast to every port, as a Neutron security
# group does: 224.0.0.18 no longer reaches either node.
for port in $(ip -n "$NS_hub" -o link show master br0 | awk -F': ' '{print $2}' | cut -d@ -f1); do
	ip netns exec "$NS_hub" bridge link set dev "$port" mcast_flood off || net_unavailable "bridge mcast_flood"
done
# Proof that multicast is gone: in multicast mode both nodes become master.
vrrp_conf n1 100 100ms > "$T/m1.conf"
vrrp_conf n2 90 100ms > "$T/m2.conf"
net_spawn n1 m1 "$BIN/vrrpd" -n -f "$T/m1.conf"
net_spawn n2 m2 "$BIN/vrrpd" -n -f "$T/m2.conf"
wait_for 5 "multicast mode: node 1 master" vrrp_state_is n1 master
wait_for 5 "multicast mode: node 2 master too (no multicast between them)" vrrp_state_is n2 master
net_stop "$PID_m1"
net_stop "$PID_m2"

vrrp_conf n1 100 100ms "unicast-peer 198.51.100.12;" > "$T/n1.conf"
vrrp_conf n2 90 100ms "unicast-source 198.51.100.12;" "unicast-peer 198.51.100.11;" > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
t_assert "mode is unicast" [ "$(vrrp_field n1 mode)" = unicast ]
# Several adverts heard, and still backup: it hears node 1 over unicast.
wait_for 3 "node 2 received adverts" vrrp_counter_above n2 adverts_received 3
t_assert "node 2 stays backup: it hears node 1 over unicast" vrrp_state_is n2 backup
t_assert "no multicast advert arrives (node 2 counts none from elsewhere)" [ "$(vrrp_field n2 counters.discards.unknown_peer)" = 0 ]

# A rogue advert (priority 200, valid checksum) from the client to node 1.
ns_exec cl "$PY" -c "
import socket, struct
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
src, dst = socket.inet_aton('198.51.100.50'), socket.inet_aton('198.51.100.11')
body = struct.pack('!BBBBHH', 0x31, 51, 200, 1, 10, 0) + socket.inet_aton('198.51.100.100')
c = csum(src + dst + struct.pack('!BBH', 0, 112, len(body)) + body)
body = body[:6] + struct.pack('!H', c) + body[8:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
for _ in range(5): s.sendto(body, ('198.51.100.11', 0))
"
# The XDP guard (on by default) drops them before vrrpd: its not_peer count.
guard_not_peer() {
	vrrpctl_json n1 | "$PY" -c "import json,sys; print(json.load(sys.stdin)['xdp_guards'][0]['dropped']['not_peer'])"
}
guard_not_peer_is() { [ "$(guard_not_peer)" = "$1" ]; }
wait_for 2 "node 1's XDP guard dropped the rogue adverts as not_peer" guard_not_peer_is 5
t_assert "none of them reached vrrpd (unknown_peer 0)" field_is n1 counters.discards.unknown_peer 0
t_assert "node 1 is still master" vrrp_state_is n1 master

kill -KILL "$PID_vrrpd_n1"
wait_for 3 "node 2 takes over over unicast" vrrp_state_is n2 master
wait_for 2 "VIP on node 2" vip_on n2
