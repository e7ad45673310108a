#!/usr/bin/env bash
# A master's VIP that disappears is noticed: `ip addr del` on the master
# puts it back at once (the master stays master, the status says
# installed); deleting the macvlan of `vmac on` makes vrrpd create it again
# with the VIP.  When the kernel refuses (the macvlan's name is taken by an
# interface that is not a macvlan), the master leaves with priority 0 and
# node 2 takes over within its Skew_Time, not Master_Down_Interval.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vip_on_vmac() { # NODE
	ip -n "$(eval echo "\$NS_$1")" -o addr show dev vrrp.51 2>/dev/null | grep -q " $VIP/"
}

vrrp_lab
vrrp_pair 100ms
ip -n "$NS_n1" addr del "$VIP/24" dev eth0
wait_for 2 "the deleted VIP is back on node 1" vip_on n1
t_assert "node 1 is still master" vrrp_state_is n1 master
t_assert "node 2 is still backup" vrrp_state_is n2 backup
t_assert "the status says installed" field_is n1 vips_installed true
t_assert "the log says so" grep -q "VI_51: $VIP is no longer on eth0: adding it again" "$T/vrrpd_n1.log"
net_stop "$PID_vrrpd_n2"
net_stop "$PID_vrrpd_n1"

# vmac on, adverts every second (Master_Down_Interval 3.6 s, Skew_Time 0.6 s).
vrrp_conf n1 100 1s "vmac on;" > "$T/n1v.conf"
vrrp_conf n2 90 1s "vmac on;" > "$T/n2v.conf"
vrrp_run n1 "$T/n1v.conf"
wait_for 8 "node 1 (vmac) is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2v.conf"
wait_for 5 "node 2 (vmac) is backup" field_is n2 master_priority 100
wait_for 2 "VIP on node 1's macvlan" vip_on_vmac n1
ip -n "$NS_n1" link del vrrp.51
wait_for 2 "the macvlan is back on node 1 with the VIP" vip_on_vmac n1
t_assert "node 1 is still master" vrrp_state_is n1 master
t_assert "node 2 is still backup" vrrp_state_is n2 backup

# The kernel refuses: vrrpd is stopped while the macvlan is replaced by a
# bridge of the same name, so it cannot be made again.
kill -STOP "$PID_vrrpd_n1"
ip -n "$NS_n1" link del vrrp.51
ip -n "$NS_n1" link add vrrp.51 type bridge
start=$(now_ms)
kill -CONT "$PID_vrrpd_n1"
wait_for 3 "node 1 leaves mastership" vrrp_state_is n1 fault
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
took=$(elapsed_ms "$start")
t_log "node 2 master ${took} ms after node 1 could not restore its VIP"
t_assert "within Skew_Time (priority 0 sent), not Master_Down_Interval: ${took} ms < 2500" [ "$took" -lt 2500 ]
t_assert "node 2 serves the VIP" vip_on_vmac n2
why=$(vrrp_field n1 vip_fault)
t_log "node 1's vip_fault: $why"
t_assert "node 1's status says why" grep -q "not a macvlan" <<<"$why"
