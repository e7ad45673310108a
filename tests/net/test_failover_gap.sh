#!/usr/bin/env bash
# ha-failover-test's arithmetic of what clients saw, on recorded probe logs
# (--analyse LOG --trigger-ns NS; a log line is "START_NS END_NS CODE URL").
# The window of a URL runs from the later of the trigger and its last 2xx
# before a failed probe, to the end of its first 2xx after; a URL that had no
# answer before the trigger counts from the trigger (the old tool reported 0 ms
# then, or the 73 ms between two lucky answers while 8 probes had failed).
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
TOOL=$REPO/packaging/ha-failover-test
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # description log-builder expected-summary [expected line...]
	local what=$1 log=$2 want=$3 out line; shift 3
	out=$("$TOOL" --analyse "$log" --trigger-ns 1000000000000 2>&1)
	if ! grep -qx "summary: $want" <<<"$out"; then
		echo "FAIL: $what: wanted 'summary: $want', got:"; sed 's/^/    /' <<<"$out"; fails=$((fails + 1)); return
	fi
	for line in "$@"; do
		if ! grep -q -- "$line" <<<"$out"; then
			echo "FAIL: $what: no line '$line' in:"; sed 's/^/    /' <<<"$out"; fails=$((fails + 1)); return
		fi
	done
	echo "ok: $what"
}
# probes LABEL CODE... : one probe every 100 ms from t=0.5 s (T0 = 1000 s), each taking 20 ms
probes() {
	local label=$1 i=0 c s; shift
	for c in "$@"; do
		s=$((999500000000 + i * 100000000))
		echo "$s $((s + 20000000)) $c $label"
		i=$((i + 1))
	done
}
# the trigger is at 1000 s = the 6th probe's start

# 1. a steady baseline, 30 probes failed from the trigger (3 s), then answers
probes a 200 200 200 200 200 $(printf '000 %.0s' $(seq 30)) 200 200 >"$T/1"
check "baseline, 3 s outage: from the trigger to the end of the first 2xx" "$T/1" \
	"http_gap_ms=3020 failed_probes=30 recovered=1"

# 2. no answer at all before the trigger: counted from the trigger, not ignored
probes a 000 000 000 000 000 $(printf '000 %.0s' $(seq 30)) 200 200 >"$T/2"
check "no 2xx before the trigger" "$T/2" "http_gap_ms=3020 failed_probes=30 recovered=1"

# 3. a lucky answer in the middle does not hide the failures around it
probes a 000 000 000 000 000 000 000 000 000 200 000 000 000 000 000 000 000 000 000 200 >"$T/3"
check "two runs of failures: the longest window" "$T/3" "http_gap_ms=1000 failed_probes=13 recovered=1"

# 4. all failing after the trigger: not recovered, window up to the last probe
probes a 200 200 200 200 200 000 000 000 000 000 >"$T/4"
check "never came back" "$T/4" "http_gap_ms=420 failed_probes=5 recovered=0" "never answered 2xx again"

# 5. answers go on after the trigger (a clean stop): the window starts at the last of them
probes a 200 200 200 200 200 200 200 200 000 000 000 200 >"$T/5"
check "answers after the trigger: from the last one" "$T/5" "http_gap_ms=400 failed_probes=3 recovered=1"

# 6. several URLs interleaved: each has its own window, the summary the worst
{ probes otlp 200 200 200 200 200 000 000 200 200 200
  probes loki 200 200 200 200 200 000 000 000 000 000 000 200
  probes query 200 200 200 200 200 200 200 200 200 200; } | sort -R >"$T/6"
check "interleaved URLs" "$T/6" "http_gap_ms=620 failed_probes=8 recovered=1" \
	"otlp: 220 ms" "loki: 620 ms" "query: 0 ms"

# 7. one URL never probed after the trigger: not recovered
{ probes otlp 200 200 200 200 200 200 200; probes loki 200 200 200; } >"$T/7"
check "a URL without probes after the trigger is not called recovered" "$T/7" \
	"http_gap_ms=0 failed_probes=0 recovered=0"

echo "$((7 - fails)) of 7 recorded logs read right"
[ "$fails" = 0 ]
