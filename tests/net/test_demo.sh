#!/usr/bin/env bash
# make demo's script end to end, in its own lab (private LAB_DIR, no link to
# this machine): the lab comes up, traffic passes through the VIP to both
# nodes, the master is killed, the VIP and the HTTP service come back within
# the RFC's bound, and afterwards nothing of the lab is left.
. "$(dirname "$0")/lib.sh"
net_require nginx prometheus curl setsid
cd "$REPO"

export LAB_DIR=$T/lab LAB_BIN=$BIN LAB_HOST=0
net_on_exit "packaging/lab/lab.sh down"
packaging/lab/demo.sh >"$T/demo.out" 2>&1
rc=$?
cat "$T/demo.out"
t_assert "demo.sh exits 0 (exit $rc)" test "$rc" = 0
t_assert "demo says PASS" grep -q '^demo: PASS' "$T/demo.out"
t_assert "node1 held the VIP first" grep -q 'VIP 198.51.100.100 held by: node1' "$T/demo.out"
t_assert "OTLP POSTs through the VIP: 20/20 2xx, served by both nodes" \
	grep -qE 'POST :4318.* 20/20 answered 2xx; served by: .*mid-1 x[0-9]+.*mid-2 x[0-9]+|POST :4318.* 20/20 answered 2xx; served by: .*mid-2 x[0-9]+.*mid-1 x[0-9]+' "$T/demo.out"
t_assert "Loki /ready through the VIP: 20/20" grep -qE 'GET :3100/ready.* 20/20 answered 2xx' "$T/demo.out"
t_assert "PromQL through :19193 and :9192: 10/10 each" \
	bash -c "grep -qE ':19193 PromQL.* 10/10' '$T/demo.out' && grep -qE ':9192 PromQL.* 10/10' '$T/demo.out'"
vip_ms=$(sed -n 's/.*VIP unavailable: *\([0-9]*\) ms.*/\1/p' "$T/demo.out")
gap_ms=$(sed -n 's/.*HTTP service unavailable: *\([0-9]*\) ms.*/\1/p' "$T/demo.out")
t_log "VIP unavailable ${vip_ms:-?} ms, HTTP unavailable ${gap_ms:-?} ms"
# The crash SIGKILLs node1's processes; vrrpd --cleanup then runs (as the
# unit's ExecStopPost does) and sends the priority-0 advert the dead vrrpd
# could not, so node2 takes over after Skew_Time (0.65 s at priority 90 and
# 1 s adverts), not after Master_Down_Interval (3.65 s).  Slack for polling
# and scheduling on a loaded machine.
t_assert "VIP moved within Skew_Time 0.65 s + 1.35 s, thanks to cleanup's goodbye (${vip_ms:-none} ms <= 2000)" test "${vip_ms:-99999}" -le 2000
t_assert "VIP did not move before Skew_Time could expire after the goodbye (${vip_ms:-none} ms >= 500)" test "${vip_ms:-0}" -ge 500
t_assert "HTTP unavailable less than 5 s (${gap_ms:-none} ms)" test "${gap_ms:-99999}" -lt 5000
t_assert "the demo removed its lab" test ! -e "$LAB_DIR/state"
lab_id=$(grep -o 'halab-[0-9a-f]*-node1' "$T/demo.out" | head -n1 | cut -d- -f2)
t_assert "the demo named its namespaces (halab-${lab_id:-?}-*)" test -n "$lab_id"
t_assert "no namespace of the lab is left" bash -c "! ip netns list | grep -q 'halab-$lab_id-'"
# [n]ode: the pattern must not match the pgrep command line itself
t_assert "no lab process is left" bash -c "! pgrep -f '$LAB_DIR/[n]ode' >/dev/null"
exit 0
