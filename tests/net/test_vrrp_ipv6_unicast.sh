#!/usr/bin/env bash
# IPv6 unicast: the bridge floods no multicast (so neither ff02::12 nor
# neighbour discovery crosses it; the nodes know each other by static
# neighbour entries); IPv6 adverts go unicast between 2001:db8::11 and ::12,
# node 1 is master and node 2 takes over when node 1 is killed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require bridge

vrrp_lab
for port in $(ip -n "$NS_hub" -o link show master br0 | awk -F': ' '{print $2}' | cut -d@ -f1); do
	ip netns exec "$NS_hub" bridge link set dev "$port" mcast_flood off || net_unavailable "bridge mcast_flood"
done
ip -n "$NS_n1" neigh replace 2001:db8::12 lladdr "$(mac_of n2)" dev eth0 nud permanent
ip -n "$NS_n2" neigh replace 2001:db8::11 lladdr "$(mac_of n1)" dev eth0 nud permanent
VIP6=2001:db8::100
for n in n1 n2; do
	p=100 me=2001:db8::11 peer=2001:db8::12
	[ $n = n2 ] && p=90 me=2001:db8::12 peer=2001:db8::11
	printf 'global {\n\tcontrol %s/%s.sock;\n\tmlock off;\n\trealtime-priority 5;\n}\n' "$T" "$n" > "$T/$n.conf"
	printf 'instance VI6 {\n\tinterface eth0;\n\tvrid 52;\n\tpriority %s;\n\tadvert 100ms;\n\tvirtual-address %s/64;\n\tunicast-source %s;\n\tunicast-peer %s;\n\tgarp { count 1; repeat 0s; }\n}\n' "$p" "$VIP6" "$me" "$peer" >> "$T/$n.conf"
done
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
sleep 0.5
t_assert "node 2 stays backup: it hears node 1 over IPv6 unicast" vrrp_state_is n2 backup
t_assert "node 2 sees node 1's unicast address as master" field_is n2 master 2001:db8::11
t_assert "no discards on node 2" [ "$(vrrpctl_json n2 | "$PY" -c 'import json,sys; print(sum(json.load(sys.stdin)["instances"][0]["counters"]["discards"].values()))')" = 0 ]
wait_for 2 "VIP on node 1" vip_on n1 "$VIP6"
kill -KILL "$PID_vrrpd_n1"
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
wait_for 2 "VIP on node 2" vip_on n2 "$VIP6"
