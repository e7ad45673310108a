#!/usr/bin/env bash
# A corpus of malformed and request-smuggling requests (lbd_malformed.txt,
# plus long ones for 414/431) sent raw through lbd: each gets its expected
# status, is counted as a bad request, and none reaches the nginx behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require socat

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_conf "$T/lbd.conf" <<'C'
defaults { limit header 8k; limit uri 2k; }
backend be { server a 192.0.2.11:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
lbd_start "$T/lbd.conf"

# A head is judged whole before any server is chosen: no case may reach the
# server with it.  A body's error comes after a valid prefix of it (chunk
# data, then "XX" where CRLF belongs); a short read (the fault-injection
# pass) can hand lbd that prefix alone, and lbd streams a body it has not
# seen whole: the server then gets the head and a cut body, never a whole
# request (seen once in a faultinj run).  Without fault injection, none.
n=0 bad=0 reached=0
sent_to_server() { lbd_stat "s['backends'][0]['requests']"; }
check() { # expected request-printf-format
	local got before
	before=$(sent_to_server)
	got=$(raw "$2" | head -n 1 | cut -d' ' -f2)
	n=$((n + 1))
	if [ "$(sent_to_server)" != "$before" ]; then
		case $2 in
		*'\r\n\r\n'?*) [ -n "${FAULTINJ:-}" ] || reached=$((reached + 1)) ;; # a body after the head
		*) reached=$((reached + 1)) ;;
		esac
		t_log "case $n reached the server: $2"
	fi
	if [ "$got" != "$1" ]; then
		bad=$((bad + 1))
		t_log "case $n: expected $1, got '${got:-no answer}' for: $2"
	fi
}
while IFS= read -r line; do
	case $line in '#'*|'') continue ;; esac
	check "${line%% *}" "${line#* }"
done < "$(dirname "$0")/lbd_malformed.txt"
check 414 "GET /$(head -c 3000 /dev/zero | tr '\0' a) HTTP/1.1\r\nHost: h\r\n\r\n"
check 431 "GET / HTTP/1.1\r\nHost: h\r\nX-Big: $(head -c 9000 /dev/zero | tr '\0' b)\r\n\r\n"
check 431 "GET / HTTP/1.1\r\nHost: h\r\n$(for i in $(seq 1 101); do printf 'X-%d: y\\r\\n' "$i"; done)\r\n"

t_assert "all $n malformed requests got their status ($bad did not)" test "$bad" = 0
t_assert "at least 60 cases" test "$n" -ge 60
t_assert "each counted as a bad request" test "$(lbd_stat "s['frontends'][0]['err_req']")" = "$n"
t_assert "none reached the server (but a cut body under fault injection)" test "$reached" = 0
# and a good request still goes through afterwards
t_assert "a valid request still works" test "$(c http://192.0.2.10:9192/)" = a
