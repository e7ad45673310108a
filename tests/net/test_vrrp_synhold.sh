#!/usr/bin/env bash
# syn-hold (issue 18: no telemetry lost through a failover).  lbd SIGKILLed
# on the master: until vrrpd's track sees it and the VIP moves (~2.4 s with
# the shipped track block), node 1's kernel answers SYNs to VIP:8080 with
# RST, and a client that does not retry a refused connection (the
# OpenTelemetry JS SDK) loses its batch.  With `syn-hold on` the tc filter
# bpf/vip_synhold.bpf.c drops those SYNs instead; the clients' kernels send
# them again (1 s later, and again) and, the VIP moved, node 2's lbd answers.
#   1. syn-hold on: the filter is on node 1's eth0 (after the accept-off
#      filter of another instance, which lets what it passes on); a SYN to
#      VIP:8080 with lbd listening passes (counted); a SYN to the node's own
#      address, or to a VIP port not in syn-hold-ports, is refused at once as
#      before; lbd killed, 10 clients started right after all get a 200 and
#      the filter counted the SYNs it held.
#   2. reload with syn-hold off (the map emptied): lbd killed again, the
#      clients started right after are refused (the failure syn-hold fixes).
#   3. a clean stop detaches the filter; a crashed vrrpd leaves it, a
#      restarted one replaces it (one filter), `vrrpd --cleanup` removes it.
#   4. started without CAP_BPF (and CAP_SYS_ADMIN): logged once, also after
#      a reload, and vrrpd runs without the filter.
# run.sh timeout: 240
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require nginx curl ss tc
[ -x "$BIN/lbd" ] || net_unavailable "lbd is not built in $BIN"
TRACK=$(sed -n '/^track lbd {/,/^}/p' "$REPO/configs/templates/vrrpd.conf.in")
[ -n "$TRACK" ] || t_fail "no track lbd block in configs/templates/vrrpd.conf.in"
N=10

vrrp_lab
for n in n1 n2; do web_node "$n" 1s; done
lbd_up() { net_spawn "$1" "lbd_$1" "$BIN/lbd" -n -f "$T/lbd-$1.conf"; }
lbd_up n1; lbd_up n2
conf() { # NODE PRIORITY on|off [no: without the accept-off instance]
	vrrp_conf "$1" "$2" 1s "track lbd weight -20;" "syn-hold $3;" "syn-hold-ports 8080 4318;"
	printf '%s\n' "$TRACK"
	# Beside it on eth0, the accept-mode filter (priority 1, before syn-hold's 2).
	[ "${4:-}" = no ] || printf 'instance VI_52 { interface eth0; vrid 52; priority %s; advert 1s; virtual-address 198.51.100.101/24; accept off; }\n' "$2"
}
conf n1 100 on > "$T/n1.conf"
conf n2 90 on > "$T/n2.conf"
synhold() { # NODE FIELD: of the first syn_hold filter in vrrpctl status
	vrrpctl_json "$1" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['syn_hold'][0]['$2'])"
}
filters() { # NODE: how many syn-hold filters on its eth0
	tc -n "$(eval echo "\$NS_$1")" filter show dev eth0 ingress | grep -c vip_synhold
}
listening() { ip netns exec "$(eval echo "\$NS_$1")" ss -Hltn 'sport = :8080' | grep -q .; }
lbd_gone() { ! listening "$1"; }
served() { ns_exec cl curl --noproxy '*' -sf -m 2 -o /dev/null "http://$VIP:8080/"; }
synhold_is() { [ "$(synhold "$1" "$2")" = "$3" ]; } # NODE FIELD VALUE
filters_are() { [ "$(filters "$1")" = "$2" ]; }
gone() { ! net_alive "$1"; } # PID

vrrp_run n1 "$T/n1.conf"
wait_for 8 "node 1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 6 "node 2 is backup" vrrp_state_is n2 backup
wait_for 6 "node 1 at its full priority (lbd tracked up)" field_is n1 effective_priority 100
wait_for 6 "the VIP is served" served
# nginx gave $T to its worker user (its temp paths are there): vrrpd, root
# without CAP_DAC_OVERRIDE once started, must still read its file on reload.
chmod go+rx "$T"

# 1. syn-hold on.
t_assert "the filter is on node 1's eth0 (tc ingress)" [ "$(filters n1)" = 1 ]
t_assert "beside the accept-off filter of VI_52" sh -c "tc -n $NS_n1 filter show dev eth0 ingress | grep -q vip_noaccept"
t_assert "status: syn_hold on for the instance" field_is n1 syn_hold true
t_assert "status: 2 destinations (VIP:8080, VIP:4318)" [ "$(synhold n1 destinations)" = 2 ]
t_assert "status, plain: the filter's destinations" sh -c "'$BIN/vrrpctl' -s '$T/n1.sock' status | grep -q 'destinations: 2'"
held0=$(synhold n1 held) passed0=$(synhold n1 passed)
t_assert "a SYN to VIP:8080 with lbd listening passes: the request is served" \
	ns_exec cl curl --noproxy '*' -sf -m 3 -o /dev/null "http://$VIP:8080/"
t_assert "it was counted as passed, nothing held" [ "$(synhold n1 passed)" -gt "$passed0" ] && [ "$(synhold n1 held)" = "$held0" ]
refused() { # URL: curl fails with "connection refused" (7) within a second
	local t0 rc; t0=$(now_ms)
	ns_exec cl curl --noproxy '*' -sS --connect-timeout 3 -o /dev/null "$1" 2>/dev/null; rc=$?
	[ "$rc" = 7 ] && [ "$(elapsed_ms "$t0")" -lt 1000 ]
}
t_assert "node 1's own address, a port nothing listens on: refused at once (not a VIP)" refused http://198.51.100.11:8099/
t_assert "the VIP, a port not in syn-hold-ports: refused at once" refused "http://$VIP:8099/"
t_assert "node 1's own address :8080 (lbd) is served" ns_exec cl curl --noproxy '*' -sf -m 3 -o /dev/null http://198.51.100.11:8080/
t_assert "none of that was held" [ "$(synhold n1 held)" = "$held0" ]

clients() { # TAG: N clients to VIP:8080 in the background, pids in CPIDS
	CPIDS=()
	for i in $(seq "$N"); do
		ns_exec cl curl --noproxy '*' -sS --connect-timeout 8 -m 15 -o "$T/$1.$i.out" \
			-w '%{http_code} %{time_connect}' "http://$VIP:8080/" > "$T/$1.$i.code" 2> "$T/$1.$i.err" &
		CPIDS+=($!)
	done
}
collect() { # TAG: wait for the clients; OK (200s), REFUSED (exit 7) and a summary
	OK=0 REFUSED=0 SUMMARY=
	for i in $(seq "$N"); do
		wait "${CPIDS[$((i - 1))]}"; local rc=$?
		[ "$rc" = 0 ] && [ "$(cut -d' ' -f1 "$T/$1.$i.code")" = 200 ] && OK=$((OK + 1))
		[ "$rc" = 7 ] && REFUSED=$((REFUSED + 1))
		SUMMARY="$SUMMARY [rc $rc $(cat "$T/$1.$i.code") $(tr -d '\n' < "$T/$1.$i.out")]"
	done
}

start=$(now_ms)
kill -KILL "$PID_lbd_n1"
wait_for 2 "node 1's lbd no longer listens" lbd_gone n1
clients on
collect on
t_log "syn-hold on: $OK of $N clients served, $REFUSED refused, $(elapsed_ms "$start") ms:$SUMMARY"
wait_for 6 "node 2 is master" vrrp_state_is n2 master
held=$(synhold n1 held)
t_log "node 1's filter held $((held - held0)) SYNs"
t_assert "all $N clients started as lbd died got a 200 (served through node 2)" [ "$OK" = "$N" ]
t_assert "the filter held SYNs while the VIP was on node 1" [ "$held" -gt "$held0" ]

# 2. syn-hold off, by a reload: the map is emptied, the filter stays.
lbd_up n1
wait_for 10 "node 1 is master again (lbd back)" vrrp_state_is n1 master
conf n1 100 off > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 4 "reload: node 1's filter holds no destination" synhold_is n1 destinations 0
t_assert "status: syn_hold off for the instance" field_is n1 syn_hold false
wait_for 6 "node 1 at its full priority" field_is n1 effective_priority 100
wait_for 6 "node 2 is backup" vrrp_state_is n2 backup
wait_for 6 "node 1 serves the VIP" served
held0=$(synhold n1 held)
kill -KILL "$PID_lbd_n1"
wait_for 2 "node 1's lbd no longer listens" lbd_gone n1
clients off
collect off
t_log "syn-hold off: $OK of $N clients served, $REFUSED refused:$SUMMARY"
t_assert "without syn-hold, clients started as lbd died are refused ($REFUSED of $N)" [ "$REFUSED" -ge 1 ]
t_assert "and nothing was held" [ "$(synhold n1 held)" = "$held0" ]
wait_for 6 "node 2 is master" vrrp_state_is n2 master

# 3. The filter's life with vrrpd.
lbd_up n1
wait_for 10 "node 1 is master again" vrrp_state_is n1 master
kill -TERM "$PID_vrrpd_n1"
wait_for 5 "node 2 takes over from the stopped node 1" vrrp_state_is n2 master
wait_for 5 "node 1's vrrpd exited" gone "$PID_vrrpd_n1"
t_assert "a clean stop detached node 1's filter" filters_are n1 0
conf n1 100 on > "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 8 "node 1 preempts back" vrrp_state_is n1 master
kill -KILL "$PID_vrrpd_n1"
wait_for 2 "node 1's vrrpd is gone" gone "$PID_vrrpd_n1"
t_assert "the crash left the filter" [ "$(filters n1)" = 1 ]
vrrp_run n1 "$T/n1.conf"
wait_for 8 "node 1 (restarted) is master" vrrp_state_is n1 master
t_assert "the restarted vrrpd replaced it: one filter" [ "$(filters n1)" = 1 ]
kill -KILL "$PID_vrrpd_n1"
wait_for 2 "node 1's vrrpd is gone" gone "$PID_vrrpd_n1"
ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf" >/dev/null || t_fail "vrrpd --cleanup failed"
t_assert "vrrpd --cleanup removed it" [ "$(filters n1)" = 0 ]

# 4. No CAP_BPF at start: the program cannot be loaded.
conf n1 100 on no > "$T/n1.conf" # accept off would refuse to start without its filter
net_spawn n1 vrrpd_n1 setpriv --bounding-set -bpf,-sys_admin "$BIN/vrrpd" -n -f "$T/n1.conf"
wait_for 8 "node 1 (without CAP_BPF) is master" vrrp_state_is n1 master
t_assert "no filter on node 1's eth0" [ "$(filters n1)" = 0 ]
t_assert "status: no syn_hold filter" [ "$(vrrpctl_json n1 | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["syn_hold"]))')" = 0 ]
kill -HUP "$PID_vrrpd_n1"
wait_for 4 "node 1 reloaded" grep -q "configuration reloaded" "$T/vrrpd_n1.log"
t_assert "logged once: $(grep 'syn-hold off:' "$T/vrrpd_n1.log" | head -n1)" [ "$(grep -c 'syn-hold off:' "$T/vrrpd_n1.log")" = 1 ]
t_assert "node 1 is still master" vrrp_state_is n1 master
t_log "PASS"
