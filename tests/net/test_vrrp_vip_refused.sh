#!/usr/bin/env bash
# The kernel refuses the VIP: node 1's vrrpd runs without CAP_NET_ADMIN
# (as in a container that withholds it), becomes master, and its address
# change is refused.  The status must not say the VIP is installed: it
# says vips_installed false, counts the refusal (counters.vip_errors), and
# the log names the instance and the address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require setpriv

vrrp_lab
vrrp_conf n1 100 100ms > "$T/n1.conf"
net_spawn n1 vrrpd_n1 setpriv --bounding-set=-all,+net_raw --inh-caps=-all "$BIN/vrrpd" -n -f "$T/n1.conf"
wait_for 5 "node 1, alone, becomes master" vrrp_state_is n1 master
wait_for 3 "the refusal is counted" vrrp_counter_above n1 vip_errors 0
t_assert "the VIP is not on eth0" vip_off n1
t_assert "the status says the VIP is not installed" field_is n1 vips_installed false
t_assert "the log names the instance, the address and the reason" \
	grep -q "VI_51: the kernel refused to add $VIP: Operation not permitted" "$T/vrrpd_n1.log"
