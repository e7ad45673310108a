#!/usr/bin/env bash
# Benchmark of lbd's health checker and stats listener against Debian's
# HAProxy 2.6 in the same run (not part of make check):
#   1. checker CPU: the deployment's 4 backends x 2 servers checked every
#      100 ms for DURATION seconds; process CPU (user+sys, from /proc) per check;
#   2. /stats;csv and /metrics served to wrk (1 thread, 4 connections, 5 s):
#      requests/s of each and the ratio lbd/HAProxy.
# Client pinned to CPU 0, daemons to CPU 1.  Run as root:  bench/lbd_stats_bench.sh [DURATION]
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-build}
DURATION=${1:-10}
. tests/net/lib.sh
net_require nginx haproxy wrk taskset
[ -x "$BIN/lbd" ] || { echo "build first: make" >&2; exit 1; }

ns_create b
for a in 192.0.2.1 192.0.2.2 192.0.2.11 192.0.2.12; do ns_exec b ip addr add $a/32 dev lo; done
PORTS="14318 29193 19192 13100"
{
	echo "daemon off; master_process off; pid $T/nginx.pid; error_log $T/nginx.err;"
	echo "events { worker_connections 1024; }"
	echo "http { access_log off; client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;"
	echo "  uwsgi_temp_path $T; scgi_temp_path $T;"
	for ip in 192.0.2.11 192.0.2.12; do for p in $PORTS; do
		echo "  server { listen $ip:$p; location / { return 200 \"ok\\n\"; } }"
	done; done
	echo "}"
} >"$T/nginx.conf"
net_spawn b nginx taskset -c 1 nginx -c "$T/nginx.conf"

{
	echo "global { workers 1; stats 192.0.2.1:8404 vrrp $T/none.sock; access-log off; }"
	for p in $PORTS; do
		echo "backend b$p { check GET / expect 200 interval 100ms rise 2 fall 3;"
		echo "  server mid-1 192.0.2.11:$p; server mid-2 192.0.2.12:$p; }"
		echo "frontend f$p { bind 192.0.2.1:$p; backend b$p; }"
	done
} >"$T/lbd.conf"
{
	printf 'global\n    nbthread 1\ndefaults\n    mode http\n    timeout connect 5s\n'
	printf '    timeout client 60s\n    timeout server 60s\n    timeout check 2s\n'
	printf '    default-server check inter 100ms fall 3 rise 2\n'
	for p in $PORTS; do
		printf 'frontend f%s\n    bind 192.0.2.2:%s\n    default_backend b%s\n' "$p" "$p" "$p"
		printf 'backend b%s\n    option httpchk\n    http-check send meth GET uri /\n' "$p"
		printf '    http-check expect status 200\n    server mid-1 192.0.2.11:%s\n    server mid-2 192.0.2.12:%s\n' "$p" "$p"
	done
	printf 'frontend stats\n    bind 192.0.2.2:8404\n'
	printf '    http-request use-service prometheus-exporter if { path /metrics }\n'
	printf '    stats enable\n    stats uri /stats\n'
} >"$T/haproxy.cfg"
haproxy -c -f "$T/haproxy.cfg" >/dev/null || { echo "haproxy config refused" >&2; exit 1; }
net_spawn b lbd taskset -c 1 "$BIN/lbd" -n -f "$T/lbd.conf"
net_spawn b haproxy taskset -c 1 haproxy -db -f "$T/haproxy.cfg"
wait_for 5 "lbd stats" ns_exec b curl -sf -o /dev/null 'http://192.0.2.1:8404/stats;csv'
wait_for 5 "haproxy stats" ns_exec b curl -sf -o /dev/null 'http://192.0.2.2:8404/stats;csv'
sleep 1

ticks() { # pid -> utime+stime in clock ticks (the process and all its threads)
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
# net_spawn's PID is the ip-netns/taskset wrapper, which execs: same PID.
l0=$(ticks "$PID_lbd") h0=$(ticks "$PID_haproxy")
sleep "$DURATION"
l1=$(ticks "$PID_lbd") h1=$(ticks "$PID_haproxy")
hz=$(getconf CLK_TCK)
checks=$((8 * DURATION * 10))
lus=$(((l1 - l0) * 1000000 / hz / checks)) hus=$(((h1 - h0) * 1000000 / hz / checks))
printf '\nchecker CPU, 8 servers every 100 ms for %ss (%d checks each), whole process, idle traffic:\n' "$DURATION" "$checks"
printf '  lbd     %4d us/check (%d ticks)\n  haproxy %4d us/check (%d ticks)\n' "$lus" $((l1 - l0)) "$hus" $((h1 - h0))
[ "$hus" -gt 0 ] && awk -v a="$lus" -v b="$hus" 'BEGIN { printf "  ratio lbd/haproxy %.2f\n", a / b }'

rps() { # url -> requests/s from wrk
	ns_exec b taskset -c 0 wrk -t1 -c4 -d5s "$1" | awk '/^Requests\/sec/ { print $2 }'
}
printf '\nstats served to wrk -t1 -c4 -d5s (requests/s, body bytes):\n'
for path in '/stats;csv' /metrics /stats; do
	l=$(rps "http://192.0.2.1:8404$path") h=$(rps "http://192.0.2.2:8404$path")
	lb=$(ns_exec b curl -s "http://192.0.2.1:8404$path" | wc -c) hb=$(ns_exec b curl -s "http://192.0.2.2:8404$path" | wc -c)
	awk -v p="$path" -v l="$l" -v h="$h" -v lb="$lb" -v hb="$hb" \
		'BEGIN { printf "  %-11s lbd %9.0f/s (%6d B)  haproxy %9.0f/s (%6d B)  ratio %.2f\n", p, l, lb, h, hb, l / h }'
done
exit 0
