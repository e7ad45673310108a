#!/usr/bin/env bash
# A reload that changes a track's definition but keeps its name keeps the
# track's state.  Node 1's track script fails, node 2 takes over; node 1 is
# reloaded with a new definition of the same track (another script, another
# interval) that still fails.  Node 1 must stay backup: no preemption on a
# track assumed up, no transition on node 2, until the new check has run
# twice (its fall) and the track is still down.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
touch "$T/n1-ok"
track_def() { # SCRIPT INTERVAL
	printf 'track chk {\n\tscript "%s";\n\tinterval %s;\n\ttimeout 300ms;\n\trise 2;\n\tfall 2;\n}\n' "$1" "$2"
}
printf '#!/bin/sh\necho run >> %s/new-runs\ntest -e %s/n1-ok\n' "$T" "$T" > "$T/chk2.sh"
chmod +x "$T/chk2.sh"
track_up_is() { # true|false: node 1's track
	[ "$(vrrpctl_json n1 | "$PY" -c 'import json,sys; print(str(json.load(sys.stdin)["tracks"][0]["up"]).lower())')" = "$1" ]
}
{ vrrp_conf n1 100 500ms "track chk weight -20;"; track_def "test -e $T/n1-ok" 300ms; } > "$T/n1.conf"
vrrp_conf n2 90 500ms > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup

rm -f "$T/n1-ok"
wait_for 5 "node 2 becomes master (node 1's track down)" vrrp_state_is n2 master
wait_for 2 "node 1 is backup at 80" field_is n1 effective_priority 80
wait_for 2 "VIP on node 2" vip_on n2
trans=$(vrrp_field n2 counters.transitions)
became=$(vrrp_field n1 counters.became_master)

# Same name, new definition: another script (which logs its runs) at 3 s,
# so that it falls (2 x 3 s) well after node 1, taken as up, would have
# preempted (Master_Down_Interval 1.8 s at 500 ms adverts).
{ vrrp_conf n1 100 500ms "track chk weight -20;"; track_def "$T/chk2.sh" 3s; } > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "node 1 reloaded" grep -q "reloaded" "$T/vrrpd_n1.log"
t_assert "node 1 still at 80 right after the reload" field_is n1 effective_priority 80
t_assert "the status shows the track down, failed by its exit status" field_is n1 tracks.0.last exit_status
wait_for 8 "the new check ran twice" sh -c "[ \$(wc -l < $T/new-runs 2>/dev/null || echo 0) -ge 2 ]"
t_assert "the track is still down" track_up_is false
t_assert "node 1 never became master again ($(vrrp_field n1 counters.became_master) vs $became)" field_is n1 counters.became_master "$became"
t_assert "node 2 saw no transition ($(vrrp_field n2 counters.transitions) vs $trans)" field_is n2 counters.transitions "$trans"
t_assert "node 2 is master" vrrp_state_is n2 master
t_assert "VIP on node 2" vip_on n2
t_assert "VIP not on node 1" vip_off n1

# The new definition decides from then on: the service is back, node 1 preempts.
touch "$T/n1-ok"
wait_for 12 "node 1 preempts back once the new check passes (rise 2 x 3 s)" vrrp_state_is n1 master
