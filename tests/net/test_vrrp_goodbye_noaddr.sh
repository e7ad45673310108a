#!/usr/bin/env bash
# The master's own address is deleted: it has nothing left to advertise from
# and leaves for FAULT, but its priority-0 goodbye must still go out (from
# the address it used so far), so that node 2 takes over after its
# Skew_Time (0.6 s with 1 s adverts), not after Master_Down_Interval (3.6 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_conf n1 100 1s > "$T/n1.conf"
vrrp_conf n2 90 1s > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 8 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup and hears node 1" field_is n2 master_priority 100
start=$(now_ms)
ip -n "$NS_n1" addr del 198.51.100.11/24 dev eth0
wait_for 3 "node 1 is in FAULT" vrrp_state_is n1 fault
t_assert "for want of an address" field_is n1 link_fault "no address"
wait_for 5 "node 2 takes over" vrrp_state_is n2 master
took=$(elapsed_ms "$start")
t_log "node 2 master ${took} ms after node 1's address was deleted"
t_assert "node 2 heard the goodbye" vrrp_counter_above n2 priority0_received 0
t_assert "after Skew_Time, not Master_Down_Interval: ${took} ms < 2500" [ "$took" -lt 2500 ]
t_assert "the goodbye was sent without error" sh -c "! grep -q 'sending advert' '$T/vrrpd_n1.log'"
