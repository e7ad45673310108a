#!/usr/bin/env bash
# lbd's stats listener read by real consumers nobody here wrote:
#  - HAProxy 2.6 itself: our CSV header line is the one its "show stat" prints;
#  - prometheus-haproxy-exporter reads /stats;csv: haproxy_up 1 and
#    haproxy_server_up right per server (1 up, 0 down/maint);
#  - Prometheus scrapes /metrics; promtool query instant returns lbd's
#    request counter (haproxy_frontend_http_requests_total);
#  - headless Chromium loads /stats: the DOM shows the server whose nginx
#    died as DOWN; a screenshot is kept in build/test-logs/lbd-stats.png;
#  - basic auth (401 without, 200 with; /healthz open).
. "$(dirname "$0")/lib.sh"
net_require nginx curl haproxy socat prometheus promtool prometheus-haproxy-exporter chromium

ns_create lb
for a in 192.0.2.1 192.0.2.2 192.0.2.11 192.0.2.12; do ns_exec lb ip addr add $a/32 dev lo; done
ns_exec lb ip addr add 2001:db8::2/128 dev lo nodad
LOGS=$REPO/build/test-logs
mkdir -p "$LOGS"

for ip in 192.0.2.11 192.0.2.12; do
	cat >"$T/nginx-$ip.conf" <<EOF
daemon off; master_process off; pid $T/nginx-$ip.pid; error_log $T/nginx-$ip.err;
events { worker_connections 128; }
http { access_log off; client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
  uwsgi_temp_path $T; scgi_temp_path $T;
  server { listen $ip:8080; location / { return 200 "ok\n"; } } }
EOF
done
net_spawn lb nginx_a nginx -c "$T/nginx-192.0.2.11.conf"
net_spawn lb nginx_b nginx -c "$T/nginx-192.0.2.12.conf"

cat >"$T/lbd.conf" <<EOF
global { workers 1; stats 192.0.2.1:8404 refresh 5s vrrp $T/no-vrrpd.sock; control $T/lbd.sock; access-log off; }
backend web {
	check GET / expect 200 interval 200ms rise 2 fall 2;
	server a 192.0.2.11:8080;
	server b 192.0.2.12:8080;
	server m 192.0.2.11:8080;
}
frontend www { bind 192.0.2.1:8080; backend web; }
EOF
net_spawn lb lbd "$BIN/lbd" -n -f "$T/lbd.conf"
wait_for 5 "stats listener" ns_exec lb curl -sf -o /dev/null http://192.0.2.1:8404/healthz
lbctl() { ns_exec lb "$BIN/lbctl" -s "$T/lbd.sock" "$@"; }
csv_status() { ns_exec lb curl -sf 'http://192.0.2.1:8404/stats;csv' | awk -F, -v s="$1" '$1 == "web" && $2 == s { print $18 }'; }
wait_for 3 "web/a and web/b UP" eval '[ "$(csv_status a)" = UP ] && [ "$(csv_status b)" = UP ]'
t_assert "disable server web/m (maintenance)" lbctl disable server web/m
t_assert "web/m shows MAINT at once" [ "$(csv_status m)" = MAINT ]

# 1. The CSV header is HAProxy 2.6's, column for column.
cat >"$T/haproxy.cfg" <<EOF
global
    stats socket $T/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 192.0.2.2:8080
    default_backend be
backend be
    server s1 192.0.2.11:8080
EOF
net_spawn lb haproxy haproxy -f "$T/haproxy.cfg" -db
wait_for 5 "haproxy stats socket" test -S "$T/haproxy.sock"
hap_header=$(echo "show stat" | socat - "UNIX-CONNECT:$T/haproxy.sock" | head -n 1)
our_header=$(ns_exec lb curl -sf 'http://192.0.2.1:8404/stats;csv' | head -n 1)
t_assert "haproxy printed a header" [ "${hap_header:0:17}" = "# pxname,svname,q" ]
if [ "$hap_header" != "$our_header" ]; then
	diff <(tr , '\n' <<<"$hap_header") <(tr , '\n' <<<"$our_header")
	t_fail "CSV header differs from HAProxy's"
fi
t_log "ok: CSV header identical to haproxy $(haproxy -v | head -n 1 | cut -d' ' -f3)'s ($(tr -cd , <<<"$our_header" | wc -c) columns)"
net_stop "$PID_haproxy"

# 2. prometheus-haproxy-exporter reads /stats;csv.
net_spawn lb exporter prometheus-haproxy-exporter --haproxy.scrape-uri='http://192.0.2.1:8404/stats;csv' \
	--web.listen-address=192.0.2.1:9101
# 3. Prometheus scrapes /metrics (lbd) every second.
cat >"$T/prometheus.yml" <<EOF
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: lbd
    static_configs: [ { targets: ['192.0.2.1:8404'] } ]
EOF
net_spawn lb prometheus prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
	--web.listen-address=192.0.2.1:9090 --log.level=warn

# 20 requests through the frontend: the counter Prometheus reads must say 20.
for _ in $(seq 1 20); do ns_exec lb curl -sf -o /dev/null --max-time 2 http://192.0.2.1:8080/ || t_fail "request through lbd"; done

# "lbctl show stat" (the main loop) reads the request rates the stats thread
# samples once a second: www's highest rate is above 0 after the 20 requests.
show_stat() { # proxy server column
	lbctl show stat | awk -F, -v p="$1" -v s="$2" -v c="$3" \
		'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i } $1 == p && $2 == s && col { print $col }'
}
wait_for 5 "lbctl show stat: www req_rate_max above 0" eval '[ "$(show_stat www FRONTEND req_rate_max)" -gt 0 ] 2>/dev/null'

# Kill web/b's nginx: DOWN on the page, in the CSV, for the exporter.
net_stop "$PID_nginx_b"
wait_for 5 "web/b DOWN" eval '[ "$(csv_status b)" = DOWN ]'

exporter_up() { # server -> value of haproxy_server_up for web/<server>
	ns_exec lb curl -sf http://192.0.2.1:9101/metrics |
		awk -v s="$1" '$1 == "haproxy_server_up{backend=\"web\",server=\"" s "\"}" { print $2 }'
}
wait_for 10 "exporter: haproxy_up 1" eval 'ns_exec lb curl -sf http://192.0.2.1:9101/metrics | grep -qx "haproxy_up 1"'
wait_for 5 "exporter: haproxy_server_up web/a = 1" eval '[ "$(exporter_up a)" = 1 ]'
wait_for 5 "exporter: haproxy_server_up web/b = 0" eval '[ "$(exporter_up b)" = 0 ]'
wait_for 5 "exporter: haproxy_server_up web/m = 0 (MAINT)" eval '[ "$(exporter_up m)" = 0 ]'
exporter_metrics=$(ns_exec lb curl -sf http://192.0.2.1:9101/metrics)
t_assert "exporter: no CSV parse error" [ "$(awk '$1 == "haproxy_exporter_csv_parse_failures_total" { print $2 }' <<<"$exporter_metrics")" = 0 ]

q='haproxy_frontend_http_requests_total{proxy="www"}'
promq() { ns_exec lb promtool query instant http://192.0.2.1:9090 "$1" 2>/dev/null; }
wait_for 20 "promtool returns lbd's request counter" eval 'promq "$q" | grep -q "proxy=\"www\""'
ours=$(ns_exec lb curl -sf http://192.0.2.1:8404/metrics | awk -v m="$q" '$1 == m { print $2 }')
t_assert "/metrics counts the 20 requests" [ "$ours" = 20 ]
wait_for 5 "promtool: lbd's request counter is 20" eval 'promq "$q" | grep -q "=> 20 @"'
promq "$q" | sed 's/^/    promtool: /'
wait_for 5 "promtool: haproxy_server_status DOWN for web/b" \
	eval 'promq "haproxy_server_status{proxy=\"web\",server=\"b\",state=\"DOWN\"}" | grep -q "=> 1 @"'

# 4. Headless Chromium: the DOM shows web/b DOWN; keep a screenshot.
chrome() {
	local prof; prof=$(mktemp -d "$T/chrome.XXXX")
	ns_exec lb timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" "$@" 2>>"$T/chromium.log"
}
dom=$(chrome --dump-dom http://192.0.2.1:8404/stats)
t_assert "Chromium loaded the page" grep -q '<h1>lbd on ' <<<"$dom"
t_assert "DOM: web/b DOWN" grep -q 'id="srv-web-b" data-status="DOWN"' <<<"$dom"
t_assert "DOM: web/a UP" grep -q 'id="srv-web-a" data-status="UP"' <<<"$dom"
t_assert "DOM: web/m MAINT" grep -q 'id="srv-web-m" data-status="MAINT"' <<<"$dom"
t_assert "DOM: web/b's reason" grep -q 'connection refused' <<<"$dom"
t_assert "DOM: VRRP panel unavailable (no vrrpd)" grep -q 'id="vrrp-unavailable"' <<<"$dom"
rm -f "$LOGS/lbd-stats.png"
chrome --window-size=1280,1000 --screenshot="$LOGS/lbd-stats.png" http://192.0.2.1:8404/stats >/dev/null
t_assert "screenshot saved (build/test-logs/lbd-stats.png)" test -s "$LOGS/lbd-stats.png"
chrome --window-size=412,915 --screenshot="$LOGS/lbd-stats-phone.png" http://192.0.2.1:8404/stats >/dev/null

# 5. Basic auth and bind address: a second lbd with auth on [2001:db8::2]:8404.
sed -e "s|stats 192.0.2.1:8404 refresh 5s|stats [2001:db8::2]:8404 auth admin:s3cret|" \
	-e "s|control $T/lbd.sock|control $T/lbd2.sock|" -e "s|192.0.2.1:8080|192.0.2.2:8081|" \
	"$T/lbd.conf" >"$T/lbd2.conf"
net_spawn lb lbd2 "$BIN/lbd" -n -f "$T/lbd2.conf"
wait_for 5 "second stats listener" ns_exec lb curl -sf -o /dev/null http://[2001:db8::2]:8404/healthz
code() { ns_exec lb curl -s -o /dev/null -w '%{http_code}' "$@"; }
t_assert "401 without credentials" [ "$(code http://[2001:db8::2]:8404/stats)" = 401 ]
t_assert "401 with a wrong password" [ "$(code -u admin:nope 'http://[2001:db8::2]:8404/stats;csv')" = 401 ]
t_assert "200 with credentials" [ "$(code -u admin:s3cret 'http://[2001:db8::2]:8404/stats;csv')" = 200 ]
t_assert "/healthz needs no credentials" [ "$(code http://[2001:db8::2]:8404/healthz)" = 200 ]
t_assert "the first lbd still answers on 192.0.2.1:8404 (each binds its own address)" [ "$(code --max-time 2 http://192.0.2.1:8404/healthz)" = 200 ]
t_assert "404 for an unknown path" [ "$(code -u admin:s3cret http://[2001:db8::2]:8404/nope)" = 404 ]
t_assert "405 for POST" [ "$(code -u admin:s3cret -X POST http://[2001:db8::2]:8404/stats)" = 405 ]

# 6. Pipelining: 300 requests for /metrics (60 kB answers) sent at once; all
#    answered in order, while at most 1 MiB of answers waits for the client.
n=$( (for _ in $(seq 1 299); do printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'; done
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n') |
	ns_exec lb socat -t 10 -T 10 - TCP:192.0.2.1:8404 | grep -c $'^HTTP/1.1 200 OK\r$')
t_assert "300 pipelined requests, 300 answers (got $n)" [ "$n" = 300 ]
exit 0
