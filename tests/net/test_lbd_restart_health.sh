#!/usr/bin/env bash
# An upgrade keeps the servers' health and admin state: servers with health
# checks and no `start up` (down until rise checks pass, 2 s apart) are up,
# one is drained (`lbctl drain`); a new lbd takes over (SCM_RIGHTS, without
# CAP_BPF, then the SK_REUSEPORT path): right away, before its own checker
# could have passed a check, it reports the same servers up, the drained one
# still drained, and answers requests (no 503), sending them only to the
# servers that are up and ready.  A server that was down stays down.
#
# LBD_HOSTATE=off starts the new lbd without a running one to take state
# from (stop, then start): the servers are then down at first and the same
# checks fail, which shows that the test sees the state being lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require capsh

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_nginx b 192.0.2.12:8080
lbd_conf "$T/lbd.conf" <<'C'
defaults { access-log off; }
backend be { check GET / interval 2s rise 2 fall 3; server a 192.0.2.11:8080; server b 192.0.2.12:8080; server c 192.0.2.13:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"
wait_for 10 "servers a and b up, c down" lbd_check "[x['up'] for x in s['backends'][0]['servers']] == [1, 1, 0]"
t_assert "lbctl drain server be/b" lbctl_ drain server be/b
wait_for 2 "b is drained" lbd_check "s['backends'][0]['servers'][1]['admin'] == 'drain'"

cur=$PID_lbd
n=0
for path in scm bpf; do
	n=$((n + 1))
	old=$cur
	if [ "${LBD_HOSTATE:-on}" = off ]; then
		net_stop "$old"
	fi
	if [ "$path" = scm ]; then
		net_spawn lb "lbd$n" capsh --drop=cap_bpf,cap_sys_admin -- -c 'exec "$0" "$@"' "$BIN/lbd" -n -f "$T/lbd.conf"
	else
		net_spawn lb "lbd$n" "$BIN/lbd" -n -f "$T/lbd.conf"
	fi
	pv="PID_lbd$n"
	cur=${!pv}
	wait_for 5 "$path: the new lbd ($cur) runs" grep -q "running:" "$T/lbd$n.log"
	wait_for 2 "$path: it answers its control socket" lbctl_ status
	t_assert "$path: at once, servers a and b up, c down" lbd_check "[x['up'] for x in s['backends'][0]['servers']] == [1, 1, 0]"
	t_assert "$path: b still drained" lbd_check "s['backends'][0]['servers'][1]['admin'] == 'drain'"
	t_assert "$path: a request is answered by server a" bash -c "ns_exec() { ip netns exec $NS_lb \"\${@:2}\"; }; [ \"\$(ns_exec lb curl -sf --max-time 1 http://192.0.2.10:9192/)\" = a ]"
	t_assert "$path: its log says where the state came from" grep -q "health and admin state of 3 servers taken from pid $old" "$T/lbd$n.log"
	wait_for 10 "$path: the old lbd has exited" bash -c "$(declare -f net_alive); ! net_alive $old"
done
net_stop "$cur"
exit 0
