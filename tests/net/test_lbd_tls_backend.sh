#!/usr/bin/env bash
# TLS towards servers, against nginx serving HTTPS: the server's certificate
# is verified against the CA file and the `sni` name (a wrong CA or a wrong
# name answers 502 and nothing reaches nginx in clear), SNI is sent, a
# client certificate is presented when nginx asks for one, and new
# connections resume the server's TLS session (nginx's $ssl_session_reused).
# A TLS frontend in front of a TLS server works end to end.  Health checks
# of a TLS server go over TLS with the same settings (HTTPS checks).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
. "$(dirname "$0")/lbd_tls_lib.sh"

lbd_setup
tls_pki
P=$T/pki
mkdir -p "$T/ngx"
cat > "$T/ngx.conf" <<NGX
daemon off;
user root;
worker_processes 1;
master_process off;
pid $T/ngx.pid;
error_log $T/ngx.err info;
events { worker_connections 1024; }
http {
	log_format tls '\$server_name \$ssl_server_name \$ssl_session_reused \$ssl_client_s_dn \$request_uri';
	access_log $T/ngx.access tls;
	client_body_temp_path $T/ngx/body;
	proxy_temp_path $T/ngx/proxy;
	fastcgi_temp_path $T/ngx/fcgi;
	uwsgi_temp_path $T/ngx/uwsgi;
	scgi_temp_path $T/ngx/scgi;
	ssl_certificate $P/a-ec.crt;
	ssl_certificate_key $P/a-ec.key;
	ssl_session_cache shared:S:1m;
	server {
		listen 192.0.2.11:8443 ssl;
		server_name a.example;
		location / { default_type text/plain; return 200 "tls-a\n"; }
	}
	server {
		listen 192.0.2.11:8444 ssl;
		server_name a.example;
		ssl_client_certificate $P/cca.pem;
		ssl_verify_client on;
		location / { default_type text/plain; return 200 "mtls \$ssl_client_s_dn\n"; }
	}
}
NGX
net_spawn lb nginx nginx -c "$T/ngx.conf"
wait_for 5 "nginx over TLS" ns_exec lb curl -sfk https://192.0.2.11:8443/
lbd_conf "$T/lbd.conf" <<C
defaults { access-log off; }
backend ok { pool max-idle 0; server a 192.0.2.11:8443 tls ca $P/ca.pem sni a.example; }
backend pooled { server a 192.0.2.11:8443 tls ca $P/ca.pem sni a.example; }
backend badca { server a 192.0.2.11:8443 tls ca $P/cca.pem sni a.example; }
backend badname { server a 192.0.2.11:8443 tls ca $P/ca.pem sni b.example; }
backend noverify { server a 192.0.2.11:8443 tls verify none; }
backend mtls { server a 192.0.2.11:8444 tls ca $P/ca.pem sni a.example cert $P/agent1.pem; }
backend nocert { server a 192.0.2.11:8444 tls ca $P/ca.pem sni a.example; }
backend checked { check GET / expect 200 interval 300ms rise 1 fall 1; server a 192.0.2.11:8443 tls ca $P/ca.pem sni a.example; }
backend checkbad { check GET / expect 200 interval 300ms rise 1 fall 1 start up; server a 192.0.2.11:8443 tls ca $P/cca.pem sni a.example; }
frontend ok { bind 192.0.2.10:9101; backend ok; }
frontend pooled { bind 192.0.2.10:9102; backend pooled; }
frontend badca { bind 192.0.2.10:9103; backend badca; }
frontend badname { bind 192.0.2.10:9104; backend badname; }
frontend noverify { bind 192.0.2.10:9105; backend noverify; }
frontend mtls { bind 192.0.2.10:9106; backend mtls; }
frontend nocert { bind 192.0.2.10:9107; backend nocert; }
frontend tls2tls { bind 192.0.2.10:9443; backend pooled; tls-cert $P/b-ec.pem; }
C
lbd_start "$T/lbd.conf"
code() { c -s -o /dev/null -w '%{http_code}' "http://192.0.2.10:$1/"; }

t_assert "a verified TLS server answers through lbd" test "$(c http://192.0.2.10:9101/)" = tls-a
for i in 1 2 3 4 5; do c -o /dev/null http://192.0.2.10:9101/r$i; done
t_assert "SNI a.example reached nginx" grep -q '^a.example a.example' "$T/ngx.access"
reused=$(grep -c ' r - /r[0-9]' "$T/ngx.access")
t_assert "new connections resume the TLS session ($reused of 5 reused)" test "$reused" -ge 4
t_assert "pooled keep-alive connections serve" test "$(c http://192.0.2.10:9102/ http://192.0.2.10:9102/ | tr -d '\n')" = tls-atls-a
# A failed handshake is a failed connection (retried, then 503), as HAProxy's
# SSL handshake failure towards a server is.
t_assert "a server certificate from another CA: 503" test "$(code 9103)" = 503
t_assert "a server certificate for another name: 503" test "$(code 9104)" = 503
t_assert "verify none: served" test "$(code 9105)" = 200
t_assert "a client certificate is presented to a server that asks" test "$(c http://192.0.2.10:9106/)" = "mtls O=Example,CN=agent1"
t_assert "without it the server refuses (400)" test "$(code 9107)" = 400
t_assert "TLS in front, TLS behind" test "$(ns_exec lb curl --noproxy '*' -sS --cacert "$P/ca.pem" --resolve b.example:9443:192.0.2.10 https://b.example:9443/)" = tls-a
srv_state() { # BACKEND -> its server's state (UP/DOWN)
	lbctl_ --json show stat json | "$PY" -c "import json,sys; s=json.load(sys.stdin)['stats']; print([b for b in s['backends'] if b['name'] == '$1'][0]['servers'][0]['state'])"
}
up_is() { test "$(srv_state "$1")" = "$2"; }
# nginx answers a clear-text request on its TLS port 400: UP means the check spoke TLS.
wait_for 5 "an HTTPS health check finds the TLS server UP" up_is checked UP
wait_for 5 "one against a certificate it cannot verify finds it DOWN" up_is checkbad DOWN
bad="$T/bad.conf"
printf 'backend be { server a 192.0.2.11:8443 tls sni a.example; }\nfrontend f { bind 192.0.2.10:9999; backend be; }\n' > "$bad"
out=$("$BIN/lbd" -t -f "$bad" 2>&1)
t_assert "tls without ca or verify none is refused ($out)" grep -q "bad.conf:1:14: expected 'ca FILE'" <<<"$out"
printf 'backend be { server a 192.0.2.11:8443 tls ca %s/nothere.pem; }\nfrontend f { bind 192.0.2.10:9999; backend be; }\n' "$P" > "$bad"
out=$("$BIN/lbd" -t -f "$bad" 2>&1)
t_assert "a missing CA file is refused ($out)" grep -q "bad.conf:1:[0-9]*: cannot read CA certificates" <<<"$out"
