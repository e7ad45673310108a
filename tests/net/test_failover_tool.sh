#!/usr/bin/env bash
# ha-failover-test, the tool the vrrpd package ships, run unchanged against
# the namespace lab (nodes reached with "ip netns exec"): --status names the
# holder; a planned handover (clean stop of vrrpd, priority 0 advert) moves the
# VIP within Skew_Time and every service answers through it; vrrpd comes back
# and takes the VIP back.  Then with the collectors and Loki dead on both nodes
# the tool must say FAIL and name those steps.
. "$(dirname "$0")/lib.sh"
net_require nginx prometheus curl setsid
cd "$REPO"

export LAB_DIR=$T/lab LAB_BIN=$BIN LAB_HOST=0
LAB=packaging/lab/lab.sh
net_on_exit "$LAB down"
t_assert "the lab comes up" "$LAB" up
CMD=$("$LAB" failover-cmd)

eval "$CMD --status" >"$T/status.out" 2>&1
cat "$T/status.out"
t_assert "--status: node1 holds the VIP" grep -q 'ok .*198.51.100.100 is held by node1' "$T/status.out"

eval "$CMD --mode stop --max-failover 2" >"$T/stop.out" 2>&1
rc=$?
cat "$T/stop.out"
t_assert "planned handover: PASS (exit $rc)" test "$rc" = 0
t_assert "each service step passed" bash -c "for s in 'OTLP POST' 'Thanos Query Frontend' 'Thanos Query VIP' 'Loki'; do grep -q \"ok    \$s\" '$T/stop.out' || exit 1; done"
vip_ms=$(sed -n 's/.*vip_move_ms=\([0-9]*\).*/\1/p' "$T/stop.out")
# priority 0 advert: the backup waits Skew_Time = (256 - 90) / 256 s = 0.65 s
t_assert "VIP on node2 well before Master_Down_Interval (3.65 s): the priority-0 path (${vip_ms:-none} ms)" test "${vip_ms:-99999}" -le 2000
gap_ms=$(sed -n 's/.*http_gap_ms=\([0-9]*\).*/\1/p' "$T/stop.out")
t_assert "every frontend was probed" bash -c "for p in 4318/v1/metrics 19193/-/ready 9192/-/ready 3100/ready; do grep -q \"198.51.100.100:\$p: \" '$T/stop.out' || exit 1; done"
# No client can be served before the VIP is back: the window cannot be shorter
# than the VIP's absence (less the peer's 10 ms watch and one probe's 50 ms).
t_assert "the clients' window (${gap_ms:-none} ms) is not shorter than the VIP's move (${vip_ms:-none} ms)" \
	test "${gap_ms:-0}" -ge $((${vip_ms:-99999} - 60))
t_assert "vrrpd back on node1 takes the VIP back (preempt)" grep -q 'ok    vrrpd back on node1, VIP back' "$T/stop.out"
t_assert "node1 holds the VIP again" bash -c "ip -n \$(. '$LAB_DIR/state'; echo \$NS_node1) -o addr show to 198.51.100.100 | grep -q ."

# The tool is not a rubber stamp: the collectors and Loki (nginx) die on both nodes.
for n in node1 node2; do kill -KILL "$(cat "$LAB_DIR/$n/nginx.pid")"; done
ip netns pids "$(. "$LAB_DIR/state"; echo "$NS_node1")" | xargs -r -n1 sh -c '[ "$(cat /proc/$0/comm)" = nginx ] && kill -KILL $0' 2>/dev/null
ip netns pids "$(. "$LAB_DIR/state"; echo "$NS_node2")" | xargs -r -n1 sh -c '[ "$(cat /proc/$0/comm)" = nginx ] && kill -KILL $0' 2>/dev/null
eval "$CMD --mode stop --timeout 5 --no-restore --probe-url http://198.51.100.100:9192/-/healthy" >"$T/bad.out" 2>&1
rc=$?
cat "$T/bad.out"
t_assert "without collectors and Loki the tool says FAIL (exit $rc)" test "$rc" = 1
t_assert "the OTLP step failed" grep -q 'FAIL  OTLP POST' "$T/bad.out"
t_assert "the Loki step failed" grep -q 'FAIL  Loki' "$T/bad.out"
t_assert "the Thanos Query step still passed" grep -q 'ok    Thanos Query VIP' "$T/bad.out"
exit 0
