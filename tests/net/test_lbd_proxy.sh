#!/usr/bin/env bash
# lbd as a user sees it: round robin per request over one keep-alive
# connection, pipelining, HTTP/1.0, X-Forwarded-For/Proto, hop-by-hop
# headers, Expect: 100-continue, and the error answers 502/503/504, against
# Debian's nginx as backends and curl/socat as clients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require socat

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_nginx b 192.0.2.12:8080
# a server that accepts and never answers (504), one that answers garbage (502)
net_spawn lb mute socat TCP-LISTEN:8090,bind=192.0.2.13,fork,reuseaddr SYSTEM:'sleep 20'
printf 'printf "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nContent-Length: 6\\r\\n\\r\\nhello"; sleep 1\n' > "$T/liar.sh"
net_spawn lb liar socat TCP-LISTEN:8091,bind=192.0.2.13,fork,reuseaddr EXEC:"sh $T/liar.sh"
lbd_conf "$T/lbd.conf" <<'C'
defaults { timeout server 1s; timeout connect 1s; retries 2; }
backend be { server a 192.0.2.11:8080; server b 192.0.2.12:8080; }
backend mute { server m 192.0.2.13:8090; }
backend liar { server l 192.0.2.13:8091; }
backend nobody { server n1 192.0.2.13:1; server n2 192.0.2.13:2; }
frontend fe { bind 192.0.2.10:9192; backend be; }
frontend mute { bind 192.0.2.10:9193; backend mute; }
frontend liar { bind 192.0.2.10:9194; backend liar; }
frontend nobody { bind 192.0.2.10:9195; backend nobody; }
C
lbd_start "$T/lbd.conf"
U=http://192.0.2.10:9192

# Round robin per request on ONE keep-alive connection.
out=$(c $U/ $U/ $U/ $U/ $U/ $U/ | tr -d '\n')
t_assert "6 requests on one connection alternate a/b (got $out)" \
	test "$out" = ababab -o "$out" = bababa
t_assert "they used one client connection" test "$(lbd_stat "s['frontends'][0]['conn_total']")" = 1

# Pipelined requests are answered in order, each by the next server.
resp=$(raw 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /headers HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
t_assert "three pipelined answers" test "$(grep -c '^HTTP/1.1 200' <<<"$resp")" = 3
bodies=$(tr -d '\r' <<<"$resp" | grep -E '^(a|b|xff=.*)$' | cut -c1-4 | tr '\n' ' ')
t_assert "in order /, /headers, / (bodies: $bodies)" bash -c '[[ "$1" =~ ^[ab]\ xff=\ [ab]\ $ ]]' _ "$bodies"

# X-Forwarded-For appended to the client's (one header), X-Forwarded-Proto set, Host kept.
h=$(c -H 'X-Forwarded-For: 203.0.113.7' -H 'X-Forwarded-Proto: https' -H 'Host: thanos.example' $U/headers)
t_assert "XFF appended: $h" grep -q 'xff=203.0.113.7, 192.0.2.10 xfp=http host=thanos.example' <<<"$h"
# hop-by-hop: Connection and the headers it names do not reach the server
h=$(c -H 'Connection: keep-alive, X-Foo' -H 'X-Foo: secret' -H 'Keep-Alive: timeout=5' $U/headers)
t_assert "hop-by-hop headers removed: $h" grep -q 'conn= ka= foo=$' <<<"$h"

# HTTP/1.0 client: answered, connection closed.
r=$(c -0 -i $U/)
t_assert "HTTP/1.0 works" grep -q '^HTTP/1.1 200' <<<"$r"
t_assert "HTTP/1.0 gets Connection: close" grep -qi '^Connection: close' <<<"$r"

# Expect: 100-continue passes through (nginx answers 100 before the body).
head -c 300000 /dev/urandom > "$T/body"
v=$(c -v -H 'Expect: 100-continue' -T "$T/body" $U/up/expect 2>&1)
t_assert "100 Continue relayed" grep -q '< HTTP/1.1 100 Continue' <<<"$v"
t_assert "upload stored intact" bash -c "cmp -s '$T/body' '$T/www-a/up/expect' || cmp -s '$T/body' '$T/www-b/up/expect'"

# Errors: 504 server timeout, 502 broken response, 503 nobody listening.
t_assert "504 when the server does not answer in 'timeout server'" \
	test "$(c -o /dev/null -w '%{http_code}' http://192.0.2.10:9193/)" = 504
t_assert "502 for a response with two Content-Length" \
	test "$(c -o /dev/null -w '%{http_code}' http://192.0.2.10:9194/)" = 502
t_assert "503 when no server accepts" test "$(c -o /dev/null -w '%{http_code}' http://192.0.2.10:9195/)" = 503
t_assert "the 503 retried: 2 retries, connect errors counted" \
	test "$(lbd_stat "s['backends'][3]['retries'], s['backends'][3]['servers'][0]['err_conn'] + s['backends'][3]['servers'][1]['err_conn']")" = "2 3"
t_assert "error bodies are short text" test "$(c http://192.0.2.10:9195/)" = "503 Service Unavailable"

# One access-log line per request, with server, status and termination.
t_assert "access log names backend/server and status" grep -q ' fe be/[ab] [-0-9/]* 200 .* ---- .*"GET /headers HTTP/1.1"' "$T/lbd.log"
t_assert "access log shows the 504 as a server timeout" grep -q ' mute mute/m [-0-9/]* 504 .* sT-- ' "$T/lbd.log"
t_assert "lbd still running" lbctl_ status
