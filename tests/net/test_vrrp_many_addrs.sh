#!/usr/bin/env bash
# A host with many addresses (30,000, on 40 other interfaces: the same
# documentation addresses on each): when the link comes back, Master_Down_Interval (0.36 s with 100 ms adverts) must start
# when the instance leaves FAULT, not before the addresses were read, so a
# lone node is master no sooner than that after it is backup.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

ms_of() { # LOG-LINE: its time of day in ms
	local t=${1%% *}
	echo $(( (10#${t:0:2} * 3600 + 10#${t:3:2} * 60 + 10#${t:6:2}) * 1000 + 10#${t:9:3} ))
}

vrrp_lab
for j in $(seq 1 40); do
	echo "link add many$j type bridge"
	for p in 192.0.2 203.0.113 198.51.100; do
		for i in $(seq 1 250); do echo "addr add $p.$i/32 dev many$j"; done
	done
done > "$T/many.batch"
ip -n "$NS_n1" -batch "$T/many.batch"
t_log "node 1 has $(ip -n "$NS_n1" -o addr show | wc -l) addresses"
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 10 "node 1 is master" vrrp_state_is n1 master
ip -n "$NS_n1" link set eth0 down
wait_for 5 "node 1 is in FAULT" vrrp_state_is n1 fault
ip -n "$NS_n1" link set eth0 up
wait_for 10 "node 1 is master again" vrrp_state_is n1 master
b=$(grep "fault -> backup" "$T/vrrpd_n1.log" | tail -n 1)
m=$(grep "backup -> master" "$T/vrrpd_n1.log" | tail -n 1)
[ -n "$b" ] && [ -n "$m" ] || t_fail "no fault -> backup -> master in the log"
waited=$(( $(ms_of "$m") - $(ms_of "$b") ))
t_log "backup for $waited ms before master"
# Timers never fire early and both lines are stamped after their time was
# read: only the rounding of the stamps (1 ms) can make it look shorter.
t_assert "at least Master_Down_Interval (360.9 ms): $waited ms" [ "$waited" -ge 359 ]
