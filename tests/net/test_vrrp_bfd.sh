#!/usr/bin/env bash
# BFD beside VRRP (issue 19): two vrrpd at 1 s adverts with a BFD session at
# 10 ms x 3.  The session comes up both ways with the negotiated intervals;
# when the master's link is cut (no goodbye, no priority 0) the backup is
# master well under 100 ms later, for reason bfd_peer_down, instead of after
# Master_Down_Interval (3.6 s).  Then a clean stop of a master: the peer
# sees AdminDown, which is no failure (the takeover is priority 0's).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
cat_bfd() { printf 'bfd { peer %s; min-tx 10ms; min-rx 10ms; multiplier 3; }' "$1"; }
vrrp_conf n1 100 1s "$(cat_bfd 198.51.100.12)" > "$T/n1.conf"
vrrp_conf n2 90 1s "$(cat_bfd 198.51.100.11)" > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 3 "node 2 heard node 1's advert" field_is n2 master 198.51.100.11
wait_for 5 "BFD Up on node 1" field_is n1 bfd.state Up
wait_for 5 "BFD Up on node 2" field_is n2 bfd.state Up
wait_for 3 "node 2 sends every 10 ms" field_is n2 bfd.tx_interval_us 10000
t_assert "node 2 detects node 1 in 30 ms" [ "$(vrrp_field n2 bfd.detect_time_us)" = 30000 ]
t_assert "node 1 detects node 2 in 30 ms" [ "$(vrrp_field n1 bfd.detect_time_us)" = 30000 ]
t_assert "node 2 knows node 1's discriminator" \
	[ "$(vrrp_field n2 bfd.remote_discriminator)" = "$(vrrp_field n1 bfd.local_discriminator)" ]
t_assert "no BFD packet dropped for its TTL" [ "$(vrrp_field n2 bfd.counters.discards.bad_ttl)" = 0 ]

# The master's link is cut at the hub: node 1 neither says goodbye nor sends
# anything more that node 2 could hear.
hub_link n1 down
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - LINK_MS))
t_log "takeover ${took} ms after the cut (BFD 30 ms + skew 30 x 166/256 ms; VRRP alone: 3.35 s)"
t_assert "reason is bfd_peer_down" [ "$(vrrp_field n2 last_transition.reason)" = bfd_peer_down ]
t_assert "takeover within 100 ms of the cut" [ "$took" -lt 100 ]
t_assert "node 2's session went Down with diag 1" \
	[ "$(vrrp_field n2 bfd.diag)" = control_detection_time_expired ]
wait_for 2 "VIP on node 2" vip_on n2
t_assert "node 2 got no priority 0 advert" [ "$(vrrp_field n2 counters.priority0_received)" = 0 ]

# The link comes back: node 1 (priority 100) preempts, BFD comes Up again.
hub_link n1 up
wait_for 10 "node 1 master again" vrrp_state_is n1 master
wait_for 5 "node 2 backup again" vrrp_state_is n2 backup
wait_for 5 "BFD Up again on node 2" field_is n2 bfd.state Up
wait_for 3 "node 2 follows node 1 again" field_is n2 master 198.51.100.11

# A clean stop: node 2 sees AdminDown, not a failure; priority 0 does the rest.
net_stop "$PID_vrrpd_n1"
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
t_assert "node 2 saw the peer's AdminDown" [ "$(vrrp_field n2 bfd.remote_state)" = AdminDown ]
t_assert "node 2's diag is neighbor down" [ "$(vrrp_field n2 bfd.diag)" = neighbor_signaled_session_down ]
t_assert "reason is master_left, not bfd" [ "$(vrrp_field n2 last_transition.reason)" = master_left ]
