#!/usr/bin/env bash
# A node crash, seen through lbd on the new master (issue 18, the
# availability bench's 5 s gap): node 1 master, each node's lbd balances
# over both nodes' servers (checks every 2 s, fall 3, `timeout connect 5s`
# as deployed).  Node 1 crashes (every process SIGKILLed, its link cut).
# vrrpd on node 2 takes over because the master went silent and tells its
# lbd (lbd-control, `peer-down 198.51.100.11`), which marks node 1's server
# DOWN at once: the requests after the move never wait 5 s on a dead
# server.  Without that the server stays UP for fall x interval and every
# other request waits `timeout connect` before its retry goes to node 2.
# Then node 1 comes back and the health checks bring its server UP again;
# a peer-down for an address no server has is refused and changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require nginx curl
[ -x "$BIN/lbd" ] || net_unavailable "lbd is not built in $BIN"

vrrp_lab
# vrrpd keeps no CAP_DAC_OVERRIDE: it reaches lbd's socket in $T as its owner.
chmod 755 "$T"
for n in n1 n2; do
	web_node "$n" 5s
	net_spawn "$n" "lbd_$n" "$BIN/lbd" -n -f "$T/lbd-$n.conf"
done
# lbd-control in each node's global block: vrrpd tells its own lbd.
for n in n1 n2; do
	prio=100; [ "$n" = n2 ] && prio=90
	vrrp_conf "$n" "$prio" 100ms | sed "s|^\tmlock off;|\tmlock off;\n\tlbd-control $T/lbd-$n.sock;|" > "$T/$n.conf"
done
grep -q "lbd-control $T/lbd-n2.sock;" "$T/n2.conf" || t_fail "no lbd-control line in node 2's vrrpd.conf"
srv() { # NODE SERVER FIELD...: a field of server SERVER of backend web in lbd's stats on NODE
	local node=$1 s=$2; shift 2
	"$BIN/lbctl" -s "$T/lbd-$node.sock" --json show stat json | "$PY" -c "
import json,sys
d=json.load(sys.stdin)['stats']
v=[x for b in d['backends'] if b['name']=='web' for x in b['servers'] if x['name']=='$s'][0]
for k in sys.argv[1:]: v=v[k]
print(str(v).lower() if isinstance(v,bool) else v)" "$@"
}
srv_is() { [ "$(srv "$1" "$2" "${@:3:$#-3}")" = "${!#}" ]; } # NODE SERVER FIELD... VALUE
for n in n1 n2; do
	wait_for 10 "lbd on $n has node 1's server UP" srv_is "$n" n1 up 1
	wait_for 10 "lbd on $n has node 2's server UP" srv_is "$n" n2 up 1
done
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
# Node 2 knows whom to report only once it has heard node 1's advert (it may
# have started just after one).
wait_for 3 "node 2 heard node 1's advert" field_is n2 master 198.51.100.11

# Node 1 crashes.
for p in "$PID_vrrpd_n1" "$PID_lbd_n1" "$PID_nginx_n1"; do kill -KILL "$p"; done
ip -n "$NS_n1" link set eth0 down
wait_for 3 "node 2 becomes master after the crash" vrrp_state_is n2 master
t_assert "node 2 took over because the master went silent" field_is n2 last_transition.reason master_down
# Several requests in a row: round robin sends every other one to node 1's
# server while lbd still believes it UP.
worst=0
for i in 1 2 3 4; do
	t0=$(now_ms)
	code=$(ns_exec cl curl --noproxy '*' -sS -m 20 -o "$T/r$i.out" -w '%{http_code}' "http://$VIP:8080/" 2> "$T/r$i.err")
	took=$(elapsed_ms "$t0")
	t_log "request $i after the move: ${took} ms, $code $(cat "$T/r$i.out" 2>/dev/null)"
	[ "$code" = 200 ] || t_fail "request $i after the move failed: $code $(cat "$T/r$i.err")"
	[ "$took" -gt "$worst" ] && worst=$took
done
[ "$worst" -lt 2000 ] ||
	t_fail "a request after the move took ${worst} ms: lbd on node 2 still sent it to the dead node's server (timeout connect 5 s)"
t_log "ok: every request after the move answered in under 2 s (slowest ${worst} ms)"
t_assert "node 2's lbd shows node 1's server DOWN" srv_is n2 n1 up 0
t_assert "with the peer-down reason" srv_is n2 n1 check result "peer down (vrrpd)"
t_assert "counted" srv_is n2 n1 check peer_downs 1
t_assert "node 2's own server is UP" srv_is n2 n2 up 1
t_assert "vrrpd logged that it told lbd" grep -q "told lbd that node 198.51.100.11 is down" "$T/vrrpd_n2.log"

# Node 1 comes back: the health checks bring its server UP (rise 2).
ip -n "$NS_n1" link set eth0 up
net_spawn n1 nginx_n1b nginx -c "$T/nginx-n1.conf"
wait_for 12 "the checks bring node 1's server UP again on node 2's lbd" srv_is n2 n1 up 1
# A bad or unknown address is refused and changes nothing.
t_assert "peer-down of an address no server has is refused" sh -c \
	"! '$BIN/lbctl' -s '$T/lbd-n2.sock' peer-down 203.0.113.9 > '$T/bad.out'"
t_assert "and says why" grep -q "no server has the address 203.0.113.9" "$T/bad.out"
t_assert "peer-down of something not an address is refused" sh -c \
	"! '$BIN/lbctl' -s '$T/lbd-n2.sock' peer-down node1 > '$T/bad2.out'"
t_assert "and says what was expected" grep -q "expected an IP address" "$T/bad2.out"
t_assert "node 1's server stays UP on node 2's lbd" srv_is n2 n1 up 1

t_log "PASS"
