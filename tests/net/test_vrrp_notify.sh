#!/usr/bin/env bash
# Notify hooks and the event stream: a slow notify script (it sleeps 300 ms
# per call) records every transition as "INSTANCE OLD NEW PRIORITY", in
# order, while the protocol does not wait for it (the takeover still comes
# after Skew_Time); a control-socket subscriber sees the same transitions,
# in order, as JSON events.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require socat

vrrp_lab
cat > "$T/notify.sh" <<EOF2
#!/bin/sh
sleep 0.3
echo "\$*" >> "$T/notify-\$1.log"
EOF2
chmod +x "$T/notify.sh"
vrrp_conf n1 100 1s > "$T/n1.conf"
vrrp_conf n2 90 1s "notify \"$T/notify.sh\";" > "$T/n2.conf"
sed -i "s/^instance VI_51/instance N2/" "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 6 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 6 "node 2 is backup" vrrp_state_is n2 backup
# Subscribe to node 2's transitions, as an operator would: vrrpctl subscribe
# prints every event line as it comes.
"$BIN/vrrpctl" -s "$T/n2.sock" subscribe > "$T/events" 2>"$T/events.err" &
sub=$!
net_on_exit "kill $sub"
wait_for 2 "subscribed" grep -q '"subscribed":true' "$T/events"
start=$(now_ms)
kill -TERM "$PID_vrrpd_n1"
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - start))
t_assert "takeover in Skew_Time, not delayed by the slow script (${took} ms)" [ "$took" -lt 950 ]
vrrp_run n1 "$T/n1.conf"
wait_for 6 "node 1 preempts back" vrrp_state_is n1 master
wait_for 3 "node 2 back to backup" vrrp_state_is n2 backup
wait_for 3 "the notify script ran three times" sh -c "[ \"\$(wc -l < $T/notify-N2.log)\" = 3 ]"
t_assert "notify calls in order with their arguments" [ "$(cat "$T/notify-N2.log")" = "$(printf 'N2 init backup 90\nN2 backup master 90\nN2 master backup 90')" ]
got=$("$PY" -c '
import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("event") == "transition": print(e["from"], e["to"], e["reason"])
' "$T/events" | tr '\n' ';')
t_assert "subscriber saw the transitions in order ($got)" [ "$got" = "backup master master_left;master backup higher_priority;" ]
t_assert "notify counters" [ "$(vrrp_field n2 counters.notify_runs)" = 3 ]
