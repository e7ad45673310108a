#!/usr/bin/env bash
# Planned handover with zero failed requests (issue 18): two nodes, each with
# vrrpd (1 s adverts, as deployed) and lbd (frontend *:8080 in front of the
# node's own nginx, which answers the node's name).  A client keeps 4
# keep-alive connections busy on VIP:8080 (a strict client: any request
# without its 200 counts as failed, nothing is retried).  `vrrpctl handover`
# on node 1 quiesces lbd there ("Connection: close", idle keep-alives
# ended; new connections still accepted), waits until lbd has no request in
# flight,
# gives the VIP up with priority 0; node 2 takes it after its Skew_Time.
# Asserts: no failed request, node 2 answers afterwards, node 1 stays a
# backup at priority 1 (it does not preempt back) and its lbd accepts again.
# HANDOVER_NO_DRAIN=1 runs the same without lbd-control (the VIP given up
# at once, as a plain stop did): requests fail, which shows the test can.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
. "$(dirname "$0")/handover_lab.sh"
net_require nginx curl
[ -x "$BIN/lbd" ] || net_unavailable "lbd is not built in $BIN"

handover_lab

if [ "${HANDOVER_NO_DRAIN:-0}" = 1 ]; then
	extra=
else
	extra="lbd-control $T/lbd-n1.sock;"
fi
handover_nodes "$extra\n\thandover-timeout 5s;"

load_start() { # NAME: 4 keep-alive clients on VIP:8080 until $T/stop-NAME, summary in $T/NAME.json
	net_spawn cl "$1" "$PY" "$REPO/tests/net/ha_keepalive_load.py" "$VIP" 8080 4 "$T/stop-$1" 30 "$T/$1.json"
	wait_for 5 "the client ($1) has connections to node 1's lbd" sh -c \
		"ip netns exec $NS_n1 $BIN/lbctl -s $T/lbd-n1.sock --json quiesce status | grep -q '\"conns\":[1-9]'"
	sleep 0.3 # a few hundred requests before the event
}
load_end() { # NAME: a second more of node 2 serving, then the summary
	sleep 1
	touch "$T/stop-$1"
	wait_for 15 "the client summary ($1) is written" test -s "$T/$1.json"
	cat "$T/$1.json"; echo
}
load_start load

start=$(now_ms)
t_assert "vrrpctl handover succeeds" sh -c "'$BIN/vrrpctl' -s '$T/n1.sock' handover > '$T/handover.out'"
back=$(now_ms)
cat "$T/handover.out"
"$BIN/vrrpctl" -s "$T/n1.sock" --json handover status > "$T/handover.json"
wait_for 4 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - start))
wait_for 3 "the client is answered by node 2" sh -c \
	"ip netns exec $NS_n2 $BIN/lbctl -s $T/lbd-n2.sock --json status | grep -q '\"requests\":[1-9][0-9]'"
load_end load
drain=$("$PY" -c "import json; print(json.load(open('$T/handover.json'))['drain_ms'])")
conns=$("$BIN/lbctl" -s "$T/lbd-n1.sock" --json quiesce status | "$PY" -c "import json,sys; print(json.load(sys.stdin)['conns_at_start'])")
outcome=$("$PY" -c "import json; print(json.load(open('$T/handover.json'))['outcome'])")
read -r ok failed gap slow < <("$PY" -c "import json; d=json.load(open('$T/load.json')); print(d['ok'], d['failed'], d['max_gap_ms'], d['slow_connects'])")
t_log "handover: lbd drained $conns client connections in $drain ms ($outcome); vrrpctl returned after $((back - start)) ms;"
t_log "  node 2 master $took ms after the command; client: $ok ok, $failed failed, longest gap $gap ms, $slow connects retried a SYN"
t_assert "the client saw both nodes answer" "$PY" -c "import json,sys; d=json.load(open('$T/load.json'))['by_node']; sys.exit(0 if d.get('n1') and d.get('n2') else 1)"
t_assert "no request failed across the handover" [ "$failed" = 0 ]
t_assert "lbd was drained, not timed out" [ "$outcome" = drained ]
t_assert "node 2 took over on priority 0 (master_left)" [ "$(vrrp_field n2 last_transition.reason)" = master_left ]
t_assert "node 1 is a backup after the handover" vrrp_state_is n1 backup
t_assert "node 1 said why (handover)" [ "$(vrrp_field n1 last_transition.reason)" = handover ]
t_assert "node 1 holds back at priority 1" field_is n1 effective_priority 1
t_assert "VIP on node 2 only" sh -c "! ip -n $NS_n1 -o addr show dev eth0 | grep -q ' $VIP/' && ip -n $NS_n2 -o addr show dev eth0 | grep -q ' $VIP/'"
t_assert "lbd on node 1 is no longer quiesced" sh -c \
	"$BIN/lbctl -s $T/lbd-n1.sock --json quiesce status | grep -q '\"quiesced\":false'"
t_assert "lbd on node 1 accepts again on its node address" sh -c \
	"ip netns exec $NS_cl curl --noproxy '*' -sf -m 2 http://198.51.100.11:8080/ | grep -qx n1"
# Node 1 would preempt (100 > 90): it must not while held back.
sleep 1.5
t_assert "node 1 did not preempt back" vrrp_state_is n2 master
t_assert "vrrpctl resume gives node 1 its priority back" "$BIN/vrrpctl" -s "$T/n1.sock" resume
wait_for 5 "node 1 preempts back once resumed" vrrp_state_is n1 master

# Stopping vrrpd (the unit's SIGTERM) drains the same way before its priority 0.
[ "${HANDOVER_NO_DRAIN:-0}" = 1 ] || {
	wait_for 3 "the client reaches node 1 again" sh -c \
		"ip netns exec $NS_cl curl --noproxy '*' -sf http://$VIP:8080/ | grep -qx n1"
	load_start load2
	start=$(now_ms)
	kill -TERM "$PID_vrrpd_n1"
	gone() { ! net_alive "$1"; }
	wait_for 12 "vrrpd on node 1 exits" gone "$PID_vrrpd_n1"
	t_log "vrrpd stopped $(elapsed_ms "$start") ms after SIGTERM"
	wait_for 4 "node 2 becomes master after the stop" vrrp_state_is n2 master
	load_end load2
	t_assert "vrrpd drained lbd before its priority 0" grep -q "addresses given up after .* (drained" "$T/vrrpd_n1.log"
	t_assert "no request failed across the stop" "$PY" -c "import json,sys; d=json.load(open('$T/load2.json')); sys.exit(0 if d['failed'] == 0 and d['by_node'].get('n2') else 1)"
	t_assert "lbd on node 1 accepts again after the stop" sh -c \
		"ip netns exec $NS_cl curl --noproxy '*' -sf -m 2 http://198.51.100.11:8080/ | grep -qx n1"
}
t_log "PASS"
