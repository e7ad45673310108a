#!/usr/bin/env bash
# `vrrpctl status` last_transition.ago_ms is a duration: a step of the wall
# clock (NTP at boot, `date -s`) must not change it.  vrrpd runs with a shim
# (tests/net/wall_shift.c, LD_PRELOAD) that moves only its CLOCK_REALTIME;
# the clock steps back one hour after node 1 became master, and ago_ms
# stays a few seconds at most (it was the wall clock difference: about
# 2^64 - 3.6e6 after the step).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require cc

cc -O1 -shared -fPIC -o "$T/wall_shift.so" "$REPO/tests/net/wall_shift.c" || t_fail "build the clock shim"
vrrp_lab
echo 0 > "$T/shift"
vrrp_conf n1 100 100ms > "$T/n1.conf"
WALL_SHIFT_FILE=$T/shift LD_PRELOAD=$T/wall_shift.so vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
ago=$(vrrp_field n1 last_transition.ago_ms)
t_assert "ago_ms is small before the step ($ago)" [ "$ago" -lt 10000 ]
echo -3600 > "$T/shift"
ago=$(vrrp_field n1 last_transition.ago_ms)
t_log "after the wall clock stepped back 1 h: ago_ms $ago, time_ms $(vrrp_field n1 last_transition.time_ms)"
t_assert "ago_ms is still small after the wall clock stepped back" [ "$ago" -lt 10000 ]
echo 3600 > "$T/shift"
ago=$(vrrp_field n1 last_transition.ago_ms)
t_assert "and after it stepped forward ($ago)" [ "$ago" -lt 10000 ]
