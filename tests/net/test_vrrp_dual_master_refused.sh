#!/usr/bin/env bash
# A dual master whose winner could not install the VIP (the kernel refused
# it: node 1 runs without CAP_NET_ADMIN): when the two hear each other again
# node 1 must not announce the VIP with gratuitous ARP, which would draw the
# client to a node without the address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require setpriv bridge

vrrp_lab
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
net_spawn n1 vrrpd_n1 setpriv --bounding-set=-all,+net_raw --inh-caps=-all "$BIN/vrrpd" -n -f "$T/n1.conf"
wait_for 5 "node 1 becomes master" vrrp_state_is n1 master
wait_for 3 "node 1's VIP was refused" field_is n1 vips_installed false
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup

hub_port() { # NODE: the hub's bridge port of NODE's eth0
	local idx
	idx=$(ip -n "$(eval echo "\$NS_$1")" -o link show eth0 | sed -n 's/^[0-9]*: eth0@if\([0-9]*\):.*/\1/p')
	ip -n "$NS_hub" -o link show | sed -n "s/^$idx: \([^:@]*\)[:@].*/\1/p"
}
isolate() { # on|off
	local n
	for n in n1 n2; do bridge -n "$NS_hub" link set dev "$(hub_port $n)" isolated "$1" || t_fail "isolate $n $1"; done
}
isolate on
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
garp1=$(vrrp_field n1 counters.garp_sent)
rx1=$(vrrp_field n1 counters.adverts_received)
isolate off
wait_for 3 "node 2 yields" vrrp_state_is n2 backup
wait_for 3 "node 1 heard node 2 again" vrrp_counter_above n1 adverts_received "$rx1"
# node 1's answer to it is immediate; one more advert of node 1 heard by
# node 2 is the event that says it is over
rx2=$(vrrp_field n2 counters.adverts_received)
wait_for 3 "node 2 heard node 1 since" vrrp_counter_above n2 adverts_received "$rx2"
t_assert "node 1 sent no gratuitous ARP for the refused VIP" [ "$(vrrp_field n1 counters.garp_sent)" = "$garp1" ]
t_assert "node 1 is master" vrrp_state_is n1 master
