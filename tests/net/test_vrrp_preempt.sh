#!/usr/bin/env bash
# Preemption: node 1 (100) comes back after node 2 (90) took over and takes
# the VIP back; node 2 releases it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 100ms
net_stop "$PID_vrrpd_n1" TERM
wait_for 3 "node 2 is master" vrrp_state_is n2 master
wait_for 2 "VIP on node 2" vip_on n2
vrrp_run n1 "$T/n1.conf"
wait_for 3 "node 1 is master again" vrrp_state_is n1 master
wait_for 2 "node 2 is backup again" vrrp_state_is n2 backup
t_assert "node 1 took over by preemption" [ "$(vrrp_field n1 last_transition.reason)" = preempt ]
t_assert "node 2 yielded to the higher priority" [ "$(vrrp_field n2 last_transition.reason)" = higher_priority ]
wait_for 2 "VIP on node 1" vip_on n1
wait_for 2 "VIP off node 2" vip_off n2
