#!/usr/bin/env bash
# Server states survive a reload: a server DOWN stays DOWN (not re-learnt
# from scratch), a drained one stays DRAIN, a runtime weight stays, the
# counters go on; a server added by the reload is checked at once; a bad
# configuration is refused and changes nothing; a changed `stats` line
# (auth) takes effect.  Each change made with lbctl shows on the page at once
# and reaches control-socket subscribers as a JSON event.
. "$(dirname "$0")/lib.sh"
net_require nginx curl

ns_create lb
for a in 192.0.2.1 192.0.2.11 192.0.2.12 192.0.2.13; do ns_exec lb ip addr add $a/32 dev lo; done
for ip in 192.0.2.11 192.0.2.13; do
	cat >"$T/nginx-$ip.conf" <<EOF
daemon off; master_process off; pid $T/nginx-$ip.pid; error_log $T/nginx-$ip.err;
events { worker_connections 64; }
http { access_log off; client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
  uwsgi_temp_path $T; scgi_temp_path $T; server { listen $ip:8080; location / { return 200 "ok\n"; } } }
EOF
	net_spawn lb "nginx_${ip##*.}" nginx -c "$T/nginx-$ip.conf"
done
# Server b (192.0.2.12) has nothing listening: DOWN, connect refused.
conf() { # extra server lines
	cat <<EOF
global { workers 1; stats 192.0.2.1:8404 vrrp $T/none.sock ${STATS_EXTRA:-}; control $T/lbd.sock; access-log off; }
backend web {
	check GET / expect 200 interval 200ms rise 2 fall 2;
	server a 192.0.2.11:8080;
	server b 192.0.2.12:8080;
	server w 192.0.2.13:8080;
	$*
}
frontend www { bind 192.0.2.1:8080; backend web; }
EOF
}
conf >"$T/lbd.conf"
net_spawn lb lbd "$BIN/lbd" -n -f "$T/lbd.conf"
wait_for 5 "stats listener" ns_exec lb curl -sf -o /dev/null http://192.0.2.1:8404/healthz
lbctl() { ns_exec lb "$BIN/lbctl" -s "$T/lbd.sock" "$@"; }
row() { ns_exec lb curl -sf 'http://192.0.2.1:8404/stats;csv' | awk -F, -v s="$1" '$1 == "web" && $2 == s'; }
col() { row "$1" | cut -d, -f"$2"; } # 18 status, 19 weight, 22 chkfail, 37 check_status
wait_for 3 "web/a UP" eval '[ "$(col a 18)" = UP ]'
wait_for 3 "web/w UP" eval '[ "$(col w 18)" = UP ]'
wait_for 3 "web/b DOWN (connect refused)" eval '[ "$(col b 18) $(col b 37)" = "DOWN L4CON" ]'

# A subscriber on the control socket sees every change as one JSON line.
net_spawn - sub sh -c "(echo subscribe; sleep 30) | socat -t 30 - UNIX-CONNECT:$T/lbd.sock"
wait_for 3 "subscribed" grep -q '"subscribed":true' "$T/sub.log"
t_assert "lbctl drain server web/a" lbctl drain server web/a
t_assert "page shows web/a DRAIN at once" \
	grep -q 'id="srv-web-a" data-status="DRAIN"' <<<"$(ns_exec lb curl -sf http://192.0.2.1:8404/stats)"
t_assert "lbctl set weight web/w 7" lbctl set weight web/w 7
t_assert "CSV weight 7 at once" [ "$(col w 19)" = 7 ]
t_assert "lbctl refuses a weight of 300" sh -c "! ip netns exec $NS_lb $BIN/lbctl -s $T/lbd.sock set weight web/w 300"
t_assert "lbctl refuses an unknown server" sh -c "! ip netns exec $NS_lb $BIN/lbctl -s $T/lbd.sock disable server web/zz"
fails_before=$(col b 22)
t_assert "lbctl show servers lists web/b DOWN" sh -c "ip netns exec $NS_lb $BIN/lbctl -s $T/lbd.sock show servers | grep -q '^web/b .* DOWN .*connection refused'"

# Reload with one more server: states carried over, the new one checked at once.
conf "server c 192.0.2.13:8080 weight 2;" >"$T/lbd.conf"
t_assert "lbctl reload" lbctl reload
t_assert "web/b still DOWN right after the reload" [ "$(col b 18)" = DOWN ]
t_assert "web/a still DRAIN" [ "$(col a 18)" = DRAIN ]
t_assert "web/w keeps its runtime weight 7" [ "$(col w 19)" = 7 ]
t_assert "web/b's failed-check counter went on" [ "$(col b 22)" -ge "$fails_before" ]
wait_for 2 "new server web/c UP" eval '[ "$(col c 18)" = UP ]'
t_assert "no UP/DOWN logged for a, b, w after the reload" \
	[ "$(sed -n '/configuration 2 loaded/,$p' "$T/lbd.log" | grep -cE 'server web/(a|b|w) is')" = 0 ]

wait_for 2 "event: web/a drained" grep -qx '{"event":"admin","server":"web/a","admin":"drain","was":"ready"}' "$T/sub.log"
wait_for 2 "event: web/w weight 7" grep -qx '{"event":"weight","server":"web/w","weight":7,"was":1}' "$T/sub.log"
wait_for 2 "event: web/c UP after the reload" \
	grep -q '^{"event":"server","server":"web/c","state":"UP","was":"DOWN","reason":"ok","code":200,' "$T/sub.log"

# A changed `stats` line reopens the listener: basic auth from now on.
STATS_EXTRA="auth ops:pw" conf "server c 192.0.2.13:8080 weight 2;" >"$T/lbd.conf"
t_assert "lbctl reload (stats auth added)" lbctl reload
code() { ns_exec lb curl -s -o /dev/null -w '%{http_code}' "$@"; }
t_assert "stats now asks for credentials" [ "$(code 'http://192.0.2.1:8404/stats;csv')" = 401 ]
t_assert "and accepts them" [ "$(code -u ops:pw 'http://192.0.2.1:8404/stats;csv')" = 200 ]
t_assert "states unchanged by that reload: web/a DRAIN" \
	sh -c "ip netns exec $NS_lb curl -sf -u ops:pw 'http://192.0.2.1:8404/stats;csv' | grep -q '^web,a,.*,DRAIN,'"
conf "server c 192.0.2.13:8080 weight 2;" >"$T/lbd.conf"
t_assert "lbctl reload (auth removed)" lbctl reload
t_assert "stats open again" [ "$(code 'http://192.0.2.1:8404/stats;csv')" = 200 ]

# A bad configuration is refused; nothing changes.
printf 'backend web { check GET / expect 999; }\n' >"$T/lbd.conf"
t_assert "lbctl reload refuses a bad file" sh -c "! ip netns exec $NS_lb $BIN/lbctl -s $T/lbd.sock reload"
t_assert "web/c still there, UP" [ "$(col c 18)" = UP ]
t_assert "web/a still DRAIN" [ "$(col a 18)" = DRAIN ]
t_assert "lbctl enable server web/a" lbctl enable server web/a
t_assert "web/a UP again" [ "$(col a 18)" = UP ]
t_assert "lbctl disable server web/a" lbctl disable server web/a
t_assert "web/a MAINT" [ "$(col a 18)" = MAINT ]
# Out of maintenance it was not checked: back in rotation after a passing check.
t_assert "lbctl enable server web/a (from maintenance)" lbctl enable server web/a
wait_for 2 "web/a UP after its check passes" eval '[ "$(col a 18)" = UP ]'
t_assert "logged: web/a UP a second time, by the checker" [ "$(grep -c 'server web/a is UP: ok' "$T/lbd.log")" = 2 ]
exit 0
