# bench/bench_lab.sh: what the lbd benches share, sourced after tests/net/lib.sh.
#
#   bench_lab                      namespace b with 192.0.2.10 (the proxy), .11 and .12
#                                  (the backends) on its loopback; nx CMD runs in it
#   bench_nginx NAME ADDR [LOC]    an nginx backend on ADDR:8080, pinned to CPU 0, answering
#                                  "ok" (LOC: its "location / { ... }" block instead of the
#                                  default); its PID is appended to BENCH_SRV_PIDS
#   bench_lbd_conf [ACCESS_LOG]    lbd's config: one worker, both backends, :4318
#   bench_haproxy_cfg [SED_ARG...] the reference haproxy.cfg (configs/reference) with the
#                                  bench's addresses, one thread and the same limits and
#                                  keep-alive as lbd; by default logging and the stats
#                                  socket off, or the sed arguments given instead
#   bench_cpu_ticks PID...         user+sys CPU so far (clock ticks)
#   bench_us_per_req TICKS N       CPU microseconds per request
#   bench_wrk OUT                  wrk's figures (WRK_REQS, WRK_RPS, WRK_P50, WRK_P99, WRK_ERRS)
# Their reports import bench/bench_report.py (PYTHONPATH=bench).
BENCH_SRV_PIDS=()

bench_lab() {
	ns_create b
	local a
	for a in 10 11 12; do ip -n "$NS_b" addr add 192.0.2.$a/32 dev lo; done
}
nx() { ip netns exec "$NS_b" "$@"; }

bench_nginx() { # name addr [location block]
	local loc=${3:-'location / { default_type text/plain; return 200 "ok\n"; }'}
	mkdir -p "$T/ng-$1"
	cat > "$T/ng-$1.conf" <<NGEOF
daemon off; master_process off; user root; worker_processes 1;
pid $T/ng-$1.pid; error_log $T/ng-$1.err warn;
events { worker_connections 65536; }
http {
	access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
	client_body_temp_path $T/ng-$1; proxy_temp_path $T/ng-$1; fastcgi_temp_path $T/ng-$1;
	uwsgi_temp_path $T/ng-$1; scgi_temp_path $T/ng-$1;
	server {
		listen $2:8080 reuseport backlog=65535;
		$loc
	}
}
NGEOF
	net_spawn b "ng_$1" taskset -c 0 nginx -c "$T/ng-$1.conf"
	BENCH_SRV_PIDS+=("${NET_PIDS[-1]}")
}

bench_lbd_conf() { # [access-log target]
	cat <<LEOF
global { workers 1; maxconn 9950; access-log ${1:-off}; }
defaults { timeout connect 5s; timeout client 60s; timeout server 60s; timeout http-request 10s;
	timeout keep-alive 300s; retries 3; redispatch on; }
backend otel { check GET / interval 2s rise 2 fall 3 start up;
	server a 192.0.2.11:8080; server b 192.0.2.12:8080; }
frontend otlp { bind 192.0.2.10:4318; backend otel; }
LEOF
}

bench_haproxy_cfg() { # [sed args for logging and the stats socket]
	[ $# -gt 0 ] || set -- -e '/stats socket/d' -e '/^\s*log /d' -e '/option httplog/d'
	sed -E -e 's/bind :([0-9]+)/bind 192.0.2.10:\1/' -e 's/127\.0\.0\.1:[0-9]+/192.0.2.11:8080/' \
		-e 's/127\.0\.0\.2:[0-9]+/192.0.2.12:8080/' "$@" \
		-e 's/maxconn 20000/maxconn 9950\n    nbthread 1/' -e 's/timeout http-keep-alive 10s/timeout http-keep-alive 300s/' \
		configs/reference/haproxy.cfg
}

# bench_cpu_ticks PID...: their user+sys time so far, in clock ticks.
bench_cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }

# bench_us_per_req TICKS N: microseconds of CPU per request ("%.1f").
bench_us_per_req() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }'; }

# bench_wrk OUT: the figures of wrk's output OUT (run with --latency) in
# WRK_REQS, WRK_RPS, WRK_P50, WRK_P99, and its error lines in WRK_ERRS
# (empty when none).
bench_wrk() {
	WRK_REQS=$(awk '/requests in/ { print $1 }' <<<"$1")
	WRK_RPS=$(awk '/^Requests\/sec/ { print $2 }' <<<"$1")
	WRK_P50=$(awk '$1 == "50%" { print $2 }' <<<"$1")
	WRK_P99=$(awk '$1 == "99%" { print $2 }' <<<"$1")
	WRK_ERRS=$(grep -E 'Socket errors|Non-2xx' <<<"$1" | tr '\n' ' ')
}
