#!/usr/bin/env bash
# A successor that stalls in the handover does not stall the running lbd:
# a client connects to the handover socket, asks for the sockets ("FDS")
# and then says nothing for 8 s.  Meanwhile the running lbd answers its
# control socket (lbctl status, within 0.5 s each time) and proxies; after
# 5 s it gives the handover up ("abandoned ... still serving"), and a real
# successor then takes over as usual.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require capsh

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_conf "$T/lbd.conf" <<'C'
defaults { access-log off; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"
old=$PID_lbd

net_spawn lb stall "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"FDS\n")
print("asked", flush=True)
time.sleep(8)' "$LBD_SOCK.handover"
wait_for 5 "the stalling successor asked for the sockets" grep -q asked "$T/stall.log"
for i in 1 2 3 4 5; do
	t_assert "stall $i: lbctl status answers within 0.5 s" timeout 0.5 "$BIN/lbctl" -s "$LBD_SOCK" status
	t_assert "stall $i: a request through lbd answered" ns_exec lb curl -sf -o /dev/null --max-time 1 http://192.0.2.10:9192/
	sleep 0.5
done
wait_for 8 "the running lbd gave the stalled handover up" grep -q "handover to pid .* abandoned (Connection timed out); still serving" "$T/lbd.log"
t_assert "lbd still answers" ns_exec lb curl -sf -o /dev/null --max-time 1 http://192.0.2.10:9192/
net_spawn lb lbd2 capsh --drop=cap_bpf,cap_sys_admin -- -c 'exec "$0" "$@"' "$BIN/lbd" -n -f "$T/lbd.conf"
wait_for 10 "a real successor took the sockets over" grep -q "taken over from pid $old" "$T/lbd2.log"
wait_for 10 "the old lbd has exited" bash -c "$(declare -f net_alive); ! net_alive $old"
t_assert "the successor answers" ns_exec lb curl -sf -o /dev/null --max-time 1 http://192.0.2.10:9192/
net_stop "$PID_lbd2"
exit 0
