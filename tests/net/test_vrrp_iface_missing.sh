#!/usr/bin/env bash
# The instance's interface does not exist when vrrpd starts (at boot a VLAN or
# bond may come up after it): vrrpd runs, the instance waits in FAULT and says
# why; when the interface appears it elects itself master (priority 100 over
# 90) and installs the VIP.  The interface deleted while running: FAULT, the
# peer takes over; re-created: node 1 comes back.  vrrpd never exits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
add_n1_eth0() {
	net_bridge_port hub br0 n1 eth0
	ip -n "$NS_n1" addr add 198.51.100.11/24 dev eth0
}
ip -n "$NS_n1" link del eth0
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is master" vrrp_state_is n2 master
vrrp_run n1 "$T/n1.conf"
wait_for 5 "vrrpd on node 1 answers without its interface" field_is n1 state fault
t_assert "status says the interface is missing" field_is n1 link_fault "interface missing"
t_assert "status: interface_present false" field_is n1 interface_present false
t_assert "vrrpd on node 1 is still running" net_alive "$PID_vrrpd_n1"
t_assert "node 2 stays master" vrrp_state_is n2 master

add_n1_eth0
wait_for 5 "node 1 becomes master once eth0 appears" vrrp_state_is n1 master
wait_for 2 "VIP on node 1" vip_on n1
wait_for 2 "node 2 is backup" vrrp_state_is n2 backup
t_assert "status: link_fault null" field_is n1 link_fault None
t_assert "client pings the VIP" ns_exec cl ping -c 1 -W 1 -q "$VIP"

ip -n "$NS_n1" link del eth0
wait_for 3 "node 1 is in FAULT after eth0 is deleted" field_is n1 link_fault "interface missing"
t_assert "node 1 state fault" vrrp_state_is n1 fault
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
wait_for 2 "VIP on node 2" vip_on n2

add_n1_eth0
wait_for 5 "node 1 is master again once eth0 is back" vrrp_state_is n1 master
wait_for 2 "VIP on node 1 again" vip_on n1
t_assert "vrrpd on node 1 never exited" net_alive "$PID_vrrpd_n1"
