#!/usr/bin/env bash
# lbd vs Debian's HAProxy 2.6 (the reference haproxy.cfg, addresses changed)
# vs nginx as a reverse proxy, in the same run with the same pinning: the
# proxy alone on CPU 1, wrk and the two nginx backends on CPU 0.
#
#   bench/lbd_bench.sh            (as root; NOT part of make check)
#   ROUNDS=5 SECONDS_PER_RUN=5 IDLE_CONNS=9900 PROXIES="lbd haproxy nginx" bench/lbd_bench.sh
#   LBD_REF=/path/to/other/lbd PROXIES="lbd lbd-ref haproxy" bench/lbd_bench.sh
#                                 a second lbd build (before a change) takes turns with this one;
#                                 the report adds the lbd/lbd-ref ratios
#
# Per proxy: small GET with wrk (50 keep-alive connections): req/s, p50, p99
# and proxy CPU (user+sys from /proc) per 100k requests; 64 KiB POSTs
# (OTLP-like batches): req/s and CPU per request; RSS per idle keep-alive
# connection with IDLE_CONNS connections open.  All proxies run one
# thread/process (one core).  Logging is off for all three.
set -u
cd "$(dirname "$0")/.."
export NET_BIN=${NET_BIN:-build}
. tests/net/lib.sh
net_require wrk haproxy nginx taskset
PY=/usr/bin/python3
D=${SECONDS_PER_RUN:-5}
# HAProxy wants 2 descriptors per connection: with this machine's hard limit of
# 20000 descriptors it cannot hold 10,000 connections, so 9,900 by default.
IDLE=${IDLE_CONNS:-9900}
PROXIES=${PROXIES:-lbd haproxy nginx}
[ -x "$BIN/lbd" ] || { echo "build lbd first (make)"; exit 1; }
case " $PROXIES " in *" lbd-ref "*) [ -x "${LBD_REF:-}" ] || { echo "lbd-ref needs LBD_REF=path of an lbd"; exit 1; } ;; esac
ulimit -n "$(ulimit -Hn)"

. bench/bench_lab.sh
bench_lab
bench_nginx a 192.0.2.11 'location / { default_type text/plain; return 200 "ok\n"; }
		location = /v1/metrics { client_max_body_size 0; client_body_buffer_size 128k;
			default_type text/plain; return 200 "ok\n"; }'
bench_nginx b 192.0.2.12 'location / { default_type text/plain; return 200 "ok\n"; }
		location = /v1/metrics { client_max_body_size 0; client_body_buffer_size 128k;
			default_type text/plain; return 200 "ok\n"; }'
wait_for 5 "backends" nx curl -sf -o /dev/null http://192.0.2.12:8080/

# ---- the three proxies, each on 192.0.2.10:4318 --------------------------------------
bench_lbd_conf > "$T/lbd.conf"
# The reference config, addresses changed, logging and the stats socket off.
bench_haproxy_cfg > "$T/haproxy.cfg"
haproxy -c -f "$T/haproxy.cfg" >/dev/null || { echo "haproxy.cfg invalid"; exit 1; }
cat > "$T/ngproxy.conf" <<EOF
daemon off; master_process off; user root; worker_processes 1;
pid $T/ngproxy.pid; error_log $T/ngproxy.err warn;
events { worker_connections 65536; }
http {
	access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
	client_body_temp_path $T/ngp; proxy_temp_path $T/ngp; fastcgi_temp_path $T/ngp; uwsgi_temp_path $T/ngp; scgi_temp_path $T/ngp;
	upstream otel { server 192.0.2.11:8080; server 192.0.2.12:8080; keepalive 64; }
	server {
		listen 192.0.2.10:4318 backlog=65535;
		client_max_body_size 0;
		location / { proxy_pass http://otel; proxy_http_version 1.1; proxy_set_header Connection "";
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_request_buffering off; }
	}
}
EOF
mkdir -p "$T/ngp"

start_proxy() { # name -> PROXY_PID
	case $1 in
	lbd) net_spawn b lbd taskset -c 1 "$BIN/lbd" -n -f "$T/lbd.conf" ;;
	lbd-ref) net_spawn b lbdref taskset -c 1 "$LBD_REF" -n -f "$T/lbd.conf" ;;
	haproxy) net_spawn b haproxy taskset -c 1 haproxy -f "$T/haproxy.cfg" ;;
	nginx) net_spawn b ngproxy taskset -c 1 nginx -c "$T/ngproxy.conf" ;;
	esac
	PROXY_PID=${NET_PIDS[-1]}
	wait_for 5 "$1 answers" nx curl -sf -o /dev/null http://192.0.2.10:4318/
}
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }

head -c 65536 /dev/urandom | base64 -w0 | head -c 65536 > "$T/body"
cat > "$T/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-protobuf"
local f = io.open("$T/body", "rb"); wrk.body = f:read("*a"); f:close()
EOF

run_wrk() { # label url [script] -> prints "reqs rps p50 p99 cpu_us_per_req"
	local before after out
	before=$(bench_cpu_ticks "$PROXY_PID")
	out=$(nx taskset -c 0 wrk -t1 -c50 -d"${D}s" --latency ${3:+-s "$3"} "$2")
	after=$(bench_cpu_ticks "$PROXY_PID")
	echo "$out" > "$T/wrk-$1.out"
	bench_wrk "$out"
	echo "$WRK_REQS $WRK_RPS $WRK_P50 $WRK_P99 $(bench_us_per_req $((after - before)) "$WRK_REQS") ${WRK_ERRS:+ERR:$WRK_ERRS}"
}

# Rounds: the proxies take turns, ROUNDS times over, so that the machine's
# slow and fast minutes fall on all of them; the report gives each figure's
# median over the rounds and the median of the per-round ratios.  Idle
# memory is measured once per proxy, in the first round (it does not vary).
ROUNDS=${ROUNDS:-5}
: > "$T/results"
for r in $(seq "$ROUNDS"); do
	for p in $PROXIES; do
		start_proxy "$p"
		nx taskset -c 0 wrk -t1 -c50 -d1s http://192.0.2.10:4318/ >/dev/null # warm-up
		get=$(run_wrk "$p-get" http://192.0.2.10:4318/)
		post=$(run_wrk "$p-post" http://192.0.2.10:4318/v1/metrics "$T/post.lua")
		idle=-
		if [ "$r" = 1 ]; then
			base=$(rss_kb "$PROXY_PID")
			nx taskset -c 0 "$PY" bench/lbd_idle.py 192.0.2.10 4318 "$IDLE" 4 > "$T/idle-$p.out" 2>&1 &
			IDLE_PID=$!
			wait_until 30 grep -q ready "$T/idle-$p.out"
			sleep 1
			full=$(rss_kb "$PROXY_PID")
			wait "$IDLE_PID"
			# Per connection really held: a proxy may not take all of them.
			held=$(awk '$1 == "ready" { print $2 }' "$T/idle-$p.out")
			idle=$(awk -v a="$base" -v b="$full" -v n="${held:-0}" 'BEGIN { if (n > 0) printf "%.2f", (b - a) / n; else print "-" }')
			echo "$p idle: $idle KiB per connection, $(cat "$T/idle-$p.out")" >&2
			idle="$idle(${held:-0})"
		fi
		net_stop "$PROXY_PID"
		echo "round $r $p: get=[$get] post=[$post]" >&2
		case "$get $post" in *ERR:*) echo "round $r $p: wrk saw errors" >&2 ;; esac
		read -r _ g_rps g_50 g_99 g_cpu _ <<<"$get"
		read -r _ p_rps p_50 p_99 p_cpu _ <<<"$post"
		echo "$r $p $g_rps $g_50 $g_99 $g_cpu $p_rps $p_50 $p_99 $p_cpu $idle" >> "$T/results"
	done
done

echo
echo "## lbd vs HAProxy 2.6 vs nginx ($(date -u +%F), $(nproc) CPUs, proxy on CPU 1, wrk + backends on CPU 0, $ROUNDS rounds of ${D}s runs, medians)"
PYTHONPATH=bench "$PY" - "$T/results" "$IDLE" $PROXIES <<'PYEOF'
import statistics as st, sys
from bench_report import ratio_line, wrk_ms as ms
rows = [l.split() for l in open(sys.argv[1])]
idle_n, proxies = sys.argv[2], sys.argv[3:]
cols = {"g_rps": 2, "g_50": 3, "g_99": 4, "g_cpu": 5, "p_rps": 6, "p_50": 7, "p_99": 8, "p_cpu": 9}
val = {}
for r in rows:
    for c, i in cols.items():
        val.setdefault((r[1], c), {})[r[0]] = ms(r[i]) if c.endswith(("_50", "_99")) else float(r[i])
    if r[10] != "-":
        val[(r[1], "idle")] = r[10]
med = lambda p, c: st.median(val[(p, c)].values())
print()
print("| proxy | GET req/s | p50 | p99 | CPU us/req | 64 KiB POST req/s | p50 | p99 | CPU us/req | KiB/idle conn (held, of %s) |" % idle_n)
print("|---|---|---|---|---|---|---|---|---|---|")
for p in proxies:
    print("| %s | %.0f | %.2fms | %.2fms | %.1f | %.0f | %.2fms | %.2fms | %.1f | %s |" % (
        p, med(p, "g_rps"), med(p, "g_50"), med(p, "g_99"), med(p, "g_cpu"),
        med(p, "p_rps"), med(p, "p_50"), med(p, "p_99"), med(p, "p_cpu"), val.get((p, "idle"), "-")))
for ref, label in (("haproxy", "HAProxy"), ("lbd-ref", "lbd-ref")):
    if "lbd" not in proxies or ref not in proxies:
        continue
    print()
    for c, name in (("g_cpu", "GET CPU/req"), ("p_cpu", "POST CPU/req"), ("g_rps", "GET req/s"),
                    ("p_rps", "POST req/s"), ("g_99", "GET p99"), ("p_99", "POST p99")):
        print(ratio_line("lbd/" + label, name, 13, val[("lbd", c)], val[(ref, c)]))
PYEOF
