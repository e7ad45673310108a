#!/usr/bin/env bash
# preempt off: node 1 (100) comes back while node 2 (90) is master and stays
# backup; node 2 keeps the VIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 100ms "preempt off;"
net_stop "$PID_vrrpd_n1" TERM
wait_for 3 "node 2 is master" vrrp_state_is n2 master
vrrp_run n1 "$T/n1.conf"
wait_for 3 "node 1 runs as backup" vrrp_state_is n1 backup
# 20 advert intervals: plenty of time for a wrong preemption.
sleep 2
t_assert "node 1 is still backup" vrrp_state_is n1 backup
t_assert "node 2 is still master" vrrp_state_is n2 master
t_assert "node 2 still has the VIP" vip_on n2
t_assert "node 1 never became master after the restart" [ "$(vrrp_field n1 counters.became_master)" = 0 ]
