#!/usr/bin/env bash
# What S3 needs from lbd (issue 18, MinIO behind the VIP), with Debian's boto3
# as the client.  The S3 traffic goes to a real S3 server, s3rver (npm, pinned
# in bench/clients, standing in for MinIO; data under the test's folder):
#   - a PutObject and ranged GETs (206, Content-Range);
#   - a multipart upload of S3_SIZE_MB (1024 by default, 64 MiB parts) and its
#     download, compared by MD5, moved by splice(2) (lbd's spliced byte counters);
#   - the ranged GET of that object's last 5000 bytes.
# lbd checks s3rver with "GET / expect 200" (s3rver answers 404 to MinIO's
# /minio/health/live, which the shipped configs keep for real MinIO).
# s3rver does not verify SigV4 signatures (a request whose signed header was
# changed on the way is stored, 200: seen, directly and through lbd), stores
# an aws-chunked body without decoding it, and does not tell whether a request
# carried "Expect: 100-continue".  So tests/net/s3_stub.py, which recomputes
# every signature from the request as it arrives, checks these, behind the
# shipped S3 frontend's health check (GET /minio/health/live) and timeouts:
#   - SigV4-signed requests pass (Host, names, order and case of the signed
#     headers untouched), a PutObject and a 3-part upload;
#   - an aws-chunked body with a CRC32 trailer arrives byte for byte;
#   - "Expect: 100-continue" reaches the server and its "100 Continue" the
#     client (boto3 sends it with every PutObject/UploadPart);
# and tests/net/lbd_backend.py (headclose) that a PUT the server dropped after
# reading it is not sent again (502).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
"$PY" -c 'import boto3' 2>/dev/null || net_unavailable "python3-boto3 is not installed (make deps)"
net_require node
CLIENTS=$REPO/bench/clients
[ -f "$CLIENTS/node_modules/s3rver/bin/s3rver.js" ] || net_unavailable "s3rver (npm) is not installed in bench/clients (make deps)"
SIZE_MB=${S3_SIZE_MB:-1024}
now_ms() { date +%s%3N; }
client() { # ENDPOINT OP ARGS...: s3_client.py in the namespace, its files in $T
	ns_exec lb env -u http_proxy -u HTTP_PROXY S3_TMP="$T" "$PY" "$REPO/tests/net/s3_client.py" "$@"
}

lbd_setup
mkdir -p "$T/s3"
net_spawn lb s3rver node "$CLIENTS/node_modules/s3rver/bin/s3rver.js" -d "$T/s3" -a 192.0.2.11 -p 9000 -s
net_spawn lb stub "$PY" "$REPO/tests/net/s3_stub.py" 192.0.2.13 9000 "$T/stubdata" "$T/s3.log"
net_spawn lb drop "$PY" "$REPO/tests/net/lbd_backend.py" 192.0.2.12 9000 headclose "$T/drop.log"
wait_for 20 "s3rver answers GET /" c -f http://192.0.2.11:9000/
wait_for 5 "the stub answers its health check" c -f http://192.0.2.13:9000/minio/health/live
lbd_conf "$T/lbd.conf" <<EOF2
backend s3rver {
	check GET / expect 200 interval 2s timeout 2s rise 2 fall 3;
	timeout server 5m;
	server a 192.0.2.11:9000;
}
backend stub {
	check GET /minio/health/live expect 200 interval 2s timeout 2s rise 2 fall 3;
	timeout server 5m;
	server s 192.0.2.13:9000;
}
backend dropper {
	retries 3;
	redispatch on;
	server d 192.0.2.12:9000;
}
frontend s3 { bind 192.0.2.10:19000; timeout client 5m; backend s3rver; }
frontend signed { bind 192.0.2.10:19002; timeout client 5m; backend stub; }
frontend drop { bind 192.0.2.10:19001; backend dropper; }
EOF2
lbd_start "$T/lbd.conf"
wait_for 5 "s3rver and the stub are UP in lbd" \
	lbd_check "s['backends'][0]['servers'][0]['up'] == 1 and s['backends'][1]['servers'][0]['up'] == 1"

# ---- s3rver: multipart upload, download, ranged GETs --------------------------
start=$(now_ms)
client http://192.0.2.10:19000 big "$SIZE_MB" > "$T/big.json" 2> "$T/big.err"
rc=$?
cat "$T/big.json" "$T/big.err"
t_log "S3 transfers through lbd to s3rver took $(($(now_ms) - start)) ms"
t_assert "boto3 finished every S3 operation on s3rver through lbd" [ "$rc" = 0 ]
j() { "$PY" -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
t_assert "a PutObject read back identical" j "$T/big.json" "d['put_small']"
t_assert "ranged GET answered 206 with its Content-Range" j "$T/big.json" "d['range_status'] == 206 and d['range_ok']"
t_assert "multipart upload of $SIZE_MB MiB read back identical (MD5, length)" j "$T/big.json" "d['big_md5_ok']"
t_assert "ranged GET of its last 5000 bytes: 206, Content-Range, the bytes" j "$T/big.json" \
	"d['big_range_status'] == 206 and d['big_range_ok']"
t_assert "lbd passed the upload's $(((SIZE_MB + 63) / 64)) parts (access log)" \
	[ "$(grep -c ' 200 .*"PUT /lab/big?[^ ]*partNumber=' "$T/lbd.log")" -ge $(((SIZE_MB + 63) / 64)) ]
t_log "  $SIZE_MB MiB: $("$PY" -c "import json; d=json.load(open('$T/big.json')); print('upload', d['upload_s'], 's, download', d['download_s'], 's')")"
spliced=$(lbctl_ --json show stat json | "$PY" -c "
import re,sys
print(max([int(x) for x in re.findall(r'\"spliced_bytes_(?:in|out)\": ?(\d+)', sys.stdin.read())] or [0]))")
t_log "lbd spliced $spliced bytes"
t_assert "the large bodies went by splice(2)" [ "${spliced:-0}" -gt $((SIZE_MB * 1024 * 1024)) ]

# ---- the stub: signatures, aws-chunked, Expect ---------------------------------
client http://192.0.2.10:19002 signed > "$T/signed.json" 2> "$T/signed.err"
rc=$?
cat "$T/signed.json" "$T/signed.err"
t_assert "every signed request passed through lbd" [ "$rc" = 0 ]
t_assert "aws-chunked body with a CRC32 trailer arrived whole (decoded and checked by the server)" \
	j "$T/signed.json" "d['aws_chunked_ok']"
t_assert "a 3-part upload read back identical" j "$T/signed.json" "d['multipart_ok']"
s3log() { "$PY" -c "
import json,sys
recs=[json.loads(l) for l in open('$T/s3.log')]
sys.exit(0 if ($1) else 1)"; }
t_assert "no request was refused by the server (signatures, hashes, framing)" s3log "all(r['status'] < 400 for r in recs)"
t_assert "the server checked the signatures of 3 UploadParts" s3log \
	"sum(1 for r in recs if 'partNumber' in r['path'] and r['method'] == 'PUT' and r['status'] == 200) >= 3"
t_assert "the server saw the header names of the aws-chunked PUT in the client's order and case" s3log \
	"[h for h in next(r for r in recs if r.get('aws_chunked'))['header_names'] if not h.startswith('X-Forwarded')] == json.load(open('$T/signed.json'))['aws_chunked_sent_headers']"
t_assert "the aws-chunked body kept its framing (Content-Encoding and Content-Length as sent, no Transfer-Encoding)" s3log \
	"any(r.get('aws_chunked') and r['ce'] == 'aws-chunked' and r['te'] is None for r in recs)"
t_assert "Expect: 100-continue reached the server, which answered 100 Continue" s3log \
	"any(r['method'] == 'PUT' and (r.get('expect') or '').lower() == '100-continue' and r['sent_continue'] for r in recs)"
t_assert "every UploadPart carried Expect: 100-continue" s3log \
	"all((r.get('expect') or '').lower() == '100-continue' for r in recs if 'partNumber' in r['path'] and r['method'] == 'PUT')"

# The server's "100 Continue" reaches the client at once (curl would send
# the body after 10 s without it; the stub refuses the unsigned request after).
c -v -o /dev/null --expect100-timeout 10 -m 8 -H 'Expect: 100-continue' -X PUT --data-binary @"$T/lbd.conf" \
	http://192.0.2.10:19002/lab/unsigned 2> "$T/expect.err"
t_assert "the client got the server's 100 Continue through lbd" grep -q '^< HTTP/1.1 100 Continue' "$T/expect.err"

# A PUT that went out whole is not replayed when the server drops it.
code=$(c -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/lbd.conf" http://192.0.2.10:19001/lab/once)
t_assert "the client gets 502 for the dropped PUT" [ "$code" = 502 ]
t_assert "the server saw that PUT once (no retry of a PUT once sent)" [ "$(grep -c '^PUT /lab/once' "$T/drop.log")" = 1 ]
t_log "PASS"
