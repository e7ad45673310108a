#!/usr/bin/env bash
# A reload changes what changed and nothing else.  Unicast pair, node 1
# master of 198.51.100.100 and .101.  Node 1 is reloaded with one more
# unicast peer, its addresses in the other order, and a new instance name:
# node 2 (backup) sees no transition, node 1 stays master and neither VIP
# leaves it (watched with `ip monitor`).  Then, alone, node 1 is reloaded
# with .101 replaced by .102: .101 leaves, .102 arrives (with gratuitous
# ARP), .100 never leaves, node 1 stays master.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
conf() { # NODE PRIORITY NAME "VIP..." "PEER..."
	printf 'global {\n\tcontrol %s/%s.sock;\n\tmlock off;\n\trealtime-priority 5;\n}\n' "$T" "$1"
	printf 'instance %s {\n\tinterface eth0;\n\tvrid 51;\n\tpriority %s;\n\tadvert 500ms;\n' "$3" "$2"
	printf '\tgarp { count 2; repeat 0s; }\n'
	local a
	for a in $4; do printf '\tvirtual-address %s/24;\n' "$a"; done
	for a in $5; do printf '\tunicast-peer %s;\n' "$a"; done
	printf '}\n'
}
conf n1 100 VI_51 "198.51.100.100 198.51.100.101" 198.51.100.12 > "$T/n1.conf"
conf n2 90 VI_51 "198.51.100.100 198.51.100.101" 198.51.100.11 > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 2 "both VIPs on node 1" sh -c "ip -n $NS_n1 -o addr show dev eth0 | grep -q ' 198.51.100.100/' && ip -n $NS_n1 -o addr show dev eth0 | grep -q ' 198.51.100.101/'"
wait_for 5 "node 2 hears node 1" vrrp_counter_above n2 adverts_received 1

# Every address change on node 1 from here on.
ip -n "$NS_n1" monitor address > "$T/addr-events" 2>&1 &
mon=$!
net_on_exit "kill $mon"
# It listens once it reports a probe address coming and going.
probe() {
	ip -n "$NS_n1" addr add 198.51.100.199/32 dev eth0
	ip -n "$NS_n1" addr del 198.51.100.199/32 dev eth0
	grep -q "198.51.100.199/32" "$T/addr-events"
}
wait_for 3 "the monitor is listening" probe
trans2=$(vrrp_field n2 counters.transitions)
trans1=$(vrrp_field n1 counters.transitions)
rx=$(vrrp_field n2 counters.adverts_received)

conf n1 100 VI_renamed "198.51.100.101 198.51.100.100" "198.51.100.12 198.51.100.13" > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "node 1 reloaded" grep -q "reloaded" "$T/vrrpd_n1.log"
# Two seconds of node 1's adverts after the reload: time enough for the
# priority 0 of a torn-down instance and node 2's takeover (Skew_Time 0.3 s).
# (500 ms adverts: a loaded machine does not lose 1.8 s of them.)
wait_for 5 "node 2 heard 4 more adverts" vrrp_counter_above n2 adverts_received $((rx + 4))
t_assert "node 2 saw no transition ($(vrrp_field n2 counters.transitions) vs $trans2)" field_is n2 counters.transitions "$trans2"
t_assert "node 1 made no transition ($(vrrp_field n1 counters.transitions) vs $trans1)" field_is n1 counters.transitions "$trans1"
t_assert "node 2 is backup" vrrp_state_is n2 backup
t_assert "node 1 is master" vrrp_state_is n1 master
t_assert "node 1 has both peers" field_is n1 peers "['198.51.100.12', '198.51.100.13']"
t_assert "node 1's instance has its new name" field_is n1 name VI_renamed
t_assert "no VIP left node 1 ($(cat "$T/addr-events"))" sh -c "! grep -q 'Deleted.*198.51.100.10[01]/' $T/addr-events"

# Node 1 alone: the address set changes by address.
kill -TERM "$PID_vrrpd_n2"
wait_for 3 "node 2 stopped" sh -c "! kill -0 $PID_vrrpd_n2 2>/dev/null"
trans1=$(vrrp_field n1 counters.transitions)
garp=$(vrrp_field n1 counters.garp_sent)
conf n1 100 VI_renamed "198.51.100.102 198.51.100.100" "198.51.100.12 198.51.100.13" > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 ".102 arrives" vip_on n1 198.51.100.102
wait_for 3 ".101 leaves" vip_off n1 198.51.100.101
t_assert ".100 stayed" vip_on n1 198.51.100.100
t_assert ".100 never left node 1" sh -c "! grep -q 'Deleted.*198.51.100.100/' $T/addr-events"
t_assert "node 1 made no transition" field_is n1 counters.transitions "$trans1"
t_assert "node 1 is master" vrrp_state_is n1 master
t_assert "gratuitous ARP for the new address" vrrp_counter_above n1 garp_sent "$garp"
t_assert "status lists the new addresses" field_is n1 vips "['198.51.100.102/24', '198.51.100.100/24']"
t_assert "the VIPs are installed" field_is n1 vips_installed true
