#!/usr/bin/env bash
# Restarts and package upgrades of lbd that the clients do not notice
# (issue 17), under the real systemd of a container (systemd-nspawn on an
# overlay of this machine's root, as test_pkg_systemd does) running the
# shipped unit.  From the peer namespace, at steady load through lbd: wrk
# (20 connections, stopped with SIGINT once the driver is through), h2load
# --h1 (10 connections, 4 pipelined requests each, in rounds of 4 s) and a
# keep-alive client that also pipelines.  Inside, the driver runs
# `systemctl restart lbd` 10 times, then installs a rebuilt lbd package 3
# times with `dpkg -i` (the postinst upgrades in place).  Zero failed
# requests, zero connection errors (reset, refused), zero timeouts; every
# restart took the listening sockets back from systemd's fd store, every
# upgrade handed them over.
#
# LBD_UNIT_NOSTORE=1 installs the unit without FileDescriptorStoreMax=
# (restarts close the sockets as before): the same checks then fail, which
# shows that the test sees a restart that loses connections.
# run.sh timeout: 300
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
. "$(dirname "$0")/pkg_lib.sh"
net_require dpkg-buildpackage dh dpkg-deb systemd-nspawn flock curl mount wrk h2load
cd "$REPO"

RESTARTS=10
UPGRADES=3

exec 8>/tmp/ha-appliance-pkg-test.lock
flock -w 300 8 || t_fail "another package test holds /tmp/ha-appliance-pkg-test.lock"

t_assert "make deb succeeds" make --no-print-directory deb
mkdir -p "$T/in" "$T/repack"
cp build/deb/lbd_*_amd64.deb "$T/in/lbd.deb"
# The rebuilt packages: the same files under a newer version each.
dpkg-deb -R "$T/in/lbd.deb" "$T/repack/lbd" || t_fail "dpkg-deb -R"
version=$(dpkg-deb -f "$T/in/lbd.deb" Version)
if [ -n "${LBD_UNIT_NOSTORE:-}" ]; then
	sed -i '/^FileDescriptorStoreMax=/d' "$T/repack/lbd/lib/systemd/system/lbd.service"
	dpkg-deb -b "$T/repack/lbd" "$T/in/lbd.deb" >/dev/null || t_fail "dpkg-deb -b"
fi
for u in $(seq 1 "$UPGRADES"); do
	sed -i "s/^Version: .*/Version: $version+r$u/" "$T/repack/lbd/DEBIAN/control"
	dpkg-deb -b "$T/repack/lbd" "$T/in/lbd-r$u.deb" >/dev/null || t_fail "dpkg-deb -b r$u"
done

ns_create n1
ns_create lb # the servers and the clients
net_veth n1 eth0 lb eth0
ns_exec n1 ip addr add 198.51.100.11/24 dev eth0
ns_exec lb ip addr add 198.51.100.12/24 dev eth0
lbd_nginx a 198.51.100.12:8080
lbd_nginx b 198.51.100.12:8081
cat > "$T/in/lbd.conf" <<'C'
global { workers 2; control /run/lbd/lbd.sock; grace 5s; stats 198.51.100.11:8404; }
defaults { access-log off; }
backend be { server a 198.51.100.12:8080; server b 198.51.100.12:8081; }
frontend fe { bind 198.51.100.11:9192; backend be; }
C

pkg_root

pkg_driver "ha-appliance upgrade test driver" 200 > "$T/in/ha-test.service"

pkg_driver_head "RESTARTS=$RESTARTS" "UPGRADES=$UPGRADES" > "$T/in/driver.sh"
cat >> "$T/in/driver.sh" <<'EOF'
mainpid() { systemctl show -p MainPID --value lbd; }
new_main() { p=$(mainpid); [ "$p" != 0 ] && [ "$p" != "$1" ] && systemctl -q is-active lbd; }
gone() { ! kill -0 "$1" 2>/dev/null; }
logged() { journalctl -q --no-pager -u lbd _PID="$1" | grep -q "$2"; }

printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
check "dpkg -i lbd" dpkg -i --force-confold /ha-test/lbd.deb
cp /ha-test/lbd.conf /etc/lbd/lbd.conf
check "systemctl start lbd" timeout 20 systemctl start lbd
check "lbd answers /healthz" poll 50 curl -sf -o /dev/null --max-time 1 http://198.51.100.11:8404/healthz
touch /ha-out/ready
poll 300 test -e /ha-out/go
for i in $(seq 1 "$RESTARTS"); do
	old=$(mainpid)
	check "restart $i: systemctl restart lbd" timeout 30 systemctl restart lbd
	check "restart $i: a new main process" poll 50 new_main "$old"
	check "restart $i: it took the listening sockets back from the fd store" \
		poll 30 logged "$(mainpid)" "taken back from systemd's fd store"
	# Steady load between restarts; and systemd refuses a 6th start within
	# 10 s (its default start limit, which the unit keeps for crash loops).
	sleep 2.5
done
for u in $(seq 1 "$UPGRADES"); do
	old=$(mainpid)
	check "upgrade $u: dpkg -i the rebuilt package (r$u)" dpkg -i --force-confold "/ha-test/lbd-r$u.deb"
	check "upgrade $u: a new main process" poll 50 new_main "$old"
	check "upgrade $u: it took the sockets over from the old process" \
		poll 30 logged "$(mainpid)" "taken over from pid $old"
	check "upgrade $u: the old process drained and exited" poll 100 gone "$old"
	sleep 1
done
check "lbd is active after $RESTARTS restarts and $UPGRADES upgrades" systemctl -q is-active lbd
touch /ha-out/finished
poll 600 test -e /ha-out/stop
journalctl -q --no-pager -u lbd > /ha-out/journal.log
check "no error in lbd's journal" sh -c '! journalctl -q --no-pager -p err -u lbd | grep .'
check "systemctl stop lbd" timeout 40 systemctl stop lbd
echo done >> "$R"
EOF

pkg_boot n1 220
NSPAWN=$PID_nspawn
wait_for 90 "lbd runs in the container" test -e "$T/out/ready"

URL=http://198.51.100.11:9192/
net_spawn lb wrk wrk -t1 -c20 -d200s --timeout 2s "$URL"
WRK=$PID_wrk
# h2load prints nothing when interrupted: rounds of 4 s until told to stop.
h2load_rounds() {
	for _ in $(seq 1 50); do
		[ -e "$T/stop-h2" ] && return 0
		timeout 20 h2load --h1 -c 10 -m 4 -D 4 -T 2 "$URL" | grep -E '^(requests|status codes):'
	done
}
net_spawn lb h2load bash -c "$(declare -f h2load_rounds); T=$T URL=$URL h2load_rounds"
H2=$PID_h2load
net_spawn lb ka "$PY" "$(dirname "$0")/lbd_keepalive_client.py" 198.51.100.11 9192 "$T/stop-ka" 4 120
KA=$PID_ka
sleep 2 # steady load before the first restart
touch "$T/out/go"
wait_for 170 "the driver made $RESTARTS restarts and $UPGRADES upgrades" test -e "$T/out/finished"
t_assert "wrk was still running after the last upgrade" net_alive "$WRK"
t_assert "h2load was still running after the last upgrade" net_alive "$H2"
touch "$T/stop-ka" "$T/stop-h2"
kill -INT "$WRK" # wrk stops and prints its counts
wait "$KA"
wait "$WRK"
wait "$H2"
touch "$T/out/stop"
wait "$NSPAWN"
rc=$?
cat "$T/ka.log" "$T/wrk.log"
cat "$T/h2load.log"
t_assert "the container ran its driver and powered off (exit $rc)" test "$rc" = 0
t_log "lbd's journal:"
cat "$T/out/journal.log"
pkg_results "$((6 + 3 * RESTARTS + 4 * UPGRADES))"

what="over $RESTARTS restarts and $UPGRADES upgrades"
reqs=$(awk '/requests in/ { print $1 }' "$T/wrk.log")
t_assert "wrk made requests ($reqs)" test "${reqs:-0}" -gt 5000
t_assert "wrk: no socket errors (connect, read, write, timeout) $what" bash -c "! grep -q 'Socket errors' '$T/wrk.log'"
t_assert "wrk: no non-2xx $what" bash -c "! grep -q 'Non-2xx' '$T/wrk.log'"
h2done=$(awk '/^requests:/ { n += $6 } END { print n + 0 }' "$T/h2load.log")
t_assert "h2load made requests ($h2done)" test "$h2done" -gt 5000
t_assert "h2load: no request failed, errored or timed out $what" \
	bash -c "! grep '^requests:' '$T/h2load.log' | grep -v ' 0 failed, 0 errored, 0 timeout$'"
t_assert "h2load: only 2xx answers" \
	bash -c "! grep '^status codes:' '$T/h2load.log' | grep -v ' 0 3xx, 0 4xx, 0 5xx$'"
t_assert "keep-alive client: requests made" grep -Eq '^ok=[1-9][0-9]{2,}' "$T/ka.log"
t_assert "keep-alive client: no failed request" grep -q ' failed=0$' "$T/ka.log"
exit 0
