# bench/vrrp_bench_lab.sh: what the VRRP benches (vrrp_failover.sh,
# vrrp_bfd_bench.sh) share, sourced after tests/net/vrrp_lab.sh: Debian's
# keepalived beside vrrpd on the lab's nodes.  Whatever keepalived still
# runs is stopped on exit.
#
#   ka_pids NODE                   keepalived's pids on NODE (parent and VRRP child)
#   ka_start NODE                  keepalived on NODE with $T/ka-NODE.conf
#   vrrp_bench_shipped             filter for vrrp_conf's output: mlock on and
#                                  realtime-priority 10, as the shipped config
#   vrrp_bench_stop IMPL NODE [SIG] stop NODE's daemon (keepalived, or vrrpd
#                                  started as vr_NODE) and remove the VIP it may leave

ka_pids() { cat "$T/ka-$1.pid" "$T/ka-$1-vrrp.pid" 2>/dev/null; }
net_on_exit 'for n in n1 n2; do for p in $(ka_pids $n); do kill -CONT $p; kill -TERM $p; done; done; sleep 0.3'

ka_start() { # NODE
	net_spawn "$1" "ka_$1" keepalived -n -l -D -f "$T/ka-$1.conf" -p "$T/ka-$1.pid" \
		-r "$T/ka-$1-vrrp.pid" --no-syslog -i "$1-$NET_ID"
}

vrrp_bench_shipped() { sed -e 's/mlock off;/mlock on;/' -e 's/realtime-priority 5;/realtime-priority 10;/'; }

vrrp_bench_stop() { # IMPL NODE [SIGNAL]
	if [ "$1" = keepalived ]; then
		local p
		for p in $(ka_pids "$2"); do kill -CONT "$p" 2>/dev/null; kill -"${3:-TERM}" "$p" 2>/dev/null; done
		for _ in $(seq 1 200); do
			local alive=0
			for p in $(ka_pids "$2"); do net_alive "$p" && alive=1; done
			[ $alive = 0 ] && break
			sleep 0.02
		done
		rm -f "$T/ka-$2.pid" "$T/ka-$2-vrrp.pid"
	else
		local v="PID_vr_$2"
		net_stop "${!v}" "${3:-TERM}"
	fi
	ip -n "$(eval echo "\$NS_$2")" addr del "$VIP/24" dev eth0 2>/dev/null
	return 0
}
