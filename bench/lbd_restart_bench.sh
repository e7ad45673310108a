#!/usr/bin/env bash
# Requests lost to restarts: lbd vs Debian's HAProxy 2.6, in the same run,
# under the same load (wrk -t1 -c20, keep-alive, the two nginx backends of
# bench_lab.sh), RESTARTS restarts one every INTERVAL seconds:
#
#   lbd-bpf      a new lbd started beside the running one: SK_REUSEPORT path
#                (new sockets, the old queues migrated; lbd has CAP_BPF)
#   lbd-scm      the same without CAP_BPF (capsh): the old lbd's sockets are
#                passed over SCM_RIGHTS
#   lbd-plain    SIGTERM, wait for the exit, start (what a restart was before)
#   haproxy-sf   haproxy -sf OLDPID (the new process binds, the old one
#                finishes its connections and exits)
#   haproxy-x    haproxy -x STATS_SOCKET -sf OLDPID (the listening sockets are
#                fetched from the old process over its stats socket)
#
# Reported per mode: requests, wrk's socket errors (connect/read/write/
# timeout), non-2xx, and failed requests per restart (errors + non-2xx over
# restarts).  (systemctl restart's fd store path needs a systemd: it is
# measured by tests/net/test_pkg_upgrade.sh.)
#
#   bench/lbd_restart_bench.sh          (as root; NOT part of make check)
#   RESTARTS=10 INTERVAL=1 MODES="lbd-bpf haproxy-sf" bench/lbd_restart_bench.sh
set -u
cd "$(dirname "$0")/.."
export NET_BIN=${NET_BIN:-build}
. tests/net/lib.sh
net_require wrk haproxy nginx capsh taskset bc
RESTARTS=${RESTARTS:-10}
INTERVAL=${INTERVAL:-1}
MODES=${MODES:-lbd-bpf lbd-scm lbd-plain haproxy-sf haproxy-x}
[ -x "$BIN/lbd" ] || { echo "build lbd first (make)"; exit 1; }
ulimit -n "$(ulimit -Hn)"

. bench/bench_lab.sh
bench_lab
bench_nginx a 192.0.2.11
bench_nginx b 192.0.2.12
wait_for 5 "backends" nx curl -sf -o /dev/null http://192.0.2.12:8080/

{
	printf 'global { workers 1; maxconn 9950; access-log off; control %s; grace 5s; }\n' "$T/lbd.sock"
	bench_lbd_conf | sed 1d
} > "$T/lbd.conf"
bench_haproxy_cfg -e "s|stats socket /tmp/haproxy-reference.sock|stats socket $T/haproxy.sock|" \
	-e '/^\s*log /d' -e '/option httplog/d' > "$T/haproxy.cfg"
haproxy -c -f "$T/haproxy.cfg" >/dev/null || { echo "haproxy.cfg invalid"; exit 1; }
NOBPF=(capsh --drop=cap_bpf,cap_sys_admin -- -c 'exec "$0" "$@"')
URL=http://192.0.2.10:4318/

up() { nx curl -sf -o /dev/null --max-time 1 "$URL"; }
gone() { ! net_alive "$1"; }

# start MODE N: start generation N of the proxy (beside or after N-1); sets CUR
start() {
	local mode=$1 n=$2 old=${CUR:-}
	case $mode in
	lbd-bpf) net_spawn b "p$n" "$BIN/lbd" -n -f "$T/lbd.conf" ;;
	lbd-scm) net_spawn b "p$n" "${NOBPF[@]}" "$BIN/lbd" -n -f "$T/lbd.conf" ;;
	lbd-plain)
		if [ -n "$old" ]; then kill -TERM "$old"; wait_until 10 gone "$old"; fi
		net_spawn b "p$n" "$BIN/lbd" -n -f "$T/lbd.conf" ;;
	haproxy-sf) net_spawn b "p$n" haproxy -db -f "$T/haproxy.cfg" ${old:+-sf "$old"} ;;
	haproxy-x) net_spawn b "p$n" haproxy -db -f "$T/haproxy.cfg" ${old:+-x "$T/haproxy.sock" -sf "$old"} ;;
	esac
	local v="PID_p$n"
	CUR=${!v}
	case $mode in
	lbd-*) wait_until 10 grep -q "running:" "$T/p$n.log" ;;
	*) wait_until 10 up ;;
	esac
}

declare -A RES
for mode in $MODES; do
	CUR=
	start "$mode" 0
	wait_until 5 up || { echo "$mode: not answering"; exit 1; }
	dur=$((RESTARTS * INTERVAL + 4))
	net_spawn b "wrk-$mode" taskset -c 0 wrk -t1 -c20 -d"${dur}s" --timeout 2s "$URL"
	wpid=${NET_PIDS[-1]}
	sleep 2
	for i in $(seq 1 "$RESTARTS"); do
		prev=$CUR
		start "$mode" "$i"
		[ "$mode" = lbd-plain ] || wait_until 10 gone "$prev"
		sleep "$INTERVAL"
	done
	wait "$wpid"
	log=$T/wrk-$mode.log
	reqs=$(awk '/requests in/ { print $1 }' "$log")
	read -r c r wr to < <(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$log")
	non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' "$log")
	c=${c:-0} r=${r:-0} wr=${wr:-0} to=${to:-0} non2xx=${non2xx:-0}
	failed=$((c + r + wr + to + non2xx))
	RES[$mode]=$(printf '%-11s %9s %7s %5s %6s %7s %7s %10s' "$mode" "${reqs:-0}" "$c" "$r" "$wr" "$to" "$non2xx" \
		"$(echo "scale=1; $failed / $RESTARTS" | bc)")
	net_stop "$CUR"
	sleep 1
done
echo
echo "wrk -t1 -c20 --timeout 2s through the proxy, $RESTARTS restarts, one every ${INTERVAL}s"
printf '%-11s %9s %7s %5s %6s %7s %7s %10s\n' mode requests connect read write timeout non-2xx failed/rst
for mode in $MODES; do echo "${RES[$mode]}"; done
exit 0
