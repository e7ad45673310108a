#!/usr/bin/env bash
# demo.sh: what "make demo" runs (as root).  Starts the two-node lab
# (packaging/lab/lab.sh), shows who holds the VIP and where the stats pages
# are, sends traffic through the VIP, kills the master (every process of
# node1, SIGKILL), prints how long the VIP and the HTTP service were away,
# and tears everything down.
#
#   KEEP=1   leave the lab up afterwards (for a browser); "make demo-down" removes it
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export LAB_DIR=${LAB_DIR:-$REPO/build/lab}
export LAB_BIN=${LAB_BIN:-$REPO/build}
export LAB_HOST=${LAB_HOST:-1}
KEEP=${KEEP:-}
LAB=$HERE/lab.sh
VIP=198.51.100.100

hdr() { printf '\n== %s\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "make demo: run as root (it creates network namespaces)" >&2; exit 1; }
if [ -f "$LAB_DIR/state" ]; then
	echo "make demo: a lab is already up in $LAB_DIR; remove it with: make demo-down" >&2
	exit 1
fi
finish() {
	local rc=$?
	if [ -n "$KEEP" ] && [ -f "$LAB_DIR/state" ]; then
		hdr "the lab stays up (KEEP=1)"
		"$LAB" status
		echo "try:  ip netns exec \$(. $LAB_DIR/state; echo \$NS_client) curl -s http://$VIP:3100/ready"
		echo "      $LAB exec node1 $LAB_BIN/vrrpctl status"
		echo "remove it with: make demo-down"
	else
		"$LAB" down >/dev/null
	fi
	exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

hdr "1/5 starting the lab: two nodes with vrrpd and lbd, Prometheus and nginx backends, a client"
"$LAB" up || exit 1
. "$LAB_DIR/state"
client() { ip netns exec "$NS_client" "$@"; }

hdr "2/5 who holds the VIP"
"$LAB" status
for n in node1 node2; do
	"$LAB" exec "$n" "$LAB_BIN/vrrpctl" --json status 2>/dev/null | python3 -c '
import json, sys
for i in json.load(sys.stdin).get("instances", []):
    print("  %s vrrpctl status: %s %s, priority %s (effective %s), VIPs %s, master %s" % (sys.argv[1],
          i["name"], i["state"], i["priority"], i["effective_priority"], " ".join(i["vips"]), i["master"]))
' "$n" || echo "  $n: vrrpctl status failed"
done
printf '  lbd on node1, its servers (from /stats;csv, HAProxy'"'"'s format):'
client curl -s --max-time 2 "http://198.51.100.11:8404/stats;csv" |
	awk -F, 'NR > 1 && $2 != "FRONTEND" && $2 != "BACKEND" && $2 != "" { printf " %s/%s %s;", $1, $2, $18 } END { print "" }'
if [ "$LAB_HOST" = 1 ]; then
	echo "stats pages (from this machine): http://198.51.100.11:8404/stats  http://198.51.100.12:8404/stats"
else
	echo "stats pages (from the client namespace $NS_client): http://198.51.100.11:8404/stats"
fi

hdr "3/5 traffic through the VIP $VIP from the client"
traffic() { # label n curl-args...: n requests from the client, in one shell there
	local label=$1 n=$2; shift 2
	local out ok
	out=$(client sh -c 'n=$1; shift; i=0; while [ $i -lt $n ]; do i=$((i + 1))
		curl -s -o /dev/null -D - --max-time 2 "$@" | tr -d "\r" |
			awk '"'"'NR == 1 { code = $2 } tolower($1) == "x-served-by:" { by = $2 }
			      END { print code, (by ? by : "(no X-Served-By: Prometheus)") }'"'"'
		done' sh "$n" "$@")
	ok=$(grep -c '^2' <<<"$out")
	printf '  %-40s %3d/%d answered 2xx; served by: %s\n' "$label" "$ok" "$n" \
		"$(awk '{ k = $2; for (i = 3; i <= NF; i++) k = k " " $i; c[k]++ } END { for (k in c) printf "%s x%d  ", k, c[k] }' <<<"$out")"
}
traffic "POST :4318/v1/metrics (OTLP)" 20 -X POST -H 'Content-Type: application/json' \
	--data '{"resourceMetrics":[]}' "http://$VIP:4318/v1/metrics"
traffic "GET :19193 PromQL (Thanos Query Frontend)" 10 "http://$VIP:19193/api/v1/query?query=up"
traffic "GET :9192 PromQL (Thanos Query)" 10 "http://$VIP:9192/api/v1/query?query=up"
traffic "GET :3100/ready (Loki)" 20 "http://$VIP:3100/ready"
if command -v wrk >/dev/null; then
	printf '  wrk, 2 s, 20 connections, GET :3100/ready: '
	client wrk -t1 -c20 -d2s "http://$VIP:3100/ready" 2>&1 | awk '/Requests\/sec/ { printf "%s req/s", $2 } /Non-2xx|Socket errors/ { printf "; %s", $0 } END { print "" }'
fi

hdr "4/5 killing the master: every process of node1 gets SIGKILL (vrrpd --cleanup runs, as in the unit)"
out=$(eval "$("$LAB" failover-cmd) --mode crash --max-failover 5" 2>&1)
rc=$?
echo "$out" | grep -v '^summary:'

hdr "5/5 what the clients saw"
sum=$(grep '^summary:' <<<"$out")
val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$sum"; }
echo "  VIP unavailable:          $(val vip_move_ms) ms (from the kill until node2 carried the VIP)"
echo "  HTTP service unavailable: $(val http_gap_ms) ms (longest window without a 2xx answer on any of the 4 frontends,"
echo "                            each probed every 50 ms; $(val failed_probes) probes failed)"
echo "  (advert interval 1 s as deployed: vrrpd --cleanup sent the goodbye the killed vrrpd could not, so"
echo "   node2 took over after skew 0.65 s; a whole node lost without it waits the RFC bound 3 x 1 s + 0.65 s)"
[ "$rc" = 0 ] && echo "demo: PASS" || echo "demo: FAIL (ha-failover-test exit $rc)"
exit "$rc"
