# tests/net/lbd_lib.sh: what the lbd namespace tests share (sourced after lib.sh).
#
#   lbd_setup                     namespace "lb" with 192.0.2.10 (lbd), .11 .12 .13 (servers) on lo
#   lbd_nginx NAME ADDR:PORT      an nginx serving $T/www-NAME (GET: "NAME\n" at /, files; PUT: /up/)
#   lbd_conf FILE <<EOF ... EOF   write an lbd config (control socket at $LBD_SOCK)
#   lbd_start FILE                start lbd, wait until it answers on the control socket
#   lbctl_ ARGS                   lbctl on that socket
#
# The restart tests' (test_lbd_handover, test_lbd_restart_bpf):
#   lbd_restart_lab [PREFIX...]   lbd_setup, nginx a and b, $T/lbd.conf (:9192 over both), and
#                                 lbd started from a copy of the binary, $LBIN (which
#                                 upgrades replace), under PREFIX (e.g. capsh ...)
#   lbd_inodes                    the inodes of the listening sockets on :9192
#   lbd_steady_load               wrk -c20 ($WRK) and a keep-alive client ($KA) on :9192,
#                                 until the requests flow
#   lbd_steady_check WHAT         stops them: requests made, none failed over WHAT
#   lbd_restart N OLD [PREFIX...] a new lbd started beside lbd OLD, until OLD has exited;
#                                 $LBD_NEW: the new pid
#   lbd_upgrade N OLD LOG         $LBIN replaced and lbd OLD told to upgrade; $LBD_NEW: the new pid
#   lbd_exited PID                the process has exited (for wait_for)
#
# FAULTINJ=1: lbd runs under tests/faultinj (LD_PRELOAD): its socket reads,
# writes and splices return short counts and EAGAIN at random; FAULTINJ_SEED
# (logged; random by default), FAULTINJ_RATE, FAULTINJ_OPS and FAULTINJ_SHORT
# pass through.
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
error_log $T/nginx-$name-error.log warn;
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
		t_log "fault injection: FAULTINJ_SEED=$FAULTINJ_SEED FAULTINJ_RATE=${FAULTINJ_RATE:-30} FAULTINJ_OPS=${FAULTINJ_OPS:-all} FAULTINJ_SHORT=${FAULTINJ_SHORT:-0}"
		pre=(env LD_PRELOAD="$BIN/tests/faultinj.so" FAULTINJ_SEED="$FAULTINJ_SEED"
			FAULTINJ_RATE="${FAULTINJ_RATE:-30}" FAULTINJ_OPS="${FAULTINJ_OPS:-}" FAULTINJ_SHORT="${FAULTINJ_SHORT:-0}")
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

lbd_restart_lab() { # [PREFIX...]: the command lbd runs under
	lbd_setup
	lbd_nginx a 192.0.2.11:8080
	lbd_nginx b 192.0.2.12:8080
	cat > "$T/lbd.conf" <<C
global { workers 2; control $LBD_SOCK; grace 2s; stats 192.0.2.10:8404; }
defaults { access-log off; }
backend be { server a 192.0.2.11:8080; server b 192.0.2.12:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
	LBIN=$T/sbin/lbd
	mkdir -p "$T/sbin"
	cp "$BIN/lbd" "$LBIN"
	net_spawn lb lbd "$@" "$LBIN" -n -f "$T/lbd.conf"
	wait_for 5 "lbd control socket" lbctl_ status
}

lbd_inodes() { ns_exec lb ss -tlne 'sport = :9192' | grep -o 'ino:[0-9]*' | sort | tr '\n' ' '; }

lbd_exited() { ! net_alive "$1"; }

lbd_steady_load() {
	net_spawn lb wrk wrk -t1 -c20 -d25s http://192.0.2.10:9192/
	WRK=$PID_wrk
	net_spawn lb ka "$PY" "$REPO/tests/net/lbd_keepalive_client.py" 192.0.2.10 9192 "$T/stop" 4 90
	KA=$PID_ka
	wait_for 5 "traffic flows" lbd_check "s['frontends'][0]['requests'] > 500"
}

lbd_steady_check() { # WHAT the load went through, for the messages
	local reqs
	touch "$T/stop"
	wait "$KA"
	cat "$T/ka.log"
	wait "$WRK"
	cat "$T/wrk.log"
	reqs=$(awk '/requests in/ { print $1 }' "$T/wrk.log")
	t_assert "wrk made requests ($reqs)" test "${reqs:-0}" -gt 1000
	t_assert "wrk: no socket errors (connect, read, write, timeout) over $1" \
		bash -c "! grep -q 'Socket errors' '$T/wrk.log'"
	t_assert "wrk: no non-2xx over $1" bash -c "! grep -q 'Non-2xx' '$T/wrk.log'"
	t_assert "keep-alive client: requests made" grep -Eq '^ok=[1-9][0-9]{2,}' "$T/ka.log"
	t_assert "keep-alive client: no failed request" grep -q ' failed=0$' "$T/ka.log"
}

# lbd_restart N OLD [PREFIX...]: a new lbd from $LBIN (log $T/lbdN.log) started
# beside lbd OLD, under PREFIX; waits until it runs and OLD has exited, and
# leaves its pid in LBD_NEW.
lbd_restart() {
	local i=$1 old=$2 pv; shift 2
	net_spawn lb "lbd$i" "$@" "$LBIN" -n -f "$T/lbd.conf"
	pv="PID_lbd$i"
	LBD_NEW=${!pv}
	wait_for 5 "restart $i: the new lbd ($LBD_NEW) runs" grep -q "running:" "$T/lbd$i.log"
	wait_for 10 "restart $i: the old lbd ($old) has exited" lbd_exited "$old"
}

# lbd_upgrade N OLD LOG: $LBIN replaced (a new file renamed over it, as dpkg
# does: the old process's file is gone) and lbd OLD told to upgrade (SIGUSR2,
# or `lbctl upgrade` when N is 3); waits until OLD says in LOG that it started
# the new binary, and leaves that process's pid in LBD_NEW (and NET_PIDS).
lbd_upgrade() {
	local u=$1 old=$2 log=$3
	cp "$BIN/lbd" "$LBIN.new" && mv "$LBIN.new" "$LBIN"
	if [ "$u" = 3 ]; then
		t_assert "upgrade $u: lbctl upgrade accepted" lbctl_ upgrade
	else
		kill -USR2 "$old"
	fi
	wait_for 5 "upgrade $u: lbd $old started the new binary" grep -q "lbd\[$old\] notice: upgrade: started pid" "$log"
	LBD_NEW=$(sed -n "s/.*lbd\[$old\] notice: upgrade: started pid \([0-9]*\).*/\1/p" "$log")
	NET_PIDS+=("$LBD_NEW")
}
