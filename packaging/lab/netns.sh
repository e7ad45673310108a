# packaging/lab/netns.sh: the one network-namespace harness.  Sourced by the
# demo lab (packaging/lab/lab.sh) and by the namespace tests and benches
# (tests/net/lib.sh, which adds assertions and the exit trap).  Sourcing only
# defines functions and variables.
#
#   NET_ID                        a per-run id, part of every namespace name (set before use)
#   NET_NS_TEMPLATE               namespace names: %n the short name, %i NET_ID (default %n-%i)
#   net_fail MESSAGE              what a failure does (default: message, exit 1; tests: t_fail)
#
#   ns_create n1                  -> namespace "n1-<id>" in $NS_n1, lo up, remembered for teardown
#   ns_exec n1 CMD...             CMD in n1
#   net_veth a ifa b ifb          a veth pair between two namespaces
#   net_bridge_ns hub br          a bridge in hub;  net_bridge_port hub br ns ifname: ns's ifname on it
#   lab_net hub n1 n2 cl          the lab: n1 .11, n2 .12, cl .50 (and 2001:db8::11/12/50) on eth0,
#                                 bridged in hub (no multicast snooping); the VIP is $LAB_VIP
#   net_spawn n1 NAME CMD...      CMD in the background in n1 ("-": here), output to $T/NAME.log,
#                                 PID in $PID_NAME, remembered for teardown
#   net_alive PID / net_stop PID [SIG]
#   wait_until SECONDS CMD...     poll CMD (20 ms) until it succeeds; 1 after SECONDS
#   net_teardown                  the processes, then the namespaces (and what runs in them)
#
# Only documentation ranges are used: 198.51.100.0/24 and 2001:db8::/64 here.
# shellcheck disable=SC2034 # read by the files that source this one
NET_NAMESPACES=()
NET_PIDS=()
# shellcheck disable=SC2034
LAB_VIP=198.51.100.100
LAB_NET4=198.51.100
LAB_NET6=2001:db8:

net_fail() {
	echo "$*" >&2
	exit 1
}

ns_name() { # short-name -> the namespace's name
	local s=${NET_NS_TEMPLATE:-%n-%i}
	s=${s//%n/$1}
	printf '%s' "${s//%i/${NET_ID:?NET_ID is not set}}"
}

ns_create() { # short-name -> sets NS_<short>
	local ns
	ns=$(ns_name "$1")
	ip netns add "$ns" || net_fail "ip netns add $ns"
	NET_NAMESPACES+=("$ns")
	ip -n "$ns" link set lo up
	printf -v "NS_$1" '%s' "$ns"
}

ns_exec() { # short-name cmd...
	local v="NS_$1"; shift
	ip netns exec "${!v}" "$@"
}

# net_veth a ifa b ifb : a veth pair between two namespaces.
net_veth() {
	local va="NS_$1" vb="NS_$3"
	ip link add "$2" netns "${!va}" type veth peer name "$4" netns "${!vb}" || net_fail "veth $2/$4"
	ip -n "${!va}" link set "$2" up
	ip -n "${!vb}" link set "$4" up
}

# net_bridge_ns hub br : a bridge "br" inside namespace "hub"; net_bridge_port hub br ns if
net_bridge_ns() {
	local v="NS_$1"
	ip -n "${!v}" link add "$2" type bridge || net_fail "bridge $2"
	ip -n "${!v}" link set "$2" up
}
net_bridge_port() { # hub br ns ifname  (the hub end gets a random name)
	local vh="NS_$1" vn="NS_$3" peer="p$RANDOM"
	ip link add "$4" netns "${!vn}" type veth peer name "$peer" netns "${!vh}" || net_fail "veth $4"
	ip -n "${!vh}" link set "$peer" master "$2"
	ip -n "${!vh}" link set "$peer" up
	ip -n "${!vn}" link set "$4" up
}

# lab_net HUB NODE1 NODE2 CLIENT: the two nodes and the client of the lab, on
# a bridge br0 in HUB, each with eth0.  Multicast snooping off: the bridge
# must forward VRRP adverts to every port whatever IGMP it has seen.
lab_net() {
	local hub=$1 n1=$2 n2=$3 cl=$4 n v
	for n in "$hub" "$n1" "$n2" "$cl"; do ns_create "$n"; done
	net_bridge_ns "$hub" br0
	v="NS_$hub"
	ip -n "${!v}" link set br0 type bridge mcast_snooping 0
	set -- "$n1" 11 "$n2" 12 "$cl" 50
	while [ $# -gt 0 ]; do
		net_bridge_port "$hub" br0 "$1" eth0
		v="NS_$1"
		ip -n "${!v}" addr add "$LAB_NET4.$2/24" dev eth0
		ip -n "${!v}" addr add "$LAB_NET6:$2/64" dev eth0 nodad
		shift 2
	done
}

# net_spawn ns NAME cmd... : start cmd in the background in namespace ns (or "-"
# for this one); stdout+stderr go to $T/NAME.log; PID in $PID_NAME.
net_spawn() {
	local nsv="NS_$1" name=$2; shift 2
	if [ "${nsv}" = "NS_-" ]; then
		"$@" >>"$T/$name.log" 2>&1 &
	else
		ip netns exec "${!nsv}" "$@" >>"$T/$name.log" 2>&1 &
	fi
	local pid=$!
	NET_PIDS+=("$pid")
	printf -v "PID_$name" '%s' "$pid"
}

# net_alive PID : the process exists and is not a zombie (a container's PID 1
# may reap orphans late, so "kill -0" alone would call a dead daemon alive).
net_alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# net_stop PID [SIGNAL] : signal and wait (bounded) for exit; returns its status.
net_stop() {
	local pid=$1 sig=${2:-TERM}
	kill -"$sig" "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 500); do
		net_alive "$pid" || break
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# wait_until SECONDS cmd... : poll cmd until it succeeds; 1 after SECONDS.
wait_until() {
	local secs=$1; shift
	local deadline=$(($(date +%s%N) + secs * 1000000000))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.02
	done
}

# net_teardown: TERM the processes started here (KILL after 2 s), then KILL
# whatever still runs in the namespaces (by PID, as ip netns lists them) and
# delete them.  Idempotent.
net_teardown() {
	local pid ns
	for pid in "${NET_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${NET_PIDS[@]}"; do
		for _ in $(seq 1 100); do net_alive "$pid" || break; sleep 0.02; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	NET_PIDS=()
	for ns in "${NET_NAMESPACES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	NET_NAMESPACES=()
}
