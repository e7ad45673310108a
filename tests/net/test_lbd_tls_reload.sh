#!/usr/bin/env bash
# Certificates swapped on SIGHUP under load lose nothing: two wrk runs over
# TLS, one opening a new connection (a full handshake) for every request and
# one on keep-alive connections that live across the reloads, while the
# served certificate file is replaced and lbd reloaded three times.  Every
# request answers 200, no socket error, and each swap is seen by a new
# client.  Then the malformed-request corpus goes over TLS: each case gets
# its status, as in clear text (test_lbd_malformed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
. "$(dirname "$0")/lbd_tls_lib.sh"
net_require wrk socat

lbd_setup
lbd_nginx a 192.0.2.11:8080
tls_pki
P=$T/pki
cp "$P/a-ec.pem" "$T/served.pem"
lbd_conf "$T/lbd.conf" <<C
defaults { access-log off; limit header 8k; limit uri 2k; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9443; backend be; tls-cert $T/served.pem; }
C
lbd_start "$T/lbd.conf"
A=192.0.2.10:9443
t_assert "a.example served first" test "$(peer_cn $A)" = a.example

ns_exec lb wrk -t1 -c8 -d6s -H 'Connection: close' https://$A/ > "$T/wrk-close.out" 2>&1 &
W1=$!
ns_exec lb wrk -t1 -c8 -d6s https://$A/ > "$T/wrk-ka.out" 2>&1 &
W2=$!
sleep 1
for cn in b a b; do
	cp "$P/$cn-ec.pem" "$T/served.pem.new" && mv "$T/served.pem.new" "$T/served.pem"
	kill -HUP "$PID_lbd"
	served() { test "$(peer_cn $A)" = "$1.example"; }
	wait_for 5 "after SIGHUP a new client gets $cn.example" served "$cn"
	sleep 0.7
done
wait "$W1" "$W2"
cat "$T/wrk-close.out" "$T/wrk-ka.out"
for w in close ka; do
	reqs=$(awk '/requests in/ { print $1 }' "$T/wrk-$w.out")
	t_assert "wrk ($w) made requests ($reqs)" test "${reqs:-0}" -gt 200
	t_assert "wrk ($w): no socket errors across the swaps" bash -c "! grep -q 'Socket errors' '$T/wrk-$w.out'"
	t_assert "wrk ($w): no non-2xx across the swaps" bash -c "! grep -q 'Non-2xx' '$T/wrk-$w.out'"
done
t_assert "three reloads, none refused" test "$(lbd_stat "s['reloads'], s['reloads_failed']")" = "3 0"

# The malformed-request corpus over TLS.
traw() { printf "$1" | ns_exec lb socat -t 3 - "OPENSSL:$A,verify=0" 2>/dev/null; }
n=0 bad=0
while IFS= read -r line; do
	case $line in '#'*|'') continue ;; esac
	want=${line%% *}
	got=$(traw "${line#* }" | head -n 1 | cut -d' ' -f2)
	n=$((n + 1))
	if [ "$got" != "$want" ]; then
		bad=$((bad + 1))
		t_log "case $n: expected $want, got '${got:-no answer}' for: ${line#* }"
	fi
done < "$(dirname "$0")/lbd_malformed.txt"
t_assert "all $n malformed requests over TLS got their status ($bad did not)" test "$bad" = 0
t_assert "at least 60 cases" test "$n" -ge 60
t_assert "a valid request over TLS still works" test "$(traw 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' | tail -n 1)" = a
