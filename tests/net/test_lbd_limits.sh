#!/usr/bin/env bash
# Limits and binding: a frontend at its maxconn stops accepting (a new
# client waits in the backlog, it is not reset) while the other frontends
# go on accepting, and resumes when a connection closes; lbd listens on an address the host does not have yet
# (IP_FREEBIND, the backup node on the VIP) and serves it once it appears.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require socat

lbd_setup
lbd_nginx a 192.0.2.11:8080
# One worker, so the frontend at its limit and the other one are watched
# by the same loop.
LBD_WORKERS=1 lbd_conf "$T/lbd.conf" <<'C'
defaults { timeout keep-alive 30s; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; maxconn 2; }
frontend other { bind 192.0.2.10:3100; backend be; }
frontend vip { bind 198.51.100.100:9192; backend be; }
C
lbd_start "$T/lbd.conf"

# Two clients hold their keep-alive connections open.
# ip netns exec, not the ns_exec function: a function would run in a
# subshell of its own, $! would be that shell, and killing it would leave
# socat and its connection alone (the connection then closed only when the
# sleep ended, just inside the next curl's 5 s).
for i in 1 2; do
	(printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'; sleep 6) | ip netns exec "$NS_lb" socat -t 6 - TCP:192.0.2.10:9192 > "$T/hold$i.out" &
	eval "HOLD$i=\$!"
done
wait_for 5 "two connections held" lbd_check "s['frontends'][0]['conn_cur'] == 2"
c --max-time 1 http://192.0.2.10:9192/ > /dev/null 2>&1
rc=$?
t_assert "a third client waits (curl timed out, exit 28), not reset (got $rc)" test "$rc" = 28
t_assert "still 2 connections" lbd_check "s['frontends'][0]['conn_cur'] <= 2"
t_assert "meanwhile another frontend accepts and serves" test "$(c --max-time 2 http://192.0.2.10:3100/)" = a
kill "$HOLD1" 2>/dev/null || :
wait_for 3 "the first held connection closed" lbd_check "s['frontends'][0]['conn_cur'] <= 1"
t_assert "once one closes, the next client is served" test "$(c --max-time 5 http://192.0.2.10:9192/)" = a

# The VIP is not on the host: lbd listens anyway; once added, it answers there.
ip -n "$NS_lb" addr add 198.51.100.100/32 dev lo
t_assert "answers on the VIP once it is added" test "$(c --max-time 5 http://198.51.100.100:9192/)" = a
kill "$HOLD2" 2>/dev/null || :
