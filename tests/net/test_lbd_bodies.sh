#!/usr/bin/env bash
# Bodies of 0 B, 1 B, 64 KiB, 16 MiB and 1 GiB through lbd, with
# Content-Length and chunked, in both directions, compared byte for byte
# with the source (downloads from nginx, uploads stored by nginx's PUT);
# lbd's resident memory grows by less than 1 MiB while 1 GiB goes up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require openssl cmp socat

lbd_setup
F=$T/files
mkdir -p "$F"
gen() { openssl enc -aes-128-ctr -pass pass:"$1" -nosalt -pbkdf2 < /dev/zero 2>/dev/null | head -c "$2"; }
: > "$F/0"
gen a 1 > "$F/1"
gen b 65536 > "$F/64k"
gen c 16777216 > "$F/16m"
gen d 1073741824 > "$F/1g"
# /chunked/ serves the same files without Content-Length (sub_filter forces chunked).
lbd_nginx a 192.0.2.11:8080 "location /files/ { alias $F/; }
	location /chunked/ { alias $F/; sub_filter_types *; sub_filter 'qqzzqqzzqqzz' 'x'; }"
# An HTTP/1.0-style server: the 16 MiB response ends when it closes.
printf '#!/bin/sh\nprintf "HTTP/1.1 200 OK\\r\\nConnection: close\\r\\n\\r\\n"\nexec cat "%s"\n' "$F/16m" > "$T/eof.sh"
chmod +x "$T/eof.sh"
net_spawn lb eofsrv socat TCP-LISTEN:8081,bind=192.0.2.11,fork,reuseaddr EXEC:"$T/eof.sh"
lbd_conf "$T/lbd.conf" <<'C'
backend be { server a 192.0.2.11:8080; }
backend eof { server e 192.0.2.11:8081; }
frontend fe { bind 192.0.2.10:9192; backend be; }
frontend eof { bind 192.0.2.10:9193; backend eof; }
C
lbd_start "$T/lbd.conf"
U=http://192.0.2.10:9192
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$PID_lbd/status"; }

transfer_all() { # size-name
	local n=$1
	t_assert "download $n with Content-Length" bash -c "$(declare -f c ns_exec); NS_lb=$NS_lb; c $U/files/$n | cmp - '$F/$n'"
	t_assert "download $n chunked" bash -c "$(declare -f c ns_exec); NS_lb=$NS_lb; c $U/chunked/$n | cmp - '$F/$n'"
	t_assert "upload $n with Content-Length" test "$(c -o /dev/null -w '%{http_code}' -T "$F/$n" $U/up/$n-cl)" = 201
	t_assert "upload $n with Content-Length stored intact" cmp -s "$F/$n" "$T/www-a/up/$n-cl"
	if [ "$n" = 0 ]; then
		# curl sends no last-chunk for an empty file: send the message itself
		t_assert "upload 0 chunked" grep -q '^HTTP/1.1 201' <<<"$(raw 'PUT /up/0-ch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n')"
	else
		t_assert "upload $n chunked" test "$(c -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' -T "$F/$n" $U/up/$n-ch)" = 201
	fi
	t_assert "upload $n chunked stored intact" cmp -s "$F/$n" "$T/www-a/up/$n-ch"
}

for n in 0 1 64k 16m; do transfer_all $n; done
t_assert "16 MiB download really was chunked" bash -c "$(declare -f c ns_exec); NS_lb=$NS_lb; c -D - -o /dev/null $U/chunked/16m | grep -qi '^Transfer-Encoding: chunked'"

# Large chunks move by splice, the chunk framing through the buffer: the
# stats count the spliced bytes (HAProxy's h1_spliced_bytes_in/out).
fe_stat() { # FRONTEND-INDEX KEY: from "show stat json"
	lbctl_ --json show stat json | "$PY" -c "import json,sys; print(json.load(sys.stdin)['stats']['frontends'][$1]['$2'])"
}
t_assert "show stat json names the process without a stats listener" test "$(lbctl_ --json show stat json | "$PY" -c "import json,sys; l = json.load(sys.stdin)['stats']['lbd']; print(l['pid'], l['alive'])")" = "$PID_lbd True"
zin() { fe_stat 0 spliced_bytes_in; }
zout() { fe_stat 0 spliced_bytes_out; }
i0=$(zin) o0=$(zout)
t_assert "download 16m chunked again" bash -c "$(declare -f c ns_exec); NS_lb=$NS_lb; c $U/chunked/16m | cmp - '$F/16m'"
o1=$(zout)
t_log "chunked 16 MiB download: $((o1 - o0)) bytes spliced"
t_assert "a chunked 16 MiB download was largely spliced (at least 6 MiB) ($((o1 - o0)) bytes)" test $((o1 - o0)) -ge $((6 * 1048576))
t_assert "upload 16m chunked again" test "$(c -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' -T "$F/16m" $U/up/16m-ch2)" = 201
t_assert "... stored intact" cmp -s "$F/16m" "$T/www-a/up/16m-ch2"
i1=$(zin)
t_log "chunked 16 MiB upload: $((i1 - i0)) bytes spliced"
t_assert "a chunked 16 MiB upload was largely spliced (at least 6 MiB) ($((i1 - i0)) bytes)" test $((i1 - i0)) -ge $((6 * 1048576))

# A close-delimited 16 MiB response: spliced until the server closes.
eof_z() { fe_stat 1 spliced_bytes_out; }
e0=$(eof_z)
t_assert "close-delimited 16 MiB download intact" bash -c "$(declare -f c ns_exec); NS_lb=$NS_lb; c http://192.0.2.10:9193/ | cmp - '$F/16m'"
e1=$(eof_z)
t_log "close-delimited 16 MiB download: $((e1 - e0)) bytes spliced"
t_assert "a close-delimited 16 MiB download was largely spliced ($((e1 - e0)) bytes)" test $((e1 - e0)) -ge $((12 * 1048576))
t_assert "close-delimited download logged as complete (--)" grep -q ' eof eof/e [-0-9/]* 200 .* ---- .*"GET / HTTP/1.1"' "$T/lbd.log"

# A request pipelined right behind a spliced 64 KiB body is answered too:
# once the body is through, lbd does not read on; epoll says more came.
i0=$(zin)
{ printf 'PUT /up/pipe HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n'; cat "$F/64k"
  printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'; } |
	ns_exec lb socat -t 5 - TCP:192.0.2.10:9192 > "$T/pipe.out"
t_assert "a PUT and a GET pipelined behind it: two answers" test "$(grep -ac '^HTTP/1.1 20[01]' "$T/pipe.out")" = 2
i1=$(zin)
t_assert "the PUT's body moved by splice ($((i1 - i0)) bytes)" test $((i1 - i0)) -gt 0
t_assert "and was stored intact" cmp -s "$F/64k" "$T/www-a/up/pipe"

before=$(kb VmRSS)
transfer_all 1g
peak=$(kb VmHWM)
t_log "lbd RSS before the 1 GiB transfers ${before} kB, peak after ${peak} kB"
t_assert "RSS grew by less than 1 MiB over 4 GiB of bodies ($((peak - before)) kB)" test $((peak - before)) -lt 1024
t_assert "request bytes counted" test "$(lbd_stat "s['frontends'][0]['requests'] >= 20")" = True
rm -f "$F/1g" "$T/www-a/up/"1g-*
