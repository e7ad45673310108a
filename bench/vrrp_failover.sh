#!/usr/bin/env bash
# bench/vrrp_failover.sh: vrrpd against Debian's keepalived, in the same
# namespace lab and the same run (two nodes and a client on a bridge).
#
#   1. Failover time, advert 1 s and 100 ms: from the event on the master
#      to the VIP being added on the backup (kernel address event, seen with
#      `ip -ts monitor address` in the backup's namespace), for
#        crash  SIGKILL of the master daemon (all keepalived processes)
#        stop   SIGTERM (clean stop: priority 0)
#        track  the master's track script starts failing (interval 1 s,
#               fall 2, weight -20, both daemons; keepalived cannot check
#               more often than once a second)
#   2. False takeovers while every CPU is saturated (busy loops, 2 per CPU)
#      for SAT_SECONDS, adverts 100 ms and 10 ms: transitions to master on
#      the backup.
#      For track failures vrrpd's part: from the master's logged verdict to
#      the VIP on the backup, against Skew_Time.
#      For crashes also the gap the backup saw on the wire (tcpdump in its
#      namespace): master's last advert -> backup's first advert, against
#      the RFC bound 3 x Master_Adver_Interval + Skew_Time (priority 90).
#   3. RSS and PSS of each daemon (keepalived: parent + VRRP child).
#   4. What an advert interval costs on a quiet machine: CPU time of the
#      master and of the backup over IDLE_SECONDS (default 20; 0: skip), at
#      1 s, 100 ms and 10 ms adverts (/proc/PID/schedstat, ns; keepalived:
#      parent + VRRP child), and the adverts the master sent meanwhile.
#
# Not part of make check.  Needs root.  Release build: `make`, then
#   bench/vrrp_failover.sh              (REPS=3 SAT_SECONDS=60)
#   REPS=1 SAT_SECONDS=10 bench/vrrp_failover.sh   (quick look)
#   SCENARIOS="crash" SAT_SECONDS=0 ...              (failover part only)
set -u
export NET_BIN=${NET_BIN:-build}
. "$(dirname "$0")/../tests/net/lib.sh"
. "$(dirname "$0")/../tests/net/vrrp_lab.sh"
. "$(dirname "$0")/vrrp_bench_lab.sh"
net_require keepalived
REPS=${REPS:-3}
SCENARIOS=${SCENARIOS:-crash stop track}
SAT_SECONDS=${SAT_SECONDS:-60}
IDLE_SECONDS=${IDLE_SECONDS:-20}
RESULTS=$T/results
: > "$RESULTS"

vrrp_lab

# ---- the two implementations ------------------------------------------------
ka_conf() { # NODE PRIO ADVERT_S TRACK(0/1)
	printf 'global_defs {\n    router_id %s\n    vrrp_version 3\n    enable_script_security\n    script_user root\n    vrrp_garp_master_repeat 2\n    vrrp_garp_master_delay 0\n}\n' "$1-$NET_ID"
	[ "$4" = 1 ] && printf 'vrrp_script chk {\n    script "/usr/bin/test -e %s/ok-%s"\n    interval 1\n    timeout 1\n    fall 2\n    rise 2\n    weight -20\n}\n' "$T" "$1"
	printf 'vrrp_instance VI_51 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority %s\n    advert_int %s\n    version 3\n    virtual_ipaddress {\n        %s/24 dev eth0\n    }\n' "$2" "$3" "$VIP"
	[ "$4" = 1 ] && printf '    track_script {\n        chk\n    }\n'
	printf '}\n'
}
vr_conf() { # NODE PRIO ADVERT TRACK(0/1)
	local extra=()
	[ "$4" = 1 ] && extra=("track chk weight -20;")
	vrrp_conf "$1" "$2" "$3" "${extra[@]}" | vrrp_bench_shipped
	[ "$4" = 1 ] && printf 'track chk {\n\tscript "/usr/bin/test -e %s/ok-%s";\n\tinterval 1s;\n\ttimeout 1s;\n\trise 2;\n\tfall 2;\n}\n' "$T" "$1"
}

start_node() { # IMPL NODE PRIO ADVERT(ms) TRACK
	local impl=$1 n=$2 p=$3 adv=$4 tr=$5
	touch "$T/ok-$n"
	if [ "$impl" = keepalived ]; then
		ka_conf "$n" "$p" "$(awk "BEGIN{print $adv/1000}")" "$tr" > "$T/ka-$n.conf"
		ka_start "$n"
	else
		vr_conf "$n" "$p" "${adv}ms" "$tr" > "$T/vr-$n.conf"
		net_spawn "$n" "vr_$n" "$BIN/vrrpd" -n -f "$T/vr-$n.conf"
	fi
}

# Both nodes of one implementation, node 1 master; settled.
start_pair() { # IMPL ADVERT(ms) TRACK
	start_node "$1" n1 100 "$2" "$3"
	wait_for 10 "$1: node 1 holds the VIP" vip_on n1
	start_node "$1" n2 90 "$2" "$3"
	sleep "$(awk "BEGIN{print $2 * 4 / 1000 + 0.5}")"
	vip_off n2 || t_fail "$1: node 2 took the VIP while node 1 is master"
}

rss_kib() { # pids... -> "RSS PSS" in KiB, summed
	local p r=0 q=0
	for p in "$@"; do
		r=$((r + $(awk '/^Rss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
		q=$((q + $(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
	done
	echo "$r $q"
}

ts_of_vip_add() { # monitor-file: epoch ms of the first add of the VIP
	"$PY" - "$1" "$VIP" <<'PYEOF'
import sys, datetime
for line in open(sys.argv[1]):
    if f' {sys.argv[2]}/' in line and 'Deleted' not in line and line.startswith('['):
        ts = line[1:line.index(']')]
        d = datetime.datetime.fromisoformat(ts)
        print(int(d.timestamp() * 1000)); break
PYEOF
}

# ---- 1. failover times --------------------------------------------------------
measure() { # IMPL SCENARIO ADVERT(ms)
	local impl=$1 sc=$2 adv=$3 tr=0
	[ "$sc" = track ] && tr=1
	start_pair "$impl" "$adv" "$tr"
	ip netns exec "$NS_n2" ip -ts monitor address dev eth0 > "$T/mon" 2>&1 &
	local mon=$! dump=
	if [ "$sc" = crash ]; then
		ip netns exec "$NS_n2" tcpdump -i eth0 -n -tt -l 'ip proto 112' > "$T/dump" 2>/dev/null &
		dump=$!
	fi
	sleep 0.2
	local t0
	t0=$(now_ms)
	case $sc in
	crash) vrrp_bench_stop "$impl" n1 KILL ;;
	stop)
		if [ "$impl" = keepalived ]; then kill -TERM "$(cat "$T/ka-n1.pid")"; else kill -TERM "$(eval echo "\$PID_vr_n1")"; fi ;;
	track) rm -f "$T/ok-n1" ;;
	esac
	wait_until 15 vip_on n2 || t_log "$impl $sc ${adv}ms: no takeover within 15 s"
	sleep 0.1
	kill "$mon" 2>/dev/null; wait "$mon" 2>/dev/null
	local t1
	t1=$(ts_of_vip_add "$T/mon")
	local ms=NA
	[ -n "$t1" ] && ms=$((t1 - t0))
	echo "failover $impl $sc $adv $ms" >> "$RESULTS"
	t_log "failover $impl $sc advert ${adv}ms: ${ms} ms"
	if [ "$sc" = track ] && [ "$impl" = vrrpd ] && [ -n "$t1" ]; then
		# vrrpd logs the verdict of the track ("track chk: down") on node 1
		# with milliseconds: from there to the VIP on node 2 is the part the
		# protocol adds (target: Skew_Time + 20 ms).
		local det
		det=$("$PY" - "$T/vr_n1.log" "$t1" <<'PYEOF'
import sys, datetime
# The log grows over the runs (the same node name each time): the last
# verdict is this run's.
last = None
for l in open(sys.argv[1]):
    if 'track chk: down' in l:
        last = l
if last is None:
    print('NA')
else:
    h, m, s = last[:12].split(':')
    day = datetime.datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    t = day.timestamp() * 1000 + (int(h) * 3600 + int(m) * 60 + float(s)) * 1000
    print(int(int(sys.argv[2]) - t))
PYEOF
)
		echo "verdict $impl $adv $det" >> "$RESULTS"
		t_log "  from the master's track verdict to the VIP on node 2: ${det} ms"
	fi
	if [ -n "$dump" ]; then
		sleep 0.2
		kill "$dump" 2>/dev/null; wait "$dump" 2>/dev/null
		local gap
		gap=$("$PY" -c '
import sys
last1 = first2 = None
for l in open(sys.argv[1]):
    f = l.split()
    if len(f) < 4 or f[1] != "IP": continue
    t = float(f[0])
    if f[2] == "198.51.100.11" and first2 is None: last1 = t
    if f[2] == "198.51.100.12" and first2 is None and last1 is not None: first2 = t
print("NA" if first2 is None else "%.1f" % ((first2 - last1) * 1000))
' "$T/dump")
		echo "wire $impl $adv $gap" >> "$RESULTS"
		t_log "  on the wire: last advert of node 1 -> first of node 2: ${gap} ms"
	fi
	vrrp_bench_stop "$impl" n1
	vrrp_bench_stop "$impl" n2
}

for adv in 1000 100; do
	for sc in $SCENARIOS; do
		for r in $(seq 1 "$REPS"); do
			for impl in vrrpd keepalived; do
				measure "$impl" "$sc" "$adv"
			done
		done
	done
done

# ---- 2. false takeovers under CPU saturation + 3. RSS --------------------------
count_masters() { # IMPL : times node 2 became master
	if [ "$1" = keepalived ]; then
		grep -c "Entering MASTER STATE" "$T/ka_n2.log"
	else
		vrrp_field n2 counters.became_master
	fi
}

saturate() { # IMPL ADVERT(ms)
	local impl=$1 adv=$2 busy=() i
	: > "$T/ka_n2.log"
	start_pair "$impl" "$adv" 0
	if [ "$impl" = keepalived ]; then
		echo "rss keepalived $(rss_kib $(ka_pids n1))" >> "$RESULTS"
	else
		echo "rss vrrpd $(rss_kib "$(eval echo "\$PID_vr_n1")")" >> "$RESULTS"
	fi
	local before
	before=$(count_masters "$impl")
	for i in $(seq 1 $(($(nproc) * 2))); do
		timeout "$SAT_SECONDS" sh -c 'while :; do :; done' &
		busy+=($!)
	done
	wait "${busy[@]}" 2>/dev/null
	local after
	after=$(count_masters "$impl")
	echo "saturation $impl $adv $((after - before))" >> "$RESULTS"
	t_log "saturation ${SAT_SECONDS}s $impl advert ${adv}ms: $((after - before)) false takeovers"
	vrrp_bench_stop "$impl" n1
	vrrp_bench_stop "$impl" n2
}

if [ "$SAT_SECONDS" -gt 0 ]; then
	for adv in 100 10; do
		for impl in vrrpd keepalived; do
			saturate "$impl" "$adv"
		done
	done
fi

# ---- 4. idle cost per advert interval -------------------------------------------
cpu_ns() { # pids... -> nanoseconds on a CPU, summed (all threads)
	local p t n=0
	for p in "$@"; do
		for t in /proc/"$p"/task/*/schedstat; do
			n=$((n + $(awk '{print $1}' "$t" 2>/dev/null || echo 0)))
		done
	done
	echo "$n"
}
node_pids() { # IMPL NODE
	if [ "$1" = keepalived ]; then ka_pids "$2"; else eval echo "\$PID_vr_$2"; fi
}
idle_cost() { # IMPL ADVERT(ms)
	local impl=$1 adv=$2 m0 b0 m1 b1 d
	start_pair "$impl" "$adv" 0
	d=$(ip netns exec "$NS_n2" sh -c "timeout $IDLE_SECONDS tcpdump -i eth0 -n -l 'ip proto 112' 2>/dev/null | wc -l" &
	    m0=$(cpu_ns $(node_pids "$impl" n1)); b0=$(cpu_ns $(node_pids "$impl" n2))
	    echo "$m0 $b0" > "$T/idle0"; wait)
	read -r m0 b0 < "$T/idle0"
	m1=$(cpu_ns $(node_pids "$impl" n1)); b1=$(cpu_ns $(node_pids "$impl" n2))
	echo "idle $impl $adv $(((m1 - m0) / 1000)) $(((b1 - b0) / 1000)) $d $IDLE_SECONDS" >> "$RESULTS"
	t_log "idle ${IDLE_SECONDS}s $impl advert ${adv}ms: master $(((m1 - m0) / 1000)) us, backup $(((b1 - b0) / 1000)) us of CPU, $d adverts"
	vrrp_bench_stop "$impl" n1
	vrrp_bench_stop "$impl" n2
}
if [ "$IDLE_SECONDS" -gt 0 ]; then
	for adv in 1000 100 10; do
		for impl in vrrpd keepalived; do
			idle_cost "$impl" "$adv"
		done
	done
fi

# ---- summary ---------------------------------------------------------------------
echo
echo "== results (REPS=$REPS, SAT_SECONDS=$SAT_SECONDS, $(nproc) CPUs, $(uname -r))"
"$PY" - "$RESULTS" <<'PYEOF'
import sys, statistics
fo, sat, rss, wire, verdict, idle = {}, {}, {}, {}, {}, {}
for l in open(sys.argv[1]):
    f = l.split()
    if f[0] == 'failover' and f[4] != 'NA':
        fo.setdefault((f[2], f[3]), {}).setdefault(f[1], []).append(int(f[4]))
    elif f[0] == 'verdict' and f[3] != 'NA':
        verdict.setdefault(f[2], []).append(int(f[3]))
    elif f[0] == 'wire' and f[3] != 'NA':
        wire.setdefault(f[2], {}).setdefault(f[1], []).append(float(f[3]))
    elif f[0] == 'saturation':
        sat.setdefault(f[2], {})[f[1]] = int(f[3])
    elif f[0] == 'rss':
        rss.setdefault(f[1], []).append((int(f[2]), int(f[3])))
    elif f[0] == 'idle':
        idle.setdefault(int(f[2]), {})[f[1]] = (int(f[3]), int(f[4]), int(f[5]), int(f[6]))
print('%-8s %-7s %12s %12s %7s' % ('event', 'advert', 'vrrpd ms', 'keepalived', 'ratio'))
for (sc, adv), d in fo.items():
    v, k = d.get('vrrpd', []), d.get('keepalived', [])
    mv = statistics.median(v) if v else float('nan')
    mk = statistics.median(k) if k else float('nan')
    print('%-8s %-7s %12.0f %12.0f %7.2f   (vrrpd %s; keepalived %s)' % (sc, adv + 'ms', mv, mk, mv / mk if mk else float('nan'), v, k))
for adv, d in wire.items():
    bound = 3 * int(adv) + (256 - 90) * int(adv) / 256
    print('crash, %s ms adverts, last advert -> takeover on the wire: vrrpd %s, keepalived %s (RFC bound %.1f ms)' % (adv, d.get('vrrpd'), d.get('keepalived'), bound))
for adv, v in verdict.items():
    skew = (256 - 90) * int(adv) / 256
    print('track, %s ms adverts, vrrpd from the track verdict to the VIP on the backup: %s ms (Skew_Time %.1f ms)' % (adv, v, skew))
for adv, d in sat.items():
    print('false takeovers, %s ms adverts: vrrpd %s, keepalived %s' % (adv, d.get('vrrpd'), d.get('keepalived')))
for adv in sorted(idle, reverse=True):
    for impl, (m, b, n, secs) in idle[adv].items():
        print('idle, %s ms adverts, %s: master %.2f ms, backup %.2f ms of CPU per minute; %d adverts in %d s'
              % (adv, impl, m * 60 / secs / 1000, b * 60 / secs / 1000, n, secs))
for impl, v in rss.items():
    print('memory %s: RSS %d KiB, PSS %d KiB (max of %d runs)' % (impl, max(x[0] for x in v), max(x[1] for x in v), len(v)))
PYEOF
