#!/usr/bin/env bash
# An interface track follows link events, not a poll: node 1 tracks trk0
# (weight -20) with an interval of 60 s, so only the netlink event can explain
# a reaction within seconds.  trk0 down: priority 80 < 90, node 2 takes over;
# trk0 deleted: still down; re-created and up: node 1 preempts back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
ip -n "$NS_n1" link add trk0 type veth peer name trk1 && ip -n "$NS_n1" link set trk1 up
ip -n "$NS_n1" link set trk0 up
vrrp_conf n1 100 100ms "track uplink weight -20;" > "$T/n1.conf"
printf 'track uplink {\n\tinterface trk0;\n\tinterval 60s;\n}\n' >> "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
t_assert "the track is up" field_is n1 tracks.0.up true

ip -n "$NS_n1" link set trk0 down
wait_for 3 "node 2 takes over when trk0 goes down" vrrp_state_is n2 master
t_assert "node 1 effective priority 80" field_is n1 effective_priority 80
t_assert "the track says link_down" field_is n1 tracks.0.last link_down

# Deleted and re-created (a new ifindex): the track knows it by name.
ip -n "$NS_n1" link del trk0
ip -n "$NS_n1" link add trk0 type veth peer name trk1 && ip -n "$NS_n1" link set trk1 up
ip -n "$NS_n1" link set trk0 up
wait_for 3 "node 1 preempts back when trk0 is back up" vrrp_state_is n1 master
t_assert "node 1 effective priority 100" field_is n1 effective_priority 100
wait_for 2 "VIP on node 1" vip_on n1
