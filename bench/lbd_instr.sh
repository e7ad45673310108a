#!/usr/bin/env bash
# Instructions per request of lbd against another lbd build (before a change),
# counted by callgrind: unlike wall-clock and CPU time, the count does not move
# with the load of a shared machine, so a change of a few percent shows.
#
#   LBD_REF=/path/to/other/lbd bench/lbd_instr.sh     (as root; NOT part of make check)
#   ROUNDS=3 SECONDS_PER_RUN=4 LBD_REF=... bench/lbd_instr.sh
#   KEEP_CG=/some/dir ...        keep the callgrind files there (callgrind_annotate them)
#
# Per build and round: lbd (one worker, bench_lbd_conf) under valgrind
# --tool=callgrind --separate-threads=yes, wrk -t1 -c10 small GETs, then
# 64 KiB POSTs, each for SECONDS_PER_RUN seconds, two nginx backends.  The
# worker thread's instruction count (the thread with the most) divided by the
# requests wrk completed: start-up and the main loop are left out.  The builds
# take turns; the report gives the median per build and the ratio.
set -u
cd "$(dirname "$0")/.."
export NET_BIN=${NET_BIN:-build}
. tests/net/lib.sh
net_require wrk nginx valgrind
PY=/usr/bin/python3
D=${SECONDS_PER_RUN:-4}
ROUNDS=${ROUNDS:-3}
[ -x "$BIN/lbd" ] || { echo "build lbd first (make)"; exit 1; }
[ -x "${LBD_REF:-}" ] || { echo "LBD_REF=path of the lbd to compare with"; exit 1; }

. bench/bench_lab.sh
bench_lab
for n in a:11 b:12; do
	bench_nginx "${n%%:*}" "192.0.2.${n##*:}" 'location / { default_type text/plain; return 200 "ok\n"; }
		location = /v1/metrics { client_max_body_size 0; client_body_buffer_size 128k;
			default_type text/plain; return 200 "ok\n"; }'
done
wait_for 5 "backends" nx curl -sf -o /dev/null http://192.0.2.12:8080/
bench_lbd_conf > "$T/lbd.conf"
head -c 65536 /dev/urandom | base64 -w0 | head -c 65536 > "$T/body"
cat > "$T/post.lua" <<EOF
wrk.method = "POST"
local f = io.open("$T/body", "rb"); wrk.body = f:read("*a"); f:close()
EOF

# build label, path, kind (get|post) -> "instructions requests"
measure() {
	local label=$1 bin=$2 kind=$3 dir="$T/cg-$1-$3-$r" url=http://192.0.2.10:4318/ script=
	[ "$kind" = post ] && { url=http://192.0.2.10:4318/v1/metrics; script="$T/post.lua"; }
	mkdir -p "$dir"
	net_spawn b "cg_${label//-/_}" valgrind --tool=callgrind --separate-threads=yes \
		--callgrind-out-file="$dir/cg.out" "$bin" -n -f "$T/lbd.conf"
	local pid=${NET_PIDS[-1]}
	wait_for 60 "$label under callgrind answers" nx curl -sf -o /dev/null http://192.0.2.10:4318/ >&2
	local out
	out=$(nx wrk -t1 -c10 -d"${D}s" ${script:+-s "$script"} "$url")
	# valgrind writes its counts at exit: wait for it (up to 60 s), never kill it
	kill -TERM "$pid"
	local i
	for i in $(seq 1 600); do net_alive "$pid" || break; sleep 0.1; done
	wait "$pid" 2>/dev/null
	local reqs ir
	reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
	# The worker: the thread with the most instructions ("summary:" line of each file).
	ir=$(for f in "$dir"/cg.out*; do awk '/^summary:/ { print $2 }' "$f"; done | sort -n | tail -1)
	[ -n "${KEEP_CG:-}" ] && cp -r "$dir" "$KEEP_CG/"
	echo "$ir $reqs"
}

: > "$T/results"
for r in $(seq "$ROUNDS"); do
	for b in lbd:"$BIN/lbd" lbd-ref:"$LBD_REF"; do
		for k in get post; do
			read -r ir reqs <<<"$(measure "${b%%:*}" "${b#*:}" "$k")"
			echo "round $r ${b%%:*} $k: $ir instructions, $reqs requests" >&2
			echo "$r ${b%%:*} $k $ir $reqs" >> "$T/results"
		done
	done
done

echo
echo "## lbd instructions per request ($(date -u +%F), callgrind, $ROUNDS rounds of ${D}s, medians)"
"$PY" - "$T/results" <<'PYEOF'
import statistics as st, sys
per = {}
for line in open(sys.argv[1]):
    r, b, k, ir, n = line.split()
    per.setdefault((b, k), []).append(int(ir) / int(n))
print()
print("| build | GET instr/req | 64 KiB POST instr/req |")
print("|---|---|---|")
for b in ("lbd", "lbd-ref"):
    print("| %s | %.0f | %.0f |" % (b, st.median(per[(b, "get")]), st.median(per[(b, "post")])))
print()
for k, name in (("get", "GET"), ("post", "POST")):
    a, b = per[("lbd", k)], per[("lbd-ref", k)]
    print("lbd/lbd-ref %-4s instr/req median %.3fx, per round %s" % (
        name, st.median(a) / st.median(b), " ".join("%.3f" % (x / y) for x, y in zip(a, b))))
PYEOF
