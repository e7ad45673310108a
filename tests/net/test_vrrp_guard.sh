#!/usr/bin/env bash
# The XDP guard in service: vrrpd attaches bpf/vrrp_guard.bpf.c to its
# interface at start and fills its maps; a reload to unicast mode refills
# them.  From a third namespace, forged adverts that would each preempt or
# disturb the pair if they reached it (priority 255): TTL 254, a foreign
# VRID, version 2; then in unicast mode priority 255 from a non-peer and a
# peer's address spoofed with TTL 64.  No state changes on either node, the
# guard's counters in `vrrpctl status --json` are exact, and vrrpd's own
# discard counters do not move (the packets never reached it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

N=${GUARD_N:-40000} # per kind; five kinds

guard_count() { # NODE REASON (passed, or a reason under dropped)
	vrrpctl_json "$1" | "$PY" -c "
import json,sys
g=json.load(sys.stdin)['xdp_guards'][0]
print(g['passed'] if '$2' == 'passed' else g['dropped']['$2'])"
}
count_is() { [ "$(guard_count "$1" "$2")" = "$3" ]; }
discards() { # NODE: vrrpd's own discard counters, one line
	vrrpctl_json "$1" | "$PY" -c "
import json,sys
print(json.load(sys.stdin)['instances'][0]['counters']['discards'])"
}
forge() { # DST_MAC SRC DST TTL VER VRID
	ns_exec cl timeout 120 "$PY" "$REPO/tests/net/vrrp_forge.py" eth0 "$1" "$2" "$3" "$N" "$4" "$5" "$6" 255 ||
		t_fail "the forging client failed"
}

vrrp_lab
vrrp_pair 100ms
passed_above() { [ "$(guard_count "$1" passed)" -gt "$2" ]; }
for n in n1 n2; do
	t_assert "$n: a guard on eth0" sh -c "$BIN/vrrpctl -s $T/$n.sock --json status | grep -q '\"xdp_guards\":\[{\"interface\":\"eth0\"'"
done
wait_for 3 "node 2: the master's adverts pass its guard" passed_above n2 3
grep -h "XDP guard on eth0" "$T"/vrrpd_n*.log | head -n 1 | sed 's/^/    /'
tr1=$(vrrp_field n1 counters.transitions); tr2=$(vrrp_field n2 counters.transitions)
d1=$(discards n1); d2=$(discards n2)
for n in n1 n2; do
	for r in bad_ttl unknown_vrid bad_version not_peer; do
		t_assert "$n: no $r yet" count_is "$n" "$r" 0
	done
done

# Multicast mode: to the VRRP group, both nodes see every frame.
start=$(now_ms)
forge 01:00:5e:00:00:12 198.51.100.50 224.0.0.18 254 3 51 # TTL 254
forge 01:00:5e:00:00:12 198.51.100.50 224.0.0.18 255 3 52 # foreign VRID
forge 01:00:5e:00:00:12 198.51.100.50 224.0.0.18 255 2 51 # version 2
t_log "sent $((3 * N)) forged adverts in $(elapsed_ms "$start") ms"
for n in n1 n2; do
	wait_for 10 "$n: $N dropped for bad_ttl" count_is "$n" bad_ttl "$N"
	t_assert "$n: $N dropped for unknown_vrid" count_is "$n" unknown_vrid "$N"
	t_assert "$n: $N dropped for bad_version" count_is "$n" bad_version "$N"
done

# Unicast mode by a reload: the guard's peer filter comes on.
sed -i "s/^\tgarp/\tunicast-peer 198.51.100.12;\n\tgarp/" "$T/n1.conf"
sed -i "s/^\tgarp/\tunicast-peer 198.51.100.11;\n\tgarp/" "$T/n2.conf"
c1=$(vrrp_field n2 counters.adverts_received)
kill -HUP "$PID_vrrpd_n1" "$PID_vrrpd_n2"
wait_for 5 "node 2 hears unicast adverts" vrrp_counter_above n2 adverts_received $((c1 + 5))
t_assert "node 2 in unicast mode" field_is n2 mode unicast
mac2=$(mac_of n2)
forge "$mac2" 198.51.100.50 198.51.100.12 255 3 51 # priority 255 from a non-peer
forge "$mac2" 198.51.100.11 198.51.100.12 64 3 51  # the peer's address, TTL 64
wait_for 10 "n2: $N dropped for not_peer" count_is n2 not_peer "$N"
t_assert "n2: $((2 * N)) dropped for bad_ttl in all" count_is n2 bad_ttl $((2 * N))

t_assert "node 1 is still master" vrrp_state_is n1 master
t_assert "node 2 is still backup" vrrp_state_is n2 backup
t_assert "no transition on node 1" [ "$(vrrp_field n1 counters.transitions)" = "$tr1" ]
t_assert "no transition on node 2" [ "$(vrrp_field n2 counters.transitions)" = "$tr2" ]
t_assert "vrrpd on node 1 saw none of them (discards unchanged)" [ "$(discards n1)" = "$d1" ]
t_assert "vrrpd on node 2 saw none of them (discards unchanged)" [ "$(discards n2)" = "$d2" ]
t_assert "the VIP is on node 1" vip_on n1

# The guard goes with the process.
net_stop "$PID_vrrpd_n2"
t_assert "no XDP program on node 2's eth0 after the stop" \
	sh -c "! ip -n $NS_n2 -d link show eth0 | grep -q 'prog/xdp'"
