#!/usr/bin/env bash
# MinIO behind the VIP through a failover (issue 18): each node runs a real
# S3 server, s3rver (npm, pinned in bench/clients) on NODE_IP:9000, lbd with
# the shipped S3 frontend (:19000 over both nodes' :9000, 5 min timeouts) and
# vrrpd (1 s adverts).  The two s3rver share one data folder, as the bench's
# do and as MinIO in distributed mode serves every object from either node:
# s3rver keeps everything, uploads in progress included, in that folder
# (lib/stores/filesystem.js), so node 2's continues the upload node 1's
# started; one s3rver reached by both lbd would not die with node 1, and lbd
# on node 2 would not have to route around a dead node's server.  lbd checks
# s3rver with "GET / expect 200" (s3rver answers 404 to MinIO's
# /minio/health/live, which the shipped configs keep for real MinIO).
# Debian's boto3 uploads 64 MiB in 5 MiB parts (13) through VIP:19000, its
# link slowed to 80 Mbit/s so the upload lasts seconds; once 3 parts are
# stored, node 1 crashes (vrrpd, lbd and its S3 server SIGKILLed, link cut).
# boto3's own retries (standard mode, 10 attempts) finish the upload through
# node 2; the object read back is identical, and some request was retried.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require tc node
"$PY" -c 'import boto3' 2>/dev/null || net_unavailable "python3-boto3 is not installed (make deps)"
S3RVER=$REPO/bench/clients/node_modules/s3rver/bin/s3rver.js
[ -f "$S3RVER" ] || net_unavailable "s3rver (npm) is not installed in bench/clients (make deps)"
[ -x "$BIN/lbd" ] || net_unavailable "lbd is not built in $BIN"

vrrp_lab
mkdir -p "$T/s3"
for n in n1 n2; do
	ip=198.51.100.1${n#n}
	# not silent: its log says "Stored part N of UPLOADID" once a part is on disk
	net_spawn "$n" "s3_$n" node "$S3RVER" -d "$T/s3" -a "$ip" -p 9000
	cat > "$T/lbd-$n.conf" <<EOF2
global { workers 2; stats 127.0.0.1:8404 health 127.0.0.1:8405; control $T/lbd-$n.sock; access-log off; grace 1s; }
defaults { timeout connect 5s; retries 3; redispatch on; }
backend minio {
	check GET / expect 200 interval 2s timeout 2s rise 2 fall 3;
	timeout server 5m;
	server n1 198.51.100.11:9000;
	server n2 198.51.100.12:9000;
}
frontend s3 { bind *:19000; timeout client 5m; backend minio; }
EOF2
	net_spawn "$n" "lbd_$n" "$BIN/lbd" -n -f "$T/lbd-$n.conf"
done
up() { "$BIN/lbctl" -s "$T/lbd-$1.sock" --json status | grep -q '"up":1,.*"up":1'; }
wait_for 10 "lbd on node 1 sees both S3 servers UP" up n1
wait_for 10 "lbd on node 2 sees both S3 servers UP" up n2
vrrp_conf n1 100 1s > "$T/n1.conf"
vrrp_conf n2 90 1s > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 8 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 6 "node 2 is backup" vrrp_state_is n2 backup

head -c $((64 * 1024 * 1024)) /dev/urandom > "$T/obj.bin"
ip netns exec "$NS_cl" tc qdisc add dev eth0 root tbf rate 80mbit burst 64kb latency 400ms
start=$(now_ms)
net_spawn cl upload env -u http_proxy -u HTTP_PROXY "$PY" "$REPO/tests/net/s3_client.py" \
	"http://$VIP:19000" upload "$T/obj.bin" obj
parts_in() { [ "$(cat "$T/s3_n1.log" "$T/s3_n2.log" | grep -c 'Stored part ')" -ge "$1" ]; }
wait_for 20 "3 parts uploaded through node 1" parts_in 3
t_log "crashing node 1 $(( $(now_ms) - start )) ms into the upload"
for p in "$PID_vrrpd_n1" "$PID_lbd_n1" "$PID_s3_n1"; do kill -KILL "$p"; done
ip -n "$NS_n1" link set eth0 down
wait_for 6 "node 2 becomes master" vrrp_state_is n2 master
gone() { ! net_alive "$1"; }
wait_for 45 "the upload finishes" gone "$PID_upload"
wait "$PID_upload"; rc=$?
res=$(tail -n 1 "$T/upload.log")
t_log "upload result after $(( $(now_ms) - start )) ms: $res"
t_assert "boto3 completed the upload through the failover" [ "$rc" = 0 ]
t_assert "the object read back is identical (MD5) and whole" "$PY" -c \
	"import json,sys; d=json.loads('''$res'''); sys.exit(0 if d['ok'] and d['bytes'] == 64 * 1024 * 1024 else 1)"
t_assert "some attempt failed in the crash and boto3 retried it" "$PY" -c \
	"import json,sys; d=json.loads('''$res'''); sys.exit(0 if d['failed_attempts'] else 1)"
t_log "PASS"
