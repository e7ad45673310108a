#!/usr/bin/env bash
# Restarts and upgrades on the SK_REUSEPORT path (lbd with CAP_BPF): the new
# lbd opens listening sockets of its own beside the running one's, attaches
# its BPF program to each address's reuseport group (new connections go to
# the new sockets), and the old lbd stops listening: the connections waiting
# in its accept queues are migrated to the new sockets, not reset.
#
# 1. Under steady load (wrk -c20, and a keep-alive client that pipelines), a
#    new lbd is started 10 times beside the running one, then the binary is
#    replaced and the running lbd upgraded 3 times (SIGUSR2, lbctl upgrade):
#    zero socket errors, zero non-2xx, zero failed keep-alive requests; each
#    new lbd says it took the BPF path, and the listening sockets are new ones
#    each time.
# 2. Migration: both worker threads of the running lbd are frozen (ptrace),
#    20 clients connect and send a request (they wait in its accept queues),
#    then a new lbd starts: all 20 are answered 200 while the old workers are
#    still frozen, and the new lbd counts them as migrated.
#
# LBD_MIGRATE=off restarts the plain way in part 2 (SIGTERM, wait for the
# exit, start a new lbd without BPF): part 2 then fails (the waiting
# connections are reset when the old lbd closes its sockets), which shows
# that the test sees a restart that loses them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require wrk ss capsh
capsh --has-p=cap_bpf 2>/dev/null || capsh --has-p=cap_sys_admin 2>/dev/null ||
	net_unavailable "loading an SK_REUSEPORT program needs CAP_BPF"
# Migration of a closed listener's queue: Linux 5.14.
IFS=. read -r kmaj kmin _ < /proc/sys/kernel/osrelease
[ "$kmaj" -gt 5 ] || { [ "$kmaj" = 5 ] && [ "${kmin%%[!0-9]*}" -ge 14 ]; } ||
	net_unavailable "Linux $kmaj.$kmin cannot migrate a listener's queue (5.14)"

RESTARTS=10
MODE=${LBD_MIGRATE:-on}

lbd_restart_lab

# ---- 1. restarts and upgrades at steady load -------------------------------------
lbd_steady_load

cur=$PID_lbd
for i in $(seq 1 "$RESTARTS"); do
	old=$cur
	ino_old=$(lbd_inodes)
	lbd_restart "$i" "$old"
	cur=$LBD_NEW
	t_assert "restart $i: the new lbd took the SK_REUSEPORT path" \
		grep -q "opened beside pid $old's, steered to by the SK_REUSEPORT program (BPF)" "$T/lbd$i.log"
	t_assert "restart $i: its listening sockets are new ones" test "$(lbd_inodes)" != "$ino_old"
	sleep 0.3 # steady load between restarts
done
for u in 1 2 3; do
	old=$cur
	log=$T/lbd$RESTARTS.log
	lbd_upgrade "$u" "$old" "$log"
	cur=$LBD_NEW
	wait_for 5 "upgrade $u: the new lbd ($cur) took the SK_REUSEPORT path" \
		grep -q "lbd\[$cur\] notice: listening sockets: 2 opened beside pid $old's" "$log"
	wait_for 10 "upgrade $u: the old lbd ($old) has exited" lbd_exited "$old"
	sleep 0.3
done
t_assert "wrk was still running after the last upgrade" net_alive "$WRK"
lbd_steady_check "$RESTARTS restarts and 3 upgrades"

# ---- 2. the connections waiting in the old accept queues are migrated ------------
FREEZE_S=12
NQ=20
for w in lbd-w0 lbd-w1; do
	"$PY" "$REPO/tests/net/lbd_freeze_thread.py" "$cur" "$w" "$FREEZE_S" >"$T/freeze-$w.out" 2>&1 &
	NET_PIDS+=("$!")
	wait_for 5 "worker $w of lbd $cur frozen" grep -q frozen "$T/freeze-$w.out"
done
frozen_at=$(date +%s)
for q in $(seq 1 "$NQ"); do
	net_spawn lb "q$q" curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 http://192.0.2.10:9192/
done
queued_ge() { [ "$(ns_exec lb ss -tln 'sport = :9192' | awk 'NR > 1 { n += $2 } END { print n + 0 }')" -ge "$1" ]; }
wait_for 5 "$NQ connections wait in the frozen lbd's accept queues" queued_ge "$NQ"
old=$cur
if [ "$MODE" = off ]; then
	kill -TERM "$old"
	wait_until 20 bash -c "$(declare -f net_alive); ! net_alive $old"
	net_spawn lb lbdm capsh --drop=cap_bpf,cap_sys_admin -- -c 'exec "$0" "$@"' "$LBIN" -n -f "$T/lbd.conf"
else
	net_spawn lb lbdm "$LBIN" -n -f "$T/lbd.conf"
fi
cur=$PID_lbdm
wait_for 5 "the new lbd ($cur) runs" grep -q "running:" "$T/lbdm.log"
answered() { [ "$(cat "$T"/q*.log 2>/dev/null | grep -c '^200$')" = "$NQ" ]; }
wait_until 8 answered
t_assert "all $NQ waiting connections answered 200 by the new lbd while the old one's workers are frozen" \
	test "$(cat "$T"/q*.log | grep -c '^200$')" = "$NQ" -a "$(($(date +%s) - frozen_at))" -lt "$FREEZE_S"
cat "$T/lbdm.log"
t_assert "the new lbd counted them as migrated" \
	grep -Eq "handover: ([2-9][0-9]|[0-9]{3,}) connections migrated from pid $old's listening sockets" "$T/lbdm.log"
wait_for 20 "the old lbd ($old) has exited once thawed" lbd_exited "$old"
net_stop "$cur"
exit 0
