#!/usr/bin/env bash
# The VRRP panel of lbd's stats page, read from a real vrrpd's control
# socket, and vrrpd tracking lbd's /healthz for real:
#  - node 1 (priority 100) master: /stats shows MASTER, the VIP, the priority;
#    /stats;json and /metrics (vrrp_instance_state) say the same;
#  - lbd on node 1 frozen (SIGSTOP): /healthz stops answering, vrrpd's
#    `track lbd weight -20` drops node 1 to 80, node 2 (90) takes the VIP;
#  - lbd thawed: /healthz answers, node 1 preempts back, and the panel shows
#    the transition BACKUP -> MASTER.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require curl

vrrp_lab
cat >"$T/lbd.conf" <<EOF
global { workers 1; stats 198.51.100.11:8404 refresh 2s vrrp $T/n1.sock; control $T/lbd.sock; access-log off; }
backend b { server s 198.51.100.12:8080; }
frontend f { bind 198.51.100.11:8080; backend b; }
EOF
net_spawn n1 lbd "$BIN/lbd" -n -f "$T/lbd.conf"
wait_for 5 "lbd's /healthz answers" ns_exec n1 curl -sf -o /dev/null http://198.51.100.11:8404/healthz

{
	printf 'track lbd {\n\thttp 198.51.100.11:8404 /healthz;\n\tinterval 200ms; timeout 150ms; rise 2; fall 2;\n}\n'
	vrrp_conf n1 100 100ms "track lbd weight -20;"
} >"$T/n1.conf"
vrrp_conf n2 90 100ms >"$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master

page() { ns_exec n1 curl -sf --max-time 2 http://198.51.100.11:8404/stats; }
wait_for 5 "panel: VI_51 MASTER" eval 'page | grep -q "<td>VI_51</td><td class=\"st up\" data-state=\"MASTER\">MASTER</td><td>100</td><td>198.51.100.100/24</td>"'
t_assert "panel: not 'unavailable'" eval '! page | grep -q vrrp-unavailable'
json=$(ns_exec n1 curl -sf 'http://198.51.100.11:8404/stats;json')
t_assert "json: vrrp available" grep -q '"vrrp":{"available":true' <<<"$json"
t_assert "json: VI_51 MASTER, VIP" grep -q '"name":"VI_51","state":"MASTER","priority":100,"effective_priority":100,"vips":"198.51.100.100/24"' <<<"$json"
t_assert "metrics: vrrp_instance_state MASTER 1" \
	grep -qx 'vrrp_instance_state{instance="VI_51",state="MASTER"} 1' <<<"$(ns_exec n1 curl -sf http://198.51.100.11:8404/metrics)"

# Freeze lbd: its /healthz stops answering; vrrpd hands the VIP to node 2.
# vrrpd's XDP guard on the panel and in the metrics: ten forged adverts
# (TTL 254) from the client, dropped on node 1's eth0.
ns_exec cl "$PY" "$REPO/tests/net/vrrp_forge.py" eth0 01:00:5e:00:00:12 198.51.100.50 224.0.0.18 10 254 3 51 255 ||
	t_fail "forging client"
wait_for 5 "panel: the guard dropped 10 (bad_ttl)" eval 'page | grep -q "<p class=\"vrrp-guard\">XDP guard on eth0 ([a-z]*): [0-9]* passed, 10 dropped, bad_ttl 10</p>"'
t_assert "metrics: vrrp_xdp_guard_dropped_total bad_ttl 10" \
	grep -qx 'vrrp_xdp_guard_dropped_total{interface="eth0",reason="bad_ttl"} 10' <<<"$(ns_exec n1 curl -sf http://198.51.100.11:8404/metrics)"

kill -STOP "$PID_lbd"
net_on_exit "kill -CONT $PID_lbd"
wait_for 5 "node 2 takes over while lbd on node 1 does not answer" vrrp_state_is n2 master
t_assert "node 1's effective priority dropped by the track's weight" [ "$(vrrp_field n1 effective_priority)" = 80 ]
kill -CONT "$PID_lbd"
wait_for 5 "node 1 master again once lbd answers" vrrp_state_is n1 master
wait_for 5 "panel: BACKUP -> MASTER" eval 'page | grep -q "data-state=\"MASTER\">MASTER</td><td>100</td>.*BACKUP -&gt; MASTER"'
exit 0
