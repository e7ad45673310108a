#!/usr/bin/env bash
# h2load as an HTTP/1.1 client (--h1): 4,000 requests over 20 keep-alive
# connections with pipelining depth 1 and 4. Every request answered 2xx, none
# failed, and lbd's round robin shares them evenly between the two servers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require h2load

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_nginx b 192.0.2.12:8080
lbd_conf "$T/lbd.conf" <<'C'
defaults { access-log off; }
backend be { server a 192.0.2.11:8080; server b 192.0.2.12:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"

for depth in 1 4; do
	ns_exec lb timeout 60 h2load --h1 -n 2000 -c 20 -m "$depth" http://192.0.2.10:9192/ > "$T/h2load-$depth.out" 2>&1
	cat "$T/h2load-$depth.out" | grep -E '^(requests|status codes|finished)'
	t_assert "depth $depth: 2000 requests succeeded" \
		grep -q 'requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout' "$T/h2load-$depth.out"
	t_assert "depth $depth: all answers 2xx" grep -q 'status codes: 2000 2xx' "$T/h2load-$depth.out"
done

a=$(lbd_stat "s['backends'][0]['servers'][0]['requests']")
b=$(lbd_stat "s['backends'][0]['servers'][1]['requests']")
t_log "server a: $a requests, server b: $b requests"
t_assert "every request reached a server" test $((a + b)) -ge 4000
t_assert "round robin per request: each server has 45-55% ($a / $b)" \
	test $((a * 100 / (a + b))) -ge 45 -a $((a * 100 / (a + b))) -le 55
t_assert "no 5xx sent" test "$(lbd_stat "s['frontends'][0]['5xx']")" = 0
