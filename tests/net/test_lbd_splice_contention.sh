#!/usr/bin/env bash
# Large downloads through lbd while lbd, nginx and the client share one CPU
# with two busy loops: every download completes, none waits for a timer.
# Under contention a connection's pump used to stop at its 64-step cap with
# a pipe half drained into a client socket that still had room: neither
# socket would report anything, and the transfer stood still until the
# connection's next deadline (seen: 8 of 12 64 MiB chunked downloads stood
# 5-30 s; a 1 GiB one in a CI run stood until nginx's send_timeout cut it).
# The timeouts here are 60 s, so a download that waits for one fails the
# curl -m 20 below; without contention each takes well under a second.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require nginx curl taskset openssl

lbd_setup
F=$T/files
mkdir -p "$F"
openssl enc -aes-128-ctr -pass pass:c -nosalt -pbkdf2 < /dev/zero 2>/dev/null | head -c 67108864 > "$F/64m"
# /chunked/: nginx's sub_filter makes the response chunked, in small chunks
# (the framing goes through lbd's buffer, the data by splice).
lbd_nginx a 192.0.2.11:8080 "location /files/ { alias $F/; }
	location /chunked/ { alias $F/; sub_filter_types *; sub_filter 'qqzzqqzzqqzz' 'x'; }"
lbd_conf "$T/lbd.conf" <<'C'
defaults { timeout connect 60s; timeout client 60s; timeout server 60s; timeout http-request 60s; timeout keep-alive 60s; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"

# Everything on CPU 0, with two busy loops there (killed by the trap).
for p in "$PID_lbd" "$PID_nginx_a"; do
	for t in /proc/"$p"/task/*; do taskset -pc 0 "${t##*/}" > /dev/null; done
done
net_spawn lb busy1 taskset -c 0 timeout 300 sh -c 'while :; do :; done'
net_spawn lb busy2 taskset -c 0 timeout 300 sh -c 'while :; do :; done'

# One download, the client on CPU 0 too: complete and intact.
dl() { taskset -c 0 ip netns exec "$NS_lb" curl --noproxy "*" -sS -m 20 "http://192.0.2.10:9192/$1/64m" | cmp - "$F/64m"; }
for kind in chunked files chunked chunked files chunked chunked files chunked chunked; do
	t_assert "64 MiB download from /$kind/ complete, on one busy CPU" dl "$kind"
done
exit 0
