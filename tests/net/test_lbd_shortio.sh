#!/usr/bin/env bash
# Short sends after a head that grew in place.  lbd
# rewrites a head in its buffer, which may make it longer than the read
# limit (a space after each colon, X-Forwarded-For/Proto, Connection: close);
# when the next send to the other side then takes only a few bytes, the
# room left for the next read must not be computed as negative.  lbd runs
# under tests/faultinj with every send cut short (FAULTINJ_OPS=send,
# FAULTINJ_RATE=100), which a non-blocking socket may do at any time:
#   - a PUT with 90 headers written "Xn:v" and a 20,000-byte body (client read path)
#   - a response with 90 such headers and a 200 KB body (server read path)
# Each goes 20 times; every body arrives intact and ASan reports nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require socat cmp

lbd_setup
lbd_nginx a 192.0.2.11:8080
# A failure is most likely ASan stopping lbd: give it time to write its report.
lbd_gone() { ! net_alive "$PID_lbd"; }
fail() { wait_until 20 lbd_gone; t_fail "$@"; }
hdrs() { local i; for i in $(seq 1 90); do printf 'X%d:v\r\n' "$i"; done; }
head -c 20000 /dev/urandom > "$T/req.body"
head -c 200000 /dev/urandom > "$T/resp.body"
{ printf 'HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n'; hdrs; printf '\r\n'; cat "$T/resp.body"; } > "$T/resp"
net_spawn lb bighead "$PY" "$(dirname "$0")/lbd_backend.py" 192.0.2.12 8081 canned "$T/resp"
wait_for 5 "the backend with big heads" ns_exec lb curl -sf -o /dev/null http://192.0.2.12:8081/
LBD_WORKERS=1 lbd_conf "$T/lbd.conf" <<'C'
backend be { server a 192.0.2.11:8080; }
backend big { server b 192.0.2.12:8081; }
frontend fe { bind 192.0.2.10:9192; backend be; }
frontend big { bind 192.0.2.10:9193; backend big; }
C
FAULTINJ=1 FAULTINJ_OPS=send FAULTINJ_RATE=100 lbd_start "$T/lbd.conf"
wait_for 5 "nginx through lbd" c -f http://192.0.2.10:9192/

for i in $(seq 1 20); do
	{ printf 'PUT /up/p%d HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\nConnection: close\r\n' "$i"; hdrs
	  printf '\r\n'; cat "$T/req.body"; } | ns_exec lb socat -t 5 - TCP:192.0.2.10:9192 > "$T/put.out"
	grep -q '^HTTP/1.1 201' "$T/put.out" || fail "PUT $i not answered 201: $(head -c 200 "$T/put.out")"
	cmp -s "$T/req.body" "$T/www-a/up/p$i" || fail "PUT $i body not stored intact"
done
t_log "ok: 20 PUTs with 90 grown headers stored intact"
for i in $(seq 1 20); do
	c -f -o "$T/get.out" http://192.0.2.10:9193/ || fail "GET $i failed"
	cmp -s "$T/resp.body" "$T/get.out" || fail "GET $i body not intact"
done
t_log "ok: 20 responses with 90 grown headers arrived intact"
t_assert "lbd cut its sends short (the shim was in)" grep -q '^faultinj: seed' "$T/lbd.log"
t_assert "lbd still running" net_alive "$PID_lbd"
t_assert "no sanitizer report" test -z "$(compgen -G "$T/*san.*")"
