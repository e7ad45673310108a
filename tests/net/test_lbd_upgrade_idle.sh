#!/usr/bin/env bash
# An upgrade closes no idle keep-alive connection under its client.  Once a
# successor accepts on the listening sockets (here a new lbd started beside
# the old one, as `lbctl upgrade` starts it), the old lbd keeps an idle
# connection for its usual `timeout keep-alive` (within `grace`) instead of
# XCH_STOP_IDLE_S (0.3 s, which a `systemctl restart` needs: there new
# connections wait for the old process's exit).  Closing an idle connection
# races with a client that sends on it at that moment (an EOF or a reset
# instead of an answer: wrk counted read errors in test_pkg_upgrade under
# CPU load); the client's next request is answered instead, with
# "Connection: close".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require ss

lbd_setup
lbd_nginx a 192.0.2.11:8080
cat > "$T/lbd.conf" <<C
global { workers 2; control $LBD_SOCK; access-log stdout; grace 10s; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"
old=$PID_lbd
wait_for 5 "lbd answers" c -sf -o /dev/null --max-time 1 http://192.0.2.10:9192/

# One keep-alive connection: a request and its answer; the next request
# once $T/go exists, and what came back.
net_spawn lb client "$PY" -c '
import os, socket, sys, time
s = socket.create_connection(("192.0.2.10", 9192), timeout=10)
req = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
def answer():
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            return "EOF"
        buf += d
    head = buf.partition(b"\r\n\r\n")[0].decode().split("\r\n")
    conn = [l.split(":")[1].strip().lower() for l in head if l.lower().startswith("connection:")]
    return head[0].split()[1] + " connection=" + (conn[0] if conn else "-")
s.sendall(req)
print("first", answer(), flush=True)
for _ in range(3000):
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.01)
s.sendall(req)
try:
    print("second", answer(), flush=True)
except OSError as e:
    print("second", type(e).__name__, flush=True)
' "$T/go"
wait_for 5 "the first answer came" grep -q '^first 200 ' "$T/client.log"

conn_open() { ns_exec lb ss -Htn state established 'sport = :9192' | grep -q .; }
net_spawn lb lbd2 "$BIN/lbd" -n -f "$T/lbd.conf"
wait_for 10 "the new lbd runs (it took the listening sockets over)" grep -q "running:" "$T/lbd2.log"
wait_for 5 "the old lbd stops" grep -q "lbd\[$old\] notice: stopping" "$T/lbd.log"
sleep 0.6 # the window: twice XCH_STOP_IDLE_S, in which the old lbd closed it
t_assert "the old lbd kept the idle connection open" conn_open
touch "$T/go"
wait_for 5 "an answer or an end came" grep -q '^second ' "$T/client.log"
t_log "client: $(tr '\n' ' ' < "$T/client.log")"
t_assert "the next request on it was answered (200, Connection: close)" \
	grep -q '^second 200 connection=close$' "$T/client.log"
wait_for 5 "the old lbd exited once its last connection closed" lbd_exited "$old"
t_assert "the new lbd answers" c -sf -o /dev/null --max-time 1 http://192.0.2.10:9192/
net_stop "$PID_lbd2"
exit 0
