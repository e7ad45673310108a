#!/usr/bin/env bash
# Tracking lbd itself (the deployment's "killall -0 haproxy" replaced): node 1
# runs lbd with its stats listener on 127.0.0.1:8404 in front of an nginx,
# and vrrpd tracks /healthz on lbd's health listener (127.0.0.1:8405, as the
# shipped configs do; weight -20).  lbd's VRRP panel reads
# vrrpd's control socket and shows node 1 as master.  When lbd is killed,
# node 1 drops to 80 and hands the VIP to node 2 within Skew_Time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require nginx curl
[ -x "$BIN/lbd" ] || net_unavailable "lbd is not built in $BIN"

vrrp_lab
cat > "$T/nginx.conf" <<EOF2
daemon off; master_process off; pid $T/nginx.pid; error_log $T/nginx.err;
events { worker_connections 64; }
http { access_log off; client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
  uwsgi_temp_path $T; scgi_temp_path $T;
  server { listen 127.0.0.1:8081; location / { return 200 "ok\n"; } } }
EOF2
net_spawn n1 nginx nginx -c "$T/nginx.conf"
cat > "$T/lbd.conf" <<EOF2
global { workers 1; stats 127.0.0.1:8404 vrrp $T/n1.sock health 127.0.0.1:8405; control $T/lbd.sock; access-log off; }
backend web {
	check GET / expect 200 interval 200ms rise 1 fall 2;
	server a 127.0.0.1:8081;
}
frontend www { bind 127.0.0.1:8080; backend web; }
EOF2
net_spawn n1 lbd "$BIN/lbd" -n -f "$T/lbd.conf"
wait_for 5 "lbd's /healthz answers" ns_exec n1 curl -sf -o /dev/null http://127.0.0.1:8405/healthz

vrrp_conf n1 100 1s "track lbd weight -20;" > "$T/n1.conf"
printf 'track lbd {\n\thttp 127.0.0.1:8405 /healthz;\n\tinterval 200ms;\n\ttimeout 200ms;\n\trise 2;\n\tfall 2;\n}\n' >> "$T/n1.conf"
vrrp_conf n2 90 1s > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 6 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 6 "node 2 is backup" vrrp_state_is n2 backup
wait_for 3 "lbd's VRRP panel shows node 1 as master" sh -c \
	"ip netns exec $NS_n1 curl -sf 'http://127.0.0.1:8404/stats;json' | grep -q 'VI_51' && ip netns exec $NS_n1 curl -sf 'http://127.0.0.1:8404/stats;json' | grep -q '\"master\"'"
t_assert "node 1 keeps priority 100 while lbd is healthy" field_is n1 effective_priority 100

start=$(now_ms)
kill -KILL "$PID_lbd"
wait_for 4 "node 2 becomes master" vrrp_state_is n2 master
took=$(($(vrrp_field n2 last_transition.time_ms) - start))
t_log "takeover ${took} ms after lbd died (fall 2 x 200 ms + Skew_Time 648 ms)"
t_assert "takeover well under a Master_Down_Interval (3.6 s)" [ "$took" -lt 1600 ]
t_assert "on priority 0 (master_left)" [ "$(vrrp_field n2 last_transition.reason)" = master_left ]
t_assert "node 1 dropped to 80" field_is n1 effective_priority 80
wait_for 2 "VIP on node 2" vip_on n2
