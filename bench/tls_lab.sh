# shellcheck shell=bash
# bench/tls_lab.sh: what the TLS benches (lbd_tls_bench.sh, lbd_tls_instr.sh)
# share, sourced after bench/bench_lab.sh.
#
#   tls_lab    the lab (bench_lab), nginx backends a and b on 192.0.2.11 and .12
#              (GET / and POST /v1/metrics answered "ok"), a self-signed RSA 2048
#              and ECDSA P-256 certificate for bench.example ($T/rsa.pem,
#              $T/ec.pem), and the same configuration for both proxies
#              ($T/lbd.conf, $T/haproxy.cfg): one worker or thread, frontend rsa
#              on 192.0.2.10:4443, ec on :4444, both backends round robin.

tls_lab() {
	bench_lab
	local loc='location / { default_type text/plain; return 200 "ok\n"; }
			location = /v1/metrics { client_max_body_size 0; client_body_buffer_size 128k;
				default_type text/plain; return 200 "ok\n"; }'
	bench_nginx a 192.0.2.11 "$loc"
	bench_nginx b 192.0.2.12 "$loc"
	wait_for 5 "backends" nx curl -sf -o /dev/null http://192.0.2.12:8080/

	# The same certificates for both (self-signed; the clients do not verify).
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rsa.key" -out "$T/rsa.crt" -subj /CN=bench.example \
		-addext subjectAltName=DNS:bench.example -days 2 2>/dev/null
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ec.key" -out "$T/ec.crt" \
		-subj /CN=bench.example -addext subjectAltName=DNS:bench.example -days 2 2>/dev/null
	cat "$T/rsa.crt" "$T/rsa.key" > "$T/rsa.pem"
	cat "$T/ec.crt" "$T/ec.key" > "$T/ec.pem"

	cat > "$T/lbd.conf" <<LEOF
global { workers 1; maxconn 9950; access-log off; }
defaults { timeout connect 5s; timeout client 60s; timeout server 60s; timeout http-request 10s;
	timeout keep-alive 300s; retries 3; redispatch on; }
backend otel { server a 192.0.2.11:8080; server b 192.0.2.12:8080; }
frontend rsa { bind 192.0.2.10:4443; backend otel; tls-cert $T/rsa.pem; }
frontend ec { bind 192.0.2.10:4444; backend otel; tls-cert $T/ec.pem; }
LEOF
	cat > "$T/haproxy.cfg" <<HEOF
global
    maxconn 9950
    nbthread 1
defaults
    mode http
    option http-keep-alive
    option forwardfor
    option redispatch
    retries 3
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 300s
frontend rsa
    bind 192.0.2.10:4443 ssl crt $T/rsa.pem alpn http/1.1
    default_backend otel
frontend ec
    bind 192.0.2.10:4444 ssl crt $T/ec.pem alpn http/1.1
    default_backend otel
backend otel
    balance roundrobin
    server a 192.0.2.11:8080
    server b 192.0.2.12:8080
HEOF
	haproxy -c -f "$T/haproxy.cfg" >/dev/null || { echo "haproxy.cfg invalid"; exit 1; }
}
