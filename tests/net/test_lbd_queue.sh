#!/usr/bin/env bash
# Every server up at its maxconn: requests wait in the queue instead of
# getting a 503, as with HAProxy.  A slow server (1 s per response) with
# maxconn 2 and 10 concurrent clients: all 10 get 200, the stats show the
# queue (qmax), the access log shows the wait (Tw).  With `timeout queue
# 300ms` the excess gets 503 (sQ in the log).  A client that gives up while
# queued leaves the queue at once, while the slot it waited for is still
# taken; with `maxqueue 1` a request finding the queue full gets a 503.
# A busy active server with an idle backup: requests wait for the active
# one (a backup stands in for a down server, not a busy one), and a worker
# with several of them queued keeps serving.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require socat
lbd_setup
# 1 s per response; socat answers each connection in its own child.
printf '#!/bin/sh\nsleep 1\nprintf "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nConnection: close\\r\\n\\r\\nslow\\n"\n' > "$T/slow.sh"
chmod +x "$T/slow.sh"
net_spawn lb slow socat TCP-LISTEN:8091,bind=192.0.2.13,fork,reuseaddr EXEC:"$T/slow.sh"
# never answers within the test: holds its slot
net_spawn lb mute socat TCP-LISTEN:8092,bind=192.0.2.13,fork,reuseaddr SYSTEM:'sleep 30'
# a quick backup that says who it is
printf '#!/bin/sh\nprintf "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nConnection: close\\r\\n\\r\\nbkup\\n"\n' > "$T/bkup.sh"
chmod +x "$T/bkup.sh"
net_spawn lb bkup socat TCP-LISTEN:8093,bind=192.0.2.13,fork,reuseaddr EXEC:"$T/bkup.sh"
wait_for 5 "slow server" ns_exec lb curl -sf http://192.0.2.13:8091/
wait_for 5 "backup server" ns_exec lb curl -sf http://192.0.2.13:8093/
cat > "$T/lbd.conf" <<EOF
global { workers 2; control $LBD_SOCK; access-log stdout; grace 2s; stats 192.0.2.10:8404; }
defaults { timeout server 40s; }
backend slow { server s 192.0.2.13:8091 maxconn 2; }
backend short { timeout queue 300ms; server s 192.0.2.13:8091 maxconn 1; }
backend mute { timeout queue 30s; maxqueue 1; server m 192.0.2.13:8092 maxconn 1; }
backend withbk { timeout queue 20s; server s 192.0.2.13:8091 maxconn 2; server b 192.0.2.13:8093 backup; }
frontend slow { bind 192.0.2.10:9200; backend slow; }
frontend short { bind 192.0.2.10:9201; backend short; }
frontend mute { bind 192.0.2.10:9202; backend mute; }
frontend withbk { bind 192.0.2.10:9203; backend withbk; }
EOF
"$BIN/lbd" -t -f "$T/lbd.conf" || t_fail "config refused"
lbd_start "$T/lbd.conf"
# metric NAME PROXY: a value from /metrics
metric() { c "http://192.0.2.10:8404/metrics" | awk -v m="$1{" -v p="proxy=\"$2\"" 'index($0, m) == 1 && index($0, p) { print $NF }'; }
metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }

# 10 clients at once on a server that takes 2 at a time.
pids=()
for i in $(seq 10); do
	c -o /dev/null -w '%{http_code}\n' --max-time 20 http://192.0.2.10:9200/ > "$T/code-slow.$i" &
	pids+=($!)
done
wait "${pids[@]}"
codes=$(cat "$T"/code-slow.* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
t_assert "all 10 got 200, none 503 ($codes)" [ "$codes" = " 10 200;" ]
qmax=$(metric haproxy_backend_max_queue slow)
t_assert "the stats saw a queue (max queue $qmax)" [ "${qmax:-0}" -ge 1 ]
t_assert "the queue is empty again" metric_is haproxy_backend_current_queue slow 0
csv_qmax=$(c 'http://192.0.2.10:8404/stats;csv' | awk -F, '$1 == "slow" && $2 == "BACKEND" { print $4 }')
t_assert "the CSV has qmax for the backend ($csv_qmax)" [ "${csv_qmax:-0}" -ge 1 ]
t_assert "the HTML page shows the backend's queue" sh -c "ip netns exec $NS_lb curl -s --noproxy '*' http://192.0.2.10:8404/stats | grep -q 'queue 0 (max $qmax)'"
# Tq/Tw/Tc/Tr/Tt: some requests waited at least half a second.
waited=$(awk '$3 == "slow" && $4 == "slow/s" { split($5, t, "/"); if (t[2] >= 500) n++ } END { print n + 0 }' "$T/lbd.log")
t_assert "the access log shows queue waits (Tw >= 500 ms on $waited lines)" [ "$waited" -ge 2 ]

# timeout queue 300ms, one slot: of 5 at once, 1 is served, the others
# (waiting behind a 1 s response) get 503 after 300 ms.
pids=()
for i in $(seq 5); do
	c -o /dev/null -w '%{http_code}\n' --max-time 20 http://192.0.2.10:9201/ > "$T/code-short.$i" &
	pids+=($!)
done
wait "${pids[@]}"
n503=$(cat "$T"/code-short.* | grep -c 503)
n200=$(cat "$T"/code-short.* | grep -c 200)
t_assert "timeout queue: 1 served, 4 got 503 (200: $n200, 503: $n503)" [ "$n200-$n503" = 1-4 ]
t_assert "the access log says queue timeout (sQ)" grep -q ' short short/- [-0-9/]* 503 .* sQ-- ' "$T/lbd.log"
qt=$(c 'http://192.0.2.10:8404/stats;json' | "$PY" -c 'import json,sys
d = json.load(sys.stdin)
print([b for b in d["backends"] if b["name"] == "short"][0]["queue"]["timeouts"])')
t_assert "the JSON stats count 4 queue timeouts ($qt)" [ "$qt" = 4 ]

# A client gives up while queued: its entry goes at once, though the slot it
# waited for stays taken (the mute server holds it for 30 s).
c -o /dev/null --max-time 25 http://192.0.2.10:9202/ &
holder=$!
net_on_exit "kill $holder 2>/dev/null"
wait_for 5 "the mute server holds the slot" metric_is haproxy_backend_current_sessions mute 1
c -o /dev/null --max-time 3 http://192.0.2.10:9202/ & # waits in the queue, gives up after 3 s
waiter=$!
wait_for 5 "a second client waits in the queue" metric_is haproxy_backend_current_queue mute 1
# maxqueue 1: no room for a third; broken, it would wait and curl would give up (000).
code=$(c -o /dev/null -w '%{http_code}' --max-time 2 http://192.0.2.10:9202/)
t_assert "maxqueue 1: a third client gets 503 ($code)" [ "$code" = 503 ]
wait "$waiter"
wait_for 3 "the client that gave up left the queue" metric_is haproxy_backend_current_queue mute 0
t_assert "its request is logged as client-closed (CD) after waiting" grep -Eq ' mute mute/- [-0-9/]+ [-0-9]+ .* CD-- ' "$T/lbd.log"

# Busy active server (maxconn 2, 1 s each), idle backup: 8 clients at once,
# so that a worker has several queued.  All are answered by the active
# server, within the 20 s queue timeout; none by the backup.
pids=()
for i in $(seq 8); do
	c -s --max-time 15 http://192.0.2.10:9203/ > "$T/body-withbk.$i" &
	pids+=($!)
done
wait "${pids[@]}"
bodies=$(cat "$T"/body-withbk.* | sort | uniq -c | tr -s ' ' | tr '\n' ';')
t_assert "busy server with an idle backup: all 8 served by the active server ($bodies)" [ "$bodies" = " 8 slow;" ]
