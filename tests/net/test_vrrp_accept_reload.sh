#!/usr/bin/env bash
# `accept off` follows reloads and a re-created interface.  Node 1 starts
# with VI_51 (198.51.100.100, accept off).  A reload adds VI_52
# (198.51.100.101, accept off): TCP to .101 is dropped too.  A reload that
# turns VI_52 to accept on lets TCP to .101 through again.  Then eth0 is
# deleted and created anew: once VI_51 is master on it again, the filter is
# on the new eth0 and TCP to .100 is dropped again.  (vrrpd has no CAP_BPF
# after start: this needs a kernel that allows map updates and attaching on
# descriptors vrrpd holds, Linux 6.5 and later.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require socat tc

vrrp_lab
second() { # ACCEPT: the instance the reload adds
	printf 'instance VI_52 {\n\tinterface eth0;\n\tvrid 52;\n\tadvert 100ms;\n\tvirtual-address 198.51.100.101/24;\n\tgarp { count 2; repeat 0s; }\n\taccept %s;\n}\n' "$1"
}
vrrp_conf n1 100 100ms "accept off;" > "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
wait_for 2 "VIP on node 1" vip_on n1
net_spawn n1 listen socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:'echo n1'
wait_for 3 "listener up" sh -c "ss -N $NS_n1 -ltn | grep -q ':8080'"
tcp() { ns_exec cl socat -T 2 - "TCP:$1:8080,connect-timeout=1" </dev/null 2>/dev/null; }
tcp_is() { [ "$(tcp "$1")" = "$2" ]; } # ADDRESS ANSWER
t_assert "TCP to node 1's own address works" [ "$(tcp 198.51.100.11)" = n1 ]
t_assert "TCP to .100 gets nothing" [ -z "$(tcp 198.51.100.100)" ]

{ vrrp_conf n1 100 100ms "accept off;"; second off; } > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "the added instance is master" field_is n1 state master 1
wait_for 2 ".101 on node 1" vip_on n1 198.51.100.101
t_assert "TCP to .101 (added on reload, accept off) gets nothing" [ -z "$(tcp 198.51.100.101)" ]

t_assert "status: its accept_drops counts it" [ "$(vrrp_field n1 accept_drops 1)" -gt 0 ]

{ vrrp_conf n1 100 100ms "accept off;"; second on; } > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 4 "TCP to .101 works once it is accept on" tcp_is 198.51.100.101 n1
t_assert "TCP to .100 still gets nothing" [ -z "$(tcp 198.51.100.100)" ]

# eth0 deleted and created anew (another ifindex).
ip -n "$NS_n1" link del eth0
wait_for 3 "node 1 in fault" vrrp_state_is n1 fault
net_bridge_port hub br0 n1 eth0
ip -n "$NS_n1" addr add 198.51.100.11/24 dev eth0
wait_for 5 "node 1 is master again" vrrp_state_is n1 master
wait_for 2 "VIP on the new eth0" vip_on n1
t_assert "the filter is on the new eth0" sh -c "tc -n $NS_n1 filter show dev eth0 ingress | grep -q vip_noaccept"
ip -n "$NS_cl" neigh flush dev eth0 # the new eth0 has another MAC
wait_for 4 "TCP to node 1's own address works" tcp_is 198.51.100.11 n1
drops=$(vrrp_field n1 accept_drops)
t_assert "TCP to .100 gets nothing on the new eth0" [ -z "$(tcp 198.51.100.100)" ]
t_assert "accept_drops counts it" [ "$(vrrp_field n1 accept_drops)" -gt "$drops" ]
t_assert "no error logged" sh -c "! grep -q ' err' $T/vrrpd_n1.log"
