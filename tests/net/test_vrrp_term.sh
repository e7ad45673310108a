#!/usr/bin/env bash
# Clean stop: SIGTERM makes the master send priority 0 and release the VIP;
# the backup takes over after Skew_Time alone; the client's neighbour entry
# for the VIP moves to node 2's MAC (gratuitous ARP), without the client
# asking.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 1s
mac1=$(mac_of n1)
mac2=$(mac_of n2)
ns_exec cl ping -c 1 -W 1 -q "$VIP" >/dev/null
t_assert "client resolved the VIP to node 1" client_neigh_is "$mac1"
start=$(now_ms)
kill -TERM "$PID_vrrpd_n1"
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - start))
t_log "takeover after ${took} ms (Skew_Time for priority 90 at 1 s: 648 ms; Master_Down_Interval would be 3648 ms)"
t_assert "takeover within Skew_Time + 300 ms" [ "$took" -lt 950 ]
t_assert "reason is master_left" [ "$(vrrp_field n2 last_transition.reason)" = master_left ]
t_assert "node 2 heard priority 0" [ "$(vrrp_field n2 counters.priority0_received)" = 1 ]
wait_for 2 "node 1 exited" sh -c "! kill -0 $PID_vrrpd_n1 2>/dev/null"
t_assert "node 1 released the VIP" vip_off n1
wait_for 2 "VIP on node 2" vip_on n2
wait_for 2 "client's neighbour entry moved to node 2's MAC (gratuitous ARP)" client_neigh_is "$mac2"
t_assert "client pings the VIP" ns_exec cl ping -c 1 -W 1 -q "$VIP"
t_assert "node 2 sent gratuitous ARP" [ "$(vrrp_field n2 counters.garp_sent)" -ge 1 ]
