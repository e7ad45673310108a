#!/usr/bin/env bash
# BFD and reload: a bfd block added by a reload starts the session without a
# transition (the master stays master, no priority 0); new intervals apply in
# place with a Poll Sequence; the block removed stops the session, the peer
# sees AdminDown, and still nobody changes state.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 100ms
reload() { # NODE FILE: the node's conf replaced by FILE, then SIGHUP
	local pid="PID_vrrpd_$1" n
	n=$(grep -c "reloaded" "$T/vrrpd_$1.log")
	cp "$2" "$T/$1.conf"
	kill -HUP "${!pid}"
	wait_for 3 "$1 reloaded" eval "[ \$(grep -c reloaded '$T/vrrpd_$1.log') -gt $n ]"
}
vrrp_conf n1 100 100ms 'bfd { peer 198.51.100.12; min-tx 10ms; min-rx 10ms; }' > "$T/n1.bfd"
vrrp_conf n2 90 100ms 'bfd { peer 198.51.100.11; min-tx 10ms; min-rx 10ms; }' > "$T/n2.bfd"
tr1=$(vrrp_field n1 counters.transitions)
tr2=$(vrrp_field n2 counters.transitions)
reload n1 "$T/n1.bfd"
reload n2 "$T/n2.bfd"
wait_for 5 "BFD Up on node 1" field_is n1 bfd.state Up
wait_for 5 "BFD Up on node 2" field_is n2 bfd.state Up
t_assert "node 1 is still master, no transition" [ "$(vrrp_field n1 counters.transitions)" = "$tr1" ]
t_assert "node 2 is still backup, no transition" [ "$(vrrp_field n2 counters.transitions)" = "$tr2" ]
t_assert "no priority 0 heard" [ "$(vrrp_field n2 counters.priority0_received)" = 0 ]

vrrp_conf n1 100 100ms 'bfd { peer 198.51.100.12; min-tx 50ms; min-rx 40ms; }' > "$T/n1.slow"
reload n1 "$T/n1.slow"
wait_for 3 "node 1 sends every 50 ms" field_is n1 bfd.tx_interval_us 50000
wait_for 3 "node 2 detects node 1 in 3 x 50 ms" field_is n2 bfd.detect_time_us 150000
wait_for 3 "node 2 sends every 40 ms" field_is n2 bfd.tx_interval_us 40000
t_assert "still Up on node 2" [ "$(vrrp_field n2 bfd.state)" = Up ]
t_assert "node 1 ran a Poll Sequence" [ "$(vrrp_field n1 bfd.counters.polls)" -ge 2 ]

vrrp_conf n1 100 100ms > "$T/n1.plain"
reload n1 "$T/n1.plain"
wait_for 3 "node 2 sees node 1's AdminDown" field_is n2 bfd.remote_state AdminDown
t_assert "node 1 shows no session" [ "$(vrrp_field n1 bfd)" = None ]
t_assert "node 1 is still master, no transition" [ "$(vrrp_field n1 counters.transitions)" = "$tr1" ]
t_assert "node 2 is still backup, no transition" [ "$(vrrp_field n2 counters.transitions)" = "$tr2" ]
t_assert "node 2 did not count a BFD failure" [ "$(vrrp_field n2 bfd.counters.peer_down)" = 0 ]
