#!/usr/bin/env bash
# Link down/up: node 1's interface goes down: it enters FAULT and releases
# the VIP; node 2 takes over.  Link up: node 1 leaves FAULT and preempts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 100ms
ip -n "$NS_n1" link set eth0 down
wait_for 3 "node 1 is in FAULT" vrrp_state_is n1 fault
t_assert "reason is fault" [ "$(vrrp_field n1 last_transition.reason)" = fault ]
t_assert "status shows the link down" [ "$(vrrp_field n1 link_up)" = false ]
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
t_assert "node 1 released the VIP" vip_off n1
ip -n "$NS_n1" link set eth0 up
wait_for 5 "node 1 leaves FAULT and preempts" vrrp_state_is n1 master
wait_for 3 "node 2 is backup" vrrp_state_is n2 backup
wait_for 2 "VIP back on node 1" vip_on n1
t_assert "client pings the VIP" ns_exec cl ping -c 1 -W 1 -q "$VIP"
