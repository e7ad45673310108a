#!/usr/bin/env bash
# RFC 5798 Accept_Mode.  Node 1 (priority 100, `accept off`) is master: the
# client's ping and TCP connection to the VIP are dropped (counted in
# accept_drops), while ARP for the VIP is still answered with node 1's MAC.
# Node 2 (accept on, the default) takes over after node 1 stops: the same
# ping and connection work.  The filter goes with vrrpd.  libbpf is loaded
# only by the vrrpd that needs it (node 1), not by node 2's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require arping ping socat tc

vrrp_lab
vrrp_conf n1 100 100ms "accept off;" > "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
# Node 2 loads no BPF program at all (accept on, no XDP guard).
sed -i 's/^\tmlock off;/\tmlock off;\n\txdp-guard off;/' "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 2 "VIP on node 1" vip_on n1
t_assert "status: accept false" field_is n1 accept false
t_assert "status: nothing dropped yet" field_is n1 accept_drops 0
t_assert "the filter is on node 1's eth0 (tc ingress)" sh -c "tc -n $NS_n1 filter show dev eth0 ingress | grep -q vip_noaccept"
t_assert "node 1's vrrpd has libbpf loaded" grep -q libbpf "/proc/$PID_vrrpd_n1/maps"
t_assert "node 2's vrrpd (accept on, xdp-guard off) has not" sh -c "! grep -q libbpf /proc/$PID_vrrpd_n2/maps"
# A TCP listener on the VIP on both nodes (what lbd would be).
net_spawn n1 listen1 socat TCP-LISTEN:8080,bind=$VIP,fork,reuseaddr SYSTEM:'echo n1'
net_spawn n2 listen2 socat TCP-LISTEN:8080,bind=$VIP,fork,reuseaddr,ip-freebind SYSTEM:'echo n2'

arp=$(ns_exec cl arping -c 1 -w 2 -I eth0 "$VIP" 2>&1)
mac1=$(mac_of n1)
t_assert "ARP for the VIP is answered, by node 1's MAC $mac1 ($arp)" grep -qi "reply from $VIP \[$mac1\]" <<<"$arp"
if ns_exec cl ping -c 2 -W 1 -q "$VIP" >/dev/null; then t_fail "ping to the VIP answered in accept off"; fi
t_log "ok: ping to the VIP dropped"
got=$(ns_exec cl socat -T 2 - TCP:$VIP:8080,connect-timeout=2 </dev/null 2>/dev/null)
t_assert "TCP to the VIP gets nothing in accept off (got '$got')" [ -z "$got" ]
drops=$(vrrp_field n1 accept_drops)
t_assert "accept_drops counts them ($drops)" [ "$drops" -ge 3 ]
t_assert "a ping to node 1's own address still works" ns_exec cl ping -c 1 -W 1 -q 198.51.100.11

kill -TERM "$PID_vrrpd_n1"
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
wait_for 2 "VIP on node 2" vip_on n2
t_assert "node 1's filter is gone with vrrpd" sh -c "! tc -n $NS_n1 filter show dev eth0 ingress | grep -q vip_noaccept"
t_assert "ping to the VIP works on node 2 (accept on, the default)" ns_exec cl ping -c 1 -W 1 -q "$VIP"
got=$(ns_exec cl socat -T 2 - TCP:$VIP:8080,connect-timeout=2 </dev/null 2>/dev/null)
t_assert "TCP to the VIP reaches node 2 (got '$got')" [ "$got" = n2 ]

# A crashed vrrpd leaves its filter; `vrrpd --cleanup` (what the unit's
# ExecStopPost runs) removes it.
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 preempts back" vrrp_state_is n1 master
t_assert "node 1's filter is back" sh -c "tc -n $NS_n1 filter show dev eth0 ingress | grep -q vip_noaccept"
kill -KILL "$PID_vrrpd_n1"
wait_for 3 "node 2 takes over from the crashed node 1" vrrp_state_is n2 master
t_assert "the crash left the filter" sh -c "tc -n $NS_n1 filter show dev eth0 ingress | grep -q vip_noaccept"
ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf" || t_fail "vrrpd --cleanup failed"
t_assert "vrrpd --cleanup removed it" sh -c "! tc -n $NS_n1 filter show dev eth0 ingress | grep -q vip_noaccept"
