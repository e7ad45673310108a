#!/usr/bin/env bash
# Crash failover: the master is killed with SIGKILL (no priority 0); the
# backup takes the VIP after Master_Down_Interval (3 x 100 ms + skew) and
# the client reaches the VIP again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 100ms
start=$(now_ms)
kill -KILL "$PID_vrrpd_n1"
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - start))
t_log "takeover after ${took} ms (RFC bound 3 x 100 + 64.8 = 364.8 ms after the last advert)"
t_assert "takeover within 700 ms of the kill" [ "$took" -lt 700 ]
t_assert "reason is master_down" [ "$(vrrp_field n2 last_transition.reason)" = master_down ]
wait_for 2 "VIP on node 2" vip_on n2
t_assert "node 2 got no priority 0 advert" [ "$(vrrp_field n2 counters.priority0_received)" = 0 ]
t_assert "client pings the VIP" ns_exec cl ping -c 1 -W 1 -q "$VIP"
