# tests/net/lib.sh: sourced by every namespace test (tests/net/test_*.sh).
#
#   . "$(dirname "$0")/lib.sh"
#   ns_create n1                       -> namespace "n1-<id>" in $NS_n1
#   net_spawn n1 vrrpd $BIN/vrrpd ...  -> background process, PID in $PID_vrrpd, log in $T/vrrpd.log
#   wait_for 5 "VIP on n1" ns_exec n1 ip -o addr show to 192.0.2.100
#   t_assert "what a user checks" cmd...
# (ns_create, net_spawn, lab_net... come from packaging/lab/netns.sh, the
# harness the demo lab shares; this file adds assertions, T and the trap.)
#
# Everything created is removed on exit, whatever happened (trap).  A test
# that cannot run (not root, tool missing) exits 77, or 1 under CI=true.
# Only documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32) are used inside the namespaces.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${NET_BIN:-build}
case $BIN in /*) ;; *) BIN=$REPO/$BIN ;; esac
# The harness itself (namespaces, links, the lab's topology, processes,
# waiting) is packaging/lab/netns.sh, which the demo lab uses too.
. "$REPO/packaging/lab/netns.sh"
NET_ID=$(printf '%04x%02x' $((RANDOM)) $(($$ % 256)))
T=$(mktemp -d "/tmp/hanet.$NET_ID.XXXX")
NET_CLEANUPS=()
export ASAN_OPTIONS="log_path=$T/asan:detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$T/ubsan:print_stacktrace=1:halt_on_error=1"
# ThreadSanitizer builds (make TSAN=1): the first race ends the daemon and
# leaves $T/tsan.<pid>; tests/tsan.supp lists the uninstrumented libraries' false positives.
export TSAN_OPTIONS="log_path=$T/tsan:halt_on_error=1:second_deadlock_stack=1:suppressions=$REPO/tests/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

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

net_fail() { t_fail "$@"; }

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

net_on_exit() { NET_CLEANUPS+=("$*"); }

net_cleanup() {
	local rc=$? c
	trap - EXIT INT TERM
	for c in "${NET_CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1; done
	net_teardown
	# Both sanitizers write to the last log_path set (often ubsan.*): either name counts.
	if compgen -G "$T/asan.*" >/dev/null || compgen -G "$T/ubsan.*" >/dev/null ||
		compgen -G "$T/tsan.*" >/dev/null; then
		echo "sanitizer reports:"; cat "$T"/asan.* "$T"/ubsan.* "$T"/tsan.* 2>/dev/null | head -n 80
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
