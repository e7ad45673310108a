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

# lbd runs from a copy of the binary that the upgrades replace.
lbd_restart_lab "${NOBPF[@]}"
ino_before=$(lbd_inodes)
t_log "listening sockets: $ino_before"

lbd_steady_load

cur=$PID_lbd
for i in $(seq 1 "$RESTARTS"); do
	old=$cur
	[ "$MODE" != plain ] || net_stop "$old"
	lbd_restart "$i" "$old" "${NOBPF[@]}"
	cur=$LBD_NEW
	if [ "$MODE" != plain ]; then
		t_assert "restart $i: the new lbd took the sockets over" grep -q "taken over from pid $old" "$T/lbd$i.log"
		t_assert "restart $i: its log says why not BPF" grep -q "cannot load the SK_REUSEPORT program: .*(no CAP_BPF): taking its listening sockets over SCM_RIGHTS" "$T/lbd$i.log"
	fi
	sleep 0.3 # steady load between restarts
done
if [ "$MODE" != plain ]; then
	for u in 1 2 3; do
		old=$cur
		log=$T/lbd$RESTARTS.log
		lbd_upgrade "$u" "$old" "$log"
		cur=$LBD_NEW
		wait_for 5 "upgrade $u: the new lbd ($cur) took the sockets over" \
			grep -q "lbd\[$cur\] notice: listening sockets: 2 of 2 taken over from pid $old" "$log"
		wait_for 10 "upgrade $u: the old lbd ($old) has exited" lbd_exited "$old"
		t_assert "upgrade $u: the new lbd runs the replaced binary" \
			bash -c "readlink /proc/$cur/exe | grep -qx '$LBIN'"
		sleep 0.3 # steady load between upgrades
	done
fi
t_assert "wrk was still running after the last restart" net_alive "$WRK"
t_assert "the stats listener moved to the new process" ns_exec lb curl -sf -o /dev/null http://192.0.2.10:8404/healthz
lbd_steady_check "$RESTARTS restarts and 3 upgrades"
t_assert "the listening sockets are still the same sockets ($ino_before)" test "$(lbd_inodes)" = "$ino_before"
net_stop "$cur" # not our child after an upgrade: its status is not ours to wait for
exit 0
