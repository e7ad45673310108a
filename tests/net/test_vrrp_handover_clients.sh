#!/usr/bin/env bash
# Planned handover that costs clients nothing (issue 18): two nodes, vrrpd
# at 1 s adverts (as deployed), lbd on *:8080 in front of the node's nginx.
# Across `vrrpctl handover` on node 1, three kinds of clients on the VIP:
#   - a curl loop, one new connection per request (as OTel exporters do
#     after a close): none may fail, none may wait for a second SYN
#     retransmission (3 s); those that wait for the first (1 s) are counted:
#     the VIP is nowhere during the backup's Skew_Time (0.65 s here), which
#     lbd cannot help (see vrrpd(8), PLANNED HANDOVER);
#   - a keep-alive client (one connection, a request every few ms), strict:
#     no failure, no gap over 1 s;
#   - idle connections (ha_idle_conns.py): one that sent a request and stays
#     idle, one that never sends, one more that never sends opened right
#     after the handover was asked: none may hold the handover, and the idle
#     keep-alive client's next request (after the move) must succeed.
# The handover must be over (node 2 master) within 2.5 s of the command.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
. "$(dirname "$0")/handover_lab.sh"
net_require nginx curl
[ -x "$BIN/lbd" ] || net_unavailable "lbd is not built in $BIN"

handover_lab
handover_nodes "lbd-control $T/lbd-n1.sock;" # the default handover-timeout

# The clients (each bounded: a stop file, and at most 30 s / 3000 requests).
# curl.txt: "BODY CODE SECONDS" a line ("CODE SECONDS" when nothing came back).
net_spawn cl curlloop sh -c "i=0; while [ ! -e '$T/stop' ] && [ \$i -lt 3000 ]; do
	r=\$(curl --noproxy '*' -s -m 5 -w ' %{http_code} %{time_total}' http://$VIP:8080/)
	echo \$r >> '$T/curl.txt'; i=\$((i+1)); sleep 0.01; done"
net_spawn cl ka "$PY" "$REPO/tests/net/ha_keepalive_load.py" "$VIP" 8080 1 "$T/stop" 30 "$T/ka.json"
net_spawn cl idle "$PY" "$REPO/tests/net/ha_idle_conns.py" "$VIP" 8080 "$T/during" "$T/moved" 30 "$T/idle.json"
wait_for 5 "node 1's lbd has the clients' connections" sh -c \
	"$BIN/lbctl -s $T/lbd-n1.sock --json quiesce status | grep -q '\"conns\":[3-9]'"
wait_for 5 "the curl loop gets answers" sh -c "[ \$(grep -c '^n1 200 ' '$T/curl.txt' 2>/dev/null || echo 0) -ge 5 ]"

start=$(now_ms)
# vrrpctl answers once the handover is over: the connection "during" the
# drain is opened as soon as lbd says it is quiesced.
"$BIN/vrrpctl" -s "$T/n1.sock" handover > "$T/handover.out" 2>&1 &
ctl=$!
wait_for 3 "lbd on node 1 is quiesced" sh -c \
	"$BIN/lbctl -s $T/lbd-n1.sock --json quiesce status | grep -q '\"quiesced\":true'"
touch "$T/during"
t_assert "vrrpctl handover succeeds" wait "$ctl"
wait_for 4 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - start))
wait_for 3 "the handover on node 1 is done" sh -c \
	"'$BIN/vrrpctl' -s '$T/n1.sock' --json handover status | grep -q '\"phase\":\"done\"'"
"$BIN/vrrpctl" -s "$T/n1.sock" --json handover status > "$T/handover.json"
wait_for 3 "the curl loop is answered by node 2" sh -c "tail -n 1 '$T/curl.txt' | grep -q '^n2 200 '"
touch "$T/moved"
wait_for 10 "the idle clients' summary is written" test -s "$T/idle.json"
# A second more of node 2 serving the loops, then their summaries.
n2before=$(wc -l < "$T/curl.txt")
wait_for 3 "the curl loop goes on" sh -c "[ \$(wc -l < '$T/curl.txt') -ge $((n2before + 20)) ]"
touch "$T/stop"
wait_for 15 "the keep-alive summary is written" test -s "$T/ka.json"
gone() { ! net_alive "$1"; }
wait_for 10 "the curl loop ends" gone "$PID_curlloop"

cat "$T/handover.json"; echo; cat "$T/ka.json"; echo; cat "$T/idle.json"; echo
read -r drain outcome < <("$PY" -c "import json; d=json.load(open('$T/handover.json')); print(d['drain_ms'], d['outcome'])")
read -r creq cfail cslow cmax < <(awk 'NF != 3 || $2 != "200" { f++ } $NF > 1.0 { s++ } $NF > m { m = $NF }
	END { print NR, f + 0, s + 0, m + 0 }' "$T/curl.txt")
read -r kok kfail kgap kslow < <("$PY" -c "import json; d=json.load(open('$T/ka.json')); print(d['ok'], d['failed'], d['max_gap_ms'], d['slow_connects'])")
t_log "handover: lbd drained in $drain ms ($outcome); node 2 master $took ms after the command"
t_log "  curl loop: $creq requests, $cfail failed, $cslow over 1 s, slowest ${cmax}s"
t_log "  connection opened during the drain: connect took $("$PY" -c "import json; print(json.load(open('$T/idle.json')).get('silent_late_connect_ms'))") ms"
t_log "  keep-alive client: $kok ok, $kfail failed, longest gap $kgap ms, $kslow connects retried a SYN"
t_assert "the handover was over within 2.5 s" [ "$took" -lt 2500 ]
t_assert "lbd was drained, not timed out" [ "$outcome" = drained ]
t_assert "no curl request failed" [ "$cfail" = 0 ]
t_assert "no curl request waited for a second SYN retransmission" awk -v m="$cmax" 'BEGIN { exit !(m < 2.5) }'
t_assert "a connection opened during the drain was accepted at once (no SYN dropped)" \
	"$PY" -c "import json,sys; d=json.load(open('$T/idle.json')); sys.exit(0 if d.get('silent_late_connect_ms', 9999) < 500 else 1)"
t_assert "the curl loop saw both nodes" sh -c "grep -q '^n1 200 ' '$T/curl.txt' && grep -q '^n2 200 ' '$T/curl.txt'"
t_assert "no keep-alive request failed" [ "$kfail" = 0 ]
t_assert "the keep-alive client never waited for a second SYN retransmission" [ "$kgap" -lt 2500 ]
t_assert "the idle keep-alive client's next request got its 200 from node 2" \
	"$PY" -c "import json,sys; d=json.load(open('$T/idle.json')); sys.exit(0 if d['second'] == '200 n2' else 1)"
t_assert "lbd on node 1 closed the idle connections (none left open across the move)" \
	"$PY" -c "import json,sys; d=json.load(open('$T/idle.json')); sys.exit(0 if d['keepalive_closed'] and d['silent_closed'] and d['silent_late_closed'] else 1)"
t_assert "lbd on node 1 is no longer quiesced" sh -c \
	"$BIN/lbctl -s $T/lbd-n1.sock --json quiesce status | grep -q '\"quiesced\":false'"
t_log "PASS"
