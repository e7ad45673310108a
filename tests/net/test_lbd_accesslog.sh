#!/usr/bin/env bash
# The access log to syslog never holds up a request.  lbd runs with
# `access-log syslog` and its /dev/log is a socket read by this test
# (lbd_devlog.sh, lbd_syslog_reader.py).  Lines arrive in HAProxy's httplog
# format.  Then the reader stops reading (a wedged journald): 3,000 requests
# on one connection are all answered at once, /healthz stays 200, the lines
# that could not go are dropped and counted in the stats (at most a queue's
# worth waits); when the reader reads again the waiting lines and new ones
# arrive, and sent + dropped = requests.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require unshare

lbd_setup
# A syslog socket's queue as on a systemd host (the kernel's default is 10).
ns_exec lb sysctl -qw net.unix.max_dgram_qlen=512
lbd_nginx a 192.0.2.11:8080
net_spawn lb reader "$PY" "$(dirname "$0")/lbd_syslog_reader.py" "$T/log.sock" "$T/syslog"
wait_for 5 "the syslog reader listens" test -S "$T/log.sock"
cat > "$T/lbd.conf" <<C
global { workers 2; control $LBD_SOCK; access-log syslog; stats 192.0.2.10:8404 vrrp $T/none.sock; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
net_spawn lb lbd "$(dirname "$0")/lbd_devlog.sh" "$T/log.sock" "$BIN/lbd" -n -f "$T/lbd.conf"
wait_for 5 "lbd control socket" lbctl_ status
stat() { c 'http://192.0.2.10:8404/stats;json' | "$PY" -c "import json,sys; s=json.load(sys.stdin)['lbd']; print($1)"; }

for i in $(seq 1 10); do c -o /dev/null "http://192.0.2.10:9192/?n=$i"; done
wait_for 10 "10 lines at the reader" test "$(grep -c 'GET /?n=' "$T/syslog")" = 10
line='^<30>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} lbd\[[0-9]+\]: 192\.0\.2\.10:[0-9]+ '
line+='\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\] fe be/a '
line+='[0-9]+/0/[0-9]+/[0-9]+/[0-9]+ 200 [0-9]+ - - ---- [0-9]+/[0-9]+/[0-9]+/[0-9]+/0 0/0 "GET /\?n=[0-9]+ HTTP/1\.1"$'
t_assert "each line is HAProxy's httplog format behind a syslog header" \
	test "$(grep -cE "$line" "$T/syslog")" = 10

kill -STOP "$PID_reader"
net_on_exit "kill -CONT $PID_reader"
urls=$(for i in $(seq 1 3000); do printf -- '-o /dev/null http://192.0.2.10:9192/?stalled=%d ' "$i"; done)
start=$(date +%s%N)
# shellcheck disable=SC2086
timeout 60 ip netns exec "$NS_lb" curl --noproxy '*' -s -w '%{http_code}\n' $urls > "$T/codes"
took=$((($(date +%s%N) - start) / 1000000))
t_log "3000 requests with the reader stopped: $(sort "$T/codes" | uniq -c | tr -s ' \n' ' ')in ${took} ms"
t_assert "all 3000 answered 200 while syslog does not read" test "$(grep -c '^200$' "$T/codes")" = 3000
t_assert "in under 20 s" test "$took" -lt 20000
t_assert "/healthz stays 200" test "$(c -o /dev/null -w '%{http_code}' http://192.0.2.10:8404/healthz)" = 200
t_log "sent $(stat "s['log_sent']"), dropped $(stat "s['log_dropped']")"
t_assert "most of them dropped and counted (the reader's queue and lbd's hold a few hundred)" \
	test "$(stat "s['log_dropped'] >= 2000 and s['log_sent'] + s['log_dropped'] <= 3010")" = True
t_assert "and in /metrics" sh -c "ip netns exec $NS_lb curl -s http://192.0.2.10:8404/metrics | grep -Eq '^lbd_access_log_dropped_total [0-9]{3,}$'"

kill -CONT "$PID_reader"
c -o /dev/null "http://192.0.2.10:9192/?after=1"
wait_for 10 "a line after the reader came back" grep -q 'GET /?after=1 ' "$T/syslog"
wait_for 10 "every line sent or dropped (3011)" test "$(stat "s['log_sent'] + s['log_dropped']")" = 3011
t_log "sent $(stat "s['log_sent']"), dropped $(stat "s['log_dropped']"), at the reader $(wc -l < "$T/syslog")"
t_assert "the reader got every line sent" test "$(wc -l < "$T/syslog")" = "$(stat "s['log_sent']")"
