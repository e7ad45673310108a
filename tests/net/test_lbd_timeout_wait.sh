#!/usr/bin/env bash
# A side that waits on the other is not idle:
#   - a 40 MB download through a client that stops reading for 4 s, with
#     'timeout server 2s': lbd stops reading the server while its buffer and
#     pipe are full, so the server's timeout must not run; the whole body
#     arrives;
#   - the mirror: a 40 MB upload to a server that reads nothing for 4 s,
#     with 'timeout client 2s': the client waits on the server, it is not
#     idle; the server gets the whole body and answers.
# A really idle side still times out: a client that sends half a body and
# stops gets 408 after 'timeout client'.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require socat

lbd_setup
head -c $((40 * 1048576)) /dev/urandom > "$T/40m"
lbd_nginx a 192.0.2.11:8080 "location = /40m { alias $T/40m; }"
net_spawn lb slowsrv "$PY" "$(dirname "$0")/lbd_backend.py" 192.0.2.12 8081 slowread 4
wait_for 5 "the slow-reading backend" ns_exec lb curl -sf -o /dev/null http://192.0.2.12:8081/
lbd_conf "$T/lbd.conf" <<'C'
backend dl { timeout server 2s; server a 192.0.2.11:8080; }
backend up { timeout server 30s; server s 192.0.2.12:8081; }
frontend dl { timeout client 30s; bind 192.0.2.10:9192; backend dl; }
frontend up { timeout client 2s; bind 192.0.2.10:9193; backend up; }
C
lbd_start "$T/lbd.conf"

out=$(ns_exec lb "$PY" "$(dirname "$0")/lbd_pause_client.py" 192.0.2.10 9192 /40m 1048576 4)
t_log "download through a client pausing 4 s: $out"
t_assert "the 40 MB download arrived whole ($out)" test "$out" = "200 $((40 * 1048576))"

out=$(c -w ' %{http_code}' -T "$T/40m" http://192.0.2.10:9193/up)
t_log "upload to a server pausing 4 s: $out"
t_assert "the server got the 40 MB upload and answered ($out)" test "$out" = "got $((40 * 1048576))
 200"

# An idle client still times out: half a body, then nothing.
t0=$(date +%s%N)
r=$( (printf 'PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n'; head -c 500 /dev/zero; sleep 5) |
	ns_exec lb socat -t 6 - TCP:192.0.2.10:9193 | head -n 1)
ms=$((($(date +%s%N) - t0) / 1000000))
t_assert "a client idle in its body gets 408 ($r after $ms ms)" grep -q '^HTTP/1.1 408' <<<"$r"
t_assert "access log: the cut download is not there, timeouts are cT/sT only for the idle one" \
	test "$(grep -c ' [cs]T-- ' "$T/lbd.log")" = 1
