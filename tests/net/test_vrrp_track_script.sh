#!/usr/bin/env bash
# Tracker failover, script kind with a weight: node 1's track script fails
# (fall 2 at 300 ms), its priority drops 100 - 20 = 80 < 90, it sends
# priority 0 then 80, and node 2 takes over within Skew_Time instead of a
# Master_Down_Interval; when the script passes again node 1 preempts back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
touch "$T/n1-ok"
vrrp_conf n1 100 1s "track chk weight -20;" > "$T/n1.conf"
printf 'track chk {\n\tscript "test -e %s/n1-ok";\n\tinterval 300ms;\n\ttimeout 300ms;\n\trise 2;\n\tfall 2;\n}\n' "$T" >> "$T/n1.conf"
vrrp_conf n2 90 1s > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 10 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 10 "node 2 is backup" vrrp_state_is n2 backup
t_assert "the track is up" [ "$(vrrp_field n1 tracks.0.up 2>/dev/null || vrrpctl_json n1 | "$PY" -c 'import json,sys; print(str(json.load(sys.stdin)["tracks"][0]["up"]).lower())')" = true ]

start=$(now_ms)
rm -f "$T/n1-ok"
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - start))
t_log "takeover ${took} ms after the script started failing (fall 2 x 300 ms + Skew_Time 648 ms at 1 s adverts)"
t_assert "takeover well under a Master_Down_Interval (3.6 s)" [ "$took" -lt 1800 ]
t_assert "node 2 took over on priority 0 (master_left)" [ "$(vrrp_field n2 last_transition.reason)" = master_left ]
t_assert "node 1 effective priority is 80" [ "$(vrrp_field n1 effective_priority)" = 80 ]
wait_for 2 "node 1 yielded" vrrp_state_is n1 backup
wait_for 2 "VIP on node 2 only" sh -c "ip -n $NS_n2 -o addr show dev eth0 | grep -q ' $VIP/' && ! ip -n $NS_n1 -o addr show dev eth0 | grep -q ' $VIP/'"

touch "$T/n1-ok"
wait_for 6 "node 1 preempts back once the script passes" vrrp_state_is n1 master
t_assert "node 1 effective priority is 100 again" [ "$(vrrp_field n1 effective_priority)" = 100 ]
