#!/usr/bin/env bash
# IPv6 instance: VIP 2001:db8::100 advertised to ff02::12 from link-local
# addresses; node 1 master, the client reaches the VIP; on SIGTERM node 2
# takes over and the client's neighbour entry moves to node 2's MAC
# (unsolicited neighbour advertisement).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
VIP6=2001:db8::100
for n in n1 n2; do
	p=100; [ $n = n2 ] && p=90
	printf 'global {\n\tcontrol %s/%s.sock;\n\tmlock off;\n\trealtime-priority 5;\n}\n' "$T" "$n" > "$T/$n.conf"
	printf 'instance VI6 {\n\tinterface eth0;\n\tvrid 52;\n\tpriority %s;\n\tadvert 100ms;\n\tvirtual-address %s/64;\n\tgarp { count 2; repeat 0s; }\n}\n' "$p" "$VIP6" >> "$T/$n.conf"
done
# Link-local addresses must have finished DAD before they can be used.
wait_for 5 "link-local addresses ready" sh -c "! ip -n $NS_n1 -6 addr show dev eth0 | grep -q tentative && ! ip -n $NS_n2 -6 addr show dev eth0 | grep -q tentative"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
t_assert "family is ipv6" [ "$(vrrp_field n1 family)" = ipv6 ]
# A backup knows its master from the first advert it hears (it may be backup before).
master_is_ll() { case "$(vrrp_field n2 master)" in fe80:*) return 0 ;; *) return 1 ;; esac; }
wait_for 2 "node 2's master is node 1's link-local address" master_is_ll
t_log "master address $(vrrp_field n2 master)"
wait_for 2 "VIP on node 1" vip_on n1 "$VIP6"
t_assert "client pings the IPv6 VIP" ns_exec cl ping -6 -c 1 -W 1 -q "$VIP6"
mac2=$(mac_of n2)
kill -TERM "$PID_vrrpd_n1"
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
t_assert "on priority 0" [ "$(vrrp_field n2 last_transition.reason)" = master_left ]
wait_for 2 "VIP on node 2" vip_on n2 "$VIP6"
wait_for 3 "client's neighbour entry moved to node 2 (unsolicited NA)" client_neigh_is "$mac2" "$VIP6"
t_assert "client pings the IPv6 VIP" ns_exec cl ping -6 -c 1 -W 1 -q "$VIP6"
