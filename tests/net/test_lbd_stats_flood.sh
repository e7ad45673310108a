#!/usr/bin/env bash
# A flood of strangers on the stats port cannot knock out /healthz, which
# vrrpd tracks (a failing /healthz moves the VIP).  Another namespace opens
# 500 slow connections to the stats listener for 12 s from 16 addresses, each
# trickling a head that never ends and reconnecting whenever it is closed,
# far more than the listener's 64 clients.  Meanwhile vrrpd's probe (a GET
# /healthz from loopback) is answered 200 every time, both on the
# loopback-only health listener the shipped configs track and on the stats
# port itself (slots kept for loopback), the health listener within the
# shipped track's timeout (configs/templates/vrrpd.conf.in: fall 2 tolerates
# one late answer, never two in a row); lbd never holds more than 56 strangers nor more than 8 from one
# address, and no connection outlives the 5 s deadline of a request head.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require socat

lbd_setup
ns_create cl
net_veth lb eth0 cl eth0
ip -n "$NS_lb" addr add 198.51.100.1/24 dev eth0
SOURCES=
for i in $(seq 2 17); do
	ip -n "$NS_cl" addr add 198.51.100.$i/24 dev eth0
	SOURCES=$SOURCES${SOURCES:+,}198.51.100.$i
done
lbd_nginx a 192.0.2.11:8080
cat > "$T/lbd.conf" <<C
global { workers 2; control $LBD_SOCK; access-log off; stats *:8404 vrrp $T/no-vrrpd.sock health 127.0.0.1:8405; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"
wait_for 5 "stats port open from the other namespace" \
	ns_exec cl curl --noproxy '*' -sf -o /dev/null http://198.51.100.1:8404/healthz
t_assert "the health listener answers /healthz" test "$(c http://127.0.0.1:8405/healthz)" = ok
t_assert "the health listener serves nothing else" \
	test "$(c -o /dev/null -w '%{http_code}' http://127.0.0.1:8405/stats)" = 404
t_assert "nor takes a body (400, and the body is not read as a request)" test \
	"$(printf 'GET /x HTTP/1.1\r\nContent-Length: 28\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n' |
	   ns_exec lb socat -t 2 - TCP:127.0.0.1:8405 | grep -c '^HTTP/1.1')" = 1

ulimit -n 8192
ns_exec cl "$PY" "$(dirname "$0")/lbd_stats_flood.py" 198.51.100.1 8404 500 12 "$SOURCES" > "$T/flood.out" 2>&1 &
FLOOD=$!
net_on_exit "kill $FLOOD"
# The flood has taken what it can get once strangers are refused.
wait_for 5 "the flood reached the stats listener" \
	eval "ns_exec lb ss -Htn state established '( sport = :8404 )' | grep -q 198.51.100."
# What lbd holds (accepted sockets have lbd as owner; the kernel's accept
# queue does not count): "TOTAL MAX-FROM-ONE-ADDRESS" of strangers.
held_by_lbd() {
	ns_exec lb ss -Htnp state established '( sport = :8404 )' |
		awk '/"lbd"/ && $4 ~ /^198\.51\.100\./ { split($4, a, ":"); n[a[1]]++; t++ }
		     END { m = 0; for (k in n) if (n[k] > m) m = n[k]; print t + 0, m }'
}
: > "$T/probes"
: > "$T/held"
for i in $(seq 1 20); do
	held_by_lbd >> "$T/held"
	for port in 8405 8404; do
		c --max-time 1 -o /dev/null -w "$port %{http_code} %{time_total}\n" \
			"http://127.0.0.1:$port/healthz" >> "$T/probes" 2>/dev/null ||
			echo "$port failed" >> "$T/probes"
	done
	sleep 0.3
done
wait "$FLOOD"
t_log "flood: $(cat "$T/flood.out")"
t_log "probes: $(sort "$T/probes" | awk '{ n[$1 " " $2]++ } END { for (k in n) printf "%s=%d ", k, n[k] }')"
t_assert "the health listener answered all 20 probes 200 within 1 s" \
	test "$(grep -c '^8405 200 ' "$T/probes")" = 20
TRACK_TIMEOUT_MS=$(sed -n '/^track lbd {/,/^}/s/^[[:space:]]*timeout \([0-9]*\)ms;/\1/p' \
	"$REPO/configs/templates/vrrpd.conf.in")
late=$(awk -v t="${TRACK_TIMEOUT_MS:-0}" '$1 == 8405 { late = ($3 * 1000 > t); if (late && prev) two++; n += late; prev = late }
	END { print n + 0, two + 0 }' "$T/probes")
t_log "health listener: ${late% *} of 20 answers later than the shipped track's ${TRACK_TIMEOUT_MS} ms timeout, ${late#* } twice in a row"
t_assert "the health listener never answered two probes in a row later than the track's timeout (${TRACK_TIMEOUT_MS} ms)" \
	[ -n "$TRACK_TIMEOUT_MS" ] && [ "${late#* }" = 0 ]
t_assert "/healthz on the stats port from loopback answered all 20 probes 200 within 1 s" \
	test "$(grep -c '^8404 200 ' "$T/probes")" = 20
held=$(sort -n "$T/held" | tail -n 1 | cut -d' ' -f1)
t_assert "lbd held at most 56 strangers at a time, of its 64 clients (held $held)" test "${held:-99}" -le 56
t_assert "lbd held strangers during the flood (it was one)" test "${held:-0}" -ge 40
per=$(sort -k2 -n "$T/held" | tail -n 1 | cut -d' ' -f2)
t_assert "and at most 8 from one address (held $per)" test "${per:-99}" -le 8
longest=$(sed -n 's/.*longest=\([0-9.]*\).*/\1/p' "$T/flood.out")
t_assert "no trickling head kept its connection past 5 s (longest ${longest}s)" \
	awk -v l="${longest:-99}" 'BEGIN { exit !(l <= 6.0) }'
t_assert "lbd still answers /stats to the other namespace" \
	ns_exec cl curl --noproxy '*' -sf -o /dev/null 'http://198.51.100.1:8404/stats;csv'
# One address alone: it gets its 8 slots, not the strangers' 56.
ns_exec cl "$PY" "$(dirname "$0")/lbd_stats_flood.py" 198.51.100.1 8404 50 4 198.51.100.2 > "$T/flood1.out" 2>&1 &
FLOOD=$!
net_on_exit "kill $FLOOD"
wait_for 5 "the single address flood reached the stats listener" \
	eval "ns_exec lb ss -Htn state established '( sport = :8404 )' | grep -q 198.51.100.2"
: > "$T/held"
for i in $(seq 1 10); do
	held_by_lbd >> "$T/held"
	sleep 0.2
done
wait "$FLOOD"
held=$(sort -n "$T/held" | tail -n 1 | cut -d' ' -f1)
t_assert "lbd held at most 8 connections from a single flooding address (held $held)" test "${held:-99}" -le 8
t_assert "and some (held $held)" test "${held:-0}" -ge 4
