#!/usr/bin/env bash
# Stale VIPs: after a SIGKILL the VIP stays on the dead master's interface;
# `vrrpd --cleanup` removes it, and so does a plain restart before it joins.
# Only what vrrpd added (its mark, vrrpd.8): the same address added by hand
# stays.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 100ms
kill -KILL "$PID_vrrpd_n1"
wait_for 3 "node 2 is master" vrrp_state_is n2 master
t_assert "the killed master left its VIP behind" vip_on n1
t_assert "vrrpd --cleanup succeeds" ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf"
t_assert "the stale VIP is gone" vip_off n1
t_assert "node 1's own address is untouched" sh -c "ip -n $NS_n1 -o addr show dev eth0 | grep -q 198.51.100.11/24"
ip -n "$NS_n1" addr add "$VIP/24" dev eth0
t_assert "vrrpd --cleanup succeeds" ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf"
t_assert "the address added by hand stays" vip_on n1
ip -n "$NS_n1" addr del "$VIP/24" dev eth0
# Again, and this time a restart cleans up: node 1 takes the VIP back
# (preempt) and is killed again; node 2 stays master while it restarts.
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
wait_for 2 "VIP on node 1" vip_on n1
kill -KILL "$PID_vrrpd_n1"
wait_for 3 "node 2 is master again" vrrp_state_is n2 master
vrrp_conf n1 80 100ms > "$T/n1low.conf"
vrrp_run n1 "$T/n1low.conf"
wait_for 3 "node 1 runs as backup" vrrp_state_is n1 backup
t_assert "the restart removed the stale VIP" vip_off n1
grep -q "removed 1 stale virtual address" "$T/vrrpd_n1.log" || t_fail "no log line about the stale VIP"
t_log "ok: the removal is logged"
