#!/usr/bin/env bash
# A pooled connection the server closed is not reused:
# a server that closes each connection with its answer, without saying so
# (keep-alive headers, the FIN in the same segment), so lbd pools the
# connection with the FIN already in.  A GET and a POST pipelined behind it
# on one client connection: the POST must go on a new connection and be
# answered 200 (not 502: a POST is never sent again once it reached a
# server).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require socat

lbd_setup
net_spawn lb closer "$PY" "$(dirname "$0")/lbd_backend.py" 192.0.2.11 8081 answerclose "" "$T/seen"
wait_for 5 "the backend that closes as it answers" ns_exec lb curl -sf -o /dev/null http://192.0.2.11:8081/
lbd_conf "$T/lbd.conf" <<'C'
backend be { server a 192.0.2.11:8081; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"

for i in 1 2 3 4 5; do
	out=$(raw "GET /g$i HTTP/1.1\r\nHost: x\r\n\r\nPOST /p$i HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
	codes=$(grep -ao '^HTTP/1.1 [0-9]*' <<<"$out" | cut -d' ' -f2 | tr '\n' ' ')
	t_assert "GET and pipelined POST $i both answered 200 (got: $codes)" test "$codes" = "200 200 "
done
t_assert "each POST reached the server once" test "$(grep -c '^POST ' "$T/seen")" = 5
