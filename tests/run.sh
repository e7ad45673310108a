#!/usr/bin/env bash
# The whole suite: builds (gcc, clang, ASan+UBSan, ThreadSanitizer, fuzzers),
# cppcheck, cmocka unit tests in the gcc and sanitizer builds, one namespace
# test per file in tests/net/ (against the sanitizer build), the lbd thread
# tests against the ThreadSanitizer build, and a short run of each fuzzer.
# Ends with one line "N passed, N failed".
#
#   tests/run.sh                 everything (what `make check` runs)
#   TESTS=vrrp tests/run.sh      unit tests, plus only the net tests and fuzzers whose name contains "vrrp"
#                                (TESTS=faultinj: the fault-injection pass alone; TESTS=tsan: the TSAN pass)
#   SKIP_BUILD=1 ...             use what is already built
#   NET_BIN=build ...            run net tests against another build
#   FUZZ_SECONDS=N               time per fuzzer (default 8)
#
# A net test with a line "# run.sh: background" (one that mostly waits on a
# container's package installs) starts before the others and runs beside them;
# its result is counted at the end.
set -u
cd "$(dirname "$0")/.."
REPO=$PWD
LOGS=$REPO/build/test-logs
mkdir -p "$LOGS"
PASSED=0 FAILED=0 SKIPPED=0
FAILED_NAMES=()
FILTER=${TESTS:-}
SAN_BIN=build/san-clang
export NET_BIN=${NET_BIN:-$SAN_BIN}

T0=$(date +%s%N)
since() { # seconds since T0, then restart the clock
	local now; now=$(date +%s%N)
	printf '%d.%01ds' $(((now - T0) / 1000000000)) $(((now - T0) / 100000000 % 10))
	T0=$now
}

record() { # name status(0 pass, 77 skip, else fail) [log [duration]]
	local name=$1 st=$2 log=${3:-}
	[ -n "$log" ] && name="$name (${4:-$(since)})"
	if [ "$st" = 0 ]; then
		PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$name"
	elif [ "$st" = 77 ] && [ "${CI:-}" != true ]; then
		SKIPPED=$((SKIPPED + 1)); printf 'SKIP  %s\n' "$name"
	else
		FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name"); printf 'FAIL  %s (exit %s)\n' "$name" "$st"
		[ -n "$log" ] && [ -f "$log" ] && tail -n 30 "$log" | sed 's/^/      | /'
	fi
}

run_logged() { # name log cmd...
	local name=$1 log=$2; shift 2
	since >/dev/null
	"$@" >"$log" 2>&1
	record "$name" $? "$log"
}

matches() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

if [ -z "${SKIP_BUILD:-}" ]; then
	run_logged "build gcc${SAN:+ asan+ubsan}" "$LOGS/build-gcc.log" make -j2 bins unit-bins
	run_logged "build clang${SAN:+ asan+ubsan}" "$LOGS/build-clang.log" make -j2 CC=clang bins unit-bins
	run_logged "build clang asan+ubsan" "$LOGS/build-san.log" make -j2 CC=clang SAN=1 bins unit-bins
	run_logged "build clang tsan" "$LOGS/build-tsan.log" make -j2 TSAN=1 bins
	run_logged "build fuzzers" "$LOGS/build-fuzz.log" make -j2 fuzz
	run_logged "cppcheck" "$LOGS/cppcheck.log" make cppcheck
fi

# cmocka: each test case counts once per build.
run_unit() { # label bin
	local label=$1 bin=$2 name log out runs oks
	name=$(basename "$bin")
	log="$LOGS/unit-$label-$name.log"
	"$bin" >"$log" 2>&1
	local st=$?
	runs=$(grep -c '^\[ RUN      \]' "$log")
	oks=$(grep -c '^\[       OK \]' "$log")
	while read -r t; do record "unit/$label/$name/$t" 0; done < <(sed -n 's/^\[       OK \] //p' "$log")
	if [ "$runs" -ne "$oks" ] || [ "$st" -ne 0 ]; then
		record "unit/$label/$name ($((runs - oks)) of $runs cases failed)" 1 "$log"
	fi
}
if :; then # always: they take seconds
	GCC_B=build; [ -n "${SAN:-}" ] && GCC_B=build/san-gcc
	for b in $GCC_B/tests/test_*; do [ -x "$b" ] && run_unit gcc "$b"; done
	for b in $SAN_BIN/tests/test_*; do [ -x "$b" ] && run_unit san "$b"; done
fi

# Namespace tests: one scenario per file; exit 0 pass, 77 cannot run (a failure under CI=true).
is_background() { grep -q '^# run\.sh: background$' "$1"; }
run_net() { # test-file log: 600 s each, or what the test's "# run.sh timeout: SECONDS" line says
	local limit
	limit=$(sed -n 's/^# run\.sh timeout: \([0-9][0-9]*\)$/\1/p' "$1" | head -n1)
	timeout -k 10 "${limit:-600}" bash "$1" >"$2" 2>&1
}
BG_NAMES=() BG_PIDS=()
for t in tests/net/test_*.sh; do
	[ -f "$t" ] && is_background "$t" || continue
	name=$(basename "$t" .sh)
	matches "$name" || continue
	log="$LOGS/net-$name.log"
	(
		start=$(date +%s)
		run_net "$t" "$log"
		echo "$? $(($(date +%s) - start))" >"$log.status"
	) &
	BG_NAMES+=("$name") BG_PIDS+=($!)
done
for t in tests/net/test_*.sh; do
	[ -f "$t" ] || continue
	is_background "$t" && continue
	name=$(basename "$t" .sh)
	matches "$name" || continue
	log="$LOGS/net-$name.log"
	since >/dev/null
	run_net "$t" "$log"
	record "net/$name" $? "$log"
done

# The lbd data-path tests again with lbd under tests/faultinj: its socket
# reads, writes and splices return short counts and EAGAIN at random (seed
# in the log; FAULTINJ_SEED=N replays one).  FAULTINJ_TESTS overrides the list.
for name in ${FAULTINJ_TESTS:-test_lbd_proxy test_lbd_bodies test_lbd_malformed test_lbd_slowloris test_lbd_timeout_wait}; do
	[ -f "tests/net/$name.sh" ] || continue
	matches "$name" || matches faultinj || continue
	log="$LOGS/net-faultinj-$name.log"
	since >/dev/null
	FAULTINJ=1 timeout -k 10 600 bash "tests/net/$name.sh" >"$log" 2>&1
	record "net-faultinj/$name" $? "$log"
done

# The lbd tests that exercise its threads (workers, stats thread, reloads,
# "show stat" on the main loop) again against the ThreadSanitizer build: a
# race ends lbd and leaves a report that fails the test (lib.sh).
# TSAN_TESTS overrides the list.
for name in ${TSAN_TESTS:-test_lbd_stats_threads test_lbd_stats test_lbd_stats_vrrp test_lbd_reload test_lbd_reload_slow_worker test_lbd_health_reload test_lbd_proxy}; do
	[ -f "tests/net/$name.sh" ] || continue
	matches "$name" || matches tsan || continue
	log="$LOGS/net-tsan-$name.log"
	since >/dev/null
	NET_BIN=build/tsan-clang timeout -k 10 600 bash "tests/net/$name.sh" >"$log" 2>&1
	record "net-tsan/$name" $? "$log"
done

# Fuzzers: a short run from the seed corpus; a crash fails.
for f in build/fuzz/fuzzers/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	matches "$name" || continue
	corpus=$(mktemp -d)
	[ -d "tests/fuzz/corpus/${name#fuzz_}" ] && cp -r "tests/fuzz/corpus/${name#fuzz_}/." "$corpus/"
	log="$LOGS/$name.log"
	since >/dev/null
	# -error_exitcode: libFuzzer reports a crash with 77, which record() reads as "skip".
	"$f" -max_total_time="${FUZZ_SECONDS:-8}" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 \
		-artifact_prefix="$LOGS/$name-" "$corpus" >"$log" 2>&1
	record "fuzz/$name" $? "$log"
	rm -rf "$corpus"
done

for i in "${!BG_PIDS[@]}"; do
	name=${BG_NAMES[$i]} log="$LOGS/net-${BG_NAMES[$i]}.log"
	wait "${BG_PIDS[$i]}"
	read -r st secs <"$log.status" 2>/dev/null || { st=1 secs=0; }
	rm -f "$log.status"
	record "net/$name" "$st" "$log" "${secs}s, in the background"
done

if [ ${#FAILED_NAMES[@]} -gt 0 ]; then
	echo "failed:"; printf '  %s\n' "${FAILED_NAMES[@]}"
fi
if [ "$SKIPPED" -gt 0 ]; then
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
	echo "$PASSED passed, $FAILED failed"
fi
[ "$FAILED" -eq 0 ]
