#!/usr/bin/env bash
# The kernel refuses the VIP: node 1's vrrpd runs without CAP_NET_ADMIN
# (as in a container that withholds it).  Node 2 (priority 90) serves;
# node 1 (priority 100, preempt on) preempts it, its address change is
# refused, and it must not keep the VIP away from node 2: it leaves with
# priority 0 (FAULT), node 2 takes over again, and node 1, back as backup
# after its retry delay, does not preempt again until an installation
# succeeds.  The status says the VIP is not installed and why, counts the
# refusal (counters.vip_errors), and the log names the instance and the
# address.  A reload with a changed file is the operator's "try again": the
# penalty starts afresh, node 1 preempts once more (and, still refused, is
# back in FAULT with the penalty).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require setpriv

not_master() { ! vrrp_state_is "$1" master; }
masters_changed() { [ "$(vrrp_field n2 counters.became_master)" != "$masters" ]; }

vrrp_lab
# 500 ms adverts: at 100 ms, a loaded machine (ASan build) once delayed node
# 2's adverts past Master_Down_Interval (0.36 s) and node 1 rightly took over.
vrrp_conf n1 100 500ms > "$T/n1.conf"
vrrp_conf n2 90 500ms > "$T/n2.conf"
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2, alone, becomes master" vrrp_state_is n2 master
net_spawn n1 vrrpd_n1 setpriv --bounding-set=-all,+net_raw --inh-caps=-all "$BIN/vrrpd" -n -f "$T/n1.conf"
wait_for 5 "node 1 preempted and its add was refused" vrrp_counter_above n1 vip_errors 0
t_assert "the log names the instance, the address and the reason" \
	grep -q "VI_51: the kernel refused to add $VIP: Operation not permitted" "$T/vrrpd_n1.log"
t_assert "node 1's status says the VIP is not installed" field_is n1 vips_installed false
wait_for 2 "node 1 left mastership" not_master n1
wait_for 2 "node 2 is master again" vrrp_state_is n2 master
wait_for 2 "node 2 holds the VIP" vip_on n2
t_assert "node 1 does not hold it" vip_off n1
why=$(vrrp_field n1 vip_fault)
t_log "node 1's vip_fault: $why"
t_assert "node 1's status says why" grep -q "Operation not permitted" <<<"$why"
wait_for 4 "node 1 is back as backup after its retry delay" vrrp_state_is n1 backup
masters=$(vrrp_field n2 counters.became_master)
t_log "node 2 became master $masters times"
# Node 1 would preempt within Master_Down_Interval (1.8 s); 4 s of quiet.
if wait_until 4 masters_changed; then
	t_fail "node 1 took the VIP away from node 2 again (node 2 became master $(vrrp_field n2 counters.became_master) times)"
fi
t_log "ok: node 1 did not preempt again"
t_assert "node 2 is master" vrrp_state_is n2 master
t_assert "node 1 is backup" vrrp_state_is n1 backup
t_assert "node 2 holds the VIP" vip_on n2

errors=$(vrrp_field n1 counters.vip_errors)
sed -i 's/count 2;/count 3;/' "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "node 1 reloaded" grep -q "reloaded" "$T/vrrpd_n1.log"
vip_errors_above() { [ "$(vrrp_field n1 counters.vip_errors)" -gt "$errors" ]; }
wait_for 5 "node 1 preempts again after the reload (and is refused again)" vip_errors_above
t_assert "the log says the penalty starts afresh" \
	grep -q "VI_51: reload: the refused virtual addresses start afresh, preemption as configured" "$T/vrrpd_n1.log"
wait_for 3 "node 1 left mastership again" not_master n1
wait_for 3 "node 2 is master again" vrrp_state_is n2 master
t_assert "node 2 holds the VIP" vip_on n2
