#!/usr/bin/env bash
# What S3 needs from lbd (issue 18, MinIO behind the VIP), with Debian's boto3
# as the client and tests/net/s3_stub.py as the server (it verifies every
# SigV4 signature against the request as it arrives, the payload hash, the
# aws-chunked framing and its CRC32 trailer; Debian ships no MinIO).  The
# lbd config is the shipped S3 frontend's (configs/templates/lbd.conf.in):
# health GET /minio/health/live, 5 min timeouts.  Checked:
#   - SigV4-signed requests pass (Host, names, order and case of the signed
#     headers untouched: the stub recomputes the signature);
#   - an aws-chunked body with a trailer arrives byte for byte;
#   - "Expect: 100-continue" reaches the server and its "100 Continue" the
#     client (boto3 sends it with every PutObject/UploadPart);
#   - a multipart upload of S3_SIZE_MB (1024 by default) and its download,
#     compared by MD5, moved by splice(2) (lbd's spliced byte counters);
#   - ranged GETs (206, Content-Range);
#   - a PUT the server dropped after reading it is not sent again (502).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
"$PY" -c 'import boto3' 2>/dev/null || net_unavailable "python3-boto3 is not installed (make deps)"
SIZE_MB=${S3_SIZE_MB:-1024}
now_ms() { date +%s%3N; }

lbd_setup
net_spawn lb s3a "$PY" "$REPO/tests/net/s3_stub.py" 192.0.2.11 9000 "$T/s3data" "$T/s3.log"
net_spawn lb drop "$PY" "$REPO/tests/net/lbd_backend.py" 192.0.2.12 9000 headclose "$T/drop.log"
wait_for 5 "the S3 server answers its health check" c -f http://192.0.2.11:9000/minio/health/live
lbd_conf "$T/lbd.conf" <<EOF2
backend minio {
	check GET /minio/health/live expect 200 interval 2s timeout 2s rise 2 fall 3;
	timeout server 5m;
	server a 192.0.2.11:9000;
}
backend dropper {
	retries 3;
	redispatch on;
	server d 192.0.2.12:9000;
}
frontend s3 { bind 192.0.2.10:19000; timeout client 5m; backend minio; }
frontend drop { bind 192.0.2.10:19001; backend dropper; }
EOF2
lbd_start "$T/lbd.conf"
wait_for 5 "the S3 server is UP in lbd" lbd_check "s['backends'][0]['servers'][0]['up'] == 1"

start=$(now_ms)
ns_exec lb env -u http_proxy -u HTTP_PROXY "$PY" "$REPO/tests/net/s3_client.py" http://192.0.2.10:19000 checks "$SIZE_MB" \
	> "$T/checks.json" 2> "$T/checks.err"
rc=$?
cat "$T/checks.json" "$T/checks.err"
t_log "S3 checks through lbd took $(($(now_ms) - start)) ms"
t_assert "every S3 check passed through lbd" [ "$rc" = 0 ]
j() { "$PY" -c "import json,sys; d=json.load(open('$T/checks.json')); sys.exit(0 if ($1) else 1)"; }
t_assert "ranged GET answered 206 with its Content-Range" j "d['range_status'] == 206 and d['range_ok']"
t_assert "aws-chunked body with a CRC32 trailer arrived whole (decoded and checked by the server)" j "d['aws_chunked_ok']"
t_assert "multipart upload of $SIZE_MB MiB read back identical" j "d['big_md5_ok'] and d['big_range_ok']"
t_log "  $SIZE_MB MiB: $("$PY" -c "import json; d=json.load(open('$T/checks.json')); print('upload', d['upload_s'], 's, download', d['download_s'], 's')")"
s3log() { "$PY" -c "
import json,sys
recs=[json.loads(l) for l in open('$T/s3.log')]
sys.exit(0 if ($1) else 1)"; }
t_assert "no request was refused by the server (signatures, hashes, framing)" s3log "all(r['status'] < 400 for r in recs)"
t_assert "the server saw the header names of the aws-chunked PUT in the client's order and case" s3log \
	"[h for h in next(r for r in recs if r.get('aws_chunked'))['header_names'] if not h.startswith('X-Forwarded')] == json.load(open('$T/checks.json'))['aws_chunked_sent_headers']"
t_assert "the aws-chunked body kept its framing (Content-Encoding and Content-Length as sent, no Transfer-Encoding)" s3log \
	"any(r.get('aws_chunked') and r['ce'] == 'aws-chunked' and r['te'] is None for r in recs)"
t_assert "Expect: 100-continue reached the server, which answered 100 Continue" s3log \
	"any(r['method'] == 'PUT' and (r.get('expect') or '').lower() == '100-continue' and r['sent_continue'] for r in recs)"
t_assert "every UploadPart carried Expect: 100-continue" s3log \
	"all((r.get('expect') or '').lower() == '100-continue' for r in recs if 'partNumber' in r['path'] and r['method'] == 'PUT')"
spliced=$(lbctl_ --json show stat json | "$PY" -c "
import re,sys
print(max([int(x) for x in re.findall(r'\"spliced_bytes_(?:in|out)\": ?(\d+)', sys.stdin.read())] or [0]))")
t_log "lbd spliced $spliced bytes"
t_assert "the large bodies went by splice(2)" [ "${spliced:-0}" -gt $((SIZE_MB * 1024 * 1024)) ]

# The server's "100 Continue" reaches the client at once (curl would send
# the body after 10 s without it; the stub refuses the unsigned request after).
c -v -o /dev/null --expect100-timeout 10 -m 8 -H 'Expect: 100-continue' -X PUT --data-binary @"$T/lbd.conf" \
	http://192.0.2.10:19000/lab/unsigned 2> "$T/expect.err"
t_assert "the client got the server's 100 Continue through lbd" grep -q '^< HTTP/1.1 100 Continue' "$T/expect.err"

# A PUT that went out whole is not replayed when the server drops it.
code=$(c -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/lbd.conf" http://192.0.2.10:19001/lab/once)
t_assert "the client gets 502 for the dropped PUT" [ "$code" = 502 ]
t_assert "the server saw that PUT once (no retry of a PUT once sent)" [ "$(grep -c '^PUT /lab/once' "$T/drop.log")" = 1 ]
t_log "PASS"
