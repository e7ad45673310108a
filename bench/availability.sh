#!/usr/bin/env bash
# bench/availability.sh: what real clients see through the VIP when a node or
# one of its daemons fails or is serviced, for vrrpd + lbd and, in the same run
# and the same lab, for keepalived + HAProxy with the deployment's configs
# (configs/reference/haproxy.cfg, and the reference keepalived.conf of each node
# rebuilt in keepalived_conf below) adapted to the lab.
#
# The lab (namespaces of this run): node1 (198.51.100.11, priority 100) and
# node2 (.12, priority 90) and a client (.50) on a bridge, VIP .100.  Each node
# runs, behind its load balancer, the deployment's backends:
#   :14318  an OTLP/HTTP receiver (bench/clients/receiver.js) recording every
#           batch by sequence number, standing in for the collector
#   :19192  Debian's Prometheus (Thanos Query), :29193 nginx proxying to it
#           (Query Frontend), :13100 nginx (Loki)
#   :9000   s3rver on the node's address (standing in for MinIO); the two
#           nodes' s3rver share ONE data directory, as MinIO's erasure set is
#           shared, so that an object written through one node reads back
#           through the other
# and the load balancer adds :19000 (S3 on the VIP, S3_PORT of configs/site.env,
# over both nodes' :9000; health GET /minio/health/live, any answer below 500:
# s3rver answers 404 where MinIO answers 200).
#
# keepalived + HAProxy: the deployment's files with the lab's addresses; what
# differs: HAProxy's maxconn 9950 (20000 needs 40043 descriptors, more than this
# machine's hard limit of 20000), the OTLP check accepts 200-499 as lbd's config
# does (a collector answers 404 to GET /), keepalived's "killall -0 haproxy" is
# "pgrep -F <this node's haproxy pid file>" (both nodes share one PID namespace).
#
# Clients (npm, pinned in bench/clients; in the client namespace, to the VIP):
#   otel-metrics, otel-logs  the OpenTelemetry JS SDK exporting every 100 ms to
#                            VIP:4318 with the SDK's own retry policy
#   prom-9192, prom-19193    prometheus-query, an instant query every 100 ms
#   s3-upload, s3-read       @aws-sdk/client-s3: 6 MiB multipart uploads
#                            (lib-storage, 5 MiB parts), each followed by a
#                            ranged GET compared byte for byte; after the run
#                            every uploaded object is read back whole and its
#                            SHA-256 compared (corrupt / missing)
#
# Scenarios (SCENARIOS), each repeated REPS times, for each advert interval:
#   crash        node1 (the master) dies: every process SIGKILLed, its link cut
#   lb-crash     lbd (HAProxy) SIGKILLed on the master
#   lb-wedge     lbd (HAProxy) SIGSTOPped on the master
#   vrrp-crash   vrrpd (keepalived) SIGKILLed on the master; vrrpd's unit runs
#                "vrrpd --cleanup" after it (ExecStopPost), keepalived's has none
#   handover     planned: "vrrpctl handover" when this vrrpctl has it, otherwise
#                SIGTERM of vrrpd (the unit stopping); keepalived: SIGTERM
#   backend      node1's backends die (receiver, Prometheus, nginx, s3rver)
#   split        the link between the nodes is cut (both still reach the
#                client) for SPLIT_S seconds, then healed; also records who
#                holds the VIP and which node the client's ARP entry points to
#
# The clients' and daemons' logs are kept in $OUT.logs.
# Per scenario and client: the longest window without a successful request
# (from the last success before the trigger), failed requests, OTel batches
# lost after the SDK's retries (made by the client, missing at both receivers),
# S3 uploads failed, corrupt or missing.  Results as JSON lines in $OUT.jsonl
# and tables on stdout (bench/clients/report.js: medians over the repetitions,
# ratio vrrpd/keepalived; per scenario, then per scenario and client).
#
# Not part of make check.  Needs root, `make` (release build) and `make deps`.
#   bench/availability.sh                                   (REPS=3, ADVERTS="1000 100")
#   REPS=1 SCENARIOS="crash handover" ADVERTS=100 bench/availability.sh
#   BFD=off|10ms|... (vrrpd's BFD beside VRRP; default configs/site.env's)
#   IMPLS=vrrpd ... (one side only)   WINDOW_S=15 BASELINE_S=3 SPLIT_S=8   OUT=file prefix
set -u
export NET_BIN=${NET_BIN:-build}
. "$(dirname "$0")/../tests/net/lib.sh"
net_require node nginx prometheus haproxy keepalived nft curl pgrep
CLIENTS=$REPO/bench/clients
[ -f "$CLIENTS/node_modules/.package-lock.json" ] || net_unavailable "the npm clients are not installed (make deps)"
[ -x "$BIN/vrrpd" ] && [ -x "$BIN/lbd" ] || net_unavailable "no daemons in $BIN (make)"

REPS=${REPS:-3}
ADVERTS=${ADVERTS:-1000 100}
IMPLS=${IMPLS:-vrrpd keepalived}
SCENARIOS=${SCENARIOS:-crash lb-crash lb-wedge vrrp-crash handover backend split}
# BFD beside VRRP for vrrpd, as configs/site.env ships it (10ms) unless BFD=off
# (VRRP alone); keepalived has no BFD takeover.
BFD=${BFD:-$(. "$(dirname "$0")/../configs/site.env" && echo "${BFD:-off}")}
BASELINE_S=${BASELINE_S:-3}
WINDOW_S=${WINDOW_S:-15}
SPLIT_S=${SPLIT_S:-8}
OUT=${OUT:-$REPO/build/availability-$(date -u +%Y%m%dT%H%M%SZ)}
[ "$REPS" -ge 1 ] && [ "$REPS" -le 10 ] || t_fail "REPS must be 1..10"
[ "$WINDOW_S" -le 60 ] && [ "$SPLIT_S" -lt "$WINDOW_S" ] || t_fail "WINDOW_S at most 60, SPLIT_S below it"
mkdir -p "$(dirname "$OUT")"
: >"$OUT.jsonl"

declare -A IP=([node1]=198.51.100.11 [node2]=198.51.100.12 [client]=198.51.100.50)
declare -A NAME=([node1]=mid-1 [node2]=mid-2)
declare -A PRIO=([node1]=100 [node2]=90)
VIP=198.51.100.100
NODES="node1 node2"
HANDOVER=0
grep -qa 'handover' "$BIN/vrrpctl" 2>/dev/null && HANDOVER=1

# ---- the lab ------------------------------------------------------------------
for n in hub node1 node2 client; do ns_create "$n"; done
ip -n "$NS_hub" link add br0 type bridge && ip -n "$NS_hub" link set br0 up
for n in node1 node2 client; do
	v="NS_$n"
	ip link add eth0 netns "${!v}" type veth peer name "p-$n" netns "$NS_hub" || t_fail "veth $n"
	ip -n "$NS_hub" link set "p-$n" master br0 up
	ip -n "${!v}" addr add "${IP[$n]}/24" dev eth0
	ip -n "${!v}" link set eth0 up
	mkdir -p "$T/$n/run/vrrpd" "$T/$n/run/lbd" "$T/$n/tmp" "$T/$n/tsdb"
done
mkdir -p "$T/s3"
# every process of the lab's namespaces, by PID, on exit
net_on_exit 'for ns in $NS_node1 $NS_node2 $NS_client; do for p in $(ip netns pids $ns); do kill -CONT $p; kill -KILL $p; done; done'

# the clients' logs and the daemons' logs stay in $OUT.logs (the rest of $T goes)
net_on_exit 'mkdir -p "$OUT.logs" && cp -r "$T/runs" "$OUT.logs/" && for n in node1 node2; do mkdir -p "$OUT.logs/$n" && cp "$T/$n"/*.log "$T/$n"/*.conf "$T/$n"/*.cfg "$OUT.logs/$n/"; done'

nsv() { local v="NS_$1"; echo "${!v}"; }
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# spawn NODE NAME CMD...: a process of the node with the node's own /run;
# PID in $T/NODE/NAME.pid (sh and ip netns exec exec, so $! is the process).
spawn() {
	local n=$1 name=$2; shift 2
	# in a subshell: not a job of this shell (no "Killed" notices, no wait on it)
	(
		setsid ip netns exec "$(nsv "$n")" sh -c 'mount --bind "$0" /run && exec "$@"' "$T/$n/run" "$@" \
			>>"$T/$n/$name.log" 2>&1 </dev/null &
		echo $! >"$T/$n/$name.pid"
	)
}
pid_of() { cat "$T/$1/$2.pid" 2>/dev/null; }
alive() { local p; p=$(pid_of "$1" "$2") && [ -n "$p" ] && net_alive "$p"; }
sig() { local p; p=$(pid_of "$1" "$2") && [ -n "$p" ] && kill -"$3" "$p" 2>/dev/null; }
stop() { # node name [signal]: signal and wait (bounded), then KILL
	local p; p=$(pid_of "$1" "$2") || return 0
	[ -n "$p" ] || return 0
	kill -CONT "$p" 2>/dev/null; kill -"${3:-TERM}" "$p" 2>/dev/null
	for _ in $(seq 1 250); do net_alive "$p" || break; sleep 0.02; done
	kill -KILL "$p" 2>/dev/null
	rm -f "$T/$1/$2.pid"
}
holds_vip() { ip -n "$(nsv "$1")" -o addr show to "$VIP" 2>/dev/null | grep -q .; }
cl() { ip netns exec "$NS_client" "$@"; }

# ---- backends -----------------------------------------------------------------
write_backends() { # node
	local n=$1 d=$T/$1
	cat >"$d/nginx.conf" <<EOF
worker_processes 1;
pid $d/nginx.pid.nginx;
error_log $d/nginx-error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy; fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;
	default_type application/json;
	server {
		listen ${IP[$n]}:13100;
		location = /ready { default_type text/plain; return 200 'ready\n'; }
		location / { return 404; }
	}
	server {
		listen ${IP[$n]}:29193;
		location / { proxy_pass http://127.0.0.1:19192; }
	}
}
EOF
	cat >"$d/prometheus.yml" <<EOF
global: { scrape_interval: 5s }
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:19192'], labels: { replica: ${NAME[$n]} } }]
EOF
}
start_backends() { # node: whichever is not running
	local n=$1 d=$T/$1
	alive "$n" receiver || spawn "$n" receiver node "$CLIENTS/receiver.js" --listen "${IP[$n]}:14318" \
		--out "$T/received-$n" --node "${NAME[$n]}"
	alive "$n" prometheus || spawn "$n" prometheus prometheus --config.file="$d/prometheus.yml" \
		--storage.tsdb.path="$d/tsdb" --web.listen-address=:19192 --log.level=warn
	alive "$n" nginx || spawn "$n" nginx nginx -c "$d/nginx.conf" -g 'daemon off;'
	alive "$n" s3rver || spawn "$n" s3rver node "$CLIENTS/node_modules/s3rver/bin/s3rver.js" -d "$T/s3" \
		-a "${IP[$n]}" -p 9000 -s --configure-bucket bench
}
BACKENDS="receiver prometheus nginx s3rver"

# ---- the two implementations ----------------------------------------------------
gen_configs() { # advert-ms: vrrpd.conf and lbd.conf of each node from the shipped templates
	local adv=$1 e=$T/env-$1
	mkdir -p "$e"
	cp "$REPO"/packaging/lab/env/node*.env "$e/"
	# the S3 frontend is the one added below (s3rver fails the template's MinIO check)
	sed "s/^ADVERT=.*/ADVERT=${adv}ms/" "$REPO/packaging/lab/env/site.env" >"$e/site.env"
	echo "S3_PORT=" >>"$e/site.env"
	echo "BFD=$BFD" >>"$e/site.env"
	"$REPO/configs/generate.sh" -e "$e" -o "$T/conf-$adv" >/dev/null || t_fail "configs/generate.sh"
	local n
	for n in $NODES; do
		cat >>"$T/conf-$adv/$n/lbd.conf" <<EOF

# bench/availability.sh: S3 on the VIP over both nodes' s3rver (MinIO's place)
backend s3 {
	check GET /minio/health/live expect 200-499 interval 2s timeout 2s rise 2 fall 3;
	timeout server 300s;
	server ${NAME[node1]} ${IP[node1]}:9000;
	server ${NAME[node2]} ${IP[node2]}:9000;
}
frontend s3 {
	bind *:19000;
	timeout client 300s;
	backend s3;
}
EOF
	done
}

haproxy_cfg() { # node: the deployment's haproxy.cfg for this lab
	local n=$1
	sed -E -e "s/127\.0\.0\.1:([0-9]+)/${IP[node1]}:\1/" -e "s/127\.0\.0\.2:([0-9]+)/${IP[node2]}:\1/" \
		-e "s#stats socket /tmp/haproxy-reference.sock#stats socket $T/$n/haproxy.sock#" \
		-e 's/^(\s*)# no "http-check expect".*/\1http-check expect status 200-499/' \
		-e 's/maxconn 20000/maxconn 9950/' \
		"$REPO/configs/reference/haproxy.cfg"
	cat <<EOF

# bench/availability.sh: S3 on the VIP over both nodes' s3rver (MinIO's place)
frontend s3
    bind :19000
    timeout client 300s
    default_backend s3_nodes

backend s3_nodes
    timeout server 300s
    option httpchk
    http-check send meth GET uri /minio/health/live
    http-check expect status 200-499
    server s3-a ${IP[node1]}:9000
    server s3-b ${IP[node2]}:9000
EOF
}

# keepalived_conf NODE ADVERT_S: the deployment's keepalived.conf of that node
# (the reference files keepalived-node1.conf / -node2.conf handed over with the
# deployment) with the lab's interface and VIP: VRRPv3, VRID 51, priorities
# 100/90, node1 "state MASTER", GARP 5 + 5 after 5 s, refresh 60 s, and the
# HAProxy check every 2 s, fall 2, rise 2, weight -20.  "killall -0 haproxy"
# would see the other node's HAProxy too (one PID namespace for both nodes
# here): pgrep on this node's HAProxy PID file is the same check.
keepalived_conf() {
	local n=$1 adv=$2 st=BACKUP
	[ "$n" = node1 ] && st=MASTER
	cat <<EOF
global_defs {
    router_id ka-$NET_ID-$n
    vrrp_version 3
    enable_script_security
    script_user root
    vrrp_garp_master_delay 5
    vrrp_garp_master_repeat 5
    vrrp_garp_master_refresh 60
}
vrrp_script chk_haproxy {
    script "/usr/bin/pgrep -F $T/$n/haproxy.pid"
    interval 2
    timeout 1
    fall 2
    rise 2
    weight -20
}
vrrp_instance VI_51 {
    state $st
    interface eth0
    virtual_router_id 51
    priority ${PRIO[$n]}
    advert_int $adv
    version 3
    virtual_ipaddress {
        $VIP/24 dev eth0 label eth0:vip
    }
    track_script {
        chk_haproxy
    }
}
EOF
}

start_lb() { # impl node
	if [ "$1" = vrrpd ]; then
		alive "$2" lb || spawn "$2" lb "$BIN/lbd" -n -f "$T/conf-$ADV/$2/lbd.conf"
	else
		alive "$2" lb || spawn "$2" lb haproxy -db -f "$T/$2/haproxy.cfg"
		sleep 0.1
		cp "$T/$2/lb.pid" "$T/$2/haproxy.pid"
	fi
}
start_vrrp() { # impl node
	local n=$2
	alive "$n" vrrp-sup && return 0
	if [ "$1" = vrrpd ]; then
		# as the unit: whatever way vrrpd ended, ExecStopPost runs "vrrpd --cleanup"
		spawn "$n" vrrp-sup sh -c '"$0" -n -f "$1" & echo $! >"$2"; wait $!; "$0" --cleanup -f "$1"' \
			"$BIN/vrrpd" "$T/conf-$ADV/$n/vrrpd.conf" "$T/$n/vrrp.pid"
	else
		spawn "$n" vrrp-sup keepalived -n -l -D -f "$T/$n/keepalived.conf" -p "$T/$n/vrrp.pid" \
			-r "$T/$n/vrrp-child.pid" --no-syslog -i "ka-$NET_ID-$n"
	fi
	wait_until 3 test -s "$T/$n/vrrp.pid"
}
vrrp_pids() { cat "$T/$1/vrrp.pid" "$T/$1/vrrp-child.pid" "$T/$1/vrrp-sup.pid" 2>/dev/null; }

start_node() { # impl node
	start_backends "$2"
	start_lb "$1" "$2"
	start_vrrp "$1" "$2"
}
stop_node() { # node: everything, TERM (the VIP removed by the daemons or here)
	local n=$1 p
	for p in vrrp-sup lb $BACKENDS; do stop "$n" "$p"; done
	for p in $(vrrp_pids "$n"); do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
	rm -f "$T/$n/vrrp.pid" "$T/$n/vrrp-child.pid"
	ip -n "$(nsv "$n")" addr del "$VIP/24" dev eth0 2>/dev/null
	return 0
}

all_up() { # every server of the node's load balancer is UP (/stats;csv, field 18: lbd and HAProxy)
	local csv
	csv=$(cl curl -sf --max-time 1 "http://${IP[$1]}:8404/stats;csv") || return 1
	awk -F, 'NR > 1 && $2 != "FRONTEND" && $2 != "BACKEND" && $2 != "" && $1 !~ /^stats/ { n++; if ($18 != "UP") bad++ }
		END { exit !(n >= 10 && !bad) }' <<<"$csv"
}
steady() { # node1 master, node2 backup, both balancers with every server UP
	holds_vip node1 && ! holds_vip node2 && all_up node1 && all_up node2 &&
		cl curl -sf -o /dev/null --max-time 1 "http://$VIP:9192/-/healthy"
}

# ---- one run of one scenario ------------------------------------------------------
CLIENT_PIDS=()
start_clients() { # dir (ip netns exec execs node: the PIDs are the clients')
	local d=$1
	: >"$T/received-node1"
	: >"$T/received-node2"
	ip netns exec "$NS_client" node "$CLIENTS/otel_client.js" --url "http://$VIP:4318" --log "$d/otel.jsonl" \
		>"$d/otel.out" 2>&1 &
	CLIENT_PIDS=($!)
	ip netns exec "$NS_client" node "$CLIENTS/prom_client.js" --endpoints "http://$VIP:9192,http://$VIP:19193" \
		--log "$d/prom.jsonl" >"$d/prom.out" 2>&1 &
	CLIENT_PIDS+=($!)
	ip netns exec "$NS_client" node "$CLIENTS/s3_client.js" --endpoint "http://$VIP:19000" --prefix "$(basename "$d")" \
		--log "$d/s3.jsonl" >"$d/s3.out" 2>&1 &
	CLIENT_PIDS+=($!)
}
stop_clients() {
	local p
	for p in "${CLIENT_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	# the OTel SDK waits for its exports in flight (its timeout: 10 s)
	for p in "${CLIENT_PIDS[@]}"; do
		for _ in $(seq 1 2000); do net_alive "$p" || break; sleep 0.02; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	CLIENT_PIDS=()
}
clients_flowing() { # each client kind has a success in its log
	local d=$1
	grep -q '"c":"otel-metrics".*"ok":true' "$d/otel.jsonl" 2>/dev/null &&
		grep -q '"c":"otel-logs".*"ok":true' "$d/otel.jsonl" &&
		grep -q '"c":"prom-9192".*"ok":true' "$d/prom.jsonl" 2>/dev/null &&
		grep -q '"c":"prom-19193".*"ok":true' "$d/prom.jsonl" &&
		grep -q '"c":"s3-read".*"ok":true' "$d/s3.jsonl" 2>/dev/null
}

# split: who holds the VIP and where the client's ARP entry for it points, every 100 ms
mac_of() { ip -n "$(nsv "$1")" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
watch_split() { # file
	local m1 m2 i
	m1=$(mac_of node1) m2=$(mac_of node2)
	for i in $(seq 1 $((WINDOW_S * 10 + 20))); do
		local v= a
		holds_vip node1 && v+=1
		holds_vip node2 && v+=2
		a=$(ip -n "$NS_client" neigh show "$VIP" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2)
		case $a in "$m1") a=node1 ;; "$m2") a=node2 ;; *) a=none ;; esac
		echo "$(now_ms) vip:${v:-none} arp:$a"
		sleep 0.1
	done >"$1"
}

trigger() { # impl scenario: prints the trigger time (ms)
	local impl=$1 sc=$2 t p pids=
	case $sc in
	crash)
		for p in vrrp-sup lb $BACKENDS; do pids+=" $(pid_of node1 "$p")"; done
		pids+=" $(vrrp_pids node1) $(pgrep -P "$(pid_of node1 nginx)" | tr '\n' ' ')"
		t=$(now_ms)
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null
		ip -n "$NS_node1" link set eth0 down ;;
	lb-crash) t=$(now_ms); sig node1 lb KILL ;;
	lb-wedge) t=$(now_ms); sig node1 lb STOP ;;
	vrrp-crash)
		if [ "$impl" = vrrpd ]; then
			t=$(now_ms); kill -KILL "$(cat "$T/node1/vrrp.pid")"
		else
			pids=$(cat "$T/node1/vrrp.pid" "$T/node1/vrrp-child.pid")
			t=$(now_ms)
			# shellcheck disable=SC2086
			kill -KILL $pids
		fi ;;
	handover)
		if [ "$impl" = vrrpd ] && [ "$HANDOVER" = 1 ]; then
			t=$(now_ms); ip netns exec "$NS_node1" sh -c 'mount --bind "$0" /run && exec "$@"' "$T/node1/run" \
				"$BIN/vrrpctl" handover >>"$T/node1/vrrpctl.log" 2>&1 &
		else
			t=$(now_ms); kill -TERM "$(cat "$T/node1/vrrp.pid")"
		fi ;;
	backend)
		for p in $BACKENDS; do pids+=" $(pid_of node1 "$p")"; done
		pids+=" $(pgrep -P "$(pid_of node1 nginx)" | tr '\n' ' ')"
		t=$(now_ms)
		# shellcheck disable=SC2086
		kill -KILL $pids ;;
	split)
		t=$(now_ms)
		ip netns exec "$NS_hub" nft -f - <<'EOF'
table bridge cut {
	chain forward_cut {
		type filter hook forward priority 0; policy accept;
		iifname "p-node1" oifname "p-node2" drop
		iifname "p-node2" oifname "p-node1" drop
	}
}
EOF
		;;
	esac
	echo "$t"
}

restore() { # impl scenario: back to node1 master with everything running
	local impl=$1 sc=$2 p
	case $sc in
	crash)
		# a rebooted host has no VIP left on its interface
		ip -n "$NS_node1" addr del "$VIP/24" dev eth0 2>/dev/null
		ip -n "$NS_node1" link set eth0 up
		for p in vrrp-sup lb $BACKENDS; do rm -f "$T/node1/$p.pid"; done
		rm -f "$T/node1/vrrp.pid" "$T/node1/vrrp-child.pid"
		start_node "$impl" node1 ;;
	lb-wedge) sig node1 lb CONT ;;
	split) ip netns exec "$NS_hub" nft delete table bridge cut 2>/dev/null ;;
	vrrp-crash | handover)
		# after a handover lbd was drained: a fresh one too
		[ "$sc" = handover ] && [ "$impl" = vrrpd ] && stop node1 lb
		for p in $(vrrp_pids node1); do kill -KILL "$p" 2>/dev/null; done
		wait_until 5 eval '! alive node1 vrrp-sup'
		rm -f "$T/node1/vrrp.pid" "$T/node1/vrrp-child.pid" "$T/node1/vrrp-sup.pid"
		ip -n "$NS_node1" addr del "$VIP/24" dev eth0 2>/dev/null
		start_node "$impl" node1 ;;
	*) start_node "$impl" node1 ;;
	esac
	wait_until 60 steady || { t_log "not steady 60 s after restoring $sc ($impl)"; return 1; }
}

run_one() { # impl advert scenario rep
	local impl=$1 adv=$2 sc=$3 rep=$4 d t0 tend watcher= healer=
	d=$T/runs/$impl-$adv-$sc-$rep
	mkdir -p "$d"
	start_clients "$d"
	wait_until 20 clients_flowing "$d" || t_log "$impl $adv $sc $rep: a client had no success in 20 s"
	sleep "$BASELINE_S"
	[ "$sc" = split ] && { watch_split "$d/split.txt" & watcher=$!; }
	t0=$(trigger "$impl" "$sc")
	tend=$((t0 + WINDOW_S * 1000))
	if [ "$sc" = split ]; then
		sleep "$SPLIT_S"
		echo "$(now_ms) healed" >>"$d/events"
		restore "$impl" split >/dev/null 2>&1 &
		healer=$!
	fi
	while [ "$(now_ms)" -lt "$tend" ]; do sleep 0.1; done
	stop_clients
	[ -n "$watcher" ] && { kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; }
	[ -n "$healer" ] && wait "$healer"
	restore "$impl" "$sc"
	local v
	v=$(cl node "$CLIENTS/s3_client.js" --endpoint "http://$VIP:19000" --verify "$d/s3.jsonl" 2>/dev/null)
	node "$CLIENTS/summarise.js" --trigger "$t0" --end "$tend" --logs "$d/otel.jsonl,$d/prom.jsonl,$d/s3.jsonl" \
		--received "$T/received-node1,$T/received-node2" --verify "$v" \
		--tag "{\"impl\":\"$impl\",\"advert\":$adv,\"scenario\":\"$sc\",\"rep\":$rep}" | tee -a "$OUT.jsonl" |
		awk -v h="$impl $adv ms $sc #$rep" '{ print h ": " $0 }' | sed -E 's/"(impl|advert|scenario|rep)":[^,]*,//g'
	if [ "$sc" = split ]; then
		# what the client saw: the VIP holders and its ARP entry, as they changed
		awk '{ k = $2 " " $3; if (k != last) { print "  split +" ($1 - t0) " ms: " k; last = k } }' t0="$t0" "$d/split.txt" |
			head -20
		mkdir -p "$OUT.split" && cp "$d/split.txt" "$OUT.split/$impl-$adv-$rep.txt"
	fi
}

# ---- main ----------------------------------------------------------------------------
t_log "results in $OUT.jsonl; vrrpctl handover: $([ $HANDOVER = 1 ] && echo yes || echo 'no (SIGTERM of vrrpd instead)')"
for n in $NODES; do write_backends "$n"; done
for ADV in $ADVERTS; do
	gen_configs "$ADV"
	for impl in $IMPLS; do
		for n in $NODES; do
			haproxy_cfg "$n" >"$T/$n/haproxy.cfg"
			keepalived_conf "$n" "$(awk "BEGIN { print $ADV / 1000 }")" >"$T/$n/keepalived.conf"
		done
		start_node "$impl" node1
		wait_until 15 holds_vip node1 || t_fail "$impl: node1 does not take the VIP"
		start_node "$impl" node2
		wait_until 60 steady || t_fail "$impl advert $ADV ms: the lab is not steady after 60 s"
		t_log "$impl, adverts $ADV ms: steady"
		for sc in $SCENARIOS; do
			for rep in $(seq 1 "$REPS"); do
				run_one "$impl" "$ADV" "$sc" "$rep" || t_log "$impl $ADV $sc $rep: run failed"
			done
		done
		for n in $NODES; do stop_node "$n"; done
	done
done

# ---- summary ---------------------------------------------------------------------------
echo
echo "== availability (REPS=$REPS, vrrpd BFD $BFD, window ${WINDOW_S}s after the trigger, $(nproc) CPUs, $(uname -r)); $OUT.jsonl"
node "$CLIENTS/report.js" "$OUT.jsonl"
echo
node "$CLIENTS/report.js" "$OUT.jsonl" --full
