# tests/net/vrrp_lab.sh: the VRRP lab shared by tests/net/test_vrrp_*.sh
# (sourced after lib.sh).  Two nodes and a client on a bridge in a hub
# namespace; 198.51.100.0/24 and 2001:db8::/64; VIP 198.51.100.100: the
# demo lab's topology (lab_net in packaging/lab/netns.sh).
#
#   vrrp_lab                    n1 (.11), n2 (.12), cl (.50), interface eth0 everywhere
#   vrrp_conf n1 100 100ms [instance lines...] > file   (one instance VI_51, vrid 51)
#   vrrp_run n1 FILE            vrrpd in n1, log $T/vrrpd-n1.log, control $T/n1.sock
#   vrrp_field n1 state         a field of the first instance in `vrrpctl status --json`
#   vip_on n1                   the VIP is on n1's eth0
#   hub_port n1                 the hub's bridge port that n1's eth0 plugs into
#   hub_link n1 down|up         n1's link cut at the hub, or back; $LINK_MS: when
#   web_node n1 5s              nginx on n1's address :8081 (answers "n1"), and $T/lbd-n1.conf:
#                               lbd on :8080 over both nodes' nginx, checked every 2 s, fall 3
net_require python3
# The system interpreter: a pyenv shim on PATH costs most of a second a call.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
VIP=$LAB_VIP

# The lab of packaging/lab/netns.sh (the demo's too), with the tests' short names.
vrrp_lab() { lab_net hub n1 n2 cl; }

# vrrp_conf NODE PRIORITY ADVERT [extra lines for the instance block]
vrrp_conf() {
	local node=$1 prio=$2 adv=$3; shift 3
	# SCHED_FIFO as shipped: with 100 ms adverts on a loaded 2-core CI
	# machine a normally scheduled ASan build can miss three adverts.
	printf 'global {\n\tcontrol %s/%s.sock;\n\tmlock off;\n\trealtime-priority 5;\n}\n' "$T" "$node"
	printf 'instance VI_51 {\n\tinterface eth0;\n\tvrid 51;\n\tpriority %s;\n\tadvert %s;\n' "$prio" "$adv"
	printf '\tvirtual-address %s/24;\n' "$VIP"
	printf '\tgarp { count 2; repeat 0s; }\n'
	local l
	for l in "$@"; do printf '\t%s\n' "$l"; done
	printf '}\n'
}

vrrp_run() { # NODE FILE [extra vrrpd args]
	local node=$1 f=$2; shift 2
	net_spawn "$node" "vrrpd_$node" "$BIN/vrrpd" -n -f "$f" "$@"
}

vrrpctl_json() { # NODE
	"$BIN/vrrpctl" -s "$T/$1.sock" --json status
}

vrrp_field() { # NODE FIELD [INSTANCE-INDEX]
	vrrpctl_json "$1" 2>/dev/null | "$PY" -c "
import json,sys
d=json.load(sys.stdin)['instances'][${3:-0}]
v=d
for k in '$2'.split('.'): v=v[int(k)] if isinstance(v,list) else v[k]
print(str(v).lower() if isinstance(v,bool) else v)"
}

vrrp_state_is() { # NODE STATE
	[ "$(vrrp_field "$1" state)" = "$2" ]
}

vrrp_counter_above() { # NODE COUNTER N: counters.COUNTER > N (for wait_for)
	[ "$(vrrp_field "$1" "counters.$2")" -gt "$3" ]
}

vip_on() { # NODE [ADDRESS]
	ip -n "$(eval echo "\$NS_$1")" -o addr show dev eth0 | grep -q " ${2:-$VIP}/"
}

vip_off() { ! vip_on "$@"; }

# hub_port NODE: the bridge port in the hub that NODE's eth0 plugs into (the
# other end of its veth pair); empty when there is none.
hub_port() {
	local idx
	idx=$(ip -n "$(eval echo "\$NS_$1")" -o link show eth0 | sed -n 's/^[0-9]*: eth0@if\([0-9]*\):.*/\1/p')
	[ -n "$idx" ] || return 0
	ip -n "$NS_hub" -o link show | sed -n "s/^$idx: \([^:@]*\)[:@].*/\1/p"
}

# hub_link NODE down|up: NODE's link cut at the hub (its bridge port down: the
# node neither says goodbye nor sends anything more the others hear), or back.
# LINK_MS: the time of the change, in now_ms's milliseconds.
hub_link() {
	local port
	port=$(hub_port "$1")
	t_assert "found node ${1#n}'s port on the hub" [ -n "$port" ]
	LINK_MS=$(now_ms)
	ip -n "$NS_hub" link set "$port" "$2"
}

# Milliseconds since the epoch, for timings printed in the log.
now_ms() { date +%s%3N; }

mac_of() { # NODE
	ip -n "$(eval echo "\$NS_$1")" -j link show eth0 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'
}

client_neigh_is() { # MAC [ADDRESS]
	ip -n "$NS_cl" neigh show "${2:-$VIP}" | grep -q "lladdr $1"
}

# Start both nodes with the given instance lines and wait for n1 master.
vrrp_pair() { # ADVERT [instance lines...]
	local adv=$1; shift
	vrrp_conf n1 100 "$adv" "$@" > "$T/n1.conf"
	vrrp_conf n2 90 "$adv" "$@" > "$T/n2.conf"
	vrrp_run n1 "$T/n1.conf"
	wait_for 5 "node 1 is master" vrrp_state_is n1 master
	vrrp_run n2 "$T/n2.conf"
	wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
	wait_for 2 "VIP on node 1" vip_on n1
}

# elapsed_ms START_MS: milliseconds since START_MS
elapsed_ms() { echo $(($(now_ms) - $1)); }

# field_is NODE FIELD VALUE [INSTANCE-INDEX]: for wait_for, which re-runs a command (a
# "$(...)" in its arguments would be evaluated only once).
field_is() { [ "$(vrrp_field "$1" "$2" "${4:-0}")" = "$3" ]; } # [INSTANCE-INDEX]

# web_node NODE CONNECT_TIMEOUT: the crash tests' web tier on one node.  Its
# nginx on the node's address :8081 answers the node's name; $T/lbd-NODE.conf
# balances :8080 over both nodes' nginx (checks every 2 s, rise 2, fall 3;
# retries go to another server), control socket $T/lbd-NODE.sock.
web_node() {
	local n=$1 ip=198.51.100.1${1#n}
	cat > "$T/nginx-$n.conf" <<EOF2
daemon off; master_process off; pid $T/nginx-$n.pid; error_log $T/nginx-$n.err;
events { worker_connections 256; }
http { access_log off; client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
  uwsgi_temp_path $T; scgi_temp_path $T;
  server { listen $ip:8081; location / { return 200 "$n\n"; } } }
EOF2
	net_spawn "$n" "nginx_$n" nginx -c "$T/nginx-$n.conf"
	cat > "$T/lbd-$n.conf" <<EOF2
global { workers 2; stats 127.0.0.1:8404 health 127.0.0.1:8405; control $T/lbd-$n.sock; access-log off; grace 1s; }
defaults { timeout connect $2; retries 3; redispatch on; }
backend web {
	check GET / expect 200 interval 2s timeout 2s rise 2 fall 3;
	server n1 198.51.100.11:8081;
	server n2 198.51.100.12:8081;
}
frontend www { bind *:8080; backend web; }
EOF2
}

# keepalived (Debian) as node 2's VRRP peer, VRID 51 on eth0, the VIP /24:
#   ka_run PRIORITY [ADVERT_INT]   start it ($T/ka.conf, $T/ka.log)
#   ka_stop [SIGNAL]               stop it and wait until its VRRP child is gone too
ka_conf() { # PRIORITY [ADVERT_INT, 0.1 by default]
	cat <<EOF2
global_defs {
    router_id ka-$NET_ID
    vrrp_version 3
    vrrp_garp_master_repeat 2
    vrrp_garp_master_delay 0
}
vrrp_instance VI_51 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $1
    advert_int ${2:-0.1}
    version 3
    virtual_ipaddress {
        $VIP/24 dev eth0
    }
}
EOF2
}
ka_run() { # PRIORITY [ADVERT_INT]
	ka_conf "$@" > "$T/ka.conf"
	net_spawn n2 ka keepalived -n -l -D -f "$T/ka.conf" -p "$T/ka.pid" -r "$T/ka-vrrp.pid" \
		--no-syslog -i "$NET_ID"
}
ka_stop() {
	net_stop "$PID_ka" "${1:-TERM}"
	# keepalived's VRRP child may outlive the parent by a moment.
	wait_for 5 "keepalived gone" ka_gone
}
ka_gone() {
	local f p
	for f in "$T/ka.pid" "$T/ka-vrrp.pid"; do
		p=$(cat "$f" 2>/dev/null) || continue
		[ -n "$p" ] && kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}
