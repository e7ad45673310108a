#!/usr/bin/env bash
# RFC 5798 Accept_Mode over IPv6.  Node 1 (`accept off`) is master of
# 2001:db8::100; a TCP listener is bound to the VIP.  The client's
# connection, plain and behind a Destination Options header, and its ping
# (ICMPv6 echo), plain and behind one, are all dropped and counted, while
# neighbour discovery for the VIP is still answered and node 1's own
# address still takes TCP behind the same header.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require ping socat ndisc6

vrrp_lab
VIP6=2001:db8::100
printf 'global {\n\tcontrol %s/n1.sock;\n\tmlock off;\n\trealtime-priority 5;\n}\n' "$T" > "$T/n1.conf"
printf 'instance VI6 {\n\tinterface eth0;\n\tvrid 52;\n\tpriority 100;\n\tadvert 100ms;\n\tvirtual-address %s/64;\n\tgarp { count 2; repeat 0s; }\n\taccept off;\n}\n' "$VIP6" >> "$T/n1.conf"
wait_for 5 "link-local addresses ready" sh -c "! ip -n $NS_n1 -6 addr show dev eth0 | grep -q tentative && ! ip -n $NS_cl -6 addr show dev eth0 | grep -q tentative"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
wait_for 2 "VIP on node 1" vip_on n1 "$VIP6"
t_assert "status: accept false" field_is n1 accept false
net_spawn n1 listen1 socat "TCP6-LISTEN:8080,bind=[$VIP6],fork,reuseaddr" SYSTEM:'echo n1'
net_spawn n1 listen_own socat "TCP6-LISTEN:8081,bind=[2001:db8::11],fork,reuseaddr" SYSTEM:'echo own'
wait_for 3 "listeners up" sh -c "ss -N $NS_n1 -ltn | grep -q ':8081'"

na=$(ns_exec cl ndisc6 -1 -r 2 -w 1000 "$VIP6" eth0 2>&1)
mac1=$(mac_of n1)
t_assert "neighbour solicitation for the VIP answered by node 1's MAC $mac1 ($na)" grep -qi "$mac1" <<<"$na"

# connect ADDRESS PORT [dstopts]: what the service answers, after a
# Destination Options header (PadN) when asked.  Setting the sticky option
# on a TCP socket needs CAP_NET_RAW, which the test has.
connect() {
	ns_exec cl "$PY" - "$1" "$2" "${3:-}" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
if sys.argv[3]:
    # next header (filled by the kernel), length 0 (8 bytes), PadN of 4 bytes
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
s.settimeout(2)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print(s.recv(100).decode().strip())
except OSError:
    pass
PYEOF
}
got=$(connect 2001:db8::11 8081 dstopts)
t_assert "TCP behind a Destination Options header reaches node 1's own address (got '$got')" [ "$got" = own ]
got=$(connect "$VIP6" 8080)
t_assert "TCP to the VIP gets nothing in accept off (got '$got')" [ -z "$got" ]
got=$(connect "$VIP6" 8080 dstopts)
t_assert "TCP to the VIP behind a Destination Options header gets nothing (got '$got')" [ -z "$got" ]
if ns_exec cl ping -6 -c 1 -W 1 -q "$VIP6" >/dev/null; then t_fail "ping to the VIP answered in accept off"; fi
t_log "ok: ping to the VIP dropped"
# ping's -O? No: iputils ping has no option for extension headers; a raw
# ICMPv6 socket with the same sticky option sends the echo behind one.
echo_dstopts() {
	ns_exec cl "$PY" - "$VIP6" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
s.settimeout(1)
s.sendto(bytes([128, 0, 0, 0, 0x12, 0x34, 0, 1]) + b'vrrpd', (sys.argv[1], 0))
try:
    while True:
        d, a = s.recvfrom(1500)
        if d[0] == 129 and d[4:6] == bytes([0x12, 0x34]):
            print("reply")
            break
except OSError:
    pass
PYEOF
}
got=$(echo_dstopts)
t_assert "ICMPv6 echo to the VIP behind a Destination Options header gets no reply (got '$got')" [ -z "$got" ]
drops=$(vrrp_field n1 accept_drops)
t_assert "accept_drops counts them ($drops)" [ "$drops" -ge 4 ]
t_assert "node 1 is still master" vrrp_state_is n1 master
