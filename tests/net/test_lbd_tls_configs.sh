#!/usr/bin/env bash
# configs/: TLS=yes in site.env switches TLS on every lbd frontend (s3 too) and basic
# auth on the Thanos and Loki ones (off by default, as deployed); the
# generated configs pass `lbd -t` once the certificate and htpasswd files
# exist, and fail it with file:line:col while they do not.  A FIFO named as
# a certificate, CA or htpasswd file is refused rather than read forever.
. "$(dirname "$0")/lib.sh"
net_require openssl
cd "$REPO"

t_assert "TLS is off by default" grep -q '^TLS=no$' configs/site.env
t_assert "the committed node1 config has the TLS lines commented out" grep -q '^	# tls-cert /etc/lbd/tls/lbd.pem;' configs/node1/lbd.conf
mkdir -p "$T/env"
cp configs/*.env "$T/env/"
sed -i 's/^TLS=.*/TLS=yes/' "$T/env/site.env"
t_assert "generate with TLS=yes" configs/generate.sh -e "$T/env" -o "$T/out"
t_assert "the five frontends (s3 included) terminate TLS" test "$(grep -c '^	tls-cert /etc/lbd/tls/lbd.pem;' "$T/out/node1/lbd.conf")" = 5
t_assert "three ask for basic auth (not OTLP)" test "$(grep -c '^	auth-file /etc/lbd/htpasswd;' "$T/out/node1/lbd.conf")" = 3
sed "s|/etc/lbd/|$T/etc/|g" "$T/out/node1/lbd.conf" > "$T/lbd.conf"
out=$("$BIN/lbd" -t -f "$T/lbd.conf" 2>&1)
t_assert "without the certificate lbd -t refuses it ($out)" grep -q "lbd.conf:[0-9]*:[0-9]*: cannot read certificate" <<<"$out"
mkdir -p "$T/etc/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k" -out "$T/c" \
	-subj /CN=lbd.example -addext subjectAltName=DNS:lbd.example -days 2 2>/dev/null
cat "$T/c" "$T/k" > "$T/etc/tls/lbd.pem"
printf 'grafana:%s\n' "$(openssl passwd -6 s3cret)" > "$T/etc/htpasswd"
t_assert "with both files lbd -t accepts node1's TLS config" "$BIN/lbd" -t -f "$T/lbd.conf"
sed "s|/etc/lbd/|$T/etc/|g" "$T/out/node2/lbd.conf" > "$T/lbd2.conf"
t_assert "and node2's" "$BIN/lbd" -t -f "$T/lbd2.conf"
printf 'TLS=maybe\n' >> "$T/env/site.env"
t_assert "TLS=maybe is refused" bash -c "! configs/generate.sh -e '$T/env' -o '$T/bad' 2>/dev/null"
# A FIFO (or a device) named as a certificate, CA or htpasswd file is refused
# at once: reading one would never end and a reload would hang lbd's main thread.
mkfifo "$T/fifo"
for line in "tls-cert $T/fifo;" "tls-cert $T/etc/tls/lbd.pem; tls-client-ca $T/fifo; tls-verify-client required;" "auth-file $T/fifo;"; do
	printf 'backend be { server a 192.0.2.11:8080; }\nfrontend f { bind 192.0.2.10:9999; backend be; %s }\n' "$line" > "$T/fifo.conf"
	out=$(timeout 5 "$BIN/lbd" -t -f "$T/fifo.conf" 2>&1)
	t_assert "a FIFO is refused, not read ($out)" grep -q "fifo.conf:2:[0-9]*: .*expected a regular file" <<<"$out"
done
printf 'backend be { server a 192.0.2.11:8080 tls ca %s; }\nfrontend f { bind 192.0.2.10:9999; backend be; }\n' "$T/fifo" > "$T/fifo.conf"
out=$(timeout 5 "$BIN/lbd" -t -f "$T/fifo.conf" 2>&1)
t_assert "a FIFO as a server's CA is refused ($out)" grep -q "fifo.conf:1:[0-9]*: .*expected a regular file" <<<"$out"
# The stats page's password as an MD5 crypt hash ($1$): refused with file:line,
# not taken for a password in clear.
printf 'global { stats 127.0.0.1:8404 auth admin:%s; }\nbackend be { server a 192.0.2.11:8080; }\nfrontend f { bind 192.0.2.10:9999; backend be; }\n' "$(openssl passwd -1 -salt md5salt pw)" > "$T/md5.conf"
out=$("$BIN/lbd" -t -f "$T/md5.conf" 2>&1)
t_assert "a stats password hashed with MD5 is refused ($out)" grep -q "md5.conf:1:[0-9]*: expected a crypt(3) hash" <<<"$out"
