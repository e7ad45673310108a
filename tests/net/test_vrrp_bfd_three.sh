#!/usr/bin/env bash
# Three routers with BFD (issue 19): the master (priority 100) runs a BFD
# session to each backup (two peers in its bfd block), each backup one to
# the master; BFD 10 ms x 3, adverts 1 s.  When the master's link is cut,
# both backups see their session fail within a few milliseconds of each
# other, and the higher one (90) holds the VIP well before
# Master_Down_Interval (3.6 s), for reason bfd_peer_down: its BFD skew is
# the shorter, and should the lower one (80) take over first, its advert
# does not stop the higher one's BFD takeover, which preempts it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require curl

vrrp_lab
ns_create n3
net_bridge_port hub br0 n3 eth0
ip -n "$NS_n3" addr add 198.51.100.13/24 dev eth0
bfd() { printf 'bfd {'; printf ' peer %s;' "$@"; printf ' min-tx 10ms; min-rx 10ms; multiplier 3; }'; }
vrrp_conf n1 100 1s "$(bfd 198.51.100.12 198.51.100.13)" > "$T/n1.conf"
vrrp_conf n2 90 1s "$(bfd 198.51.100.11)" > "$T/n2.conf"
vrrp_conf n3 80 1s "$(bfd 198.51.100.11)" > "$T/n3.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
vrrp_run n3 "$T/n3.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 5 "node 3 is backup" vrrp_state_is n3 backup
wait_for 3 "node 2 follows node 1" field_is n2 master 198.51.100.11
wait_for 3 "node 3 follows node 1" field_is n3 master 198.51.100.11
wait_for 5 "node 1's session to node 2 is Up" field_is n1 bfd.state Up
wait_for 5 "node 1's session to node 3 is Up" field_is n1 bfd_more.0.state Up
t_assert "node 1's second session is to node 3" [ "$(vrrp_field n1 bfd_more.0.peer)" = 198.51.100.13 ]
wait_for 5 "node 2's session is Up" field_is n2 bfd.state Up
wait_for 5 "node 3's session is Up" field_is n3 bfd.state Up

# lbd's stats page on node 1 shows both of node 1's sessions, not only the first.
cat >"$T/lbd.conf" <<EOF
global { workers 1; stats 198.51.100.11:8404 vrrp $T/n1.sock; access-log off; }
backend b { server s 198.51.100.12:8080; }
frontend f { bind 198.51.100.11:8080; backend b; }
EOF
net_spawn n1 lbd "$BIN/lbd" -n -f "$T/lbd.conf"
wait_for 5 "lbd's /healthz answers" ns_exec n1 curl -sf -o /dev/null http://198.51.100.11:8404/healthz
page=$(ns_exec n1 curl -sf http://198.51.100.11:8404/stats)
metrics=$(ns_exec n1 curl -sf http://198.51.100.11:8404/metrics)
for p in 12 13; do
	t_assert "the page shows node 1's session to .$p, Up" \
		grep -q "<p class=\"vrrp-bfd\">BFD VI_51 to 198.51.100.$p <span class=\"st up\" data-bfd-state=\"Up\">" <<<"$page"
	t_assert "/metrics has its state" \
		grep -qx "vrrp_bfd_state{instance=\"VI_51\",peer=\"198.51.100.$p\",state=\"Up\"} 1" <<<"$metrics"
done
net_stop "$PID_lbd"

hub_link n1 down
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - LINK_MS))
t_log "node 2 master ${took} ms after the cut; node 3 became master $(vrrp_field n3 counters.became_master) time(s) on the way"
t_assert "for reason bfd_peer_down" [ "$(vrrp_field n2 last_transition.reason)" = bfd_peer_down ]
t_assert "well before Master_Down_Interval (3.6 s)" [ "$took" -lt 1000 ]
wait_for 3 "node 3 is backup" vrrp_state_is n3 backup
wait_for 3 "node 3 follows node 2" field_is n3 master 198.51.100.12
wait_for 2 "VIP on node 2" vip_on n2
vip_not_n3() { ! ip -n "$NS_n3" -o addr show dev eth0 | grep -q " $VIP/"; }
wait_for 2 "no VIP on node 3" vip_not_n3
t_assert "node 3's session failed too" [ "$(vrrp_field n3 bfd.diag)" = control_detection_time_expired ]
