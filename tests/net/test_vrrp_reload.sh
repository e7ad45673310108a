#!/usr/bin/env bash
# Reload without flap: SIGHUP with a new priority and advert interval
# applies at once, the master stays master and the VIP never leaves the
# interface; the backup learns the new interval.  A broken file on SIGHUP
# is refused and the running configuration kept.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_pair 100ms
before=$(vrrp_field n1 counters.transitions)
vrrp_conf n1 110 200ms > "$T/n1.conf"
# Watch the VIP (every 10 ms, for 1.5 s) while the reload happens.
( end=$(($(date +%s%N) + 1500000000))
  while [ "$(date +%s%N)" -lt "$end" ]; do vip_on n1 || echo gone; sleep 0.01; done ) > "$T/watch" &
watch=$!
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "the new priority applies" field_is n1 effective_priority 110
t_assert "the new interval applies" [ "$(vrrp_field n1 advert_interval_ms)" = 200 ]
wait_for 3 "node 2 learned the master's new interval" field_is n2 master_advert_interval_ms 200
wait_for 2 "node 2 sees priority 110" field_is n2 master_priority 110
wait "$watch"
t_assert "the VIP never left node 1 during the reload" [ ! -s "$T/watch" ]
t_assert "no transition on node 1" [ "$(vrrp_field n1 counters.transitions)" = "$before" ]
t_assert "node 1 is master" vrrp_state_is n1 master
t_assert "node 2 is backup" vrrp_state_is n2 backup

printf 'instance VI_51 {\n\tvrid 300;\n}\n' > "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "the bad reload is refused and logged with file:line:col" grep -q "reload refused.*n1.conf:2:7: expected a whole number from 1 to 255" "$T/vrrpd_n1.log"
t_assert "node 1 still runs" kill -0 "$PID_vrrpd_n1"
t_assert "node 1 keeps priority 110" field_is n1 effective_priority 110
t_assert "node 1 state" vrrp_state_is n1 master
t_assert "VIP still on node 1" vip_on n1

# A reload that adds a track: it applies without a restart; the file is
# missing, so after fall 2 node 1 drops to 110 - 30 = 80 and hands over.
vrrp_conf n1 110 200ms "track f weight -30;" > "$T/n1.conf"
printf 'track f {\n\tfile %s/missing;\n\tinterval 100ms;\n\ttimeout 100ms;\n\tfall 2;\n}\n' "$T" >> "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "the new track lowers node 1 to 80" field_is n1 effective_priority 80
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
t_assert "by hand-over (priority 0)" [ "$(vrrp_field n2 last_transition.reason)" = master_left ]
