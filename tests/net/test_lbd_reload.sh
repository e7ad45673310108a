#!/usr/bin/env bash
# Reloads under wrk load lose no request: SIGHUP and `lbctl reload` switch
# new requests to the new config (a server added), a broken file is refused
# with file:line:col and the old config keeps serving, the listening socket
# of an unchanged bind stays the same socket.  Then SIGTERM lets a slow
# in-flight request finish before lbd exits 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require wrk socat ss

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_nginx b 192.0.2.12:8080
lbd_nginx c 192.0.2.13:8080
printf 'sleep 1; printf "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nConnection: close\\r\\n\\r\\nslow\\n"\n' > "$T/slow.sh"
net_spawn lb slow socat TCP-LISTEN:8099,bind=192.0.2.13,fork,reuseaddr EXEC:"sh $T/slow.sh"
conf() { # servers...
	lbd_conf "$T/lbd.conf" <<C
defaults { access-log off; }
backend be { $* }
backend slow { server s 192.0.2.13:8099; }
frontend fe { bind 192.0.2.10:9192; backend be; }
frontend slow { bind 192.0.2.10:9193; backend slow; }
C
}
conf "server a 192.0.2.11:8080; server b 192.0.2.12:8080;"
lbd_start "$T/lbd.conf"
ino() { ns_exec lb ss -tlnpe 'sport = :9192' | grep -o 'ino:[0-9]*' | sort | tr '\n' ' '; }
ino_before=$(ino)

ns_exec lb wrk -t1 -c20 -d5s http://192.0.2.10:9192/ > "$T/wrk.out" 2>&1 &
WRK=$!
sleep 1
conf "server a 192.0.2.11:8080; server b 192.0.2.12:8080; server c 192.0.2.13:8080;"
t_assert "lbctl reload under load" lbctl_ reload
sleep 0.5
kill -HUP "$PID_lbd"
sleep 0.5
printf 'backend broken {\n  server x 192.0.2.11:8080 weight heavy;\n}\n' >> "$T/lbd.conf"
out=$(lbctl_ reload 2>&1)
t_assert "a broken config is refused with file:line:col ($out)" grep -q "lbd.conf:8:35: expected a whole number" <<<"$out"
sleep 0.5
conf "server a 192.0.2.11:8080; server b 192.0.2.12:8080; server c 192.0.2.13:8080;"
kill -HUP "$PID_lbd"
wait "$WRK"
cat "$T/wrk.out"
reqs=$(awk '/requests in/ { print $1 }' "$T/wrk.out")
t_assert "wrk made requests ($reqs)" test "${reqs:-0}" -gt 1000
t_assert "no socket errors during reloads" bash -c "! grep -q 'Socket errors' '$T/wrk.out'"
t_assert "no non-2xx during reloads" bash -c "! grep -q 'Non-2xx' '$T/wrk.out'"
t_assert "reloads counted (3 ok, 1 refused)" test "$(lbd_stat "s['reloads'], s['reloads_failed'], s['generation']")" = "3 1 4"
t_assert "the added server serves" bash -c "$(declare -f c ns_exec); NS_lb=$NS_lb; c http://192.0.2.10:9192/ http://192.0.2.10:9192/ http://192.0.2.10:9192/ | grep -qx c"
t_assert "the listening sockets of the unchanged bind are the same ($ino_before)" test "$(ino)" = "$ino_before"

# SIGTERM: stop accepting, finish the slow request in flight, exit 0.
c -o "$T/slow.out" http://192.0.2.10:9193/ &
CURL=$!
sleep 0.3
kill -TERM "$PID_lbd"
wait "$CURL"
t_assert "in-flight request finished after SIGTERM" test "$(cat "$T/slow.out")" = slow
wait "$PID_lbd"
rc=$?
t_assert "lbd exited 0 (got $rc)" test "$rc" = 0
