# tests/net/lib.sh: sourced by every namespace test (tests/net/test_*.sh).
#
#   . "$(dirname "$0")/lib.sh"
#   ns_create n1                       -> namespace "n1-<id>" in $NS_n1
#   net_spawn n1 vrrpd $BIN/vrrpd ...  -> background process, PID in $PID_vrrpd, log in $T/vrrpd.log
#   wait_for 5 "VIP on n1" ns_exec n1 ip -o addr show to 192.0.2.100
#   t_assert "what a user checks" cmd...
#
# Everything created is removed on exit, whatever happened (trap).  A test
# that cannot run (not root, tool missing) exits 77, or 1 under CI=true.
# Only documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32) are used inside the namespaces.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${NET_BIN:-build}
case $BIN in /*) ;; *) BIN=$REPO/$BIN ;; esac
NET_ID=$(printf '%04x%02x' $((RANDOM)) $(($$ % 256)))
T=$(mktemp -d "/tmp/hanet.$NET_ID.XXXX")
NET_NAMESPACES=()
NET_PIDS=()
NET_CLEANUPS=()
export ASAN_OPTIONS="log_path=$T/asan:detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$T/ubsan:print_stacktrace=1:halt_on_error=1"

net_unavailable() {
	echo "cannot run: $*" >&2
	if [ "${CI:-}" = true ]; then exit 1; fi
	exit 77
}

net_require() { # tools...
	local t
	for t in "$@"; do command -v "$t" >/dev/null 2>&1 || net_unavailable "$t is not installed (make deps)"; done
}

[ "$(id -u)" = 0 ] || net_unavailable "namespace tests need root"
net_require ip timeout

t_log() { printf '%s [%s] %s\n' "$(date +%T.%3N)" "${0##*/}" "$*"; }

t_fail() {
	t_log "FAIL: $*"
	exit 1
}

t_assert() { # description cmd...
	local what=$1; shift
	if "$@"; then t_log "ok: $what"; else t_fail "$what (command: $*)"; fi
}

# wait_for SECONDS DESCRIPTION cmd... : poll cmd until it succeeds; fail after SECONDS.
wait_for() {
	local secs=$1 what=$2; shift 2
	local deadline=$(($(date +%s%N) + secs * 1000000000))
	while :; do
		if "$@" >/dev/null 2>&1; then t_log "ok: $what"; return 0; fi
		[ "$(date +%s%N)" -lt "$deadline" ] || t_fail "timed out after ${secs}s waiting for: $what"
		sleep 0.02
	done
}

# wait_until SECONDS cmd... : like wait_for but returns 1 instead of failing.
wait_until() {
	local secs=$1; shift
	local deadline=$(($(date +%s%N) + secs * 1000000000))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.02
	done
}

ns_create() { # short-name -> sets NS_<short>
	local ns="$1-$NET_ID"
	ip netns add "$ns" || t_fail "ip netns add $ns"
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
	ip link add "$2" netns "${!va}" type veth peer name "$4" netns "${!vb}" || t_fail "veth $2/$4"
	ip -n "${!va}" link set "$2" up
	ip -n "${!vb}" link set "$4" up
}

# net_bridge_ns hub br : a bridge "br" inside namespace "hub"; net_bridge_port hub br ns if
net_bridge_ns() {
	local v="NS_$1"
	ip -n "${!v}" link add "$2" type bridge || t_fail "bridge $2"
	ip -n "${!v}" link set "$2" up
}
net_bridge_port() { # hub br ns ifname  (the hub end is named <ifname>-<ns-short>)
	local vh="NS_$1" vn="NS_$3" peer="p$RANDOM"
	ip link add "$4" netns "${!vn}" type veth peer name "$peer" netns "${!vh}" || t_fail "veth $4"
	ip -n "${!vh}" link set "$peer" master "$2"
	ip -n "${!vh}" link set "$peer" up
	ip -n "${!vn}" link set "$4" up
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

# net_alive PID : the process exists and is not a zombie (this container's PID 1
# reaps orphans late, so "kill -0" alone would call a dead daemon alive).
net_alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# net_stop PID [SIGNAL] : signal and wait (bounded) for exit; returns its status.
net_stop() {
	local pid=$1 sig=${2:-TERM} i
	kill -"$sig" "$pid" 2>/dev/null || return 0
	for i in $(seq 1 500); do
		net_alive "$pid" || break
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

net_on_exit() { NET_CLEANUPS+=("$*"); }

net_cleanup() {
	local rc=$? pid ns c
	trap - EXIT INT TERM
	for c in "${NET_CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1; done
	for pid in "${NET_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${NET_PIDS[@]}"; do
		for _ in $(seq 1 100); do net_alive "$pid" || break; sleep 0.02; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${NET_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	# Both sanitizers write to the last log_path set (often ubsan.*): either name counts.
	if compgen -G "$T/asan.*" >/dev/null || compgen -G "$T/ubsan.*" >/dev/null; then
		echo "sanitizer reports:"; cat "$T"/asan.* "$T"/ubsan.* 2>/dev/null | head -n 60
		[ "$rc" = 0 ] && rc=1
	fi
	if [ "$rc" != 0 ]; then
		for f in "$T"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done
	fi
	rm -rf "$T"
	exit "$rc"
}
trap net_cleanup EXIT
trap 'exit 130' INT TERM
