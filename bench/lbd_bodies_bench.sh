#!/usr/bin/env bash
# Large request bodies: lbd vs HAProxy 2.6 (the reference haproxy.cfg,
# addresses changed) by default and with "option splice-auto".  Same pinning
# as lbd_bench.sh: the proxy alone on CPU 1, the client and the two nginx
# backends on CPU 0.  What counts on a node is the CPU of the proxy AND of the
# servers behind it (on loopback, segments queued in the proxy's socket are
# sent when the server's ACKs arrive, in the server's process), so both are
# reported, with their sum, per request.
#
#   bench/lbd_bodies_bench.sh      (as root; NOT part of make check)
#   ROUNDS=5 SECONDS_PER_RUN=10 SIZES="1048576 16777216" PROXIES="lbd haproxy haproxy_splice" bench/lbd_bodies_bench.sh
#
# PROXIES may also name lbd_alt, the lbd binary at LBD_ALT_BIN (an A/B of two
# builds in the same rounds).  PROBE runs a command during each load run, e.g.
# PROBE='strace -c -f -o $T/st-$1 -p $3' PROBE_DIR=/tmp/out (see run_load).
#
# Per proxy and body size, 50 keep-alive connections POSTing bodies of that
# size: req/s, p50, p99, proxy CPU, servers' CPU and their sum (user+sys from
# /proc) in us/request.  The proxies take turns each round; the report gives
# medians and [ranges].  Bodies up to WRK_MAX_BODY (1 MiB) go with
# wrk -t1 -c50, whose latency ends at the answer (nginx's "return 200" answers
# once it has read the head and discards the body after); larger ones with
# bench/lbd_post_client.py (wrk 4.x completes one request per connection above
# ~2 MiB), whose latency ends when the body is sent and the answer received.
set -u
cd "$(dirname "$0")/.." || exit 1
export NET_BIN=${NET_BIN:-build}
. tests/net/lib.sh
net_require wrk haproxy nginx taskset
PY=/usr/bin/python3
D=${SECONDS_PER_RUN:-10}
ROUNDS=${ROUNDS:-3}
SIZES=${SIZES:-1048576 16777216}
PROXIES=${PROXIES:-lbd haproxy haproxy_splice}
WRK_MAX_BODY=${WRK_MAX_BODY:-1048576}
[ -x "$BIN/lbd" ] || { echo "build lbd first (make)"; exit 1; }
ulimit -n "$(ulimit -Hn)"

. bench/bench_lab.sh
bench_lab
bench_nginx a 192.0.2.11 'location / { client_max_body_size 0; default_type text/plain; return 200 "ok\n"; }'
bench_nginx b 192.0.2.12 'location / { client_max_body_size 0; default_type text/plain; return 200 "ok\n"; }'
SRV_PIDS=("${BENCH_SRV_PIDS[@]}")
wait_for 5 "backends" nx curl -sf -o /dev/null http://192.0.2.12:8080/

bench_lbd_conf > "$T/lbd.conf"
# The reference config, addresses changed, logging and the stats socket off.
bench_haproxy_cfg > "$T/haproxy.cfg"
# Pipes take descriptors too: with 9950 connections HAProxy would want more
# than this machine's 20000: 9900 connections and at most 40 pipes (wrk keeps 50).
sed -e 's/^\(\s*\)option http-keep-alive.*/&\n\1option splice-auto/' -e 's/^\(\s*\)nbthread 1/&\n\1maxpipes 40/' -e 's/maxconn 9950/maxconn 9900/' \
    "$T/haproxy.cfg" > "$T/haproxy_splice.cfg"
for c in haproxy haproxy_splice; do
	haproxy -c -f "$T/$c.cfg" >/dev/null || { echo "$c.cfg invalid"; exit 1; }
done
grep -q 'option splice-auto' "$T/haproxy_splice.cfg" || { echo "splice-auto not set"; exit 1; }

start_proxy() { # name -> PROXY_PID
	case $1 in
	lbd) net_spawn b lbd taskset -c 1 "$BIN/lbd" -n -f "$T/lbd.conf" ;;
	lbd_alt) net_spawn b lbd_alt taskset -c 1 "$LBD_ALT_BIN" -n -f "$T/lbd.conf" ;;
	haproxy | haproxy_splice) net_spawn b "$1" taskset -c 1 haproxy -f "$T/$1.cfg" ;;
	esac
	PROXY_PID=${NET_PIDS[-1]}
	wait_for 5 "$1 answers" nx curl -sf -o /dev/null http://192.0.2.10:4318/
}

for sz in $SIZES; do
	head -c "$sz" /dev/urandom > "$T/body-$sz"
	cat > "$T/post-$sz.lua" <<WEOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-protobuf"
local f = io.open("$T/body-$sz", "rb"); wrk.body = f:read("*a"); f:close()
WEOF
done

# PROBE is eval'ed with $1=label, $2=size, $3=proxy pid, $4=first server pid.
run_load() { # label size -> prints "reqs rps p50 p99 proxy_us server_us errors"
	local pb sb pa sa out
	set -- "$1" "$2" "$PROXY_PID" "${SRV_PIDS[0]}"
	pb=$(bench_cpu_ticks "$PROXY_PID"); sb=$(bench_cpu_ticks "${SRV_PIDS[@]}")
	local probe=
	if [ -n "${PROBE:-}" ]; then # e.g. PROBE='strace -c -o $T/st-$1 -p $3' (runs for the wrk run)
		( eval "timeout -s INT $D $PROBE" ) > "$T/probe-$1.out" 2>&1 &
		probe=$!
	fi
	local reqs rps p50 p99 errs
	if [ "$2" -le "$WRK_MAX_BODY" ]; then
		out=$(nx taskset -c 0 wrk -t1 -c50 -d"${D}s" --timeout 10s --latency -s "$T/post-$2.lua" http://192.0.2.10:4318/v1/metrics)
		bench_wrk "$out"
		reqs=$WRK_REQS rps=$WRK_RPS p50=$WRK_P50 p99=$WRK_P99 errs=$WRK_ERRS
	else
		out=$(nx taskset -c 0 "$PY" bench/lbd_post_client.py 192.0.2.10 4318 /v1/metrics "$T/body-$2" 50 "$D")
		reqs=$(awk '$1 == "requests" { print $2 }' <<<"$out")
		rps=$(awk '$1 == "rps" { print $2 }' <<<"$out")
		p50=$(awk '$1 == "p50" { print $2 }' <<<"$out")
		p99=$(awk '$1 == "p99" { print $2 }' <<<"$out")
		errs=$(awk '$1 == "errors" && $2 != 0 { print "errors " $2 }' <<<"$out")
	fi
	pa=$(bench_cpu_ticks "$PROXY_PID"); sa=$(bench_cpu_ticks "${SRV_PIDS[@]}")
	[ -z "$probe" ] || { wait "$probe"; cp "$T"/probe-"$1".out "$T"/st-"$1"* "${PROBE_DIR:-/tmp}/" 2>/dev/null; }
	echo "$out" > "$T/load-$1.out"
	echo "$reqs $rps $p50 $p99 $(bench_us_per_req $((pa - pb)) "$reqs") $(bench_us_per_req $((sa - sb)) "$reqs")${errs:+ ERR:$errs}"
}

: > "$T/results"
for r in $(seq "$ROUNDS"); do
	for p in $PROXIES; do
		start_proxy "$p"
		nx taskset -c 0 wrk -t1 -c50 -d1s -s "$T/post-${SIZES%% *}.lua" http://192.0.2.10:4318/v1/metrics >/dev/null # warm-up
		for sz in $SIZES; do
			res=$(run_load "$p-$sz-$r" "$sz")
			echo "round $r $p $sz: $res" >&2
			case "$res" in *ERR:*) echo "round $r $p $sz: wrk saw errors" >&2 ;; esac
			echo "$r $p $sz $res" >> "$T/results"
		done
		net_stop "$PROXY_PID"
	done
done
cp "$T/results" "${RESULTS_COPY:-/dev/null}" 2>/dev/null

echo
echo "## Large POST bodies: lbd vs HAProxy 2.6 ($(date -u +%F), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), proxy on CPU 1, client (50 connections) + 2 nginx on CPU 0, $ROUNDS rounds of ${D}s, median [min-max])"
PYTHONPATH=bench "$PY" - "$T/results" $PROXIES <<'PYEOF'
import statistics as st, sys
from bench_report import ratio_line, wrk_ms as ms
rows = [l.split() for l in open(sys.argv[1])]
proxies = sys.argv[2:]
val = {}
for r in rows:
    rnd, p, sz = r[0], r[1], int(r[2])
    d = dict(rps=float(r[4]), p50=ms(r[5]), p99=ms(r[6]), px=float(r[7]), sv=float(r[8]))
    d["node"] = d["px"] + d["sv"]
    for k, v in d.items():
        val.setdefault((sz, p, k), {})[rnd] = v
def f(sz, p, k, fmt):
    v = list(val[(sz, p, k)].values())
    return ("%s [%s-%s]" % (fmt, fmt, fmt)) % (st.median(v), min(v), max(v))
sizes = sorted({int(r[2]) for r in rows})
print()
print("| body | proxy | req/s | p50 ms | p99 ms | proxy CPU us/req | servers CPU us/req | node CPU us/req |")
print("|---|---|---|---|---|---|---|---|")
for sz in sizes:
    for p in proxies:
        print("| %d KiB | %s | %s | %s | %s | %s | %s | %s |" % (sz // 1024, p, f(sz, p, "rps", "%.0f"),
              f(sz, p, "p50", "%.0f"), f(sz, p, "p99", "%.0f"), f(sz, p, "px", "%.0f"),
              f(sz, p, "sv", "%.0f"), f(sz, p, "node", "%.0f")))
print()
for sz in sizes:
    for h in proxies:
        if h == "lbd" or "lbd" not in proxies:
            continue
        for k, name in (("node", "node CPU/req"), ("px", "proxy CPU/req"), ("p99", "p99"), ("rps", "req/s")):
            print(ratio_line("%d KiB lbd/%s" % (sz // 1024, h), name, 14, val[(sz, "lbd", k)], val[(sz, h, k)]))
PYEOF
