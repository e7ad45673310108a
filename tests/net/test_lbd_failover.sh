#!/usr/bin/env bash
# A backend killed (SIGKILL) in the middle of a wrk load: requests that
# were on it or go to it are retried on the other server, so the client
# sees no error at all; lbd's counters say what happened.  The GETs in
# flight on b had gone out whole: replaying them needs 'retry-on
# empty-response' (by default a request sent whole is not sent again).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require wrk

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_nginx b 192.0.2.12:8080
lbd_conf "$T/lbd.conf" <<'C'
defaults { retries 3; retry-on empty-response; access-log off; }
backend be { server a 192.0.2.11:8080; server b 192.0.2.12:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"

ns_exec lb wrk -t1 -c20 -d4s http://192.0.2.10:9192/ > "$T/wrk.out" 2>&1 &
WRK=$!
wait_for 5 "load reaches both servers" lbd_check "min(x['requests'] for x in s['backends'][0]['servers']) > 100"
kill -KILL "$PID_nginx_b"
t_log "killed nginx b"
wait "$WRK"
cat "$T/wrk.out"
reqs=$(awk '/requests in/ { print $1 }' "$T/wrk.out")
t_assert "wrk made requests ($reqs)" test "${reqs:-0}" -gt 1000
t_assert "no socket errors at the client" bash -c "! grep -q 'Socket errors' '$T/wrk.out'"
t_assert "no non-2xx answers at the client" bash -c "! grep -q 'Non-2xx' '$T/wrk.out'"
t_assert "b's failures counted (connect or response errors)" \
	test "$(lbd_stat "(lambda b: b['err_conn'] + b['err_resp'] > 0)(s['backends'][0]['servers'][1])")" = True
t_assert "and retried elsewhere" test "$(lbd_stat "s['backends'][0]['retries'] > 0 and s['backends'][0]['redispatches'] > 0")" = True
t_assert "no 5xx sent" test "$(lbd_stat "s['frontends'][0]['5xx']")" = 0
t_assert "after the kill every request goes to a" test "$(c http://192.0.2.10:9192/ http://192.0.2.10:9192/ | tr -d '\n')" = aa
