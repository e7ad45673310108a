#!/usr/bin/env bash
# 'timeout http-request' (2s) bounds the wait for a connection's first head
# from the accept: a client that connects, waits 1.5 s and then starts a
# head it never ends gets 408 about 2 s after it connected, not 2 s after
# its first byte (3.5 s).  After a keep-alive wait, the time counts from the
# next request's first byte, as HAProxy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_conf "$T/lbd.conf" <<'C'
defaults { timeout http-request 2s; timeout keep-alive 10s; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"

out=$(ns_exec lb "$PY" "$(dirname "$0")/lbd_late_head.py" 192.0.2.10 9192 1.5)
t_log "first head started after 1.5 s: $out"
t_assert "408 ($out)" test "${out%% *}" = 408
t_assert "about 2 s after the connect, not 3.5 ($out)" awk -v t="${out#* }" 'BEGIN { exit !(t >= 1.9 && t < 2.9) }'

out=$(ns_exec lb "$PY" "$(dirname "$0")/lbd_late_head.py" 192.0.2.10 9192 1.5 keepalive)
t_log "second head started 1.5 s after the first answer: $out"
t_assert "408 ($out)" test "${out%% *}" = 408
t_assert "2 s after its first byte ($out)" awk -v t="${out#* }" 'BEGIN { exit !(t >= 3.4 && t < 4.5) }'
