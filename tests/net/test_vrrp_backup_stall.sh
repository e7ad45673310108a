#!/usr/bin/env bash
# A backup's vrrpd that stalls longer than Master_Down_Interval, while the
# master keeps advertising, does not take the VIP when it runs again.  On
# resume, libev runs the expired Master_Down timer before the socket's
# reader: without reading the adverts that wait first, the backup became
# master beside the live master (and went back on its next advert, with
# gratuitous ARPs moving the clients both ways).  100 ms adverts:
# Master_Down_Interval 365 ms; node 2's vrrpd is stopped 600 ms, 3 times.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 3 "node 2 heard node 1's advert" field_is n2 master 198.51.100.11

for round in 1 2 3; do
	trans=$(vrrp_field n2 counters.transitions)
	rcvd=$(vrrp_field n2 counters.adverts_received)
	kill -STOP "$PID_vrrpd_n2"
	sleep 0.6 # the stall itself: past Master_Down_Interval
	kill -CONT "$PID_vrrpd_n2"
	# node 1 sent ~6 adverts meanwhile; once node 2 has read them, its late
	# timer has run too.
	wait_for 3 "round $round: node 2 read the adverts that waited" \
		eval '[ "$(vrrp_field n2 counters.adverts_received)" -ge $((rcvd + 6)) ]'
	t_assert "round $round: node 2 made no transition" [ "$(vrrp_field n2 counters.transitions)" = "$trans" ]
	t_assert "round $round: node 2 still backup" vrrp_state_is n2 backup
	t_assert "round $round: node 1 still master" vrrp_state_is n1 master
done
t_assert "node 2 never logged a move to master" sh -c "! grep -q 'backup -> master' '$T/vrrpd_n2.log'"
exit 0
