#!/usr/bin/env bash
# A backup's vrrpd that stalls longer than its BFD detection time, while the
# master keeps sending, does not call the live master down when it runs
# again.  On resume, libev runs the expired detection timer before the
# socket's reader: the master's packets wait unread, and without reading
# them first the session went Down (diag 1) and the backup took the VIP
# beside a live master.  Asymmetric timers make only the backup's side
# short: node 1 sends every 10 ms x 3 (node 2 detects in 30 ms), node 2
# every 200 ms x 5 (node 1 detects in 1 s), so node 1 never notices the
# 150 ms stall and keeps its session Up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_conf n1 100 1s "bfd { peer 198.51.100.12; min-tx 10ms; min-rx 10ms; multiplier 3; }" > "$T/n1.conf"
vrrp_conf n2 90 1s "bfd { peer 198.51.100.11; min-tx 200ms; min-rx 10ms; multiplier 5; }" > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 3 "node 2 heard node 1's advert" field_is n2 master 198.51.100.11
wait_for 5 "BFD Up on node 2" field_is n2 bfd.state Up
wait_for 5 "node 2 detects node 1 in 30 ms" field_is n2 bfd.detect_time_us 30000
wait_for 5 "node 1 detects node 2 in 1 s" field_is n1 bfd.detect_time_us 1000000

for round in 1 2 3; do
	trans=$(vrrp_field n2 bfd.counters.transitions)
	rcvd=$(vrrp_field n2 bfd.counters.received)
	kill -STOP "$PID_vrrpd_n2"
	sleep 0.15 # the stall itself: 5 x node 2's detection time
	kill -CONT "$PID_vrrpd_n2"
	# node 1 sent ~15 packets meanwhile; once node 2 has read more than
	# that, its late timer has run too.
	wait_for 3 "round $round: node 2 read the packets that waited" \
		eval '[ "$(vrrp_field n2 bfd.counters.received)" -gt $((rcvd + 15)) ]'
	t_assert "round $round: node 2's session stayed Up (no transition)" \
		[ "$(vrrp_field n2 bfd.counters.transitions)" = "$trans" ]
	t_assert "round $round: node 2 still backup" vrrp_state_is n2 backup
	t_assert "round $round: node 1 still master" vrrp_state_is n1 master
done
exit 0
