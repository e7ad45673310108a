#!/usr/bin/env bash
# TLS through the fault-injection layer (tests/faultinj): lbd runs with 40%
# of its socket reads and writes (OpenSSL's included) cut short or failed
# with EAGAIN, so every handshake step, record read and record write sees
# WANT_READ/WANT_WRITE and partial writes.  Full and resumed handshakes
# complete, 20 PUTs of 300 KB and 20 GETs of 1 MB over TLS arrive intact,
# keep-alive requests under wrk all answer 200, and ASan (SAN=1) reports
# nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
. "$(dirname "$0")/lbd_tls_lib.sh"
net_require wrk cmp

lbd_setup
lbd_nginx a 192.0.2.11:8080
tls_pki
P=$T/pki
head -c 300000 /dev/urandom > "$T/req.body"
head -c 1000000 /dev/urandom > "$T/www-a/big.bin"
lbd_conf "$T/lbd.conf" <<C
defaults { access-log off; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9443; backend be; tls-cert $P/a-rsa.pem; tls-cert $P/a-ec.pem; }
C
FAULTINJ=1 FAULTINJ_RATE=40 lbd_start "$T/lbd.conf"
lbd_gone() { ! net_alive "$PID_lbd"; }
fail() { wait_until 20 lbd_gone; t_fail "$@"; }
cs() { ns_exec lb curl --noproxy '*' -sS --cacert "$P/ca.pem" --resolve "a.example:9443:192.0.2.10" "$@"; }
wait_for 10 "nginx through lbd over TLS" cs -f https://a.example:9443/

for i in $(seq 1 20); do
	cs -f -o /dev/null -T "$T/req.body" "https://a.example:9443/up/p$i" || fail "PUT $i failed"
	cmp -s "$T/req.body" "$T/www-a/up/p$i" || fail "PUT $i not stored intact"
done
t_log "ok: 20 PUTs of 300 KB over TLS stored intact"
for i in $(seq 1 20); do
	cs -f -o "$T/get.out" https://a.example:9443/big.bin || fail "GET $i failed"
	cmp -s "$T/www-a/big.bin" "$T/get.out" || fail "GET $i not intact"
done
t_log "ok: 20 GETs of 1 MB over TLS arrived intact"
out=$(sget 192.0.2.10:9443 -servername a.example -tls1_2 -sess_out "$T/sess")
t_assert "a TLS 1.2 handshake completes" grep -q '^New, TLSv1.2' <<<"$out"
out=$(sget 192.0.2.10:9443 -servername a.example -tls1_2 -sess_in "$T/sess")
t_assert "and resumes" grep -q '^Reused, ' <<<"$out"
ns_exec lb wrk -t1 -c10 -d3s https://192.0.2.10:9443/ > "$T/wrk.out" 2>&1
cat "$T/wrk.out"
reqs=$(awk '/requests in/ { print $1 }' "$T/wrk.out")
t_assert "wrk over TLS made requests ($reqs)" test "${reqs:-0}" -gt 100
t_assert "no socket errors" bash -c "! grep -q 'Socket errors' '$T/wrk.out'"
t_assert "no non-2xx" bash -c "! grep -q 'Non-2xx' '$T/wrk.out'"
t_assert "lbd's I/O was disturbed (the shim was in)" grep -q '^faultinj: seed' "$T/lbd.log"
t_assert "lbd still running" net_alive "$PID_lbd"
t_assert "no sanitizer report" test -z "$(compgen -G "$T/*san.*")"
