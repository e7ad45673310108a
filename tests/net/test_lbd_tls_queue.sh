#!/usr/bin/env bash
# A TLS request that waits in the queue (server at its maxconn) with lbd's
# client buffer full and the rest of its body already inside OpenSSL
# (read-ahead took it from the socket, so epoll reports nothing more): once
# the request leaves the queue, lbd reads those bytes at once and the PUT
# completes, the server storing every byte.  lbd_tls_queued_full.py sends
# the head and body start in one 16 KiB record and the last 1000 body bytes
# in a second record in the same send(), while a plain PUT holds the slot.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
. "$(dirname "$0")/lbd_tls_lib.sh"
net_require nginx cmp
lbd_setup
tls_pki
lbd_nginx a 192.0.2.11:8080
LBD_WORKERS=1 lbd_conf "$T/lbd.conf" <<EOC
defaults { timeout client 3s; timeout server 20s; timeout queue 20s; }
backend be { server a 192.0.2.11:8080 maxconn 1; }
frontend plain { bind 192.0.2.10:9192; backend be; }
frontend fe { bind 192.0.2.10:9443; backend be; tls-cert $T/pki/a-ec.pem; }
EOC
lbd_start "$T/lbd.conf"
# stat_ge.sh PROXY SERVICE COLUMN MIN: a `show stat` CSV value (column 3 qcur, 5 scur) is at least MIN
cat > "$T/stat_ge.sh" <<EOS
'$BIN/lbctl' -s '$LBD_SOCK' show stat | awk -F, -v p="\$1" -v s="\$2" -v c="\$3" -v m="\$4" '\$1 == p && \$2 == s && \$c >= m { f = 1 } END { exit !f }'
EOS
out=$(ns_exec lb timeout 30 "$PY" "$(dirname "$0")/lbd_tls_queued_full.py" "$T/pki/ca.pem" "$T/body" \
	"sh '$T/stat_ge.sh' be a 5 1" "sh '$T/stat_ge.sh' be BACKEND 3 1")
echo "$out"
t_assert "the holder's PUT was stored ($(head -n 1 <<<"$out"))" grep -q '^hold: HTTP/1.1 201' <<<"$out"
t_assert "the queued TLS PUT was stored once its slot freed, not after the client timeout ($(tail -n 1 <<<"$out"))" \
	grep -q '^put: HTTP/1.1 201' <<<"$out"
t_assert "the server has every byte of the TLS PUT" cmp "$T/body" "$T/www-a/up/tls"
