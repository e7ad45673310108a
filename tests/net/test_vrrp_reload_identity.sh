#!/usr/bin/env bash
# Reloads that change an instance's addresses and the set of instances: the
# virtual address changes (198.51.100.100 -> .101): the old address
# leaves, the new one arrives, and the node is master still; a second
# instance added by the same reload (vrid 52, IPv6) starts; removing it
# again on the next reload releases its address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
wait_for 5 "link-local address ready" sh -c "! ip -n $NS_n1 -6 addr show dev eth0 | grep -q tentative"
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
wait_for 2 "VIP .100 on node 1" vip_on n1

vrrp_conf n1 100 100ms | sed 's/198.51.100.100/198.51.100.101/' > "$T/n1.conf"
printf 'instance six {\n\tinterface eth0;\n\tvrid 52;\n\tadvert 100ms;\n\tvirtual-address 2001:db8::100/64;\n}\n' >> "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "the old address left" vip_off n1 198.51.100.100
wait_for 3 "the new address arrived" vip_on n1 198.51.100.101
wait_for 3 "node 1 is master of the new instance" vrrp_state_is n1 master
wait_for 3 "the added IPv6 instance is master" field_is n1 state master 1
wait_for 2 "its address is on node 1" vip_on n1 2001:db8::100

vrrp_conf n1 100 100ms | sed 's/198.51.100.100/198.51.100.101/' > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "the removed instance released its address" vip_off n1 2001:db8::100
t_assert "the kept instance kept its address" vip_on n1 198.51.100.101
t_assert "one instance left" [ "$(vrrpctl_json n1 | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["instances"]))')" = 1 ]
