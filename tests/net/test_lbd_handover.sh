#!/usr/bin/env bash
# Restarts lose no request: under steady load (wrk -c20 and a keep-alive
# client that also pipelines), a new lbd is started 10 times beside the
# running one; it takes the listening sockets over the handover socket
# (SCM_RIGHTS), the old one stops accepting, finishes what is in flight and
# exits.  Zero socket errors, zero non-2xx, zero failed keep-alive requests;
# each new process says in its log that it took the sockets over, and the
# listening sockets stay the same sockets through all 10 restarts.
#
# Then 3 upgrades: the binary is replaced (a new file renamed over it, as
# dpkg does) and the running lbd is told to upgrade (SIGUSR2 twice, `lbctl
# upgrade` once): it starts the new binary, which takes the sockets over the
# same way; same checks.
#
# The SCM_RIGHTS path is what lbd takes without BPF: every lbd here runs
# without CAP_BPF and CAP_SYS_ADMIN (capsh), and says so in its log; the
# SK_REUSEPORT path is test_lbd_restart_bpf's.
#
# LBD_RESTART=plain restarts the old way (SIGTERM, wait for the exit, start):
# the same checks then fail (connections refused or reset), which shows that
# the test sees a restart that loses requests.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require wrk ss capsh
# Without the capabilities BPF needs (an upgrade's exec keeps the bounding set).
NOBPF=(capsh --drop=cap_bpf,cap_sys_admin -- -c 'exec "$0" "$@"')

RESTARTS=10
MODE=${LBD_RESTART:-handover}

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_nginx b 192.0.2.12:8080
cat > "$T/lbd.conf" <<C
global { workers 2; control $LBD_SOCK; grace 2s; stats 192.0.2.10:8404; }
defaults { access-log off; }
backend be { server a 192.0.2.11:8080; server b 192.0.2.12:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
# lbd runs from a copy of the binary that the upgrades replace.
LBIN=$T/sbin/lbd
mkdir -p "$T/sbin"
cp "$BIN/lbd" "$LBIN"
net_spawn lb lbd "${NOBPF[@]}" "$LBIN" -n -f "$T/lbd.conf"
wait_for 5 "lbd control socket" lbctl_ status
ino() { ns_exec lb ss -tlne 'sport = :9192' | grep -o 'ino:[0-9]*' | sort | tr '\n' ' '; }
ino_before=$(ino)
t_log "listening sockets: $ino_before"

net_spawn lb wrk wrk -t1 -c20 -d25s http://192.0.2.10:9192/
WRK=$PID_wrk
net_spawn lb ka "$PY" "$(dirname "$0")/lbd_keepalive_client.py" 192.0.2.10 9192 "$T/stop" 4 90
KA=$PID_ka
wait_for 5 "traffic flows" bash -c "$(declare -f lbd_stat lbctl_); BIN=$BIN PY=$PY LBD_SOCK=$LBD_SOCK; test \$(lbd_stat \"s['frontends'][0]['requests']\") -gt 500"

cur=$PID_lbd
for i in $(seq 1 "$RESTARTS"); do
	old=$cur
	if [ "$MODE" = plain ]; then
		net_stop "$old"
		net_spawn lb "lbd$i" "${NOBPF[@]}" "$LBIN" -n -f "$T/lbd.conf"
	else
		net_spawn lb "lbd$i" "${NOBPF[@]}" "$LBIN" -n -f "$T/lbd.conf"
	fi
	pv="PID_lbd$i"
	cur=${!pv}
	wait_for 5 "restart $i: the new lbd ($cur) runs" grep -q "running:" "$T/lbd$i.log"
	wait_for 10 "restart $i: the old lbd ($old) has exited" bash -c "$(declare -f net_alive); ! net_alive $old"
	if [ "$MODE" != plain ]; then
		t_assert "restart $i: the new lbd took the sockets over" grep -q "taken over from pid $old" "$T/lbd$i.log"
		t_assert "restart $i: its log says why not BPF" grep -q "cannot load the SK_REUSEPORT program: .*(no CAP_BPF): taking its listening sockets over SCM_RIGHTS" "$T/lbd$i.log"
	fi
	sleep 0.3 # steady load between restarts
done
if [ "$MODE" != plain ]; then
	for u in 1 2 3; do
		old=$cur
		cp "$BIN/lbd" "$LBIN.new" && mv "$LBIN.new" "$LBIN" # the old process's file is gone
		log=$T/lbd$RESTARTS.log
		if [ "$u" = 3 ]; then
			t_assert "upgrade $u: lbctl upgrade accepted" lbctl_ upgrade
		else
			kill -USR2 "$old"
		fi
		wait_for 5 "upgrade $u: lbd $old started the new binary" grep -q "lbd\[$old\] notice: upgrade: started pid" "$log"
		cur=$(sed -n "s/.*lbd\[$old\] notice: upgrade: started pid \([0-9]*\).*/\1/p" "$log")
		NET_PIDS+=("$cur")
		wait_for 5 "upgrade $u: the new lbd ($cur) took the sockets over" \
			grep -q "lbd\[$cur\] notice: listening sockets: 2 of 2 taken over from pid $old" "$log"
		wait_for 10 "upgrade $u: the old lbd ($old) has exited" bash -c "$(declare -f net_alive); ! net_alive $old"
		t_assert "upgrade $u: the new lbd runs the replaced binary" \
			bash -c "readlink /proc/$cur/exe | grep -qx '$LBIN'"
		sleep 0.3 # steady load between upgrades
	done
fi
t_assert "wrk was still running after the last restart" net_alive "$WRK"
t_assert "the stats listener moved to the new process" ns_exec lb curl -sf -o /dev/null http://192.0.2.10:8404/healthz
touch "$T/stop"
wait "$KA"
cat "$T/ka.log"
wait "$WRK"
cat "$T/wrk.log"
reqs=$(awk '/requests in/ { print $1 }' "$T/wrk.log")
t_assert "wrk made requests ($reqs)" test "${reqs:-0}" -gt 1000
t_assert "wrk: no socket errors (connect, read, write, timeout) over $RESTARTS restarts and 3 upgrades" \
	bash -c "! grep -q 'Socket errors' '$T/wrk.log'"
t_assert "wrk: no non-2xx over $RESTARTS restarts and 3 upgrades" bash -c "! grep -q 'Non-2xx' '$T/wrk.log'"
t_assert "keep-alive client: requests made" grep -Eq '^ok=[1-9][0-9]{2,}' "$T/ka.log"
t_assert "keep-alive client: no failed request" grep -q ' failed=0$' "$T/ka.log"
t_assert "the listening sockets are still the same sockets ($ino_before)" test "$(ino)" = "$ino_before"
net_stop "$cur" # not our child after an upgrade: its status is not ours to wait for
exit 0
