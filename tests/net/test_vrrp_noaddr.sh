#!/usr/bin/env bash
# No address to speak from: node 1's interface has no IPv4 address when
# vrrpd starts (an address that DHCP or a late ifup brings), so the instance
# waits in FAULT; when the address arrives (netlink address event) it leaves
# FAULT and becomes master; when the address is removed it goes back to
# FAULT and releases the VIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
ip -n "$NS_n1" addr del 198.51.100.11/24 dev eth0
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 waits in FAULT" vrrp_state_is n1 fault
t_assert "and holds no VIP" vip_off n1
ip -n "$NS_n1" addr add 198.51.100.11/24 dev eth0
wait_for 3 "the address arrives: node 1 becomes master" vrrp_state_is n1 master
wait_for 2 "VIP on node 1" vip_on n1
t_assert "the status says the VIP is installed" field_is n1 vips_installed true
t_assert "it advertises from the new address" field_is n1 source 198.51.100.11
ip -n "$NS_n1" addr del 198.51.100.11/24 dev eth0
wait_for 3 "the address is gone: FAULT again" vrrp_state_is n1 fault
wait_for 2 "VIP released" vip_off n1
