#!/usr/bin/env bash
# Tracker failover, HTTP kind with 'fault': node 1 tracks a real HTTP server
# (python3's http.server, standing in for lbd's /healthz on its stats port)
# inside its namespace.  While it answers 200 node 1 is master; when it
# stops, node 1 goes to FAULT, sends priority 0 and drops the VIP, and node 2
# takes over; a 404 from the server counts as down too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
mkdir -p "$T/www"
echo ok > "$T/www/healthz"
net_spawn n1 http "$PY" -m http.server --bind 127.0.0.1 --directory "$T/www" 8404
wait_for 5 "HTTP server answers" ns_exec n1 curl -fsS -o /dev/null http://127.0.0.1:8404/healthz
vrrp_conf n1 100 100ms "track lbd fault;" > "$T/n1.conf"
printf 'track lbd {\n\thttp 127.0.0.1:8404 /healthz;\n\tinterval 300ms;\n\ttimeout 300ms;\n\tfall 2;\n\trise 2;\n}\n' >> "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
sleep 0.5
t_assert "node 1 is still master after several checks" vrrp_state_is n1 master

net_stop "$PID_http" KILL
wait_for 3 "node 1 goes to FAULT" vrrp_state_is n1 fault
wait_for 2 "node 2 becomes master" vrrp_state_is n2 master
t_assert "node 2 took over on priority 0" [ "$(vrrp_field n2 last_transition.reason)" = master_left ]
t_assert "node 1 dropped the VIP" vip_off n1
wait_for 2 "VIP on node 2" vip_on n2

# The server comes back but answers 404: still down.
rm "$T/www/healthz"
net_spawn n1 http "$PY" -m http.server --bind 127.0.0.1 --directory "$T/www" 8404
wait_for 5 "HTTP server answers again" sh -c "ip netns exec $NS_n1 curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8404/healthz | grep -q 404"
sleep 0.5
t_assert "404 keeps node 1 in FAULT" vrrp_state_is n1 fault
echo ok > "$T/www/healthz"
wait_for 5 "node 1 recovers and preempts" vrrp_state_is n1 master
