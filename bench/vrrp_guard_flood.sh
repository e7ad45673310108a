#!/usr/bin/env bash
# bench/vrrp_guard_flood.sh: vrrpd's CPU time under a flood of forged VRRP
# adverts, with the XDP guard (xdp-guard on, the default) and without it.
# A pair at 1 s adverts in the namespace lab; the client sends COUNT
# forged adverts (TTL 254, priority 255, to the VRRP group) with
# tests/net/vrrp_forge.py; the backup's vrrpd CPU time (utime + stime, from
# /proc/PID/stat, 10 ms ticks) is read before and after, and its state and
# counters checked.  Not part of make check.  Needs root.  Release build:
#   make && bench/vrrp_guard_flood.sh          (COUNT=200000)
set -u
export NET_BIN=${NET_BIN:-build}
. "$(dirname "$0")/../tests/net/lib.sh"
. "$(dirname "$0")/../tests/net/vrrp_lab.sh"
COUNT=${COUNT:-200000}

recvq_empty() { ns_exec n2 ss -H -w -n | awk '$2 != 0 { exit 1 }'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
guard_json() {
	vrrpctl_json n2 | "$PY" -c "
import json,sys
g=json.load(sys.stdin)['xdp_guards']
print('guard: none' if not g else 'guard: %s mode, dropped %s' % (g[0]['mode'], g[0]['dropped']))"
}

vrrp_lab
for mode in on off; do
	vrrp_conf n1 100 1s > "$T/n1.conf"
	vrrp_conf n2 90 1s > "$T/n2.conf"
	sed -i "s/^\tmlock off;/\tmlock on;\n\txdp-guard $mode;/" "$T/n1.conf" "$T/n2.conf"
	vrrp_run n1 "$T/n1.conf"
	wait_for 6 "node 1 master" vrrp_state_is n1 master
	vrrp_run n2 "$T/n2.conf"
	wait_for 6 "node 2 backup" vrrp_state_is n2 backup
	c0=$(cpu_ticks "$PID_vrrpd_n2")
	start=$(now_ms)
	ns_exec cl "$PY" "$REPO/tests/net/vrrp_forge.py" eth0 01:00:5e:00:00:12 198.51.100.50 224.0.0.18 \
		"$COUNT" 254 3 51 255
	took=$(elapsed_ms "$start")
	# until vrrpd has read what its raw sockets still hold
	wait_until 10 recvq_empty
	c1=$(cpu_ticks "$PID_vrrpd_n2")
	printf 'xdp-guard %-3s: %d forged adverts sent in %d ms; backup vrrpd CPU %d ms; state %s, transitions %s, vrrpd bad_ttl %s; %s; RSS %s\n' \
		"$mode" "$COUNT" "$took" $(((c1 - c0) * 10)) "$(vrrp_field n2 state)" \
		"$(vrrp_field n2 counters.transitions)" "$(vrrp_field n2 counters.discards.bad_ttl)" "$(guard_json)" \
		"$(awk '/^Rss/ {print $2 " kB"}' "/proc/$PID_vrrpd_n2/smaps_rollup")"
	net_stop "$PID_vrrpd_n2"
	net_stop "$PID_vrrpd_n1"
done
