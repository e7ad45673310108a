#!/usr/bin/env bash
# A restart for an upgrade does not move the VIP: with the restart intent
# file beside the control socket ($T/n1.restart, /run/vrrpd/vrrpd.restart
# when shipped), the master's vrrpd leaves without priority 0 and without
# removing the VIP, `vrrpd --cleanup` (the unit's ExecStopPost) keeps it, and
# the next vrrpd resumes as master at once (the last adverts announced a
# 1 s interval, so the backup waits 3 s + Skew_Time, not 3 x 100 ms: the
# restart fits even on a loaded machine).  Five restarts at 100 ms and at
# 1 s adverts: no transition on the backup (counters and `vrrpctl
# subscribe`), the VIP never leaves the master (`ip monitor`).  A restart
# that comes too late is a stop (backup takes over, VIP removed).  A stop
# without the intent still sends priority 0: the backup takes over in
# Skew_Time (reason master_left).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab

# stop_now PID: SIGTERM and wait for the exit itself (as systemd does, by
# SIGCHLD), not for the next poll, so that the measured gap is the
# restart's.  A watchdog bounds the wait.
stop_now() {
	local pid=$1 dog
	( sleep 10; kill -KILL "$pid" ) 2>/dev/null &
	dog=$!
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	return 0
}

# restart_upgrade_way ADVERT_MS: as the package's postinst does, then as
# systemd does (SIGTERM, ExecStopPost, ExecStart).
restart_upgrade_way() { # ADVERT_MS TRANSITIONS_OF_NODE_2
	local adv_ms=$1 before=$2 i start gap
	for i in 1 2 3 4 5; do
		touch "$T/n1.restart"
		start=$(now_ms)
		stop_now "$PID_vrrpd_n1"
		ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf" >> "$T/cleanup.log" 2>&1 ||
			t_fail "vrrpd --cleanup failed"
		vrrp_run n1 "$T/n1.conf"
		wait_for 5 "restart $i: node 1 is master again" vrrp_state_is n1 master
		t_assert "restart $i: node 2 stayed backup (no transition)" \
			[ "$(vrrp_field n2 counters.transitions)" = "$before" ]
		t_assert "restart $i: node 1 resumed (reason restart)" field_is n1 last_transition.reason restart
		gap=$(($(vrrp_field n1 last_transition.time_ms) - start))
		t_log "restart $i at ${adv_ms} ms adverts: adverts resumed ${gap} ms after the stop"
		# the last adverts announced max(interval, 1 s): the backup waits three
		t_assert "restart $i: resumed inside the backup's wait" [ "$gap" -lt $((3 * (adv_ms > 1000 ? adv_ms : 1000))) ]
		t_assert "restart $i: the restart intent was used up" [ ! -e "$T/n1.restart" ]
	done
}

scenario() { # ADVERT ADVERT_MS
	local adv=$1 adv_ms=$2
	vrrp_pair "$adv"
	ip -n "$NS_n1" monitor address > "$T/ipmon-$adv" 2>&1 &
	local mon=$!
	net_on_exit "kill $mon"
	"$BIN/vrrpctl" -s "$T/n2.sock" subscribe > "$T/events-$adv" 2>&1 &
	local sub=$!
	net_on_exit "kill $sub"
	wait_for 2 "subscribed to node 2" grep -q '"subscribed":true' "$T/events-$adv"
	local before
	before=$(vrrp_field n2 counters.transitions)
	restart_upgrade_way "$adv_ms" "$before"
	# One more advert interval and a Master_Down_Interval: a backup that
	# was going to time out would have by now.
	wait_for 10 "node 2 heard the new process for a Master_Down_Interval" \
		vrrp_counter_above n2 adverts_received $(( $(vrrp_field n2 counters.adverts_received) + 4 ))
	t_assert "$adv: node 2 is still backup" vrrp_state_is n2 backup
	t_assert "$adv: no transition on node 2" [ "$(vrrp_field n2 counters.transitions)" = "$before" ]
	t_assert "$adv: no priority 0 reached node 2" [ "$(vrrp_field n2 counters.priority0_received)" = 0 ]
	t_assert "$adv: the subscriber saw no transition" sh -c "! grep -q '\"transition\"' $T/events-$adv"
	t_assert "$adv: the VIP is on node 1" vip_on n1
	kill "$mon" "$sub"
	wait "$mon" "$sub" 2>/dev/null
	t_assert "$adv: the VIP never left node 1 (ip monitor)" sh -c "! grep -q 'Deleted.*$VIP/' $T/ipmon-$adv"
}

scenario 100ms 100
net_stop "$PID_vrrpd_n2"
net_stop "$PID_vrrpd_n1"
wait_for 2 "both stopped: VIP released" vip_off n1
scenario 1s 1000

# A restart whose new vrrpd comes too late (three seconds after the last
# advert, which announced 1 s) is a stop after all: node 2 takes over when its
# Master_Down_Interval passes, --cleanup then removes node 1's VIP (the
# handoff is stale: the VIP is never on both for longer), and the late vrrpd
# starts as backup, then preempts as usual.
touch "$T/n1.restart"
stop_now "$PID_vrrpd_n1"
t_assert "late restart: the handoff state file was written" [ -e "$T/n1.handoff" ]
wait_for 8 "late restart: node 2 takes over" vrrp_state_is n2 master
t_assert "late restart: after Master_Down_Interval, no priority 0 (reason master_down)" \
	field_is n2 last_transition.reason master_down
ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf" >> "$T/cleanup.log" 2>&1 || t_fail "vrrpd --cleanup failed"
t_assert "late restart: --cleanup removed node 1's VIP" vip_off n1
vrrp_run n1 "$T/n1.conf"
wait_for 6 "late restart: node 1 master again" vrrp_state_is n1 master
t_assert "late restart: node 1 did not resume but preempted" field_is n1 last_transition.reason preempt
wait_for 3 "late restart: node 2 back to backup" vrrp_state_is n2 backup

# A stop is still a stop: priority 0, and node 2 takes over in Skew_Time.
start=$(now_ms)
net_stop "$PID_vrrpd_n1"
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - start))
t_log "stop at 1 s adverts: node 2 master ${took} ms after the stop"
t_assert "node 2 took over on priority 0 (reason master_left)" field_is n2 last_transition.reason master_left
t_assert "takeover within Skew_Time, not Master_Down_Interval (${took} ms)" [ "$took" -lt 1500 ]
t_assert "the stopped master released the VIP" vip_off n1
t_assert "no state file left by a stop" [ ! -e "$T/n1.handoff" ]
