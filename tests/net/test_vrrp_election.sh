#!/usr/bin/env bash
# Election: node 1 (priority 100) and node 2 (90) start together; node 1
# becomes master and holds the VIP, node 2 stays backup without it; the
# client reaches the VIP; vrrpctl shows both sides as an operator would.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
t_assert "config n1 is valid (vrrpd -t)" "$BIN/vrrpd" -t -f "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
vrrp_run n2 "$T/n2.conf"

wait_for 5 "node 1 is master" vrrp_state_is n1 master
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 2 "VIP on node 1" vip_on n1
t_assert "VIP not on node 2" vip_off n2
t_assert "client pings the VIP" ns_exec cl ping -c 2 -i 0.2 -W 1 -q "$VIP"
mac1=$(ip -n "$NS_n1" -j link show eth0 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
t_assert "client resolved the VIP to node 1's MAC" sh -c "ip -n $NS_cl neigh show $VIP | grep -q $mac1"
t_assert "node 2 sees node 1 as master" [ "$(vrrp_field n2 master)" = 198.51.100.11 ]
t_assert "node 2 knows the master's priority" [ "$(vrrp_field n2 master_priority)" = 100 ]
# a few 100 ms adverts after the election
wait_for 2 "node 2 receives adverts" vrrp_counter_above n2 adverts_received 3
wait_for 2 "node 1 sends adverts" vrrp_counter_above n1 adverts_sent 3
t_assert "node 1 became master once" [ "$(vrrp_field n1 counters.became_master)" = 1 ]
t_assert "no discards on node 2" [ "$(vrrpctl_json n2 | "$PY" -c 'import json,sys; print(sum(json.load(sys.stdin)["instances"][0]["counters"]["discards"].values()))')" = 0 ]
t_assert "human status is indented key: value" sh -c "'$BIN/vrrpctl' -s '$T/n1.sock' status | grep -q '^  state: master'"
t_assert "node 1 kept only CAP_NET_ADMIN and CAP_NET_RAW" grep -q '^CapEff:.*0000000000003000$' "/proc/$PID_vrrpd_n1/status"
# net_spawn's PID is the ip-netns-exec wrapper, which execs vrrpd: same process.
t_assert "node 1 runs SCHED_FIFO priority 5 (realtime-priority 5)" sh -c "chrt -p $PID_vrrpd_n1 | grep -q SCHED_FIFO && chrt -p $PID_vrrpd_n1 | grep -q 'priority: 5'"
