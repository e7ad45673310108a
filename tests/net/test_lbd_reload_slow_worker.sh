#!/usr/bin/env bash
# A reload while one worker is stuck (stopped with ptrace for 8 s, longer
# than the main thread's 5 s wait for the workers' acknowledgements): the
# reload still completes, lbd logs which worker is late, the listener the new
# configuration dropped stays open until that worker has switched too and is
# closed then, and afterwards both workers serve the new configuration.
# Against the ThreadSanitizer build (tests/run.sh) this also checks that the
# late worker and the main thread never touch the listener table unlocked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require curl

lbd_setup
lbd_nginx a 192.0.2.11:8080
conf() { # second frontend's port
	lbd_conf "$T/lbd.conf" <<C
defaults { access-log off; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
frontend fe2 { bind 192.0.2.10:$1; backend be; }
C
}
conf 9193
LBD_WORKERS=2 lbd_start "$T/lbd.conf"
wait_for 5 ":9193 serves" c -f -o /dev/null --max-time 2 http://192.0.2.10:9193/

"$PY" "$REPO/tests/net/lbd_freeze_thread.py" "$PID_lbd" lbd-w1 8 >"$T/freeze.out" 2>&1 &
freezer=$!
net_on_exit "kill $freezer"
wait_for 3 "worker 1 stopped" grep -q '^frozen' "$T/freeze.out"

conf 9194
kill -HUP "$PID_lbd"
wait_for 10 "configuration 2 loaded (after the 5 s wait)" grep -q 'configuration 2 loaded' "$T/lbd.log"
t_assert "lbd names the late worker" grep -q 'worker 1 has not taken configuration 2' "$T/lbd.log"
t_assert "lbctl answers while worker 1 is stuck" lbctl_ status

wait_for 10 "worker 1 running again" grep -q '^thawed' "$T/freeze.out"
wait "$freezer" || t_fail "the freezer failed: $(cat "$T/freeze.out")"
wait_for 5 ":9193 closed once worker 1 switched" eval '! c -o /dev/null --max-time 2 http://192.0.2.10:9193/ 2>/dev/null'
ok=0
for _ in $(seq 1 20); do c -f -o /dev/null --max-time 2 http://192.0.2.10:9194/ && ok=$((ok + 1)); done
t_assert "20 of 20 requests to :9194 answered (both workers listen)" [ "$ok" = 20 ]
t_assert "lbctl status: generation 2" [ "$(lbd_stat "s['generation']")" = 2 ]
t_assert "lbd still running" net_alive "$PID_lbd"
t_log "PASS"
