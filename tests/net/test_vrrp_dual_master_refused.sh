#!/usr/bin/env bash
# A master whose VIP the kernel refused (node 1 runs without CAP_NET_ADMIN)
# must never announce the VIP with gratuitous ARP, which would draw the
# client to a node without the address: not when it becomes master (the
# refusal is read before the announcement), and not after a dual master.
# (Since a refused node leaves mastership, vrrpd.8, node 1 is master only
# for a moment at each try; the dual master is made by isolating the nodes
# while it retries.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require setpriv bridge

vrrp_lab
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
net_spawn n1 vrrpd_n1 setpriv --bounding-set=-all,+net_raw --inh-caps=-all "$BIN/vrrpd" -n -f "$T/n1.conf"
wait_for 5 "node 1 became master" vrrp_counter_above n1 became_master 0
wait_for 3 "node 1's VIP was refused" vrrp_counter_above n1 vip_errors 0
t_assert "node 1 sent no gratuitous ARP for it" field_is n1 counters.garp_sent 0
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is master" vrrp_state_is n2 master

isolate() { # on|off
	local n
	for n in n1 n2; do bridge -n "$NS_hub" link set dev "$(hub_port $n)" isolated "$1" || t_fail "isolate $n $1"; done
}
m1=$(vrrp_field n1 counters.became_master)
isolate on
wait_for 10 "node 1, alone, tries again (master while node 2 is too)" vrrp_counter_above n1 became_master "$m1"
isolate off
rx1=$(vrrp_field n1 counters.adverts_received)
wait_for 3 "node 1 hears node 2 again" vrrp_counter_above n1 adverts_received "$rx1"
t_assert "node 2 is master" vrrp_state_is n2 master
t_assert "node 1 sent no gratuitous ARP for the refused VIP" field_is n1 counters.garp_sent 0
