#!/usr/bin/env bash
# A reload that lengthens the master's advert interval (100 ms -> 2 s) must
# not make the backup take over: the backup's Master_Down_Interval is still
# computed from 100 ms (about 0.35 s), so the master has to tell it the new
# interval at once rather than at its next, 2 s later, advert.  The backup
# logs that the master's interval differs from its own.  Then the way back
# (2 s -> 100 ms) is learned at once too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 100ms
wait_for 2 "node 2 learned the 100 ms interval" field_is n2 master_advert_interval_ms 100
rx0=$(vrrp_field n2 counters.adverts_received)

vrrp_conf n1 100 2s > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 2 "node 1 applies the 2 s interval" field_is n1 advert_interval_ms 2000
wait_for 2 "node 2 learned the 2 s interval" field_is n2 master_advert_interval_ms 2000
# Two full new intervals: long past the old Master_Down_Interval, and two
# adverts at the new spacing heard.
rx1=$(vrrp_field n2 counters.adverts_received)
wait_for 6 "node 2 heard two more adverts at the new spacing" vrrp_counter_above n2 adverts_received $((rx1 + 1))
t_assert "node 2 never became master" [ "$(vrrp_field n2 counters.became_master)" = 0 ]
t_assert "node 2 is backup" vrrp_state_is n2 backup
t_assert "node 1 is master" vrrp_state_is n1 master
t_assert "node 1 made no transition since it became master" [ "$(vrrp_field n1 counters.transitions)" = 2 ]
t_assert "VIP on node 1 only" sh -c "ip -n $NS_n1 -o addr show dev eth0 | grep -q ' $VIP/' && ! ip -n $NS_n2 -o addr show dev eth0 | grep -q ' $VIP/'"
t_log "node 2 heard $((rx1 - rx0)) adverts around the reload"
# RFC 9568 7.1: an interval other than the configured one SHOULD be logged.
t_assert "node 2 logged the master's interval differing from its own" \
	grep -q "master 198.51.100.11 advertises every 2000 ms, this router is configured for 100 ms" "$T/vrrpd_n2.log"

# Back to 100 ms: learned at once, not after the 2 s advert still due.
start=$(now_ms)
vrrp_conf n1 100 100ms > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 2 "node 2 learned the 100 ms interval again" field_is n2 master_advert_interval_ms 100
t_log "learned $(elapsed_ms "$start") ms after the SIGHUP"
t_assert "node 2 never became master" [ "$(vrrp_field n2 counters.became_master)" = 0 ]
t_assert "node 1 is master" vrrp_state_is n1 master
