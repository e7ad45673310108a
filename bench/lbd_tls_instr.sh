#!/usr/bin/env bash
# Instructions per TLS handshake and per keep-alive request over TLS, lbd
# against Debian's HAProxy 2.6 (same OpenSSL 3.0, same certificates, same
# clients), in the same run, counted by callgrind: unlike wall-clock and CPU
# time the count does not move with the load of a shared machine.
#
#   bench/lbd_tls_instr.sh            (as root; NOT part of make check)
#   ROUNDS=2 HANDSHAKES=200 CONNS=10 REQ_ROUNDS=100 bench/lbd_tls_instr.sh
#   KEEP_CG=/some/dir ...   keep the callgrind files there: cg-PROXY-ROUND/cg.out.N is
#                           window N (1 rsa, 2 ecdsa, 3 resumed, 4 get, 5 post);
#                           callgrind_annotate --inclusive=yes reads each alone
#   PROXIES="lbd" ...       one proxy only (no ratio)
#
# Per proxy and round, one process under valgrind --tool=callgrind (lbd: one
# worker; HAProxy: -db, nbthread 1), warmed up by one request, then for each
# workload its counters are zeroed (callgrind_control -z), the load is sent
# and the counts are dumped (callgrind_control -d): the whole process's
# instructions in that window, start-up and certificate loading left out.
#   rsa, ecdsa: HANDSHAKES full TLS 1.3 handshakes (RSA 2048, ECDSA P-256),
#     one connection after the other, each closed with close_notify;
#   resumed: HANDSHAKES resumed ones (ECDSA certificate, session tickets,
#     each connection resumes the session of the one before; the count of
#     those actually resumed is checked);
#   get: keep-alive GETs over TLS: CONNS connections, opened and used once
#     before the window (their handshakes are left out), then REQ_ROUNDS
#     rounds of one request on each (CONNS requests in flight at a time);
#   post: 64 KiB POSTs the same way.
# The proxies take turns; the report gives the median per proxy and the ratio.
set -u
cd "$(dirname "$0")/.."
export NET_BIN=${NET_BIN:-build}
. tests/net/lib.sh
net_require haproxy nginx openssl valgrind callgrind_control
PY=/usr/bin/python3
CONNS=${CONNS:-10}
REQ_ROUNDS=${REQ_ROUNDS:-100}
ROUNDS=${ROUNDS:-2}
HS=${HANDSHAKES:-200}
PROXIES=${PROXIES:-lbd haproxy}
[ -x "$BIN/lbd" ] || { echo "build lbd first (make)"; exit 1; }

. bench/bench_lab.sh
. bench/tls_lab.sh
tls_lab

# N handshakes one after the other; "reuse": each offers the session of the
# one before.  Prints "handshakes resumed".
cat > "$T/hs.py" <<'PYEOF'
import socket, ssl, sys
host, port, n, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
sess, done, reused = None, 0, 0
for _ in range(n):
    s = socket.create_connection((host, port), timeout=60)
    t = ctx.wrap_socket(s, server_hostname="bench.example", session=sess if mode == "reuse" else None)
    obj = t._sslobj  # unwrap() lets go of it: its session is read after
    try:
        t.unwrap()  # close_notify both ways: the ticket (TLS 1.3) is read on the way
    except (ssl.SSLError, OSError):
        pass
    done += 1
    reused += 1 if obj.session_reused else 0
    if mode == "reuse" and obj.session is not None:
        sess = obj.session
    t.close()
print(done, reused)
PYEOF

# Keep-alive requests over C connections opened (handshakes done, one
# request each) before the window: then ZERO_CMD runs, and R rounds of one
# request on every connection follow.  Prints "requests non_200".
cat > "$T/ka.py" <<'PYEOF'
import socket, ssl, subprocess, sys
host, port, conns, rounds, path, body_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
zero = sys.argv[7:]
body = open(body_file, "rb").read() if body_file != "-" else b""
if body:
    req = ("POST %s HTTP/1.1\r\nHost: bench.example\r\nContent-Type: application/x-protobuf\r\n"
           "Content-Length: %d\r\n\r\n" % (path, len(body))).encode() + body
else:
    req = ("GET %s HTTP/1.1\r\nHost: bench.example\r\n\r\n" % path).encode()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
socks = [ctx.wrap_socket(socket.create_connection((host, port), timeout=120), server_hostname="bench.example")
         for _ in range(conns)]
bufs = [b""] * conns
bad = 0
def answer(i):
    global bad
    while True:
        h = bufs[i].find(b"\r\n\r\n")
        if h >= 0:
            head = bufs[i][:h].decode("latin-1").lower()
            cl = int(head.split("content-length:")[1].split("\r\n")[0]) if "content-length:" in head else 0
            if len(bufs[i]) >= h + 4 + cl:
                if not head.startswith("http/1.1 200"):
                    bad += 1
                bufs[i] = bufs[i][h + 4 + cl:]
                return
        d = socks[i].recv(65536)
        if not d:
            raise SystemExit("connection closed")
        bufs[i] += d
def one_round():
    for s in socks:
        s.sendall(req)
    for i in range(conns):
        answer(i)
one_round()
if zero:
    subprocess.run(zero, check=True, stdout=subprocess.DEVNULL)
for _ in range(rounds):
    one_round()
print(rounds * conns, bad)
PYEOF
head -c 65536 /dev/urandom | base64 -w0 | head -c 65536 > "$T/body"

# Names written in full in every dump, so that callgrind_annotate reads
# each window's file alone.
CG_OPTS="--tool=callgrind --compress-strings=no --compress-pos=no"
start_proxy() { # name -> PROXY_PID
	local dir="$T/cg-$1-$r"
	mkdir -p "$dir"
	case $1 in
	lbd) net_spawn b cg_lbd valgrind $CG_OPTS --callgrind-out-file="$dir/cg.out" \
		"$BIN/lbd" -n -f "$T/lbd.conf" ;;
	haproxy) net_spawn b cg_haproxy valgrind $CG_OPTS --callgrind-out-file="$dir/cg.out" \
		haproxy -db -f "$T/haproxy.cfg" ;;
	esac
	PROXY_PID=${NET_PIDS[-1]}
	CG_DIR=$dir
	wait_for 90 "$1 under callgrind answers" nx curl -sfk -o /dev/null https://192.0.2.10:4444/ >&2
	nx curl -sfk -o /dev/null https://192.0.2.10:4443/ # both certificates loaded and used once
}
# The counts of the window: callgrind numbers its dumps cg.out.1, .2, ...
window() { # command... -> prints "instructions" after running the command (its output to $T/out)
	local n i f
	n=$(ls "$CG_DIR" | grep -c '^cg\.out\.[0-9]*$')
	callgrind_control -z "$PROXY_PID" >/dev/null
	"$@" > "$T/out"
	callgrind_control -d "$PROXY_PID" >/dev/null
	f="$CG_DIR/cg.out.$((n + 1))"
	for i in $(seq 1 100); do [ -s "$f" ] && grep -q '^totals:' "$f" && break; sleep 0.1; done
	awk '/^totals:/ { print $2 }' "$f"
}
handshakes() { # port new|reuse -> "instr/hs"
	local ir n res
	ir=$(window nx "$PY" "$T/hs.py" 192.0.2.10 "$1" "$HS" "$2")
	read -r n res < "$T/out"
	if [ "$2" = reuse ] && [ "$res" -lt $((n - 1)) ]; then
		echo "only $res of $n handshakes resumed" >&2
		exit 1
	fi
	awk -v i="$ir" -v n="$n" 'BEGIN { printf "%.0f\n", i / n }'
}
requests() { # path body|- -> "instr/req"
	local ir n bad
	ir=$(window nx "$PY" "$T/ka.py" 192.0.2.10 4444 "$CONNS" "$REQ_ROUNDS" "$1" "$2" \
		callgrind_control -z "$PROXY_PID")
	read -r n bad < "$T/out"
	[ "$bad" = 0 ] || { echo "$bad of $n answers were not 200" >&2; exit 1; }
	awk -v i="$ir" -v n="$n" 'BEGIN { printf "%.0f\n", i / n }'
}

: > "$T/results"
for r in $(seq "$ROUNDS"); do
	for p in $PROXIES; do
		start_proxy "$p"
		rsa=$(handshakes 4443 new)
		ec=$(handshakes 4444 new)
		res=$(handshakes 4444 reuse)
		get=$(requests / -)
		post=$(requests /v1/metrics "$T/body")
		# valgrind writes its last counts at exit: wait for it, never kill it
		kill -TERM "$PROXY_PID"
		for i in $(seq 1 600); do net_alive "$PROXY_PID" || break; sleep 0.1; done
		wait "$PROXY_PID" 2>/dev/null
		[ -n "${KEEP_CG:-}" ] && cp -r "$CG_DIR" "$KEEP_CG/"
		echo "round $r $p: rsa=$rsa ecdsa=$ec resumed=$res get=$get post=$post instr" >&2
		echo "$r $p $rsa $ec $res $get $post" >> "$T/results"
	done
done

echo
echo "## Instructions per TLS handshake / request, lbd vs HAProxy 2.6 ($(date -u +%F), callgrind," \
	"$ROUNDS rounds, $HS handshakes, $((CONNS * REQ_ROUNDS)) requests on $CONNS connections, medians)"
PYTHONPATH=bench "$PY" - "$T/results" $PROXIES <<'PYEOF'
import statistics as st, sys
import bench_report
proxies = sys.argv[2:]
names = ["rsa", "ecdsa", "resumed", "get", "post"]
val, med = bench_report.results(sys.argv[1], names)
print()
print("| proxy | RSA 2048 full hs | ECDSA P-256 full hs | resumed hs | keep-alive GET | 64 KiB POST |")
print("|---|---|---|---|---|---|")
for p in proxies:
    print("| %s | %s |" % (p, " | ".join("%.0f" % med(p, n) for n in names)))
if "lbd" in proxies and "haproxy" in proxies:
    print()
    for n in names:
        a, b = val[("lbd", n)], val[("haproxy", n)]
        ratios = [a[k] / b[k] for k in sorted(a, key=int)]
        print("lbd/HAProxy %-8s instr median %.3fx, per round %s" % (n, st.median(ratios),
              " ".join("%.3f" % x for x in ratios)))
PYEOF
