#!/usr/bin/env bash
# vrrpd's BFD against FRRouting's bfdd (Debian's frr package), issue 19: the
# session comes Up both ways with the negotiated intervals, an FRR admin
# 'shutdown' of the peer is seen by vrrpd as AdminDown (diag 3, no failure,
# no takeover; still AdminDown once bfdd, which sends one such packet,
# falls silent), 'no shutdown' brings it Up again, and a bfdd that dies is
# seen as a failure (diag 1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
BFDD=/usr/lib/frr/bfdd
net_require vtysh
[ -x "$BFDD" ] || net_unavailable "no $BFDD (Debian package frr)"

vrrp_lab
mkdir -p "$T/frr"
chmod o+x "$T" # bfdd runs as the frr user
chmod 777 "$T/frr"
cat > "$T/frr/bfdd.conf" <<EOC
bfd
 peer 198.51.100.11 local-address 198.51.100.12
  receive-interval 20
  transmit-interval 30
  detect-multiplier 4
 !
!
EOC
# SCHED_FIFO as vrrpd runs (realtime-priority 5): bfdd times vrrpd out
# after 3 x 20 ms, which a normally scheduled bfdd beside a CPU-bound job
# overran (its session flapped, seen; a flap just before the kill below
# leaves vrrpd's diag at neighbor-down, not timeout).
net_spawn n2 bfdd chrt -f 5 "$BFDD" -f "$T/frr/bfdd.conf" --vty_socket "$T/frr" -i "$T/frr/bfdd.pid" \
	-z "$T/frr/zserv.api" --bfdctl "$T/frr/bfdd.sock" -u frr -g frr --log stdout
frr() { ns_exec n2 vtysh --vty_socket "$T/frr" -d bfdd "$@"; }
frr_status() { # the FRR peer's status field
	frr -c 'show bfd peers json' 2>/dev/null | "$PY" -c "
import json,sys
for p in json.load(sys.stdin):
    if p.get('peer') == '198.51.100.11': print(p.get('$1'))"
}
frr_status_is() { [ "$(frr_status "$1")" = "$2" ]; }

vrrp_conf n1 100 1s 'bfd { peer 198.51.100.12; min-tx 10ms; min-rx 10ms; multiplier 3; }' > "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
wait_for 10 "vrrpd's session to bfdd is Up" field_is n1 bfd.state Up
wait_for 5 "bfdd's session to vrrpd is up" frr_status_is status up
# vrrpd sends at max(10, FRR's rx 20) = 20 ms; detects FRR in 4 x max(10, FRR's tx 30) = 120 ms.
wait_for 5 "vrrpd sends every 20 ms" field_is n1 bfd.tx_interval_us 20000
# bfdd's own 30 ms comes in its Poll Sequence once it is Up (1 s before).
wait_for 5 "vrrpd detects bfdd in 120 ms" field_is n1 bfd.detect_time_us 120000
t_assert "vrrpd learnt bfdd's multiplier" [ "$(vrrp_field n1 bfd.remote_detect_mult)" = 4 ]
t_assert "no packet from bfdd dropped" [ "$(vrrp_field n1 bfd.counters.discards.bad_ttl)" = 0 ]
t_log "FRR: $(frr -c 'show bfd peer 198.51.100.11 local-address 198.51.100.12' 2>&1 | tr -s ' \n' ' ')"

# FRR takes the session down administratively: AdminDown, not a failure.
frr -c 'configure terminal' -c 'bfd' -c 'peer 198.51.100.11 local-address 198.51.100.12' -c 'shutdown'
wait_for 5 "vrrpd sees the peer AdminDown" field_is n1 bfd.remote_state AdminDown
t_assert "vrrpd's session is Down" [ "$(vrrp_field n1 bfd.state)" = Down ]
t_assert "diag is neighbor down, not timeout" [ "$(vrrp_field n1 bfd.diag)" = neighbor_signaled_session_down ]
t_assert "node 1 is still master" vrrp_state_is n1 master
frr -c 'configure terminal' -c 'bfd' -c 'peer 198.51.100.11 local-address 198.51.100.12' -c 'no shutdown'
wait_for 10 "Up again after FRR's no shutdown" field_is n1 bfd.state Up
# Until bfdd's Poll Sequence brings its 30 ms back, vrrpd would wait 4 x 1 s.
wait_for 5 "vrrpd detects bfdd in 120 ms again" field_is n1 bfd.detect_time_us 120000

# bfdd dies: vrrpd times out (diag 1).
net_stop "$PID_bfdd" KILL
wait_for 3 "vrrpd's session times out" field_is n1 bfd.diag control_detection_time_expired
t_assert "vrrpd's session is Down" [ "$(vrrp_field n1 bfd.state)" = Down ]
