#!/usr/bin/env bash
# Track weights as keepalived counts them: a positive weight is added while
# the track is up, a negative one while it is down.  Node 2 (90) has
# `track f weight 20` on a file that exists: it runs at 110 and preempts
# node 1 (100); when the file says 0 it falls back to 90 and node 1
# preempts back.  An owner (priority 255) ignores weights: node 1 made
# owner with `track f weight -20` on a down track stays at 255.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
track() { printf 'track f {\n\tfile %s/f;\n\tinterval 100ms;\n\ttimeout 100ms;\n\trise 1;\n\tfall 1;\n}\n' "$T"; }
echo 1 > "$T/f"
vrrp_conf n1 100 100ms > "$T/n1.conf"
{ vrrp_conf n2 90 100ms "track f weight 20;"; track; } > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 3 "node 2 runs at 90 + 20 while its track is up" field_is n2 effective_priority 110
wait_for 3 "node 2 preempts node 1" vrrp_state_is n2 master
wait_for 2 "node 1 yields" vrrp_state_is n1 backup

echo 0 > "$T/f"
wait_for 3 "node 2 is back at 90 once the track is down" field_is n2 effective_priority 90
wait_for 3 "node 1 preempts back" vrrp_state_is n1 master
wait_for 2 "node 2 yields" vrrp_state_is n2 backup

# The owner: weights do not move it off 255.
net_stop "$PID_vrrpd_n2"
{ vrrp_conf n1 255 100ms "track f weight -20;"; track; } > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "the reload applies (track f is down)" field_is n1 tracks.0.up false
t_assert "node 1, the owner, stays at 255 with a down track of weight -20" field_is n1 effective_priority 255
t_assert "node 1 is master" vrrp_state_is n1 master
