#!/usr/bin/env bash
# lbd's active health checks against real servers (Debian's nginx, socat):
#  - a backend stopped: marked DOWN after fall x interval, with the reason
#    (connect refused, L4CON) on /stats;csv and the page, logged once;
#    started again: UP after rise x interval, logged once;
#  - an IPv6 server checked like an IPv4 one;
#  - every failure reason: connect refused, connect timeout (SYN lost),
#    response timeout (accepts, never answers), invalid response (not HTTP),
#    bad status (with its code);
#  - the OpenTelemetry collector case: a server answering 404 to GET / is
#    DOWN with HAProxy's default expect (2xx/3xx) and UP with expect 200-499.
. "$(dirname "$0")/lib.sh"
net_require nginx socat curl

INTER_MS=200 RISE=2 FALL=3
ns_create lb
ns_create sink
# lbd and the servers share namespace "lb"; "sink" swallows frames for the
# connect-timeout case (a static neighbour nobody answers for).
for a in 192.0.2.1 192.0.2.11 192.0.2.12 192.0.2.14 192.0.2.15; do
	ns_exec lb ip addr add $a/32 dev lo
done
ns_exec lb ip addr add 2001:db8::11/128 dev lo nodad
net_veth lb v-lb sink v-sink
ns_exec lb ip addr add 203.0.113.1/24 dev v-lb
ns_exec lb ip neigh replace 203.0.113.99 lladdr 02:00:00:00:00:99 dev v-lb nud permanent

nginx_conf() { # ip [ip6] -> config file (200 on /-/healthy, 404 on everything else, as an OTel collector on /)
	local v6=""
	[ -n "${2:-}" ] && v6="listen [$2]:8080;"
	cat >"$T/nginx-$1.conf" <<EOF
daemon off; master_process off; pid $T/nginx-$1.pid; error_log $T/nginx-$1.err;
events { worker_connections 128; }
http { access_log off; client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
  uwsgi_temp_path $T; scgi_temp_path $T;
  server { listen $1:8080; $v6 location = /-/healthy { return 200 "ok\n"; } location / { return 404 "404 page not found\n"; } } }
EOF
}
start_nginx() { # ip name
	net_spawn lb "$2" nginx -c "$T/nginx-$1.conf" -e "$T/nginx-$1.err"
}
nginx_conf 192.0.2.11 2001:db8::11
nginx_conf 192.0.2.12
start_nginx 192.0.2.11 nginx_a
start_nginx 192.0.2.12 nginx_b
# Accepts and never answers; answers something that is not HTTP.
net_spawn lb slow socat TCP-LISTEN:8080,bind=192.0.2.14,fork,reuseaddr SYSTEM:'sleep 5'
net_spawn lb garbage socat TCP-LISTEN:8080,bind=192.0.2.15,fork,reuseaddr SYSTEM:'echo SSH-2.0-OpenSSH_9.2'

cat >"$T/lbd.conf" <<EOF
global { workers 1; stats 192.0.2.1:8404 vrrp $T/no-vrrpd.sock; control $T/lbd.sock; access-log off; }
backend thanos {
	check GET /-/healthy expect 200 interval ${INTER_MS}ms rise $RISE fall $FALL timeout 300ms;
	server a 192.0.2.11:8080;
	server b 192.0.2.12:8080;
}
# The OpenTelemetry collector answers 404 to GET /: expect 200-499 keeps it UP.
backend otel { check GET / expect 200-499 interval ${INTER_MS}ms; server a 192.0.2.11:8080; }
# HAProxy's default expect (any 2xx or 3xx) marks the same server DOWN.
backend otel-default { check GET / interval ${INTER_MS}ms; server a 192.0.2.11:8080; }
backend odd {
	check GET / interval ${INTER_MS}ms timeout 300ms;
	server slow 192.0.2.14:8080;
	server garbage 192.0.2.15:8080;
	server blackhole 203.0.113.99:8080;
}
backend v6 { check GET /-/healthy expect 200 interval ${INTER_MS}ms; server a [2001:db8::11]:8080; }
frontend tq { bind 192.0.2.1:9192; backend thanos; }
EOF
net_spawn lb lbd "$BIN/lbd" -n -f "$T/lbd.conf"
wait_for 5 "stats listener" ns_exec lb curl -sf -o /dev/null http://192.0.2.1:8404/healthz

csv() { ns_exec lb curl -sf 'http://192.0.2.1:8404/stats;csv'; }
# field BACKEND SERVER COLUMN-NAME: one value of the CSV, by HAProxy's column name.
field() {
	csv | awk -F, -v b="$1" -v s="$2" -v c="$3" '
		NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == b && $2 == s { print $(col[c]); exit }'
}
status_is() { [ "$(field "$1" "$2" status)" = "$3" ]; }
# ms_of "HH:MM:SS.mmm" -> milliseconds since midnight (lbd's log stamps)
ms_of() { local h m s; IFS=: read -r h m s <<<"$1"; echo $(((10#$h * 3600 + 10#$m * 60) * 1000 + 10#${s%.*} * 1000 + 10#${s#*.})); }
log_ms() { # pattern -> stamp (ms) of the last lbd log line matching it
	ms_of "$(grep "$1" "$T/lbd.log" | tail -n 1 | cut -d' ' -f1)"
}

wait_for 3 "thanos/a UP" status_is thanos a UP
wait_for 3 "thanos/b UP" status_is thanos b UP
t_assert "thanos/b check L7OK 200" [ "$(field thanos b check_status) $(field thanos b check_code)" = "L7OK 200" ]

wait_for 3 "v6/a UP (IPv6 check)" status_is v6 a UP
t_assert "v6/a address as people write it" [ "$(field v6 a addr)" = "[2001:db8::11]:8080" ]

# The OpenTelemetry collector case.
wait_for 3 "otel/a UP with expect 200-499" status_is otel a UP
t_assert "otel/a check code 404 accepted" [ "$(field otel a check_code)" = 404 ]
wait_for 3 "otel-default/a DOWN: 404 is not 2xx/3xx" status_is otel-default a DOWN
t_assert "otel-default/a L7STS 404" [ "$(field otel-default a check_status) $(field otel-default a check_code)" = "L7STS 404" ]

# Every failure reason, as HAProxy names them and as people read them.
wait_for 5 "odd/slow: response timeout" eval '[ "$(field odd slow check_status)" = L7TOUT ]'
wait_for 5 "odd/garbage: invalid response" eval '[ "$(field odd garbage check_status)" = L7RSP ]'
wait_for 5 "odd/blackhole: connect timeout" eval '[ "$(field odd blackhole check_status)" = L4TOUT ]'
t_assert "check_desc of the connect timeout" [ "$(field odd blackhole check_desc)" = "Layer4 timeout" ]
page=$(ns_exec lb curl -sf http://192.0.2.1:8404/stats)
for reason in "response timeout" "invalid response" "connect timeout" "bad status 404"; do
	t_assert "page shows '$reason'" grep -q "$reason" <<<"$page"
done

# Stop a backend: DOWN after fall x interval, with the reason.
sleep 0.3 # let thanos settle at full health (a check or two after UP)
t0=$(ms_of "$(date +%T.%3N)") # from the stop signal: no check can fail before it
net_stop "$PID_nginx_b"
wait_for 5 "thanos/b DOWN after nginx stopped" status_is thanos b DOWN
down_ms=$(($(log_ms 'server thanos/b is DOWN') - t0))
t_log "thanos/b marked DOWN ${down_ms} ms after nginx stopped (fall $FALL x ${INTER_MS} ms, lbd's log stamp)"
# The first failed check comes within one interval, then fall-1 more (fastinter = interval).
t_assert "DOWN within (fall + 1) x interval + 600 ms (a loaded CI machine)" [ "$down_ms" -le $(((FALL + 1) * INTER_MS + 600)) ]
t_assert "DOWN not before (fall - 1) x interval" [ "$down_ms" -ge $(((FALL - 1) * INTER_MS - 20)) ]
t_assert "reason L4CON" [ "$(field thanos b check_status)" = L4CON ]
t_assert "check_desc Layer4 connection problem" [ "$(field thanos b check_desc)" = "Layer4 connection problem" ]
t_assert "chkdown 1" [ "$(field thanos b chkdown)" = 1 ]
t_assert "backend still UP with one server" [ "$(field thanos BACKEND status)" = UP ]
t_assert "page: thanos/b DOWN, connection refused" \
	grep -q 'id="srv-thanos-b" data-status="DOWN">.*connection refused' <<<"$(ns_exec lb curl -sf http://192.0.2.1:8404/stats)"

# Start it again: UP after rise x interval.
start_nginx 192.0.2.12 nginx_b2
wait_for 5 "nginx b listening again" ns_exec lb curl -sf -o /dev/null http://192.0.2.12:8080/-/healthy
t0=$(ms_of "$(date +%T.%3N)")
wait_for 5 "thanos/b UP again" status_is thanos b UP
up_ms=$(($(log_ms 'server thanos/b is UP') - t0))
t_log "thanos/b marked UP ${up_ms} ms after nginx started (rise $RISE x ${INTER_MS} ms)"
t_assert "UP within rise x interval + 600 ms (a loaded CI machine)" [ "$up_ms" -le $((RISE * INTER_MS + 600)) ]
t_assert "downtime counted" [ "$(field thanos b downtime)" -ge 0 ]

# Transitions are logged once each, nothing in between.
t_assert "one DOWN line for thanos/b" [ "$(grep -c 'server thanos/b is DOWN: connection refused' "$T/lbd.log")" = 1 ]
t_assert "two UP lines for thanos/b (first check, recovery)" [ "$(grep -c 'server thanos/b is UP' "$T/lbd.log")" = 2 ]
t_assert "no log line for otel-default (never changed state)" [ "$(grep -c 'otel-default' "$T/lbd.log")" = 0 ]
t_assert "/healthz 200" ns_exec lb curl -sf -o /dev/null http://192.0.2.1:8404/healthz
mkdir -p "$REPO/build/test-logs"
echo "down_ms=$down_ms up_ms=$up_ms inter_ms=$INTER_MS rise=$RISE fall=$FALL" >"$REPO/build/test-logs/lbd-health-times.txt"
exit 0
