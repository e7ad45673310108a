#!/usr/bin/env bash
# lbd vs Debian's HAProxy 2.6 terminating TLS, same certificates, same run,
# alternating rounds: the proxy alone on CPU 1, the clients and the two
# nginx backends on CPU 0 (bench/bench_lab.sh).
#
#   bench/lbd_tls_bench.sh          (as root; NOT part of make check)
#   ROUNDS=3 SECONDS_PER_RUN=5 CLIENTS=3 bench/lbd_tls_bench.sh
#
# Per proxy and round:
#   full handshakes/s, RSA 2048 and ECDSA P-256: CLIENTS `openssl s_time -new`
#     (a new connection and a full handshake each time, TLS 1.3), summed, and
#     the proxy's CPU per handshake (the clients share CPU 0, so the rate may
#     be theirs; the CPU per handshake is the proxy's own figure);
#   resumed handshakes/s (ECDSA, `s_time -reuse`, session tickets);
#   keep-alive GET and 64 KiB POST over TLS (wrk, 50 connections): req/s and
#     the proxy's CPU per request.
# Both proxies use OpenSSL 3.0 from Debian, TLS 1.3, their default ciphers
# and groups, one thread.  No kTLS (the kernel has no CONFIG_TLS).
set -u
cd "$(dirname "$0")/.."
export NET_BIN=${NET_BIN:-build}
. tests/net/lib.sh
net_require wrk haproxy nginx taskset openssl
PY=/usr/bin/python3
D=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-3}
PROXIES=${PROXIES:-lbd haproxy}
[ -x "$BIN/lbd" ] || { echo "build lbd first (make)"; exit 1; }
ulimit -n "$(ulimit -Hn)"

. bench/bench_lab.sh
. bench/tls_lab.sh
tls_lab

start_proxy() { # name -> PROXY_PID
	case $1 in
	lbd) net_spawn b lbd taskset -c 1 "$BIN/lbd" -n -f "$T/lbd.conf" ;;
	haproxy) net_spawn b haproxy taskset -c 1 haproxy -f "$T/haproxy.cfg" ;;
	esac
	PROXY_PID=${NET_PIDS[-1]}
	wait_for 5 "$1 answers" nx curl -sfk -o /dev/null https://192.0.2.10:4444/
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

head -c 65536 /dev/urandom | base64 -w0 | head -c 65536 > "$T/body"
cat > "$T/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-protobuf"
local f = io.open("$T/body", "rb"); wrk.body = f:read("*a"); f:close()
LUA

handshakes() { # port new|reuse -> "rate cpu_us_per_handshake"
	local before after i n=0 t=0
	before=$(cpu_ticks "$PROXY_PID")
	for i in $(seq "$CLIENTS"); do
		nx taskset -c 0 openssl s_time -connect "192.0.2.10:$1" "-$2" -time "$D" > "$T/st.$i" 2>&1 &
	done
	wait $(jobs -p | tail -n "$CLIENTS")
	after=$(cpu_ticks "$PROXY_PID")
	# "N connections in T real seconds" ("-reuse" also prints a first full line)
	read -r n t < <(cat "$T"/st.* | awk '/connections in [0-9.]+ real/ { n += $1; if ($4 > t) t = $4 } END { print n + 0, t + 0 }')
	awk -v n="$n" -v t="$t" -v c=$((after - before)) -v hz="$HZ" \
		'BEGIN { if (n == 0 || t == 0) print "0 0"; else printf "%.0f %.1f\n", n / t, c / hz * 1e6 / n }'
	rm -f "$T"/st.*
}
run_wrk() { # url [script] -> "rps cpu_us_per_req"
	local before after out reqs rps
	before=$(cpu_ticks "$PROXY_PID")
	out=$(nx taskset -c 0 wrk -t1 -c50 -d"${D}s" ${2:+-s "$2"} "$1")
	after=$(cpu_ticks "$PROXY_PID")
	grep -E 'Socket errors|Non-2xx' <<<"$out" >&2
	reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	awk -v r="$rps" -v n="$reqs" -v c=$((after - before)) -v hz="$HZ" 'BEGIN { printf "%.0f %.1f\n", r, c / hz * 1e6 / n }'
}

: > "$T/results"
for r in $(seq "$ROUNDS"); do
	for p in $PROXIES; do
		start_proxy "$p"
		nx taskset -c 0 wrk -t1 -c50 -d1s https://192.0.2.10:4444/ >/dev/null # warm-up
		hr=$(handshakes 4443 new)
		he=$(handshakes 4444 new)
		hz=$(handshakes 4444 reuse)
		g=$(run_wrk https://192.0.2.10:4444/)
		po=$(run_wrk https://192.0.2.10:4444/v1/metrics "$T/post.lua")
		net_stop "$PROXY_PID"
		echo "round $r $p: rsa=[$hr] ecdsa=[$he] resumed=[$hz] get=[$g] post=[$po]" >&2
		echo "$r $p $hr $he $hz $g $po" >> "$T/results"
	done
done

echo
echo "## lbd vs HAProxy 2.6, TLS ($(date -u +%F), $(nproc) CPUs, proxy on CPU 1, clients + backends on CPU 0, $ROUNDS rounds of ${D}s runs, medians)"
PYTHONPATH=bench "$PY" - "$T/results" $PROXIES <<'PYEOF'
import statistics as st, sys
import bench_report
proxies = sys.argv[2:]
names = ["rsa_hs", "rsa_cpu", "ec_hs", "ec_cpu", "res_hs", "res_cpu", "get_rps", "get_cpu", "post_rps", "post_cpu"]
val, med = bench_report.results(sys.argv[1], names)
print()
print("| proxy | RSA 2048 full hs/s | CPU us/hs | ECDSA P-256 full hs/s | CPU us/hs | resumed hs/s | CPU us/hs "
      "| keep-alive GET req/s | CPU us/req | 64 KiB POST req/s | CPU us/req |")
print("|---" * 11 + "|")
for p in proxies:
    print("| %s | %s |" % (p, " | ".join("%.0f" % med(p, n) if n.endswith(("_hs", "_rps")) else "%.1f" % med(p, n)
                                          for n in names)))
if "lbd" in proxies and "haproxy" in proxies:
    print()
    for n in names:
        a, b = val[("lbd", n)], val[("haproxy", n)]
        ratios = [a[k] / b[k] if b[k] else float("nan") for k in sorted(a, key=int)]
        print("lbd/HAProxy %-9s median %.2fx, per round %s" % (n, st.median(ratios), " ".join("%.2f" % x for x in ratios)))
PYEOF
