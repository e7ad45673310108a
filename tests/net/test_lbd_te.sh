#!/usr/bin/env bash
# Transfer-Encoding goes on as "Transfer-Encoding: chunked", whatever the
# spelling lbd accepted (",chunked," and "CHUNKED" are valid, RFC 9110 5.6.1
# and RFC 9112 7): a backend that only recognises the exact token would read
# the chunks as the next request.  A trailer that framing or routing depends
# on (Content-Length: 44) never reaches the other side.  The backend keeps
# exactly the bytes it received (lbd_raw_backend.py); both directions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require socat

lbd_setup
mkdir -p "$T/got"
net_spawn lb backend "$PY" "$(dirname "$0")/lbd_raw_backend.py" 192.0.2.11 8080 "$T/got"
wait_for 5 "the recording backend listens" eval "ns_exec lb ss -Htln '( sport = :8080 )' | grep -q 8080"
lbd_conf "$T/lbd.conf" <<'C'
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"

# send REQUEST-PRINTF: the client's answer in $T/answer, what the backend got
# in $T/received (empty if nothing reached it).
send() {
	rm -f "$T"/got/conn.*
	printf "$1" | ns_exec lb socat -t 3 - TCP:192.0.2.10:9192 > "$T/answer" 2>/dev/null
	wait_until 3 eval 'ls "$T"/got/conn.* >/dev/null 2>&1'
	cat "$T"/got/conn.* > "$T/received" 2>/dev/null || : > "$T/received"
}
status() { head -n 1 "$T/answer" | cut -d' ' -f2; }
# the backend's head: only the Transfer-Encoding lines, as received
te_lines() { sed -n '1,/^\r$/p' "$T/received" | grep -ai '^transfer-encoding' | tr -d '\r'; }

for te in ',chunked,' 'CHUNKED' 'Chunked , '; do
	send "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: $te\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
	t_assert "'Transfer-Encoding: $te' is answered 200" test "$(status)" = 200
	t_assert "the backend got exactly 'Transfer-Encoding: chunked' for '$te'" \
		test "$(te_lines)" = "Transfer-Encoding: chunked"
	t_assert "and the chunked body intact" grep -aq $'\r\n\r\n5\r\nhello\r\n0\r\n\r\n$' "$T/received"
done

send "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nContent-Length: 44\r\n\r\n"
t_assert "a request whose trailer says Content-Length is refused with 400" test "$(status)" = 400
t_assert "the trailer never reached the backend" sh -c "! grep -aqi 'content-length: 44' '$T/received'"

send "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n"
t_assert "a harmless trailer still goes through (200)" test "$(status)" = 200
t_assert "and reaches the backend" grep -aq 'X-Checksum: abc' "$T/received"

send "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \"chunked\"\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
t_assert "a quoted coding is malformed: 400" test "$(status)" = 400
t_assert "and reaches nobody" test ! -s "$T/received"

send "GET /te-odd HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
t_assert "a response with 'Transfer-Encoding: ,CHUNKED' is relayed (200)" test "$(status)" = 200
t_assert "as 'Transfer-Encoding: chunked' to the client" \
	test "$(sed -n '1,/^\r$/p' "$T/answer" | grep -ai '^transfer-encoding' | tr -d '\r')" = "Transfer-Encoding: chunked"

send "GET /trailer HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
t_assert "a response trailer saying Content-Length never reaches the client" \
	sh -c "! grep -aqi 'content-length: 44' '$T/answer'"
t_assert "lbd still serves" test "$(send "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"; status)" = 200
