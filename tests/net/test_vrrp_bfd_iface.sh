#!/usr/bin/env bash
# BFD and a missing interface: node 1's vrrpd starts before its eth0 exists
# (a VLAN or bond that comes up late); once eth0 appears its BFD session to
# node 2 comes Up.  eth0 deleted and re-created: the session comes Up again
# on the new interface.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
add_n1_eth0() {
	net_bridge_port hub br0 n1 eth0
	ip -n "$NS_n1" addr add 198.51.100.11/24 dev eth0
}
ip -n "$NS_n1" link del eth0
vrrp_conf n1 100 100ms 'bfd { peer 198.51.100.12; min-tx 10ms; min-rx 10ms; }' > "$T/n1.conf"
vrrp_conf n2 90 100ms 'bfd { peer 198.51.100.11; min-tx 10ms; min-rx 10ms; }' > "$T/n2.conf"
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is master" vrrp_state_is n2 master
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 waits for its interface" field_is n1 state fault

add_n1_eth0
wait_for 5 "node 1 becomes master once eth0 appears" vrrp_state_is n1 master
wait_for 5 "BFD Up on node 1" field_is n1 bfd.state Up
wait_for 5 "BFD Up on node 2" field_is n2 bfd.state Up

ip -n "$NS_n1" link del eth0
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
add_n1_eth0
wait_for 5 "node 1 is master again" vrrp_state_is n1 master
wait_for 5 "BFD Up again on node 1" field_is n1 bfd.state Up
wait_for 5 "BFD Up again on node 2" field_is n2 bfd.state Up
t_assert "vrrpd on node 1 never exited" net_alive "$PID_vrrpd_n1"
