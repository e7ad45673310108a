#!/usr/bin/env bash
# A notify hook that never returns does not block the ones after it.  The
# hook hangs on its first call (init -> backup), with a child of its own;
# with `notify-timeout 500ms` its process group is killed, the next event
# (backup -> master) still runs, in order, and vrrpctl status counts the
# kill (counters.notify_killed) while the log says which event it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
cat > "$T/notify.sh" <<EOF2
#!/bin/sh
echo "\$*" >> "$T/notify.log"
if [ "\$3" = backup ] && [ ! -e "$T/hung" ]; then
	echo \$\$ > "$T/hung"
	sleep 100000 &
	echo \$! > "$T/hung-child"
	wait
fi
EOF2
chmod +x "$T/notify.sh"
vrrp_conf n1 100 100ms > "$T/n1.conf"
sed -i "s|^global {|global {\n\tnotify \"$T/notify.sh\";\n\tnotify-timeout 500ms;|" "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
wait_for 2 "the first call hangs" test -s "$T/hung-child"
start=$(now_ms)
wait_for 3 "the call after the hung one runs" grep -q "VI_51 backup master 100" "$T/notify.log"
t_log "backup -> master ran $(elapsed_ms "$start") ms after the hung hook was seen"
t_assert "calls in order" [ "$(cat "$T/notify.log")" = "$(printf 'VI_51 init backup 100\nVI_51 backup master 100')" ]
t_assert "status counts the kill" field_is n1 counters.notify_killed 1
t_assert "status counts both runs" field_is n1 counters.notify_runs 2
t_assert "nothing dropped" field_is n1 counters.notify_dropped 0
hung=$(cat "$T/hung") child=$(cat "$T/hung-child")
wait_for 2 "the hung hook is gone" sh -c "! kill -0 $hung 2>/dev/null"
wait_for 2 "and the child it started (process group)" sh -c "! kill -0 $child 2>/dev/null"
t_assert "the log names the killed call" grep -q "init -> backup still running after 500 ms: killed" "$T/vrrpd_n1.log"
