#!/usr/bin/env bash
# Spliced bodies through lbd when every splice moves only part of what it
# could: each download and upload completes, none waits for a timer.
# A connection's pump moves at most 64 steps per event.  It used to stop
# there with a pipe half drained into a socket that still had room, and
# neither socket would report anything (the reading side waits for the pipe
# to empty, the writing side is watched only after EAGAIN): the transfer
# stood still until the connection's next deadline.  Seen under CPU
# contention (8 of 12 64 MiB chunked downloads stood 5-30 s; a 1 GiB one in
# a CI run stood until nginx's send_timeout cut it), where a splice that
# moves part of the pipe while the peer frees room is common but not certain.
# Here lbd runs under tests/faultinj with FAULTINJ_SHORT=1: every splice
# of more than one byte is cut short, never refused, so the pipe drains a
# piece per step and the 64th step always leaves one half drained.  The
# timeouts are 30 s; a transfer that waits for one fails curl -m 8 below.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require nginx curl openssl cmp

lbd_setup
F=$T/www-a/files
mkdir -p "$F"
openssl enc -aes-128-ctr -pass pass:c -nosalt -pbkdf2 < /dev/zero 2>/dev/null | head -c 4194304 > "$F/4m"
lbd_nginx a 192.0.2.11:8080
# A chunked response in chunks of 100,000 bytes: each chunk's head and first
# bytes go through lbd's buffer, the rest of its data by splice.
"$PY" - "$F/4m" "$T/chunked" <<'P'
import sys
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as out:
    out.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    for i in range(0, len(data), 100000):
        piece = data[i:i + 100000]
        out.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
    out.write(b"0\r\n\r\n")
P
net_spawn lb chunked "$PY" "$(dirname "$0")/lbd_backend.py" 192.0.2.12 8081 canned "$T/chunked"
wait_for 5 "the chunked backend" ns_exec lb curl -sf -o /dev/null http://192.0.2.12:8081/
LBD_WORKERS=1 lbd_conf "$T/lbd.conf" <<'C'
defaults { timeout connect 30s; timeout client 30s; timeout server 30s; timeout http-request 30s; timeout keep-alive 30s; }
backend be { server a 192.0.2.11:8080; }
backend ck { server b 192.0.2.12:8081; }
frontend fe { bind 192.0.2.10:9192; backend be; }
frontend ck { bind 192.0.2.10:9193; backend ck; }
C
FAULTINJ=1 FAULTINJ_OPS=splice FAULTINJ_SHORT=1 FAULTINJ_RATE=100 lbd_start "$T/lbd.conf"

get() { c -m 8 "$1" | cmp - "$F/4m"; }
put() { c -m 8 -f -T "$F/4m" "http://192.0.2.10:9192/up/$1" -o /dev/null && cmp "$F/4m" "$T/www-a/up/$1"; }
for i in 1 2 3; do
	t_assert "4 MiB download (Content-Length) $i complete in time" get http://192.0.2.10:9192/files/4m
	t_assert "4 MiB download (chunked) $i complete in time" get http://192.0.2.10:9193/
	t_assert "4 MiB upload $i complete in time" put "p$i"
done
t_assert "lbd's splices were cut short (the shim was in)" grep -q '^faultinj: seed.*short counts only' "$T/lbd.log"
# The bodies did go by splice (else this tests nothing): per frontend, from
# "show stat json".
zbytes() { lbctl_ --json show stat json | "$PY" -c "import json,sys; print(json.load(sys.stdin)['stats']['frontends'][$1]['spliced_bytes_$2'])"; }
t_assert "uploads spliced ($(zbytes 0 in) bytes)" test "$(zbytes 0 in)" -ge $((3 * 4000000))
t_assert "Content-Length downloads spliced ($(zbytes 0 out) bytes)" test "$(zbytes 0 out)" -ge $((3 * 4000000))
t_assert "chunked downloads mostly spliced ($(zbytes 1 out) bytes)" test "$(zbytes 1 out)" -ge $((3 * 3000000))
exit 0
