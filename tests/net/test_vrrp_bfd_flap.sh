#!/usr/bin/env bash
# A BFD flap while the master's adverts still come (issue 19): the backup
# never takes the VIP.  BFD 10 ms x 3, adverts 1 s (multicast).  The BFD
# packets, unicast, are sent to a wrong MAC address (a permanent neighbour
# entry) while the multicast adverts still arrive:
#   1. the master's BFD to the backup is lost: the backup's session times
#      out (a takeover after ~20 ms unless something says otherwise); the
#      master hears the backup's Down and advertises at once, which wins;
#   2. both ways lost: each side times out; the master advertises when its
#      session fails, and the backup does not believe a failure of a master
#      heard within the detection time.
# Either way node 2 stays backup: never master, no VIP added on it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
BOGUS=02:00:00:00:53:01
cat_bfd() { printf 'bfd { peer %s; min-tx 10ms; min-rx 10ms; multiplier 3; }' "$1"; }
vrrp_conf n1 100 1s "$(cat_bfd 198.51.100.12)" > "$T/n1.conf"
vrrp_conf n2 90 1s "$(cat_bfd 198.51.100.11)" > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 3 "node 2 follows node 1" field_is n2 master 198.51.100.11
wait_for 5 "BFD Up on node 2" field_is n2 bfd.state Up
wait_for 5 "BFD Up on node 1" field_is n1 bfd.state Up
# Every address event on node 2's interface from here on.
net_spawn - mon ip -n "$NS_n2" -ts monitor address dev eth0
# The monitor sees events: a marker address, added and removed.
mon_saw() { grep -q " $1/" "$T/mon.log"; }
marker() { ip -n "$NS_n2" addr add 198.51.100.99/32 dev eth0 && ip -n "$NS_n2" addr del 198.51.100.99/32 dev eth0; }
wait_for 5 "the address monitor on node 2 works" eval 'marker; mon_saw 198.51.100.99'

bfd_not_up() { [ "$(vrrp_field "$1" bfd.state)" != Up ]; }
adverts_past() { [ "$(vrrp_field n2 counters.adverts_received)" -ge "$1" ]; }
# Two more adverts heard by node 2 (about 2 s): the flap has had its time.
two_adverts() {
	local a
	a=$(vrrp_field n2 counters.adverts_received)
	wait_for 5 "node 2 heard two more adverts ($1)" adverts_past $((a + 2))
}
lose() { ip -n "$(eval echo "\$NS_$1")" neigh replace "$2" lladdr $BOGUS nud permanent dev eth0; }
heal() { ip -n "$(eval echo "\$NS_$1")" neigh del "$2" dev eth0; }

# 1. node 1 -> node 2 lost
lose n1 198.51.100.12
wait_for 3 "node 2's session leaves Up" bfd_not_up n2
two_adverts "one way"
t_assert "node 2's session timed out" [ "$(vrrp_field n2 bfd.counters.peer_down)" -ge 1 ]
t_assert "node 2 is backup" vrrp_state_is n2 backup
heal n1 198.51.100.12
wait_for 5 "BFD Up again on node 2" field_is n2 bfd.state Up

# 2. both ways lost (node 2's side first, so that node 1 times out no later)
lose n2 198.51.100.11
lose n1 198.51.100.12
wait_for 3 "node 1's session leaves Up" bfd_not_up n1
wait_for 3 "node 2's session leaves Up" bfd_not_up n2
two_adverts "both ways"
t_assert "node 2 is backup" vrrp_state_is n2 backup
heal n2 198.51.100.11
heal n1 198.51.100.12
wait_for 5 "BFD Up again on node 2" field_is n2 bfd.state Up

t_log "node 2: BFD failures $(vrrp_field n2 bfd.counters.peer_down), overridden $(vrrp_field n2 bfd.counters.peer_down_overridden)"
t_assert "node 2 never became master" [ "$(vrrp_field n2 counters.became_master)" = 0 ]
no_vip_event() { ! mon_saw "$VIP"; }
t_assert "the VIP was never added on node 2" no_vip_event
t_assert "node 1 is master" vrrp_state_is n1 master
