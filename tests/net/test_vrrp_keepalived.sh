#!/usr/bin/env bash
# Interoperation with Debian's keepalived (VRRPv3) as the peer, each side
# master in turn: vrrpd (100) master with keepalived (90) backup; vrrpd's
# clean stop hands over to keepalived; vrrpd comes back and preempts; then
# keepalived at 110 preempts vrrpd, and when keepalived is killed vrrpd
# takes over again.  Both checksums agree (no discards on vrrpd's side).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
net_require keepalived

vrrp_lab
# Fallback if the test stops early: wake the VRRP child and let the parent
# shut its children down.
net_on_exit '[ -s "$T/ka-vrrp.pid" ] && kill -CONT "$(cat "$T/ka-vrrp.pid")"; [ -s "$T/ka.pid" ] && kill -TERM "$(cat "$T/ka.pid")"; sleep 0.5'

vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "vrrpd is master" vrrp_state_is n1 master
ka_run 90
wait_for 5 "keepalived enters BACKUP" grep -q "Entering BACKUP STATE" "$T/ka.log"
sleep 1
t_assert "keepalived stays backup: it accepts vrrpd's adverts" vip_off n2
t_assert "vrrpd stays master" vrrp_state_is n1 master
t_assert "vrrpd discarded nothing from keepalived" [ "$(vrrpctl_json n1 | "$PY" -c 'import json,sys; print(sum(json.load(sys.stdin)["instances"][0]["counters"]["discards"].values()))')" = 0 ]

# vrrpd's clean stop: keepalived takes over on priority 0.
net_stop "$PID_vrrpd_n1" TERM
wait_for 3 "keepalived takes the VIP" vip_on n2
t_assert "vrrpd released it" vip_off n1

# vrrpd comes back and preempts keepalived.
vrrp_run n1 "$T/n1.conf"
wait_for 5 "vrrpd preempts keepalived" vrrp_state_is n1 master
wait_for 3 "keepalived releases the VIP" vip_off n2
t_assert "vrrpd heard keepalived as master first" [ "$(vrrp_field n1 last_transition.reason)" = preempt ]

# Now keepalived is the stronger side.
ka_stop
ka_run 110
wait_for 5 "keepalived (110) preempts vrrpd" vrrp_state_is n1 backup
t_assert "vrrpd yielded to the higher priority" [ "$(vrrp_field n1 last_transition.reason)" = higher_priority ]
t_assert "vrrpd sees keepalived as master" [ "$(vrrp_field n1 master)" = 198.51.100.12 ]
t_assert "vrrpd sees priority 110" [ "$(vrrp_field n1 master_priority)" = 110 ]
t_assert "vrrpd learned keepalived's interval" [ "$(vrrp_field n1 master_advert_interval_ms)" = 100 ]
wait_for 2 "VIP on keepalived's node" vip_on n2
wait_for 2 "VIP off vrrpd's node" vip_off n1
t_assert "client pings the VIP on keepalived's node" ns_exec cl ping -c 1 -W 1 -q "$VIP"

# keepalived's VRRP process freezes (SIGSTOP: a SIGKILL would have the
# parent respawn it, and killing the parent makes the child leave cleanly
# with priority 0): vrrpd takes over after Master_Down_Interval.
kill -STOP "$(cat "$T/ka-vrrp.pid")"
wait_for 3 "vrrpd takes over from the dead keepalived" vrrp_state_is n1 master
t_assert "reason master_down" [ "$(vrrp_field n1 last_transition.reason)" = master_down ]
t_assert "vrrpd discarded nothing from keepalived" [ "$(vrrpctl_json n1 | "$PY" -c 'import json,sys; print(sum(json.load(sys.stdin)["instances"][0]["counters"]["discards"].values()))')" = 0 ]
kill -CONT "$(cat "$T/ka-vrrp.pid")"
ka_stop
