#!/usr/bin/env bash
# HTTP/1.0 clients: "Connection: keep-alive" is honoured (RFC 9112 9.3), as
# HAProxy does: three requests on one connection (lbd_http10.py uses one
# socket), each answered with
# "Connection: keep-alive"; without it, the answer says "Connection: close"
# and the connection ends.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_conf "$T/lbd.conf" <<'C'
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"

ns_exec lb "$PY" "$(dirname "$0")/lbd_http10.py" 192.0.2.10 9192 3 "Connection: keep-alive" > "$T/ka" 2>&1
t_log "keep-alive: $(tr '\n' ' ' < "$T/ka")"
t_assert "three HTTP/1.0 keep-alive requests on one connection, each 200 keep-alive" \
	test "$(cat "$T/ka")" = "$(printf '200 keep-alive\n200 keep-alive\n200 keep-alive')"
ns_exec lb "$PY" "$(dirname "$0")/lbd_http10.py" 192.0.2.10 9192 2 > "$T/plain" 2>&1
t_log "plain HTTP/1.0: $(tr '\n' ' ' < "$T/plain")"
t_assert "without keep-alive: one answer, Connection: close" test "$(cat "$T/plain")" = "200 close"
