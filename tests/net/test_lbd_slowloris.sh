#!/usr/bin/env bash
# Slow-loris: 1,000 clients trickle request heads that never end; each gets
# 408 when 'timeout http-request' (2s) expires, while a normal client keeps
# getting fast answers the whole time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_conf "$T/lbd.conf" <<'C'
defaults { timeout http-request 2s; access-log off; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
ulimit -n 8192
lbd_start "$T/lbd.conf"

ns_exec lb "$PY" "$(dirname "$0")/lbd_slowloris.py" 192.0.2.10 9192 1000 8 > "$T/loris.out" 2>&1 &
LORIS=$!
wait_for 10 "1000 slow clients connected" lbd_check "s['frontends'][0]['conn_cur'] >= 1000"
: > "$T/times"
for i in $(seq 1 30); do
	c -o /dev/null -w '%{http_code} %{time_total}\n' http://192.0.2.10:9192/ >> "$T/times"
	sleep 0.05
done
wait "$LORIS"
t_log "slow clients: $(cat "$T/loris.out")"
t_log "normal client: $(sort -k2 -n "$T/times" | awk '{ t[NR] = $2 } END { printf "p50 %ss max %ss", t[int(NR/2)], t[NR] }')"
t_assert "the normal client got 30 answers 200" test "$(grep -c '^200 ' "$T/times")" = 30
# Under fault injection the 1000 timeouts, each answered in more system
# calls, can hold a request up to about 1 s (seen 0.55-1.0 s, 5 of 85 runs).
MAXT=0.5; [ -n "${FAULTINJ:-}" ] && MAXT=1.5
t_assert "its slowest answer took under $MAXT s" awk -v m=$MAXT '$2 > m { exit 1 }' "$T/times"
t_assert "its median under 50 ms" test "$(sort -k2 -n "$T/times" | awk 'NR == 15 { print ($2 < 0.05) }')" = 1
t_assert "every slow client got 408" grep -q '408=1000 other=0 unanswered=0 connect_failed=0' "$T/loris.out"
t_assert "each of the 1000 timeouts counted once" test "$(lbd_stat "s['frontends'][0]['timeouts']")" = 1000
