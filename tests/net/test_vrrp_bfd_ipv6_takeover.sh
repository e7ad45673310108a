#!/usr/bin/env bash
# BFD takeover over IPv6: the peer given as the other router's link-local
# address (the source of its adverts, RFC 5798 5.1.2.1).  1 s adverts, BFD
# 10 ms x 3; the master's link cut at the hub: the backup is master in
# under 100 ms for reason bfd_peer_down.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
ll() { # NODE: its link-local address on eth0
	local v="NS_$1"
	ip -n "${!v}" -6 -o addr show dev eth0 scope link | sed -n 's/.* inet6 \(fe80::[0-9a-f:]*\)\/64.*/\1/p' | head -1
}
wait_for 5 "link-local addresses" eval '[ -n "$(ll n1)" ] && [ -n "$(ll n2)" ]'
ll1=$(ll n1) ll2=$(ll n2)
conf6() { # NODE PRIO PEER
	printf 'global {\n\tcontrol %s/%s.sock;\n\tmlock off;\n\trealtime-priority 5;\n}\n' "$T" "$1"
	printf 'instance VI_52 {\n\tinterface eth0;\n\tvrid 52;\n\tpriority %s;\n\tadvert 1s;\n' "$2"
	printf '\tvirtual-address fe80::52/64;\n\tvirtual-address 2001:db8::100/64;\n'
	printf '\tbfd { peer %s; min-tx 10ms; min-rx 10ms; }\n}\n' "$3"
}
conf6 n1 100 "$ll2" > "$T/n1.conf"
conf6 n2 90 "$ll1" > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 6 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 3 "node 2 follows node 1" field_is n2 master "$ll1"
wait_until 5 field_is n2 bfd.state Up || { vrrpctl_json n1; vrrpctl_json n2; t_fail "BFD not Up on node 2"; }
wait_for 3 "node 2 sends every 10 ms" field_is n2 bfd.tx_interval_us 10000

hub_link n1 down
wait_for 3 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - LINK_MS))
t_log "takeover ${took} ms after the cut"
t_assert "reason is bfd_peer_down" [ "$(vrrp_field n2 last_transition.reason)" = bfd_peer_down ]
t_assert "takeover within 100 ms of the cut" [ "$took" -lt 100 ]
