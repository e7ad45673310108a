#!/usr/bin/env bash
# Client certificates and access control, with curl and openssl s_client:
#  - `tls-verify-client required`: no certificate, one from another CA, or a
#    revoked one (CRL) fail the handshake (counted as client-cert failures);
#    a good one passes; `allow subject` / `deny all` pick by its subject (403);
#    the access log shows the verified subject;
#  - `tls-verify-client optional`: no certificate is fine;
#  - basic auth with hashes in the config and in an htpasswd file: 401 with
#    WWW-Authenticate without or with wrong credentials, 200 with right ones;
#    `deny PREFIX` answers 403; all counted;
#  - OCSP stapling from a file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
. "$(dirname "$0")/lbd_tls_lib.sh"

lbd_setup
lbd_nginx a 192.0.2.11:8080
tls_pki
P=$T/pki
# An OCSP response for a.example's ECDSA certificate, signed by its CA.
openssl ocsp -issuer "$P/ca.pem" -cert "$P/a-ec.crt" -reqout "$T/ocsp.req" 2>/dev/null
openssl ocsp -index "$P/srv/db/index.txt" -rsigner "$P/ca.pem" -rkey "$P/srv/ca.key" -CA "$P/ca.pem" \
	-reqin "$T/ocsp.req" -respout "$P/a-ec.ocsp" -ndays 1 2>/dev/null || t_fail "openssl ocsp could not answer"
H1=$(openssl passwd -6 -salt saltsalt s3cret)
printf '# prometheus readers\nbob:%s\n\ncarol:%s:comment\n' "$(openssl passwd -5 -salt pepper hunter2)" \
	"$(openssl passwd -6 -salt pepper2 pw2)" > "$T/htpasswd"
lbd_conf "$T/lbd.conf" <<C
defaults { access-log off; }
backend be { server a 192.0.2.11:8080; }
frontend mtls {
	bind 192.0.2.10:9443;
	backend be;
	tls-cert $P/a-ec.pem ocsp $P/a-ec.ocsp;
	tls-client-ca $P/cca.pem;
	tls-crl $P/crl.pem;
	tls-verify-client required;
	access-log on;
	allow subject "O=Example,CN=agent1";
	deny all;
}
frontend opt {
	bind 192.0.2.10:9444;
	backend be;
	tls-cert $P/a-ec.pem;
	tls-client-ca $P/cca.pem;
	tls-verify-client optional;
}
frontend auth {
	bind 192.0.2.10:9445;
	backend be;
	tls-cert $P/a-ec.pem;
	deny 192.0.2.12/32;
	auth-realm "Prometheus";
	auth-user alice "$H1";
	auth-file $T/htpasswd;
}
C
t_assert "lbd -t accepts it" "$BIN/lbd" -t -f "$T/lbd.conf"
lbd_start "$T/lbd.conf"
cs() { # PORT [curl args]: the status code
	local port=$1; shift
	ns_exec lb curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" \
		--resolve "a.example:$port:192.0.2.10" "$@" "https://a.example:$port/"
}
t_assert "required: no client certificate, no handshake" test "$(cs 9443)" = 000
t_assert "required: a certificate from another CA, no handshake" test "$(cs 9443 --cert "$P/other.crt" --key "$P/other.key")" = 000
t_assert "required: a revoked certificate, no handshake" test "$(cs 9443 --cert "$P/revoked.crt" --key "$P/revoked.key")" = 000
t_assert "required: agent1's certificate passes" test "$(cs 9443 --cert "$P/agent1.crt" --key "$P/agent1.key")" = 200
t_assert "required: agent2's is valid but its subject is denied (403)" test "$(cs 9443 --cert "$P/agent2.crt" --key "$P/agent2.key")" = 403
t_assert "the access log shows the verified subject" grep -q ' mtls be/a .*{O=Example,CN=agent1} "GET / HTTP/1.1"' "$T/lbd.log"
t_assert "optional: no certificate is fine" test "$(cs 9444)" = 200
t_assert "optional: a good certificate is fine" test "$(cs 9444 --cert "$P/agent2.crt" --key "$P/agent2.key")" = 200

out=$(sclient 192.0.2.10:9443 -servername a.example -status -cert "$P/agent1.crt" -key "$P/agent1.key")
t_assert "the OCSP response is stapled" grep -q 'OCSP Response Status: successful' <<<"$out"
t_assert "the stapled response says good" grep -q 'Cert Status: good' <<<"$out"

hdrs=$(ns_exec lb curl --noproxy '*' -s -D - -o /dev/null --cacert "$P/ca.pem" --resolve "a.example:9445:192.0.2.10" https://a.example:9445/)
t_assert "auth: no credentials -> 401" grep -q '^HTTP/1.1 401' <<<"$hdrs"
t_assert "auth: 401 carries WWW-Authenticate with the realm" grep -qi '^WWW-Authenticate: Basic realm="Prometheus"' <<<"$hdrs"
t_assert "auth: wrong password -> 401" test "$(cs 9445 -u alice:nope)" = 401
t_assert "auth: unknown user -> 401" test "$(cs 9445 -u mallory:s3cret)" = 401
t_assert "auth: alice (config, sha512crypt) -> 200" test "$(cs 9445 -u alice:s3cret)" = 200
t_assert "auth: alice again (cached) -> 200" test "$(cs 9445 -u alice:s3cret)" = 200
t_assert "auth: bob (htpasswd, sha256crypt) -> 200" test "$(cs 9445 -u bob:hunter2)" = 200
t_assert "auth: carol (htpasswd with a comment field) -> 200" test "$(cs 9445 -u carol:pw2)" = 200
t_assert "auth: a denied source gets 403 even with credentials" \
	test "$(cs 9445 -u alice:s3cret --interface 192.0.2.12)" = 403

stat() { lbctl_ --json show stat json | "$PY" -c "import json,sys; s=json.load(sys.stdin)['stats']; f={x['name']: x for x in s['frontends']}; print($1)"; }
t_assert "client-certificate failures counted ($(stat "f['mtls']['tls']['failures']"))" test "$(stat "f['mtls']['tls']['failures']['client-cert']")" -ge 3
t_assert "the subject denial counted" test "$(stat "f['mtls']['access_denied']")" = 1
t_assert "401s counted" test "$(stat "f['auth']['auth_failed']")" = 3
t_assert "the source denial counted" test "$(stat "f['auth']['access_denied']")" = 1

# Bad access configuration is refused with file:line:col.
bad() { # what config-fragment expected
	printf 'backend be { server a 192.0.2.11:8080; }\nfrontend f {\n bind 192.0.2.10:9999;\n backend be;\n %s\n}\n' "$2" > "$T/bad.conf"
	local out
	out=$("$BIN/lbd" -t -f "$T/bad.conf" 2>&1)
	t_assert "$1 ($out)" grep -q "bad.conf:5:[0-9]*: .*$3" <<<"$out"
}
bad "a plain-text password is refused" 'auth-user bob hunter2;' "expected a crypt(3) hash"
bad "an apr1 (MD5) hash is refused" 'auth-user bob "$apr1$x$yyyyyyyyyyyyyyyyyyyyyy";' "expected a crypt(3) hash"
bad "verify without a CA is refused" "tls-cert $P/a-ec.pem; tls-verify-client required;" "tls-client-ca"
printf 'dave:$1$abc$def\n' > "$T/badpw"
bad "a bad htpasswd line is refused with its own line" "auth-file $T/badpw;" "badpw:1: expected a crypt(3) hash"
bad "a CRL that is not one is refused" "tls-cert $P/a-ec.pem; tls-client-ca $P/cca.pem; tls-verify-client optional; tls-crl $P/ca.pem;" "cannot read a PEM CRL"
