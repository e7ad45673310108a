#!/usr/bin/env bash
# vrrpd's HTTP tracker does not count a check as timed out when the answer
# came in time and only vrrpd was late to read it.  The tracked server
# (standing in for lbd's /healthz) stops vrrpd (SIGSTOP) as a request
# arrives, answers at once, and lets vrrpd run again 400 ms later, past the
# check's 200 ms timeout: three times.  On resume, libev runs the expired
# deadline before the socket's reader; without reading what waits first, a
# live lbd counted as a timeout (fall 1: the node went to FAULT).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
cat > "$T/stall_http.py" <<'PY'
import os, signal, socket, sys, time
pidfile, rounds, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 8404))
ls.listen(16)
n = 0
while True:
    c, _ = ls.accept()
    req = b""
    while b"\r\n\r\n" not in req:
        d = c.recv(4096)
        if not d:
            break
        req += d
    n += 1
    stall = 3 <= n < 3 + rounds  # the first checks answer normally
    if stall:
        pid = int(open(pidfile).read())
        os.kill(pid, signal.SIGSTOP)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
    c.close()
    if stall:
        time.sleep(0.4)  # the stall itself, past the 200 ms timeout
        os.kill(pid, signal.SIGCONT)
        with open(log, "a") as f:
            f.write("stall %d\n" % n)
PY
vrrp_conf n1 100 1s "track lbd fault;" > "$T/n1.conf"
printf 'track lbd {\n\thttp 127.0.0.1:8404 /healthz;\n\tinterval 300ms;\n\ttimeout 200ms;\n\tfall 1;\n\trise 1;\n}\n' >> "$T/n1.conf"
net_spawn n1 http "$PY" "$T/stall_http.py" "$T/vrrpd.pid" 3 "$T/stalls"
wait_for 5 "the tracked server listens" ns_exec n1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8404'
vrrp_run n1 "$T/n1.conf"
echo "$PID_vrrpd_n1" > "$T/vrrpd.pid"
wait_for 10 "node 1 is master" vrrp_state_is n1 master
wait_for 10 "three checks answered while vrrpd was stopped" eval '[ "$(wc -l < "$T/stalls" 2>/dev/null)" = 3 ]'
track_field() { vrrpctl_json n1 | "$PY" -c "import json,sys; print(json.load(sys.stdin)['tracks'][0]['$1'])"; }
checks=$(track_field checks)
wait_for 3 "a check after the last stall" eval '[ "$(track_field checks)" -gt "$checks" ]'
t_assert "the track never went down (vrrpd log)" sh -c "! grep -q 'track lbd: down' '$T/vrrpd_n1.log'"
t_assert "node 1 still master" vrrp_state_is n1 master
t_assert "the track's last result is ok" [ "$(track_field last)" = ok ]
exit 0
