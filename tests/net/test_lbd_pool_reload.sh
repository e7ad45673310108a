#!/usr/bin/env bash
# Pools of servers that went away are freed: 12
# reloads that move server 'a' between two addresses, each followed by a
# few requests that leave a pooled connection to the new address; the old
# address's pool empties (its connections are closed with the old config's
# server) and must go: 'lbctl status' counts at most one pool per worker.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"

lbd_setup
lbd_nginx a 192.0.2.11:8080
lbd_nginx b 192.0.2.12:8080
conf() { # ADDRESS
	lbd_conf "$T/lbd.conf" <<C
defaults { timeout pool-idle 1s; }
backend be { server a $1:8080; }
frontend fe { bind 192.0.2.10:9192; backend be; }
C
}
conf 192.0.2.11
lbd_start "$T/lbd.conf"
for i in $(seq 1 12); do
	if [ $((i % 2)) = 1 ]; then addr=192.0.2.12 want=b; else addr=192.0.2.11 want=a; fi
	conf $addr
	gen=$(lbd_stat "s['generation']")
	lbctl_ reload > /dev/null || t_fail "reload $i"
	wait_for 5 "reload $i applied" lbd_check "s['generation'] > $gen"
	for j in 1 2 3 4; do
		got=$(c http://192.0.2.10:9192/)
		[ "$got" = "$want" ] || t_fail "reload $i: answer from '$got', expected $want"
	done
done
t_log "pools after 12 reloads: $(lbd_stat "s['pools']")"
wait_for 5 "at most one pool per worker (2) after the old ones emptied" lbd_check "s['pools'] <= 2"
