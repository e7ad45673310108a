#!/usr/bin/env bash
# A head sent a byte at a time costs lbd linear time, not quadratic (issue
# 14, suspected): each read used to parse the whole head again from its
# start.  10 clients send 13 KiB of a head, then 1,500 bytes of its last
# line one byte per read: all are answered 200, and lbd spends under 0.4 s
# of CPU on it (0.59-0.68 s when every read parsed ~14 KiB; 0.20-0.21 s
# with the fix, mostly system calls, on the ASan build).  A head that grows
# past the 16 KiB limit a byte at a time still gets 431 at once, not 408
# when 'timeout http-request' (60 s) ends.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_conf "$T/lbd.conf" <<'C'
defaults { timeout http-request 60s; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"
ticks() { awk '{ print $14 + $15 }' "/proc/$PID_lbd/stat"; } # user + system, 1/100 s
t0=$(ticks)
ns_exec lb "$PY" "$(dirname "$0")/lbd_trickle.py" 192.0.2.10 9192 10 > "$T/answers"
used=$(($(ticks) - t0))
t_log "lbd CPU for 10 heads ending a byte per read: ${used}0 ms"
t_assert "the 10 clients were answered 200" test "$(grep -c '^HTTP/1.1 200' "$T/answers")" = 10
t_assert "lbd used under 0.4 s of CPU (${used}0 ms)" test "$used" -lt 40

out=$(ns_exec lb "$PY" "$(dirname "$0")/lbd_trickle.py" 192.0.2.10 9192 toolarge)
t_log "a head past the limit a byte at a time: $out"
t_assert "431 within 5 s ($out)" awk -v s="${out%% *}" -v t="${out##* }" 'BEGIN { exit !(s == "HTTP/1.1" && t < 5) }'
t_assert "... it is a 431" test "$(cut -d' ' -f2 <<<"$out")" = 431
