#!/usr/bin/env bash
# A vrrpd crash alone, at 1 s adverts as deployed: the unit's ExecStopPost
# (`vrrpd --cleanup`) finds the dead master's VIP still on its interface.
# It must send that router's priority 0 (the goodbye the dead process could
# not send, RFC 5798 6.4.3) before it removes the VIP, so that the backup
# takes over after its Skew_Time (0.65 s at priority 90) and not after
# Master_Down_Interval (3.65 s), with nobody holding the VIP meanwhile.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 1s
kill -KILL "$PID_vrrpd_n1"
t0=$(now_ms)
t_assert "vrrpd --cleanup succeeds" ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf" 2> "$T/cleanup1.out"
t_assert "the stale VIP is gone" vip_off n1
wait_for 6 "node 2 is master" vrrp_state_is n2 master
# node 2's own transition time (vrrpctl), not when the polling saw it
took=$(( $(vrrp_field n2 last_transition.time_ms) - t0 ))
t_log "node 2 master ${took} ms after the crash's cleanup (Skew_Time 648 ms, Master_Down_Interval 3648 ms)"
[ "$took" -lt 1500 ] || t_fail "node 2 took ${took} ms to become master: it waited for Master_Down_Interval, no priority 0 was sent"
t_assert "node 2 took over because the master left (priority 0)" field_is n2 last_transition.reason master_left
t_assert "the VIP is on node 2" vip_on n2
# Nothing left to say: a second cleanup (no VIP here) sends no priority 0.
t_assert "the first cleanup says it sent priority 0" grep -q "sent priority 0" "$T/cleanup1.out"
t_assert "vrrpd --cleanup again succeeds" ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf" 2> "$T/cleanup2.out"
t_assert "without a VIP left it sends nothing" sh -c "! grep -q 'priority 0' '$T/cleanup2.out'"
t_assert "node 2 stays master" vrrp_state_is n2 master
# Run by hand beside a live vrrpd (node 2, master): that vrrpd did not
# crash, so no priority 0 on its behalf.
t_assert "vrrpd --cleanup beside a running vrrpd succeeds" ns_exec n2 "$BIN/vrrpd" --cleanup -f "$T/n2.conf" 2> "$T/cleanup3.out"
t_assert "it says a vrrpd answers and sends no priority 0" grep -q "a vrrpd answers there: no priority 0" "$T/cleanup3.out"
t_assert "it sent none" sh -c "! grep -q 'sent priority 0' '$T/cleanup3.out'"
wait_for 3 "node 2 is master with its VIP" sh -c "ip -n $NS_n2 -o addr show dev eth0 | grep -q ' $VIP/'"
t_assert "node 2 is still master" vrrp_state_is n2 master
