#!/usr/bin/env bash
# lbd does not close an idle keep-alive connection whose next request is
# already in its socket.  lbd is stalled (SIGSTOP, as a CPU-starved lbd
# is) while a connection is idle between requests; the client sends its
# next request meanwhile, and lbd resumes after the connection's idle
# deadline has passed, with the request waiting in the socket: the timer
# runs before the read in that loop pass.  The client gets its answer, not
# an EOF or a reset (closing with the request unread sent a reset, seen;
# wrk counted such resets as read errors in test_pkg_upgrade under CPU
# load).  Twice: at the end of `timeout keep-alive` (2 s here), and while
# lbd stops (SIGTERM: XCH_STOP_IDLE_S, 0.3 s, then "Connection: close").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require ss

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_conf "$T/lbd.conf" <<'C'
defaults { timeout keep-alive 2s; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C

# One keep-alive connection: a request and its answer, then, once the file
# argv[1] exists, the next request on it and what came back.
cat > "$T/client.py" <<'EOF'
import os, socket, sys, time
go = sys.argv[1]
s = socket.create_connection(("192.0.2.10", 9192), timeout=10)
req = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
def answer():
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            return "EOF"
        buf += d
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    n = [int(l.split(":")[1]) for l in lines if l.lower().startswith("content-length:")][0]
    while len(body) < n:
        d = s.recv(4096)
        if not d:
            return "EOF"
        body += d
    conn = [l.split(":")[1].strip().lower() for l in lines if l.lower().startswith("connection:")]
    return lines[0].split()[1] + " connection=" + (conn[0] if conn else "-")
s.sendall(req)
print("first", answer(), flush=True)
for _ in range(3000):
    if os.path.exists(go):
        break
    time.sleep(0.01)
s.sendall(req)
print("sent", flush=True)
try:
    print("second", answer(), flush=True)
except OSError as e:
    print("second", type(e).__name__, flush=True)
EOF

not_listening() { ! ns_exec lb ss -Hltn 'sport = :9192' | grep -q .; }
# lbd's end of the client's connection is still open (lbd has not closed it).
conn_open() { ns_exec lb ss -Htn state established 'sport = :9192' | grep -q .; }
# ... and the next request waits unread in it.
queued() { ns_exec lb ss -Htn state established 'sport = :9192' | awk '$1 > 0 { f = 1 } END { exit !f }'; }

# client N: a new client (log $T/clientN.log), once its first answer came.
client() {
	rm -f "$T/go"
	net_spawn lb "client$1" "$PY" "$T/client.py" "$T/go"
	wait_for 5 "client $1: the first answer came" grep -q '^first 200 ' "$T/client$1.log"
}

# stalled N SECONDS: lbd is stopped; the client sends its next request, lbd
# resumes SECONDS after it waits in the socket; what the client got.
stalled() {
	touch "$T/go"
	wait_for 5 "client $1: the next request waits in lbd's socket" queued
	sleep "$2" # the stall itself, past the idle deadline
	kill -CONT "$PID_lbd"
	wait_for 5 "client $1: an answer or an end came" grep -q '^second ' "$T/client$1.log"
	t_log "client $1: $(tr '\n' ' ' < "$T/client$1.log")"
}

# 1. The keep-alive timeout (2 s) passes while lbd is stalled.
lbd_start "$T/lbd.conf"
wait_for 5 "lbd answers" c -sf -o /dev/null --max-time 1 http://192.0.2.10:9192/
client 1
kill -STOP "$PID_lbd"
t_assert "lbd was stalled within its keep-alive timeout" conn_open
stalled 1 2.5
t_assert "keep-alive timeout: the request sent during the stall was answered" \
	grep -q '^second 200 connection=-$' "$T/client1.log"

# 2. The stop's 0.3 s pass while lbd is stalled.  lbd must be stalled within
# 0.3 s of having seen the stop (its listeners closed), which a loaded
# machine may miss: then the attempt tells nothing and is made again.
net_stop "$PID_lbd"
for attempt in 1 2 3 4 5; do
	lbd_start "$T/lbd.conf"
	client "s$attempt"
	kill -TERM "$PID_lbd"
	wait_for 5 "attempt $attempt: lbd stops listening (the workers have seen the stop)" not_listening
	kill -STOP "$PID_lbd"
	if conn_open; then
		stalled "s$attempt" 0.6
		t_assert "stopping: the request sent during the stall was answered (200, Connection: close)" \
			grep -q '^second 200 connection=close$' "$T/clients$attempt.log"
		wait_for 5 "lbd exited" lbd_exited "$PID_lbd"
		exit 0
	fi
	t_log "attempt $attempt: lbd had closed the idle connection before it was stalled: again"
	kill -CONT "$PID_lbd"
	wait_for 5 "attempt $attempt: lbd exited" lbd_exited "$PID_lbd"
done
t_fail "lbd could not be stalled within 0.3 s of its stop in 5 attempts"
