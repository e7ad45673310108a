#!/usr/bin/env bash
# A transient dual master: node 1 and node 2 stop hearing each other (their
# bridge ports are isolated from each other, the client still reaches both),
# node 2 takes over and sends gratuitous ARP, so the client
# now holds node 2's MAC for the VIP.  When the adverts flow again node 2
# yields, and node 1, which never stopped being master, must announce the VIP
# again (keepalived's garp_lower_prio_repeat): the client's entry ends with
# node 1's MAC, not the loser's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require bridge

vrrp_lab
vrrp_pair 100ms
mac1=$(mac_of n1)
mac2=$(mac_of n2)
t_assert "client pings the VIP" ns_exec cl ping -c 1 -W 1 -q "$VIP"
t_assert "client holds node 1's MAC for the VIP" client_neigh_is "$mac1"

isolate() { # on|off: isolated ports do not talk to each other, only to the others
	local n
	for n in n1 n2; do bridge -n "$NS_hub" link set dev "$(hub_port $n)" isolated "$1" || t_fail "isolate $n $1"; done
}
isolate on
wait_for 3 "node 2 takes over (it no longer hears node 1)" vrrp_state_is n2 master
wait_for 2 "client learnt node 2's MAC from its gratuitous ARP" client_neigh_is "$mac2"
t_assert "node 1 is still master" vrrp_state_is n1 master
# Let the dual master last a while (15 adverts of node 1), as a real one
# does: the client's neighbour locktime (1 s) must not be what decides.
sent=$(vrrp_field n1 counters.adverts_sent)
wait_for 5 "node 1 sent 15 more adverts" vrrp_counter_above n1 adverts_sent $((sent + 14))
garp1=$(vrrp_field n1 counters.garp_sent)

isolate off
wait_for 3 "node 2 yields" vrrp_state_is n2 backup
wait_for 3 "client's entry ends with node 1's MAC" client_neigh_is "$mac1"
t_assert "node 1 announced the VIP again" vrrp_counter_above n1 garp_sent "$garp1"
t_assert "node 1 stayed master throughout" [ "$(vrrp_field n1 counters.transitions)" = 2 ]
t_assert "client pings the VIP" ns_exec cl ping -c 1 -W 1 -q "$VIP"
t_assert "VIP only on node 1" vip_off n2
