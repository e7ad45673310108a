#!/usr/bin/env bash
# Graceful preemption meets Debian's keepalived (VRRPv3, 1 s adverts as
# deployed): keepalived (90) is master, vrrpd (100, preempt on, a bfd block
# towards keepalived's node and preempt-grace 3s) starts.  keepalived runs
# no BFD, so nothing can yield: vrrpd must not hold off and preempts it as
# RFC 5798 says, within preempt-grace + Master_Down_Interval at the latest
# (measured: Master_Down_Interval alone).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require keepalived

vrrp_lab
net_on_exit '[ -s "$T/ka.pid" ] && kill -TERM "$(cat "$T/ka.pid")"; sleep 0.5'
ka_run 90 1
wait_for 8 "keepalived takes the VIP" vip_on n2

vrrp_conf n1 100 1s "bfd { peer 198.51.100.12; min-tx 10ms; min-rx 10ms; multiplier 3; }" \
	"preempt-grace 3s;" > "$T/n1.conf"
start=$(now_ms)
vrrp_run n1 "$T/n1.conf"
wait_for 10 "vrrpd preempts keepalived" vrrp_state_is n1 master
took=$(($(vrrp_field n1 last_transition.time_ms) - start))
wait_for 3 "keepalived releases the VIP" vip_off n2
t_log "vrrpd master $took ms after its start (Master_Down_Interval 3.61 s; bound with the grace 6.61 s)"
t_assert "reason preempt" [ "$(vrrp_field n1 last_transition.reason)" = preempt ]
t_assert "vrrpd did not hold off (keepalived's node has no BFD session)" [ "$(vrrp_field n1 graceful.waits)" = 0 ]
t_assert "no BFD session came Up" [ "$(vrrp_field n1 bfd.state)" != Up ]
t_assert "preempted within preempt-grace + Master_Down_Interval" [ "$took" -lt 6610 ]
t_assert "vrrpd discarded nothing from keepalived" [ "$(vrrpctl_json n1 | "$PY" -c 'import json,sys; print(sum(json.load(sys.stdin)["instances"][0]["counters"]["discards"].values()))')" = 0 ]
ka_stop
t_log "PASS"
