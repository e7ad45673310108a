#!/usr/bin/env bash
# The cost of the access log: lbd with `access-log syslog` against HAProxy 2.6
# with `log <unix socket> local0` and `option httplog` (the reference config),
# and lbd with the log off, in the same run, taking turns round after round.
# Both send one datagram per request to the same reader (log_sink.py, which
# only counts), which stands in for journald's /dev/log; lbd finds it as its
# /dev/log through tests/net/lbd_devlog.sh.  The proxy alone on CPU 1; wrk,
# the two nginx backends and the reader on CPU 0.
#
#   bench/lbd_log_bench.sh            (as root; NOT part of make check)
#   ROUNDS=5 SECONDS_PER_RUN=5 bench/lbd_log_bench.sh
#   LBD_REF=/path/to/older/lbd PROXIES="lbd-log lbd-ref haproxy-log lbd-off" bench/lbd_log_bench.sh
#                                 (lbd-ref: another lbd binary, logging too, e.g.
#                                  one built from an older commit)
#
# Per proxy and round: small GETs with wrk (50 keep-alive connections):
# req/s, p50, p99, proxy CPU (user+sys from /proc) per request, and the log
# lines the reader got against the requests made.
set -u
cd "$(dirname "$0")/.."
export NET_BIN=${NET_BIN:-build}
. tests/net/lib.sh
net_require wrk haproxy nginx taskset unshare
PY=/usr/bin/python3
D=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
PROXIES=${PROXIES:-lbd-log haproxy-log lbd-off}
[ -x "$BIN/lbd" ] || { echo "build lbd first (make)"; exit 1; }
ulimit -n "$(ulimit -Hn)"

. bench/bench_lab.sh
bench_lab
# A syslog socket's queue as on a systemd host (the kernel's default is 10).
nx sysctl -qw net.unix.max_dgram_qlen=512
bench_nginx a 192.0.2.11
bench_nginx b 192.0.2.12
wait_for 5 "backends" nx curl -sf -o /dev/null http://192.0.2.12:8080/

net_spawn b sink taskset -c 0 "$PY" bench/log_sink.py "$T/log.sock" "$T/log.count"
wait_for 5 "the log reader" test -s "$T/log.count"

bench_lbd_conf syslog > "$T/lbd-log.conf"
bench_lbd_conf off > "$T/lbd-off.conf"
# The reference config, addresses changed, logging to the reader's socket
# (the reference logs to stdout), option httplog kept.
bench_haproxy_cfg -e "s|stats socket .*|stats socket $T/haproxy.sock mode 600 level admin|" \
	-e "s|^(\s*)log stdout .*|\1log $T/log.sock local0 info|" > "$T/haproxy.cfg"
grep -q "log $T/log.sock" "$T/haproxy.cfg" && grep -q 'option httplog' "$T/haproxy.cfg" ||
	{ echo "haproxy.cfg: no log to the socket"; exit 1; }
haproxy -c -f "$T/haproxy.cfg" >/dev/null || { echo "haproxy.cfg invalid"; exit 1; }

start_proxy() { # name -> PROXY_PID
	case $1 in
	lbd-log) net_spawn b lbd taskset -c 1 tests/net/lbd_devlog.sh "$T/log.sock" "$BIN/lbd" -n -f "$T/lbd-log.conf" ;;
	lbd-off) net_spawn b lbd taskset -c 1 "$BIN/lbd" -n -f "$T/lbd-off.conf" ;;
	lbd-ref) net_spawn b lbd taskset -c 1 tests/net/lbd_devlog.sh "$T/log.sock" "$LBD_REF" -n -f "$T/lbd-log.conf" ;;
	haproxy-log) net_spawn b haproxy taskset -c 1 haproxy -f "$T/haproxy.cfg" ;;
	esac
	PROXY_PID=${NET_PIDS[-1]}
	wait_for 5 "$1 answers" nx curl -sf -o /dev/null http://192.0.2.10:4318/
	# lbd_devlog.sh execs lbd in the end: the PID is lbd's own.
}

: > "$T/results"
for r in $(seq "$ROUNDS"); do
	for p in $PROXIES; do
		start_proxy "$p"
		nx taskset -c 0 wrk -t1 -c50 -d1s http://192.0.2.10:4318/ >/dev/null # warm-up
		sleep 0.5 # let the reader catch up with the warm-up's lines
		lines0=$(cat "$T/log.count")
		before=$(bench_cpu_ticks "$PROXY_PID")
		out=$(nx taskset -c 0 wrk -t1 -c50 -d"${D}s" --latency http://192.0.2.10:4318/)
		after=$(bench_cpu_ticks "$PROXY_PID")
		sleep 0.5
		lines=$(($(cat "$T/log.count") - lines0))
		net_stop "$PROXY_PID"
		bench_wrk "$out"
		reqs=$WRK_REQS rps=$WRK_RPS p50=$WRK_P50 p99=$WRK_P99 errs=$WRK_ERRS
		cpu=$(bench_us_per_req $((after - before)) "$reqs")
		echo "round $r $p: $reqs requests, $rps req/s, p50 $p50, p99 $p99, $cpu us CPU/req, $lines log lines ${errs:+ERR: $errs}" >&2
		echo "$r $p $rps $p50 $p99 $cpu $reqs $lines" >> "$T/results"
	done
done

echo
echo "## access log: lbd vs HAProxy 2.6 ($(date -u +%F), $(nproc) CPUs, proxy on CPU 1, wrk + backends + log reader on CPU 0, $ROUNDS rounds of ${D}s, medians)"
PYTHONPATH=bench "$PY" - "$T/results" $PROXIES <<'PYEOF'
import statistics as st, sys
from bench_report import ratio_line, wrk_ms as ms
rows = [l.split() for l in open(sys.argv[1])]
proxies = sys.argv[2:]
val = {}
for r in rows:
    d = val.setdefault(r[1], {"rps": {}, "p50": {}, "p99": {}, "cpu": {}, "logged": {}})
    d["rps"][r[0]] = float(r[2]); d["p50"][r[0]] = ms(r[3]); d["p99"][r[0]] = ms(r[4])
    d["cpu"][r[0]] = float(r[5]); d["logged"][r[0]] = int(r[7]) / max(int(r[6]), 1)
med = lambda p, c: st.median(val[p][c].values())
print()
print("| proxy | GET req/s | p50 | p99 | CPU us/req | lines logged / requests |")
print("|---|---|---|---|---|---|")
for p in proxies:
    print("| %s | %.0f | %.2fms | %.2fms | %.1f | %.3f |" % (p, med(p, "rps"), med(p, "p50"), med(p, "p99"),
                                                         med(p, "cpu"), med(p, "logged")))
if "lbd-log" in proxies and "haproxy-log" in proxies:
    print()
    for c, name in (("cpu", "CPU/req"), ("rps", "req/s"), ("p99", "p99")):
        print(ratio_line("lbd-log/haproxy-log", name, 8, val["lbd-log"][c], val["haproxy-log"][c]))
PYEOF
