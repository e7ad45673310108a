#!/usr/bin/env bash
# An address owner comes back (RFC 5798 6.4.1: priority 255, Master at
# once) while the backup of its address holds that address as its VIP.
# The backup must hear the owner's adverts, whose source (the owner's own
# address) is the VIP it holds, and go back to Backup (6.4.3): one master,
# one holder of the address.  Linux drops IPv4 packets whose source is a
# local address (a "martian") unless accept_local is set on the interface.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

OWN=198.51.100.11
vrrp_lab
VIP=$OWN vrrp_conf n1 255 100ms > "$T/n1.conf"
VIP=$OWN vrrp_conf n2 90 100ms > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "the owner is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 2 "node 2 hears the owner" field_is n2 master_priority 255
net_stop "$PID_vrrpd_n1"
wait_for 3 "node 2 takes over while the owner's vrrpd is stopped" vrrp_state_is n2 master
wait_for 2 "node 2 holds the owner's address" vip_on n2 "$OWN"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "the owner is master again" vrrp_state_is n1 master
wait_for 3 "node 2 hears the owner and goes back to backup" vrrp_state_is n2 backup
t_assert "node 2 follows the owner" field_is n2 master "$OWN"
wait_for 2 "node 2 released the owner's address" vip_off n2 "$OWN"
t_assert "node 2's own address is untouched" vip_on n2 198.51.100.12
t_assert "the owner still has its address" vip_on n1 "$OWN"
t_assert "the owner is still master" vrrp_state_is n1 master
t_assert "vrrpd set accept_local on node 2's VRRP interface" \
	[ "$(ip netns exec "$NS_n2" cat /proc/sys/net/ipv4/conf/eth0/accept_local)" = 1 ]
