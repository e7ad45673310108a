#!/usr/bin/env bash
# bench/vrrp_bfd_bench.sh: vrrpd with BFD beside VRRP (issue 19) against
# Debian's keepalived (VRRP alone: it has no BFD takeover), in the same
# namespace lab and the same run (two nodes and a client on a bridge).
#
#   1. Node crash: the master's daemon is SIGKILLed and its link cut at the
#      hub (no goodbye, nothing more on the wire), adverts 1 s and 100 ms,
#        vrrpd-bfd10   vrrpd, BFD 10 ms x 3
#        vrrpd-bfd50   vrrpd, BFD 50 ms x 3
#        keepalived    keepalived, VRRP alone
#      Two figures per run:
#        outage  the longest gap between two replies seen by a client that
#                pings the VIP every 10 ms (ping -D -i 0.01): time without
#                service, one probe interval of resolution
#        wire    from the master's last packet (advert or BFD: between the
#                kill and the cut its kernel still answers, e.g. ICMP port
#                unreachable, which does not count) to the backup's first
#                gratuitous ARP for the VIP, both seen by tcpdump on the
#                backup's interface (pcap timestamps)
#   2. No false takeovers, FALSE_SECONDS each, the backup's counters before
#      and after (transitions to master, BFD session Down, BFD takeovers,
#      adverts that overrode BFD):
#        cpu     both CPUs saturated (2 busy loops per CPU, and lbd in front
#                of nginx under wrk) with BFD 10 ms x 3, adverts 1 s
#        loss1   1% packet loss (both nodes drop 1% of what they send: a tc
#                egress BPF program, bench/bpf/loss.bpf.c, as this kernel has
#                no sch_netem), BFD 50 ms x 3
#        loss5   5% packet loss, BFD 50 ms x 3
#      keepalived under the same load at 100 ms adverts is the anchor.
#
# Not part of make check.  Needs root.  Release build: `make`, then
#   bench/vrrp_bfd_bench.sh                          (REPS=3 FALSE_SECONDS=60)
#   REPS=1 FALSE_SECONDS=0 bench/vrrp_bfd_bench.sh   (crash part only)
#   REPS=0 FALSE_SECONDS=60 bench/vrrp_bfd_bench.sh  (false takeovers only)
set -u
export NET_BIN=${NET_BIN:-build}
. "$(dirname "$0")/../tests/net/lib.sh"
. "$(dirname "$0")/../tests/net/vrrp_lab.sh"
. "$(dirname "$0")/vrrp_bench_lab.sh"
net_require keepalived tcpdump ping tc wrk nginx curl clang
REPS=${REPS:-3}
FALSE_SECONDS=${FALSE_SECONDS:-60}
IMPLS=${IMPLS:-vrrpd-bfd10 vrrpd-bfd50 keepalived}
ADVERTS=${ADVERTS:-1000 100}
RESULTS=$T/results
: > "$RESULTS"

vrrp_lab

# node 1's port on the hub, for the link cut
HUB_PORT=$(hub_port n1)
[ -n "$HUB_PORT" ] || t_fail "node 1's port on the hub"
MAC_n2=$(mac_of n2)

ka_conf() { # NODE PRIO ADVERT_S
	printf 'global_defs {\n    router_id %s\n    vrrp_version 3\n    vrrp_garp_master_repeat 2\n    vrrp_garp_master_delay 0\n}\n' "$1-$NET_ID"
	printf 'vrrp_instance VI_51 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority %s\n    advert_int %s\n    version 3\n    virtual_ipaddress {\n        %s/24 dev eth0\n    }\n}\n' "$2" "$3" "$VIP"
}

start_node() { # IMPL NODE PRIO ADVERT(ms)
	local impl=$1 n=$2 p=$3 adv=$4 peer=198.51.100.12 tx
	[ "$n" = n2 ] && peer=198.51.100.11
	case $impl in
	keepalived)
		ka_conf "$n" "$p" "$(awk "BEGIN{print $adv/1000}")" > "$T/ka-$n.conf"
		ka_start "$n"
		return ;;
	vrrpd-bfd10) tx=10ms ;;
	vrrpd-bfd50) tx=50ms ;;
	esac
	vrrp_conf "$n" "$p" "${adv}ms" "bfd { peer $peer; min-tx $tx; min-rx $tx; multiplier 3; }" |
		vrrp_bench_shipped > "$T/vr-$n.conf"
	net_spawn "$n" "vr_$n" "$BIN/vrrpd" -n -f "$T/vr-$n.conf"
}

# Both nodes, node 1 master, settled (and BFD Up for vrrpd).
start_pair() { # IMPL ADVERT(ms)
	start_node "$1" n1 100 "$2"
	wait_for 10 "$1: node 1 holds the VIP" vip_on n1
	start_node "$1" n2 90 "$2"
	if [ "$1" != keepalived ]; then
		wait_for 10 "$1: node 2 backup" vrrp_state_is n2 backup
		wait_for 10 "$1: BFD Up on node 2" field_is n2 bfd.state Up
	fi
	sleep "$(awk "BEGIN{print $2 * 4 / 1000 + 0.5}")"
	vip_off n2 || t_fail "$1: node 2 took the VIP while node 1 is master"
}

# ---- 1. node crash ---------------------------------------------------------------
crash() { # IMPL ADVERT(ms)
	local impl=$1 adv=$2
	start_pair "$impl" "$adv"
	ip netns exec "$NS_n2" tcpdump -i eth0 -n -e -tt -l -U \
		"(src host 198.51.100.11 and (ip proto 112 or udp dst port 3784)) or (arp and ether src $MAC_n2)" \
		> "$T/dump" 2>/dev/null &
	local dump=$!
	ip netns exec "$NS_cl" ping -D -n -i 0.01 -W 1 "$VIP" > "$T/ping" 2>&1 &
	local png=$!
	sleep 1
	if [ "$impl" = keepalived ]; then
		for p in $(ka_pids n1); do kill -KILL "$p" 2>/dev/null; done
	else
		kill -KILL "$(eval echo "\$PID_vr_n1")"
	fi
	ip -n "$NS_hub" link set "$HUB_PORT" down
	wait_until 15 vip_on n2 || t_log "$impl ${adv}ms: no takeover within 15 s"
	sleep 1
	kill "$png" "$dump" 2>/dev/null
	wait "$png" "$dump" 2>/dev/null
	local out wire
	out=$("$PY" -c '
import re, sys
ts = [float(m.group(1)) for m in (re.match(r"\[(\d+\.\d+)\].*bytes from", l) for l in open(sys.argv[1])) if m]
gaps = [b - a for a, b in zip(ts, ts[1:])]
print("NA" if not gaps else "%.0f" % (max(gaps) * 1000))' "$T/ping")
	wire=$("$PY" -c '
import sys
last = garp = None
for l in open(sys.argv[1]):
    f = l.split()
    if len(f) < 2: continue
    t = float(f[0])
    if " ARP" in l or "ARP," in l:
        if " 198.51.100.100 " in l + " " and last is not None and garp is None: garp = t
    elif garp is None:
        last = t
print("NA" if garp is None else "%.1f" % ((garp - last) * 1000))' "$T/dump")
	echo "crash $impl $adv $out $wire" >> "$RESULTS"
	t_log "crash $impl advert ${adv}ms: outage ${out} ms, last packet -> gratuitous ARP ${wire} ms"
	[ "$impl" = keepalived ] || t_log "  node 2: reason $(vrrp_field n2 last_transition.reason), BFD diag $(vrrp_field n2 bfd.diag)"
	vrrp_bench_stop "$impl" n1 KILL
	vrrp_bench_stop "$impl" n2
	ip -n "$NS_hub" link set "$HUB_PORT" up
	ip -n "$NS_cl" neigh flush dev eth0
}

for adv in $ADVERTS; do
	for r in $(seq 1 "$REPS"); do
		for impl in $IMPLS; do
			crash "$impl" "$adv"
		done
	done
done

# ---- 2. false takeovers -------------------------------------------------------------
counters() { # IMPL -> "became_master bfd_down peer_down overridden"
	if [ "$1" = keepalived ]; then
		echo "$(grep -c "Entering MASTER STATE" "$T/ka_n2.log") 0 0 0"
	else
		vrrpctl_json n2 | "$PY" -c '
import json, sys
i = json.load(sys.stdin)["instances"][0]; b = i["bfd"]["counters"]
print(i["counters"]["became_master"], b["up"], b["peer_down"], b["peer_down_overridden"])'
	fi
}

lbd_load() { # starts lbd in front of nginx in namespace "lb", and wrk against it
	. "$(dirname "$0")/../tests/net/lbd_lib.sh"
	lbd_setup
	lbd_nginx a 192.0.2.11:8080
	lbd_conf "$T/lbd.conf" <<'C'
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
	sed -i 's/access-log stdout;//' "$T/lbd.conf"
	lbd_start "$T/lbd.conf"
	net_spawn lb wrk wrk -t1 -c32 -d"${FALSE_SECONDS}s" http://192.0.2.10:9192/
}

false_run() { # KIND IMPL ADVERT(ms)
	local kind=$1 impl=$2 adv=$3 busy=() i
	: > "$T/ka_n2.log"
	start_pair "$impl" "$adv"
	local before after sent0=0 recv0=0
	before=$(counters "$impl")
	if [ "$impl" != keepalived ]; then
		sent0=$(vrrp_field n1 bfd.counters.sent)
		recv0=$(vrrp_field n2 bfd.counters.received)
	fi
	case $kind in
	cpu)
		[ -n "${PID_lbd:-}" ] || lbd_load
		[ -n "${PID_wrk:-}" ] && ! net_alive "$PID_wrk" &&
			net_spawn lb wrk wrk -t1 -c32 -d"${FALSE_SECONDS}s" http://192.0.2.10:9192/
		for i in $(seq 1 $(($(nproc) * 2))); do
			timeout "$FALSE_SECONDS" sh -c 'while :; do :; done' &
			busy+=($!)
		done
		wait "${busy[@]}" 2>/dev/null ;;
	loss*)
		# Each node drops that share of what it sends (tc egress, BPF:
		# kernels without sch_netem have no 'tc qdisc ... netem loss').
		local pct=${kind#loss} n
		clang -O2 -Wall -Werror -target bpf -I"/usr/include/$(uname -m)-linux-gnu" \
			-DLOSS_PER_10000=$((pct * 100)) -c "$(dirname "$0")/bpf/loss.bpf.c" -o "$T/loss.o" ||
			t_fail "building bench/bpf/loss.bpf.c"
		for n in n1 n2; do
			tc -n "$(eval echo "\$NS_$n")" qdisc add dev eth0 clsact
			tc -n "$(eval echo "\$NS_$n")" filter add dev eth0 egress bpf da obj "$T/loss.o" sec tc ||
				t_fail "loss filter on $n"
		done
		sleep "$FALSE_SECONDS"
		for n in n1 n2; do tc -n "$(eval echo "\$NS_$n")" qdisc del dev eth0 clsact; done ;;
	esac
	after=$(counters "$impl")
	local d
	d=$("$PY" -c 'import sys; a=sys.argv[1].split(); b=sys.argv[2].split(); print(" ".join(str(int(y)-int(x)) for x, y in zip(a, b)))' "$before" "$after")
	local lost=""
	if [ "$impl" != keepalived ]; then
		# BFD packets node 1 sent that node 2 did not get: the loss applied
		lost=$("$PY" -c 'import sys; s, r = int(sys.argv[2]) - int(sys.argv[1]), int(sys.argv[4]) - int(sys.argv[3]); print("bfd_lost=%.2f%%" % (100.0 * (s - r) / s if s else 0))' \
			"$sent0" "$(vrrp_field n1 bfd.counters.sent)" "$recv0" "$(vrrp_field n2 bfd.counters.received)")
	fi
	echo "false $kind $impl $adv $d $lost" >> "$RESULTS"
	t_log "false takeovers, $kind ${FALSE_SECONDS}s, $impl advert ${adv}ms: became_master bfd_reups bfd_takeovers overridden = $d $lost"
	vrrp_bench_stop "$impl" n1
	vrrp_bench_stop "$impl" n2
}

if [ "$FALSE_SECONDS" -gt 0 ]; then
	false_run cpu vrrpd-bfd10 1000
	false_run cpu keepalived 100
	false_run loss1 vrrpd-bfd50 1000
	false_run loss1 keepalived 100
	false_run loss5 vrrpd-bfd50 1000
	false_run loss5 keepalived 100
fi

# ---- summary -------------------------------------------------------------------------
echo
echo "== results (REPS=$REPS, FALSE_SECONDS=$FALSE_SECONDS, $(nproc) CPUs, $(uname -r))"
"$PY" - "$RESULTS" <<'PYEOF'
import sys, statistics
crash, false = {}, []
for l in open(sys.argv[1]):
    f = l.split()
    if f[0] == 'crash':
        d = crash.setdefault((f[2], f[1]), {'out': [], 'wire': []})
        if f[3] != 'NA': d['out'].append(int(f[3]))
        if f[4] != 'NA': d['wire'].append(float(f[4]))
    elif f[0] == 'false':
        false.append(f[1:])
def med(v):
    return statistics.median(v) if v else float('nan')
print('node crash (SIGKILL + link cut): medians, ms; ratio = keepalived / vrrpd')
print('%-7s %-12s %8s %8s %8s   %s' % ('advert', 'impl', 'outage', 'wire', 'ratio', 'runs (outage; wire)'))
for adv in sorted({k[0] for k in crash}, key=int, reverse=True):
    ka = med(crash.get((adv, 'keepalived'), {'out': []})['out'])
    for impl in ('vrrpd-bfd10', 'vrrpd-bfd50', 'keepalived'):
        d = crash.get((adv, impl))
        if not d: continue
        o = med(d['out'])
        print('%-7s %-12s %8.0f %8.1f %8.1f   %s; %s' % (adv + 'ms', impl, o, med(d['wire']), ka / o if o else float('nan'), d['out'], d['wire']))
print('false takeovers on the backup: became_master, BFD back Up after a Down, BFD failures seen, overridden by adverts [BFD loss measured]')
for f in false:
    print('  %-6s %-12s advert %5sms: %s' % (f[0], f[1], f[2], ' '.join(f[3:])))
PYEOF
