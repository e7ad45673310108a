#!/usr/bin/env bash
# The real npm clients of bench/clients through lbd (and so the pinned npm
# dependencies work on this machine's node):
#  - the OpenTelemetry JS SDK exports 30 metric batches and 30 log records,
#    every 100 ms, through lbd to two OTLP receivers: every sequence number the
#    SDK made is recorded by a receiver, no export failed, both receivers got some;
#  - the AWS SDK S3 client uploads 12 MiB through lbd to s3rver in 5 MiB parts
#    (a multipart upload: lbd's access log shows the ?uploads POST, the part
#    PUTs and the 206 of the ranged GET), reads a byte range back identical,
#    and the whole object read back has the same SHA-256.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require node
CLIENTS=$REPO/bench/clients
[ -f "$CLIENTS/node_modules/.package-lock.json" ] || net_unavailable "the npm clients are not installed (make deps)"

lbd_setup
mkdir -p "$T/s3"
for s in 11 12; do
	net_spawn lb "rcv$s" node "$CLIENTS/receiver.js" --listen "192.0.2.$s:14318" --out "$T/received-$s" --node "n$s"
	# one data directory for both, as the bench's two nodes share it
	net_spawn lb "s3_$s" node "$CLIENTS/node_modules/s3rver/bin/s3rver.js" -d "$T/s3" -a "192.0.2.$s" -p 19000 -s \
		--configure-bucket bench
done
lbd_conf "$T/lbd.conf" <<'C'
backend otel { check GET / expect 200-499 interval 1s rise 1 fall 2;
	server a 192.0.2.11:14318; server b 192.0.2.12:14318; }
backend s3 { check GET /minio/health/live expect 200-499 interval 1s rise 1 fall 2; timeout server 120s;
	server a 192.0.2.11:19000; server b 192.0.2.12:19000; }
frontend otlp { bind 192.0.2.10:4318; backend otel; }
frontend s3 { bind 192.0.2.10:9000; timeout client 120s; backend s3; }
C
lbd_start "$T/lbd.conf"
wait_for 40 "both receivers and both s3rver up behind lbd" \
	lbd_check "all(v['up'] for b in s['backends'] for v in b['servers'])"

# ---- OpenTelemetry ------------------------------------------------------------
t_assert "the OTel exporter ran 30 batches and shut down" \
	timeout 60 ip netns exec "$NS_lb" node "$CLIENTS/otel_client.js" --url http://192.0.2.10:4318 \
	--log "$T/otel.jsonl" --count 30 --interval 100
made() { # signal: the sequence numbers the SDK exported, one per line
	node -e 'const fs = require("fs"); const s = new Set();
		for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)) {
			const r = JSON.parse(l); if (r.c === "otel-" + process.argv[2]) for (const q of r.seq) s.add(q); }
		console.log([...s].sort((a, b) => a - b).join("\n"));' "$T/otel.jsonl" "$1"
}
got() { cat "$T"/received-* | awk -v s="$1" '$1 == s { print $2 }' | sort -n -u; }
t_assert "the SDK made 30 metric batches" test "$(made metrics | wc -l)" -ge 30
t_assert "the SDK made log records" test "$(made logs | wc -l)" -ge 20
t_assert "no export failed" bash -c "! grep -q '\"ok\":false' '$T/otel.jsonl'"
t_assert "every metric batch arrived" test "$(made metrics)" = "$(got metrics)"
t_assert "every log record arrived" test "$(made logs)" = "$(got logs)"
t_assert "both receivers got batches (round robin)" test -s "$T/received-11" -a -s "$T/received-12"

# ---- S3 ---------------------------------------------------------------------------
t_assert "a 12 MiB multipart upload and a ranged GET through lbd" \
	timeout 60 ip netns exec "$NS_lb" node "$CLIENTS/s3_client.js" --endpoint http://192.0.2.10:9000 \
	--log "$T/s3.jsonl" --count 1 --size 12582912 --part 5242880
v=$(timeout 60 ip netns exec "$NS_lb" node "$CLIENTS/s3_client.js" --endpoint http://192.0.2.10:9000 --verify "$T/s3.jsonl")
t_log "$v"
t_assert "the object read back whole through lbd has the uploaded SHA-256" test "$v" = "verified 1, missing 0, corrupt 0"
t_assert "the ranged GET compared equal" grep -q '"c":"s3-read".*"corrupt":false' "$T/s3.jsonl"
t_assert "lbd saw the multipart upload start (POST ?uploads)" grep -q 'POST /bench/[^ ]*?uploads' "$T/lbd.log"
t_assert "lbd passed 3 part uploads" test "$(grep -c 'PUT /bench/[^ ]*partNumber=' "$T/lbd.log")" -ge 3
t_assert "lbd passed a 206 for the ranged GET" grep -q ' 206 .*"GET /bench/' "$T/lbd.log"
