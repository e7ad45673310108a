#!/usr/bin/env bash
# The answers to vrrpd's address changes lost in a netlink overrun (ENOBUFS
# on its address-change socket, made by the shim tests/net/nl_overrun.c):
# vrrpd must read back what the kernel did, not only log.  Node 1 runs
# without CAP_NET_ADMIN, so the kernel refuses its VIP; it preempts node 2
# and every refusal is lost.  Reading the addresses back, it finds the VIP
# missing, adds it again, is refused again, and leaves mastership (FAULT)
# so that node 2 serves the VIP: without the read-back it stayed master,
# its status said the VIP was installed, and no node held it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require cc setpriv

cc -O1 -shared -fPIC -o "$T/nl_overrun.so" "$REPO/tests/net/nl_overrun.c" || t_fail "build the overrun shim"
not_master() { ! vrrp_state_is "$1" master; }
vrrp_lab
vrrp_conf n1 100 500ms > "$T/n1.conf"
vrrp_conf n2 90 500ms > "$T/n2.conf"
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2, alone, becomes master" vrrp_state_is n2 master
echo 1 > "$T/overrun"
NL_OVERRUN_FILE=$T/overrun LD_PRELOAD=$T/nl_overrun.so \
	net_spawn n1 vrrpd_n1 setpriv --bounding-set=-all,+net_raw --inh-caps=-all "$BIN/vrrpd" -n -f "$T/n1.conf"
wait_for 5 "node 1 preempted and the answers to its adds were lost" grep -qx 0 "$T/overrun"
wait_for 3 "node 1 learns that its add was refused" vrrp_counter_above n1 vip_errors 0
wait_for 3 "node 1 left mastership" not_master n1
t_assert "node 1's status says the VIP is not installed" field_is n1 vips_installed false
wait_for 3 "node 2 is master again" vrrp_state_is n2 master
wait_for 2 "node 2 holds the VIP" vip_on n2
t_assert "node 1 does not hold it" vip_off n1
t_assert "the overrun is logged" grep -q "vip: netlink answers lost (socket overrun)" "$T/vrrpd_n1.log"
