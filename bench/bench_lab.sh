# bench/bench_lab.sh: what the lbd benches share, sourced after tests/net/lib.sh.
#
#   bench_lab                      namespace b with 192.0.2.10 (the proxy), .11 and .12
#                                  (the backends) on its loopback; nx CMD runs in it
#   bench_nginx NAME ADDR [LOC]    an nginx backend on ADDR:8080, pinned to CPU 0, answering
#                                  "ok" (LOC: its "location / { ... }" block instead of the
#                                  default); its PID is appended to BENCH_SRV_PIDS
#   bench_lbd_conf [ACCESS_LOG]    lbd's config: one worker, both backends, :4318
#   bench_haproxy_cfg [SED_ARG...] the reference haproxy.cfg (configs/reference) with the
#                                  bench's addresses, one thread and the same limits and
#                                  keep-alive as lbd; by default logging and the stats
#                                  socket off, or the sed arguments given instead
BENCH_SRV_PIDS=()

bench_lab() {
	ns_create b
	local a
	for a in 10 11 12; do ip -n "$NS_b" addr add 192.0.2.$a/32 dev lo; done
}
nx() { ip netns exec "$NS_b" "$@"; }

bench_nginx() { # name addr [location block]
	local loc=${3:-'location / { default_type text/plain; return 200 "ok\n"; }'}
	mkdir -p "$T/ng-$1"
	cat > "$T/ng-$1.conf" <<NGEOF
daemon off; master_process off; user root; worker_processes 1;
pid $T/ng-$1.pid; error_log $T/ng-$1.err warn;
events { worker_connections 65536; }
http {
	access_log off; keepalive_requests 1000000; keepalive_timeout 300s;
	client_body_temp_path $T/ng-$1; proxy_temp_path $T/ng-$1; fastcgi_temp_path $T/ng-$1;
	uwsgi_temp_path $T/ng-$1; scgi_temp_path $T/ng-$1;
	server {
		listen $2:8080 reuseport backlog=65535;
		$loc
	}
}
NGEOF
	net_spawn b "ng_$1" taskset -c 0 nginx -c "$T/ng-$1.conf"
	BENCH_SRV_PIDS+=("${NET_PIDS[-1]}")
}

bench_lbd_conf() { # [access-log target]
	cat <<LEOF
global { workers 1; maxconn 9950; access-log ${1:-off}; }
defaults { timeout connect 5s; timeout client 60s; timeout server 60s; timeout http-request 10s;
	timeout keep-alive 300s; retries 3; redispatch on; }
backend otel { check GET / interval 2s rise 2 fall 3 start up;
	server a 192.0.2.11:8080; server b 192.0.2.12:8080; }
frontend otlp { bind 192.0.2.10:4318; backend otel; }
LEOF
}

bench_haproxy_cfg() { # [sed args for logging and the stats socket]
	[ $# -gt 0 ] || set -- -e '/stats socket/d' -e '/^\s*log /d' -e '/option httplog/d'
	sed -E -e 's/bind :([0-9]+)/bind 192.0.2.10:\1/' -e 's/127\.0\.0\.1:[0-9]+/192.0.2.11:8080/' \
		-e 's/127\.0\.0\.2:[0-9]+/192.0.2.12:8080/' "$@" \
		-e 's/maxconn 20000/maxconn 9950\n    nbthread 1/' -e 's/timeout http-keep-alive 10s/timeout http-keep-alive 300s/' \
		configs/reference/haproxy.cfg
}
