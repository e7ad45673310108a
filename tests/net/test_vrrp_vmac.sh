#!/usr/bin/env bash
# Virtual MAC (`vmac on`).  Both nodes create the macvlan vrrp.51 with MAC
# 00:00:5e:00:01:33; the master holds the VIP on it.  The client learns the
# virtual MAC for the VIP; the adverts on the wire come from it; after node 1
# stops, node 2 takes over and the client's entry is still that MAC, and its
# traffic reaches node 2 without any ARP change.  A crashed vrrpd's macvlan
# is removed by `vrrpd --cleanup`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require arping ping socat tcpdump
VMAC=00:00:5e:00:01:33

vip_on_vmac() { # NODE
	ip -n "$(eval echo "\$NS_$1")" -o addr show dev vrrp.51 2>/dev/null | grep -q " $VIP/"
}
has_vmac() { ip -n "$(eval echo "\$NS_$1")" link show vrrp.51 >/dev/null 2>&1; }

vrrp_lab
vrrp_conf n1 100 100ms "vmac on;" > "$T/n1.conf"
vrrp_conf n2 90 100ms "vmac on;" > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 2 "VIP on node 1's macvlan" vip_on_vmac n1
t_assert "node 2 has its macvlan too, without the VIP" sh -c "ip -n $NS_n2 link show vrrp.51 | grep -q $VMAC && ! ip -n $NS_n2 -o addr show dev vrrp.51 | grep -q ' $VIP/'"
t_assert "node 1's macvlan has MAC $VMAC" sh -c "ip -n $NS_n1 link show vrrp.51 | grep -q $VMAC"

net_spawn n1 listen1 socat TCP-LISTEN:8080,bind=$VIP,fork,reuseaddr SYSTEM:'echo n1'
net_spawn n2 listen2 socat TCP-LISTEN:8080,bind=$VIP,fork,reuseaddr,ip-freebind SYSTEM:'echo n2'

arp=$(ns_exec cl arping -c 2 -w 3 -I eth0 "$VIP" 2>&1)
t_log "$arp"
t_assert "ARP for the VIP is answered with the virtual MAC" grep -qi "reply from $VIP \[$VMAC\]" <<<"$arp"
replies=$(grep -ci 'reply from' <<<"$arp"); vreplies=$(grep -ci "reply from $VIP \[$VMAC\]" <<<"$arp")
t_assert "and only with it: no node answers with its own MAC ($vreplies of $replies)" [ "$replies" = "$vreplies" ]
got=$(ns_exec cl socat -T 2 - TCP:$VIP:8080,connect-timeout=2 </dev/null 2>/dev/null)
t_assert "TCP to the VIP reaches node 1 (got '$got')" [ "$got" = n1 ]
t_log "client: $(ip -n "$NS_cl" neigh show "$VIP")"
t_assert "the client's neighbour entry for the VIP is $VMAC" client_neigh_is "$VMAC"

cap=$(ns_exec cl timeout 5 tcpdump -i eth0 -nn -e -c 3 'ip proto 112' 2>/dev/null)
t_log "$cap"
t_assert "adverts on the wire have the virtual source MAC" grep -qi "^[0-9:.]* $VMAC > 01:00:5e:00:00:12" <<<"$cap"

# Reload must not flap the macvlan.
ifi=$(ip -n "$NS_n1" -o link show vrrp.51 | cut -d: -f1)
kill -HUP "$PID_vrrpd_n1"
wait_for 5 "node 1 reloaded" grep -q "reloaded" "$T/vrrpd_n1.log"
t_assert "node 1 is still master after a reload" vrrp_state_is n1 master
t_assert "the macvlan is the same interface after a reload" sh -c "[ \"\$(ip -n $NS_n1 -o link show vrrp.51 | cut -d: -f1)\" = $ifi ]"

# Failover: the client keeps its entry, traffic reaches node 2.
ns_exec cl ping -c 1 -W 1 -q "$VIP" >/dev/null
kill -TERM "$PID_vrrpd_n1"
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
wait_for 2 "VIP on node 2's macvlan" vip_on_vmac n2
t_assert "node 1's macvlan is gone with vrrpd" sh -c "! ip -n $NS_n1 link show vrrp.51 >/dev/null 2>&1"
t_assert "the client's entry for the VIP is still $VMAC" client_neigh_is "$VMAC"
got=$(ns_exec cl socat -T 2 - TCP:$VIP:8080,connect-timeout=2 </dev/null 2>/dev/null)
t_assert "TCP to the VIP reaches node 2 (got '$got')" [ "$got" = n2 ]
t_assert "the client's entry is still $VMAC" client_neigh_is "$VMAC"

# A crashed vrrpd leaves its macvlan; --cleanup removes it.
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 preempts back" vrrp_state_is n1 master
kill -KILL "$PID_vrrpd_n1"
wait_for 3 "node 2 takes over from the crashed node 1" vrrp_state_is n2 master
t_assert "the crash left the macvlan" has_vmac n1
ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf" || t_fail "vrrpd --cleanup failed"
t_assert "vrrpd --cleanup removed it" sh -c "! ip -n $NS_n1 link show vrrp.51 >/dev/null 2>&1"
