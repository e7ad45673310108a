#!/usr/bin/env bash
# lab.sh: the two-node lab in network namespaces on this one machine, as the
# deployment looks on its two hosts: in each node vrrpd and lbd, with the four
# services behind lbd (Debian's Prometheus answering the Thanos Query port
# 19192 and, through an nginx proxy, the Query Frontend port 29193; nginx
# stand-ins for the OTLP collector on 14318 and Loki on 13100), plus a client.
#
#   lab.sh up                  create and start everything, wait until ready
#   lab.sh down                stop everything and remove the namespaces
#   lab.sh status              who holds the VIP, the addresses, the processes
#   lab.sh exec NODE CMD...    run CMD in a node (node1, node2 or client), with that
#                              node's /run (vrrpctl and lbctl find their sockets)
#   lab.sh kill-node NODE      SIGKILL every process of the node (a node dying);
#                              vrrpd --cleanup then runs, as the systemd unit does
#   lab.sh start-node NODE     start the node's processes again
#   lab.sh stop-vrrpd NODE     SIGTERM vrrpd (clean stop: priority 0 advert)
#   lab.sh kill-vrrpd NODE     SIGKILL vrrpd
#   lab.sh start-vrrpd NODE
#   lab.sh failover-cmd        the ha-failover-test command line for this lab
#
# Environment: LAB_DIR (state, default build/lab), LAB_BIN (daemons, default
# build), LAB_HOST=1 (also link this machine to the lab bridge as 198.51.100.1,
# so a browser here reaches the stats pages; never in tests).
#
# Addresses (documentation range only): bridge 198.51.100.0/24, node1 .11,
# node2 .12, client .50, VIP .100: the topology of the namespace tests too
# (lab_net in netns.sh, the harness both share).  Configs come from the same
# templates as the shipped ones (configs/templates) with the lab's env files
# (packaging/lab/env).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=packaging/lab/netns.sh
. "$HERE/netns.sh"
# The lab outlives this script: its namespaces are named apart from the tests'.
NET_NS_TEMPLATE=halab-%i-%n
LAB_DIR=${LAB_DIR:-$REPO/build/lab}
LAB_BIN=${LAB_BIN:-$REPO/build}
case $LAB_BIN in /*) ;; *) LAB_BIN=$REPO/$LAB_BIN ;; esac
LAB_HOST=${LAB_HOST:-0}
STATE=$LAB_DIR/state
NODES="node1 node2"
declare -A IP=([node1]=$LAB_NET4.11 [node2]=$LAB_NET4.12 [client]=$LAB_NET4.50)
VIP=$LAB_VIP

die() { echo "lab: $*" >&2; exit 1; }
net_fail() { die "$@"; }
log() { printf 'lab: %s\n' "$*"; }

load_state() {
	[ -f "$STATE" ] || die "no lab in $LAB_DIR (lab.sh up)"
	# shellcheck disable=SC1090
	. "$STATE"
}

ns_of() { local v="NS_$1"; echo "${!v:?unknown node $1}"; }

# run NODE CMD...: in the node's namespace with the node's own /run.
run() {
	local node=$1; shift
	local ns; ns=$(ns_of "$node")
	ip netns exec "$ns" sh -c 'mount --bind "$0" /run && exec "$@"' "$LAB_DIR/$node/run" "$@"
}

# spawn NODE NAME CMD...: a long-running process of the node, in its own
# session (it outlives the caller: "make demo KEEP=1"); pid in NODE/NAME.pid.
# setsid, ip netns exec and sh all exec, so $! is the process itself.
spawn() {
	local node=$1 name=$2; shift 2
	# its own UTS namespace too, so the node has its name (lbd's stats page shows it)
	setsid ip netns exec "$(ns_of "$node")" unshare --uts sh -c \
		'hostname "$1" && mount --bind "$0" /run && shift && exec "$@"' \
		"$LAB_DIR/$node/run" "$(node_host "$node")" "$@" >>"$LAB_DIR/$node/$name.log" 2>&1 </dev/null &
	echo $! >"$LAB_DIR/$node/$name.pid"
}

node_host() { (. "$HERE/env/$1.env" && echo "$NODE_NAME"); }
pid_of() { cat "$LAB_DIR/$1/$2.pid" 2>/dev/null; }
alive() { local p; p=$(pid_of "$1" "$2") && [ -n "$p" ] && net_alive "$p"; }
not_running() { ! net_alive "$1"; }
not_alive() { ! alive "$1" "$2"; }
signal() { local p; p=$(pid_of "$1" "$2") && [ -n "$p" ] && kill -"$3" "$p" 2>/dev/null; }

write_backends() { # node
	local node=$1 d=$LAB_DIR/$1 name
	name=$(node_host "$node")
	mkdir -p "$d/tmp" "$d/tsdb"
	cat >"$d/nginx.conf" <<EOF
# nginx stand-ins on $node: OTLP collector (:14318), Loki (:13100), and the
# Thanos Query Frontend (:29193) as a proxy to Prometheus (:19192).
worker_processes 1;
pid $d/nginx.pid;
error_log $d/nginx-error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	client_max_body_size 64m;
	default_type application/json;
	add_header X-Served-By $name always;
	server {
		listen ${IP[$node]}:14318;
		listen 127.0.0.1:14318;
		# what an OpenTelemetry collector answers
		location = /v1/metrics { return 200 '{"partialSuccess":{}}'; }
		location = /v1/logs { return 200 '{"partialSuccess":{}}'; }
		location = /v1/traces { return 200 '{"partialSuccess":{}}'; }
		location / { return 404 '404 page not found\n'; }
	}
	server {
		listen ${IP[$node]}:13100;
		listen 127.0.0.1:13100;
		location = /ready { default_type text/plain; return 200 'ready\n'; }
		location = /loki/api/v1/push { return 204; }
		location /loki/api/v1/ { return 200 '{"status":"success","data":[]}'; }
		location / { return 404; }
	}
	server {
		listen ${IP[$node]}:29193;
		listen 127.0.0.1:29193;
		location / { proxy_pass http://127.0.0.1:19192; }
	}
}
EOF
	cat >"$d/prometheus.yml" <<EOF
global:
  scrape_interval: 5s
  external_labels: { replica: $name }
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:19192'] }]
EOF
}

start_nginx() { spawn "$1" nginx nginx -c "$LAB_DIR/$1/nginx.conf" -g 'daemon off;'; }
start_prometheus() {
	local d=$LAB_DIR/$1
	spawn "$1" prometheus prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/tsdb" \
		--web.listen-address=:19192 --log.level=warn --storage.tsdb.retention.time=2h
}

# vrrpd under a small supervisor that does what the unit's ExecStopPost does:
# whatever way vrrpd ended, "vrrpd --cleanup" removes the VIPs it left.
start_vrrpd() { # node
	local d=$LAB_DIR/$1
	spawn "$1" vrrpd-sup sh -c '"$0" -n -f "$1" & echo $! >"$2"; wait $!; echo "vrrpd exited ($?), cleanup"; "$0" --cleanup -f "$1"' \
		"$LAB_BIN/vrrpd" "$d/vrrpd.conf" "$d/vrrpd.pid"
	wait_until 2 test -s "$d/vrrpd.pid"
}

start_lbd() { spawn "$1" lbd "$LAB_BIN/lbd" -n -f "$LAB_DIR/$1/lbd.conf"; }

# start_node NODE: whatever of the node's processes is not running (all at "up";
# what kill-node killed afterwards).
start_node() {
	local p
	for p in nginx prometheus lbd vrrpd; do alive "$1" "$p" || "start_$p" "$1"; done
}

kill_node() { # node: every process the lab runs there, SIGKILL, as when the host dies
	local sup p pids=
	sup=$(pid_of "$1" vrrpd-sup)
	# what the lab started, and their children (nginx workers); not vrrpd's
	# supervisor, which now runs vrrpd --cleanup, nor whoever runs this command
	for p in vrrpd lbd nginx prometheus; do
		p=$(pid_of "$1" "$p") && [ -n "$p" ] && pids+=" $p $(pgrep -P "$p" | tr '\n' ' ')"
	done
	# for ha-failover-test, the moment of the kill: EPOCHREALTIME and kill are
	# both builtins, so nothing is forked between the two (date was, 100 ms late
	# on a loaded machine)
	local t=${EPOCHREALTIME/[.,]/}
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	echo "trigger_ns=${t}000"
	wait_until 5 not_running "$sup"
}

serving() { # the four services and the stats page answer through lbd on node
	local ip=${IP[$1]} ns
	ns=$(ns_of client)
	ip netns exec "$ns" curl -sf -o /dev/null --max-time 1 "http://$ip:8404/healthz" &&
		ip netns exec "$ns" curl -sf -o /dev/null --max-time 1 -X POST -H 'Content-Type: application/json' \
			--data '{"resourceMetrics":[]}' "http://$ip:4318/v1/metrics" &&
		ip netns exec "$ns" curl -sf -o /dev/null --max-time 1 "http://$ip:19193/-/healthy" &&
		ip netns exec "$ns" curl -sf -o /dev/null --max-time 1 "http://$ip:9192/-/healthy" &&
		ip netns exec "$ns" curl -sf -o /dev/null --max-time 1 "http://$ip:3100/ready"
}

all_up() { # every server of node's lbd is UP by its health checks (/stats;csv, field 18)
	local csv
	csv=$(ip netns exec "$(ns_of client)" curl -sf --max-time 1 "http://${IP[$1]}:8404/stats;csv") || return 1
	awk -F, 'NR > 1 && $2 != "FRONTEND" && $2 != "BACKEND" && $2 != "" { n++; if ($18 != "UP") bad++ }
		END { exit !(n > 0 && !bad) }' <<<"$csv"
}

holds_vip() { ip -n "$(ns_of "$1")" -o addr show to "$VIP" 2>/dev/null | grep -q .; }

cmd_up() {
	[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
	[ -f "$STATE" ] && die "a lab is up already in $LAB_DIR (lab.sh down)"
	local t
	for t in ip nginx prometheus curl setsid; do command -v "$t" >/dev/null || die "$t is not installed (make deps)"; done
	[ -x "$LAB_BIN/vrrpd" ] && [ -x "$LAB_BIN/lbd" ] || die "no daemons in $LAB_BIN (make)"
	NET_ID=$(printf '%04x%02x' $((RANDOM)) $(($$ % 256)))
	mkdir -p "$LAB_DIR"
	# the state first, so that "down" removes a lab that failed half-way
	{
		echo "LAB_ID=$NET_ID"
		echo "LAB_BIN=$LAB_BIN"
		for t in hub node1 node2 client; do echo "NS_$t=$(ns_name $t)"; done
		[ "$LAB_HOST" = 1 ] && echo "HOST_LINK=halab$NET_ID"
	} >"$STATE"
	lab_net hub node1 node2 client
	load_state
	if [ -n "${HOST_LINK:-}" ]; then
		ip link add "$HOST_LINK" type veth peer name p-host netns "$NS_hub"
		ip -n "$NS_hub" link set p-host master br0 up
		ip addr add 198.51.100.1/24 dev "$HOST_LINK"
		ip link set "$HOST_LINK" up
	fi
	# the configs: the shipped templates, the lab's addresses
	"$REPO/configs/generate.sh" -e "$HERE/env" -o "$LAB_DIR/conf" || die "configs/generate.sh failed"
	for n in $NODES; do
		mkdir -p "$LAB_DIR/$n/run/vrrpd" "$LAB_DIR/$n/run/lbd"
		cp "$LAB_DIR/conf/$n/vrrpd.conf" "$LAB_DIR/conf/$n/lbd.conf" "$LAB_DIR/$n/"
		write_backends "$n"
	done
	mkdir -p "$LAB_DIR/client/run"
	# node1 first, so that it is master from the start (no preemption at boot)
	for n in $NODES; do start_node "$n"; done
	for n in $NODES; do
		wait_until 30 serving "$n" || { cmd_status >&2; die "$n does not serve all four services through lbd (logs in $LAB_DIR/$n)"; }
	done
	# the round robin spreads over both nodes only once every server passed its checks
	for n in $NODES; do
		wait_until 30 all_up "$n" || { cmd_status >&2; die "$n: not every server of lbd is UP (logs in $LAB_DIR/$n)"; }
	done
	wait_until 10 holds_vip node1 || { cmd_status >&2; die "no VIP on node1 (log: $LAB_DIR/node1/vrrpd-sup.log)"; }
	log "up: node1 ${IP[node1]}, node2 ${IP[node2]}, client ${IP[client]}, VIP $VIP (state in $LAB_DIR)"
}

cmd_down() {
	[ -f "$STATE" ] || { log "no lab in $LAB_DIR"; return 0; }
	load_state
	local n p
	for n in $NODES; do
		for p in vrrpd vrrpd-sup lbd nginx prometheus; do signal "$n" "$p" TERM; done
	done
	for n in $NODES; do
		for p in vrrpd-sup lbd nginx prometheus; do
			wait_until 5 not_alive "$n" "$p" || signal "$n" "$p" KILL
		done
	done
	NET_NAMESPACES=("$NS_hub" "$NS_node1" "$NS_node2" "$NS_client")
	net_teardown
	[ -n "${HOST_LINK:-}" ] && ip link del "$HOST_LINK" 2>/dev/null
	rm -rf "$LAB_DIR"
	log "down"
}

cmd_status() {
	load_state
	local n h=
	for n in $NODES; do holds_vip "$n" && h+=" $n"; done
	echo "VIP $VIP held by:${h:- nobody}"
	for n in $NODES; do
		printf '%s %s (%s):' "$n" "${IP[$n]}" "$(ns_of $n)"
		for p in vrrpd lbd nginx prometheus; do alive "$n" "$p" && printf ' %s' "$p" || printf ' (%s dead)' "$p"; done
		printf '\n  stats page http://%s:8404/stats\n' "${IP[$n]}"
	done
	echo "client ${IP[client]} ($NS_client)"
	[ -n "${HOST_LINK:-}" ] && echo "this machine reaches the lab as 198.51.100.1 ($HOST_LINK)"
	return 0
}

cmd_failover_cmd() {
	load_state
	local me=$HERE/lab.sh
	printf '%s --vip %s --node node1=netns:%s --node node2=netns:%s --client netns:%s' \
		"$REPO/packaging/ha-failover-test" "$VIP" "$NS_node1" "$NS_node2" "$NS_client"
	printf " --stop-cmd 'LAB_DIR=%s %s stop-vrrpd {node}'" "$LAB_DIR" "$me"
	printf " --crash-cmd 'LAB_DIR=%s %s kill-node {node}'" "$LAB_DIR" "$me"
	printf " --start-cmd 'LAB_DIR=%s %s start-node {node}'\n" "$LAB_DIR" "$me"
}

node_arg() { case ${1:-} in node1|node2) ;; *) die "expected node1 or node2" ;; esac; }

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
exec) load_state; shift; n=${1:?node}; shift; run "$n" "$@" ;;
kill-node) load_state; node_arg "${2:-}"; kill_node "$2" ;;
start-node) load_state; node_arg "${2:-}"; start_node "$2" ;;
stop-vrrpd) load_state; node_arg "${2:-}"; p=$(pid_of "$2" vrrpd); t=${EPOCHREALTIME/[.,]/}; kill -TERM "$p"; echo "trigger_ns=${t}000"; wait_until 5 not_alive "$2" vrrpd-sup ;;
kill-vrrpd) load_state; node_arg "${2:-}"; p=$(pid_of "$2" vrrpd); t=${EPOCHREALTIME/[.,]/}; kill -KILL "$p"; echo "trigger_ns=${t}000"; wait_until 5 not_alive "$2" vrrpd-sup ;;
start-vrrpd) load_state; node_arg "${2:-}"; start_vrrpd "$2" ;;
failover-cmd) cmd_failover_cmd ;;
*) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
