#!/usr/bin/env bash
# TLS termination on a frontend, seen with curl and openssl s_client: TLS 1.1
# refused, TLS 1.2 and 1.3 served, the certificate chosen by SNI (a wrong or
# absent name gets the default one), ECDSA and RSA side by side for one
# name, ALPN http/1.1, no renegotiation; tickets resume on any of the two
# workers and across a reload (SIGHUP) that swaps a certificate; an expired,
# missing or mismatched certificate fails `lbd -t` and the reload with
# file:line:col, and the running configuration keeps serving.  Handshakes,
# resumptions and failures by reason are counted per frontend; tickets also
# resume across an upgrade in place (`lbctl upgrade`).  The stats
# page is served over HTTPS with its basic auth (a hashed password);
# redirect-https answers 301.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
. "$(dirname "$0")/lbd_tls_lib.sh"

lbd_setup
lbd_nginx a 192.0.2.11:8080
tls_pki
P=$T/pki
# the stats page's password as a crypt(3) hash (sha512crypt), not in clear
STATS_HASH=$(openssl passwd -6 -salt statsalt pw)
conf() { # extra tls-cert lines
	cat > "$T/lbd.conf" <<C
global { workers 2; control $LBD_SOCK; access-log stdout; grace 2s;
	stats 192.0.2.10:8404 auth admin:$STATS_HASH tls-cert $P/a-ec.pem; }
defaults { access-log off; }
frontend redir { bind 192.0.2.10:9080; backend be; redirect-https on; }
backend be { server a 192.0.2.11:8080; }
frontend fe {
	bind 192.0.2.10:9443;
	backend be;
	tls-cert $P/default.pem;
	tls-cert $P/a-rsa.pem;
	tls-cert $P/a-ec.pem;
	$*
}
C
}
conf ""
t_assert "lbd -t accepts the TLS configuration" "$BIN/lbd" -t -f "$T/lbd.conf"
lbd_start "$T/lbd.conf"
A=192.0.2.10:9443
cs() { ns_exec lb curl --noproxy '*' -sS --cacert "$P/ca.pem" --resolve "$1:9443:192.0.2.10" "https://$1:9443${2:-/}"; }

t_assert "curl over TLS gets the page (a.example)" test "$(cs a.example)" = a
out=$(sclient $A -tls1_3 -servername a.example)
t_assert "TLS 1.3 is served" grep -q '^New, TLSv1.3' <<<"$out"
t_assert "TLS 1.3 has no renegotiation" grep -q 'Secure Renegotiation IS NOT supported' <<<"$out"
out=$(sclient $A -tls1_2 -servername a.example)
t_assert "TLS 1.2 is served" grep -q '^New, TLSv1.2' <<<"$out"
out=$(sclient $A -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -servername a.example)
t_assert "TLS 1.1 is refused with a protocol_version alert" grep -q 'alert protocol version' <<<"$out"
t_assert "SNI a.example gets a.example" test "$(peer_cn $A -servername a.example)" = a.example
t_assert "SNI x.a.example gets the wildcard a.example" test "$(peer_cn $A -servername x.a.example)" = a.example
t_assert "a wrong SNI gets the default certificate" test "$(peer_cn $A -servername nope.example)" = default.example
t_assert "no SNI gets the default certificate" test "$(peer_cn $A -noservername)" = default.example
out=$(sclient $A -servername a.example -sigalgs ecdsa_secp256r1_sha256)
t_assert "an ECDSA-capable client gets the ECDSA certificate" grep -q 'Peer signature type: ECDSA' <<<"$out"
out=$(sclient $A -servername a.example -sigalgs rsa_pss_rsae_sha256)
t_assert "an RSA-only client gets the RSA certificate" grep -q 'Peer signature type: RSA-PSS' <<<"$out"
out=$(sclient $A -servername a.example -alpn h2,http/1.1)
t_assert "ALPN http/1.1 is chosen from h2,http/1.1" grep -q 'ALPN protocol: http/1.1' <<<"$out"
# s_client's "R" command asks for a renegotiation (TLS 1.2).
reneg=$( { sleep 0.5; printf 'R\n'; sleep 0.5; } | ns_exec lb timeout 5 openssl s_client -connect $A -tls1_2 -servername a.example 2>&1)
t_assert "a TLS 1.2 renegotiation is refused (no_renegotiation alert)" grep -q 'no renegotiation' <<<"$reneg"

# Tickets: one session resumed ten times over, whichever worker accepts each
# connection (2 workers; every one of them must resume).
sget $A -servername a.example -tls1_3 -sess_out "$T/sess13" > /dev/null
sget $A -servername a.example -tls1_2 -sess_out "$T/sess12" > /dev/null
reused=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	sget $A -servername a.example -tls1_3 -sess_in "$T/sess13" | grep -q '^Reused, ' && reused=$((reused + 1))
done
t_assert "ten TLS 1.3 resumptions out of ten, on either worker" test "$reused" = 10
out=$(sget $A -servername a.example -tls1_2 -sess_in "$T/sess12")
t_assert "a TLS 1.2 ticket resumes" grep -q '^Reused, ' <<<"$out"

# Records that arrive together (lbd reads ahead: one read() takes them all):
# the client's Finished and five pipelined requests in one TCP send, each
# request its own record; all five are answered, none waits for more bytes.
out=$(ns_exec lb timeout 10 "$PY" "$(dirname "$0")/lbd_tls_burst.py" 192.0.2.10 9443 a.example 5)
t_assert "five pipelined requests in one burst of records: five 200s ($(tr '\n' ' ' <<<"$out"))" \
	test "$(grep -c '^HTTP/1.1 200' <<<"$out")" = 5

# A reload that swaps a certificate: the new one is served, tickets still resume.
conf "tls-cert $P/b-ec.pem;"
kill -HUP "$PID_lbd"
serves_b() { test "$(peer_cn $A -servername b.example)" = b.example; }
wait_for 5 "the reloaded configuration serves b.example" serves_b
out=$(sget $A -servername a.example -tls1_3 -sess_in "$T/sess13")
t_assert "a ticket from before the reload resumes after it" grep -q '^Reused, ' <<<"$out"

# Bad certificates: -t and the reload fail with file:line:col and the reason.
check_refused() { # what tls-cert-line expected-message
	local what=$1 line=$2 msg=$3 out
	conf "$line"
	out=$("$BIN/lbd" -t -f "$T/lbd.conf" 2>&1)
	t_assert "$what: lbd -t refuses it ($out)" grep -q "lbd.conf:12:[0-9]*: .*$msg" <<<"$out"
	out=$(lbctl_ reload 2>&1)
	t_assert "$what: the reload is refused ($out)" grep -q "lbd.conf:12:[0-9]*: .*$msg" <<<"$out"
}
check_refused "expired certificate" "tls-cert $P/expired.pem;" "expired on"
check_refused "missing certificate" "tls-cert $P/nothere.pem;" "cannot read certificate.*No such file"
check_refused "mismatched key" "tls-cert $P/mismatch.crt key $P/mismatch.key;" "does not match"
t_assert "the running configuration still serves b.example" test "$(peer_cn $A -servername b.example)" = b.example
t_assert "and proxies" test "$(cs a.example)" = a

# The stats page over HTTPS with its basic auth; the HTTP-to-HTTPS redirect.
st=$(ns_exec lb curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" --resolve a.example:8404:192.0.2.10 https://a.example:8404/stats)
t_assert "the stats page over HTTPS asks for its password ($st)" test "$st" = 401
st=$(ns_exec lb curl --noproxy '*' -s --cacert "$P/ca.pem" --resolve a.example:8404:192.0.2.10 -u admin:pw 'https://a.example:8404/stats;csv')
t_assert "and serves with it (checked against its sha512crypt hash)" grep -q '^fe,FRONTEND,' <<<"$st"
st=$(ns_exec lb curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" --resolve a.example:8404:192.0.2.10 -u admin:wrong https://a.example:8404/stats)
t_assert "a wrong password: 401 ($st)" test "$st" = 401
st=$(ns_exec lb curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" --resolve a.example:8404:192.0.2.10 -u "admin:$STATS_HASH" https://a.example:8404/stats)
t_assert "the hash itself is no password: 401 ($st)" test "$st" = 401
t_assert "not in clear text" bash -c "! ip netns exec $NS_lb curl -sf -u admin:pw http://192.0.2.10:8404/stats >/dev/null 2>&1"
hdrs=$(c -s -D - -o /dev/null -H 'Host: a.example:9080' 'http://192.0.2.10:9080/metrics?x=1')
t_assert "redirect-https answers 301" grep -q '^HTTP/1.1 301' <<<"$hdrs"
t_assert "to the same URL over https" grep -q '^Location: https://a.example/metrics?x=1' <<<"$hdrs"

# Counters: handshakes, resumptions, failures by reason, per frontend.
stat() { lbctl_ --json show stat json | "$PY" -c "import json,sys; s=json.load(sys.stdin)['stats']; f=[x for x in s['frontends'] if x['name'] == 'fe'][0]['tls']; print($1)"; }
t_assert "handshakes counted ($(stat "f['handshakes']"))" test "$(stat "f['handshakes']")" -ge 20
t_assert "resumptions counted ($(stat "f['resumed']"))" test "$(stat "f['resumed']")" -ge 12
t_assert "the TLS 1.1 attempt counted as a protocol failure" test "$(stat "f['failures']['protocol']")" -ge 1
t_assert "TLS 1.3 and 1.2 counted" test "$(stat "f['protocols']['TLSv1.3'] > 0 and f['protocols']['TLSv1.2'] > 0")" = True
t_assert "ciphers counted by name" test "$(stat "f['ciphers'].get('TLS_AES_256_GCM_SHA384', 0) > 0")" = True

# An upgrade in place (`lbctl upgrade`: a new process takes the listening
# sockets over): the ticket keys go with them, so a client resumes there.
conf "tls-cert $P/b-ec.pem;" # the running configuration (the refused ones are left on disk above)
sget $A -servername a.example -tls1_3 -sess_out "$T/sess13u" > /dev/null
sget $A -servername a.example -tls1_2 -sess_out "$T/sess12u" > /dev/null
old=$PID_lbd
t_assert "lbctl upgrade accepted" lbctl_ upgrade
wait_for 5 "lbd $old started the new binary" grep -q "lbd\[$old\] notice: upgrade: started pid" "$T/lbd.log"
cur=$(sed -n "s/.*lbd\[$old\] notice: upgrade: started pid \([0-9]*\).*/\1/p" "$T/lbd.log")
NET_PIDS+=("$cur")
wait_for 5 "the new lbd ($cur) runs" grep -q "lbd\[$cur\] notice: lbd .* running:" "$T/lbd.log"
wait_for 10 "the old lbd ($old) has exited" bash -c "$(declare -f net_alive); ! net_alive $old"
out=$(sget $A -servername a.example -tls1_3 -sess_in "$T/sess13u")
t_assert "a TLS 1.3 session from before the upgrade resumes after it" grep -q '^Reused, ' <<<"$out"
out=$(sget $A -servername a.example -tls1_2 -sess_in "$T/sess12u")
t_assert "a TLS 1.2 session from before the upgrade resumes after it" grep -q '^Reused, ' <<<"$out"
t_assert "and proxies after the upgrade" test "$(cs a.example)" = a
t_assert "the new lbd took the ticket keys over" grep -q "lbd\[$cur\] notice: handover: [1-9] TLS ticket keys taken from pid $old" "$T/lbd.log"
