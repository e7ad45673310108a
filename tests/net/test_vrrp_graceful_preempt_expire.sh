#!/usr/bin/env bash
# Graceful preemption against a master that can yield but does not (an
# older vrrpd, or one with preempt-grace off, BFD Up all the same): node 1
# (100, preempt-grace 2s) comes back to node 2 (90, preempt-grace off),
# holds off while BFD is Up, then preempts it as RFC 5798 says once the
# grace has run out: not before 2 s, and within 2 s + Master_Down_Interval
# (3.61 s) of the first advert it held off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
bfd_to() { printf 'bfd { peer %s; min-tx 200ms; min-rx 200ms; multiplier 5; }' "$1"; }
vrrp_conf n2 90 1s "$(bfd_to 198.51.100.11)" "preempt-grace off;" > "$T/n2.conf"
vrrp_conf n1 100 1s "$(bfd_to 198.51.100.12)" "preempt-grace 2s;" > "$T/n1.conf"
vrrp_run n2 "$T/n2.conf"
wait_for 6 "node 2 is master" vrrp_state_is n2 master
start=$(now_ms)
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 holds off its preemption" field_is n1 graceful.holding true
wait_for 10 "node 1 preempts node 2" vrrp_state_is n1 master
took=$(($(vrrp_field n1 last_transition.time_ms) - start))
wait_for 3 "node 2 is backup" vrrp_state_is n2 backup
wait_for 2 "VIP on node 1" vip_on n1
wait_for 2 "VIP off node 2" vip_off n2
t_log "node 1 master $took ms after its start (held off 2 s, then Master_Down_Interval)"
t_assert "reason preempt" [ "$(vrrp_field n1 last_transition.reason)" = preempt ]
t_assert "node 1 held off once" [ "$(vrrp_field n1 graceful.waits)" = 1 ]
t_assert "the hold-off ran out" [ "$(vrrp_field n1 graceful.expired)" = 1 ]
t_assert "node 2 never yielded" [ "$(vrrp_field n2 graceful.yields)" = 0 ]
t_assert "node 2 gave up for the higher priority" [ "$(vrrp_field n2 last_transition.reason)" = higher_priority ]
t_assert "not before the grace (2 s)" [ "$took" -ge 2000 ]
# first held-off advert within 1 s of the start (BFD Up by then), + 2 s + 3.61 s
t_assert "within the start + 1 s + grace + Master_Down_Interval" [ "$took" -lt 6700 ]
t_log "PASS"
