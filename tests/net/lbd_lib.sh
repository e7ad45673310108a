# tests/net/lbd_lib.sh: what the lbd namespace tests share (sourced after lib.sh).
#
#   lbd_setup                     namespace "lb" with 192.0.2.10 (lbd), .11 .12 .13 (servers) on lo
#   lbd_nginx NAME ADDR:PORT      an nginx serving $T/www-NAME (GET: "NAME\n" at /, files; PUT: /up/)
#   lbd_conf FILE <<EOF ... EOF   write an lbd config (control socket at $LBD_SOCK)
#   lbd_start FILE                start lbd, wait until it answers on the control socket
#   lbctl_ ARGS                   lbctl on that socket
#
# FAULTINJ=1: lbd runs under tests/faultinj (LD_PRELOAD): its socket reads,
# writes and splices return short counts and EAGAIN at random; FAULTINJ_SEED
# (logged; random by default), FAULTINJ_RATE and FAULTINJ_OPS pass through.
net_require nginx curl
# Debian's python3 (python3-websockets is installed for it), not whatever is first on PATH.
PY=/usr/bin/python3

LBD_SOCK=$T/lbd.sock

lbd_setup() {
	ns_create lb
	local a
	for a in 10 11 12 13; do ip -n "$NS_lb" addr add 192.0.2.$a/32 dev lo; done
}

lbd_nginx() { # NAME ADDR:PORT [extra server directives]
	local name=$1 listen=$2 extra=${3:-}
	mkdir -p "$T/www-$name/up" "$T/nginx-$name"
	printf '%s\n' "$name" > "$T/www-$name/index.txt"
	cat > "$T/nginx-$name.conf" <<NGX
daemon off;
user root;
worker_processes 1;
master_process off;
pid $T/nginx-$name.pid;
error_log $T/nginx-$name.err warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $T/nginx-$name/body;
	proxy_temp_path $T/nginx-$name/proxy;
	fastcgi_temp_path $T/nginx-$name/fcgi;
	uwsgi_temp_path $T/nginx-$name/uwsgi;
	scgi_temp_path $T/nginx-$name/scgi;
	keepalive_requests 100000;
	keepalive_timeout 60s;
	server {
		listen $listen reuseport;
		root $T/www-$name;
		client_max_body_size 0;
		location = / { default_type text/plain; return 200 "$name\n"; }
		location = /slow { default_type text/plain; return 200 "$name\n"; }
		location /up/ { dav_methods PUT; create_full_put_path on; client_body_buffer_size 64k; }
		location = /headers { default_type text/plain;
			return 200 "xff=\$http_x_forwarded_for xfp=\$http_x_forwarded_proto host=\$http_host conn=\$http_connection ka=\$http_keep_alive foo=\$http_x_foo\n"; }
		$extra
	}
}
NGX
	net_spawn lb "nginx_$name" nginx -c "$T/nginx-$name.conf"
	wait_for 5 "nginx $name on $listen" ns_exec lb curl -sf "http://$listen/"
}

lbd_conf() { # FILE, body on stdin; adds the global block (LBD_WORKERS workers, 2 by default)
	{
		printf 'global { workers %d; control %s; access-log stdout; grace 2s; }\n' "${LBD_WORKERS:-2}" "$LBD_SOCK"
		cat
	} > "$1"
}

lbctl_() { "$BIN/lbctl" -s "$LBD_SOCK" "$@"; }

lbd_start() { # CONF
	local pre=()
	if [ -n "${FAULTINJ:-}" ]; then
		[ -f "$BIN/tests/faultinj.so" ] || t_fail "FAULTINJ=1 needs $BIN/tests/faultinj.so (make unit-bins)"
		FAULTINJ_SEED=${FAULTINJ_SEED:-$((RANDOM * 32768 + RANDOM))}
		t_log "fault injection: FAULTINJ_SEED=$FAULTINJ_SEED FAULTINJ_RATE=${FAULTINJ_RATE:-30} FAULTINJ_OPS=${FAULTINJ_OPS:-all}"
		pre=(env LD_PRELOAD="$BIN/tests/faultinj.so" FAULTINJ_SEED="$FAULTINJ_SEED"
			FAULTINJ_RATE="${FAULTINJ_RATE:-30}" FAULTINJ_OPS="${FAULTINJ_OPS:-}")
	fi
	net_spawn lb lbd "${pre[@]}" "$BIN/lbd" -n -f "$1"
	wait_for 5 "lbd control socket" lbctl_ status
}

# curl inside the namespace, no proxy settings from the environment.
c() { ns_exec lb curl --noproxy '*' -sS "$@"; }

# lbd_stat PYEXPR: a value from `lbctl status` (s is the reply), e.g.
#   lbd_stat "s['backends'][0]['servers'][1]['err_conn']"
lbd_stat() { lbctl_ --json status | "$PY" -c "import json,sys; s=json.load(sys.stdin); print($1)"; }

# raw REQUEST-BYTES (printf format) -> the response as received
raw() { printf "$1" | ns_exec lb socat -t 3 - TCP:192.0.2.10:9192 2>/dev/null; }
# lbd_check PYEXPR: succeeds when the expression on `lbctl status` is true (for wait_for).
lbd_check() { lbctl_ --json status | "$PY" -c "import json,sys; s=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"; }
