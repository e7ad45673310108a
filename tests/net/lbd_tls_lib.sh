# tests/net/lbd_tls_lib.sh: certificates for the TLS tests, made by openssl
# into $T/pki at each run (no key is ever committed).  Sourced after lbd_lib.sh.
#
#   tls_pki                 makes, in $T/pki:
#     ca.pem                the server CA (ECDSA P-256)
#     a-rsa.pem a-ec.pem    a.example (+ *.a.example): RSA 2048 / ECDSA P-256, chain + key in one file
#     default.pem           default.example (ECDSA), the first = default certificate
#     b-ec.pem              b.example (the certificate a swap puts in)
#     expired.pem           a.example, expired in 2020
#     mismatch.crt/.key     a certificate and somebody else's key
#     cca.pem               the client CA; agent1.pem agent2.pem revoked.pem: its clients
#     other.pem             a client certificate from another CA
#     crl.pem               cca's CRL revoking revoked.pem
net_require openssl

tls_ca_conf() { # DIR -> an `openssl ca` config whose database lives in DIR
	mkdir -p "$1/db"
	: > "$1/db/index.txt"
	[ -f "$1/db/serial" ] || echo 1000 > "$1/db/serial"
	[ -f "$1/db/crlnumber" ] || echo 1000 > "$1/db/crlnumber"
	cat > "$1/ca.cnf" <<CNF
[ca]
default_ca = c
[c]
database = $1/db/index.txt
new_certs_dir = $1/db
serial = $1/db/serial
crlnumber = $1/db/crlnumber
default_md = sha256
policy = p
copy_extensions = copy
unique_subject = no
default_crl_days = 2
[p]
commonName = supplied
organizationName = optional
CNF
}

# tls_issue CADIR CAPEM CAKEY OUT KEYSPEC SUBJ [SAN] [START END]
tls_issue() {
	local cadir=$1 capem=$2 cakey=$3 out=$4 keyspec=$5 subj=$6 san=${7:-} start=${8:-} end=${9:-}
	local ext=()
	case $keyspec in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out.key" 2>/dev/null ;;
	*) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out.key" 2>/dev/null ;;
	esac
	[ -n "$san" ] && ext=(-addext "subjectAltName=$san")
	openssl req -new -key "$out.key" -subj "$subj" "${ext[@]}" -out "$out.csr" 2>/dev/null
	local dates=(-days 2)
	[ -n "$start" ] && dates=(-startdate "$start" -enddate "$end")
	openssl ca -batch -notext -config "$cadir/ca.cnf" -cert "$capem" -keyfile "$cakey" -in "$out.csr" \
		-out "$out.crt" "${dates[@]}" 2>/dev/null || t_fail "openssl ca could not issue $out"
	cat "$out.crt" "$capem" "$out.key" > "$out.pem"
}

tls_pki() {
	local d=$T/pki
	mkdir -p "$d/srv" "$d/cli" "$d/oth"
	tls_ca_conf "$d/srv"; tls_ca_conf "$d/cli"; tls_ca_conf "$d/oth"
	local ca
	for ca in srv cli oth; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$ca/ca.key" \
			-out "$d/$ca/ca.pem" -subj "/CN=lbd test $ca CA" -days 2 2>/dev/null || t_fail "openssl req -x509 failed"
	done
	cp "$d/srv/ca.pem" "$d/ca.pem"
	cp "$d/cli/ca.pem" "$d/cca.pem"
	local S=("$d/srv" "$d/srv/ca.pem" "$d/srv/ca.key")
	tls_issue "${S[@]}" "$d/default" ec "/CN=default.example" "DNS:default.example"
	tls_issue "${S[@]}" "$d/a-rsa" rsa "/CN=a.example" "DNS:a.example,DNS:*.a.example"
	tls_issue "${S[@]}" "$d/a-ec" ec "/CN=a.example" "DNS:a.example,DNS:*.a.example"
	tls_issue "${S[@]}" "$d/b-ec" ec "/CN=b.example" "DNS:b.example"
	tls_issue "${S[@]}" "$d/expired" ec "/CN=a.example" "DNS:a.example" 20200101000000Z 20200201000000Z
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/mismatch.key" 2>/dev/null
	cp "$d/a-ec.crt" "$d/mismatch.crt"
	local C=("$d/cli" "$d/cli/ca.pem" "$d/cli/ca.key")
	tls_issue "${C[@]}" "$d/agent1" ec "/O=Example/CN=agent1"
	tls_issue "${C[@]}" "$d/agent2" ec "/O=Example/CN=agent2"
	tls_issue "${C[@]}" "$d/revoked" ec "/O=Example/CN=revoked"
	tls_issue "$d/oth" "$d/oth/ca.pem" "$d/oth/ca.key" "$d/other" ec "/O=Example/CN=agent1"
	openssl ca -config "$d/cli/ca.cnf" -cert "$d/cli/ca.pem" -keyfile "$d/cli/ca.key" -revoke "$d/revoked.crt" 2>/dev/null ||
		t_fail "openssl ca -revoke failed"
	openssl ca -config "$d/cli/ca.cnf" -cert "$d/cli/ca.pem" -keyfile "$d/cli/ca.key" -gencrl -out "$d/crl.pem" 2>/dev/null ||
		t_fail "openssl ca -gencrl failed"
}

# s_client inside the namespace: ADDR:PORT [s_client options]; stdin closed.
sclient() { local a=$1; shift; ns_exec lb openssl s_client -connect "$a" "$@" < /dev/null 2>&1; }
# The subject CN of the certificate the server sent.
peer_cn() { sclient "$@" | sed -n 's/^subject=.*CN *= *\([^,/]*\).*/\1/p' | head -n 1; }
# A request over s_client, reading until the server closes (HTTP/1.0): a TLS 1.3
# ticket arrives after the handshake, so -sess_out needs the reply read.
sget() { local a=$1; shift; printf 'GET / HTTP/1.0\r\nHost: x\r\n\r\n' | ns_exec lb timeout 5 openssl s_client -ign_eof -connect "$a" "$@" 2>&1; }
