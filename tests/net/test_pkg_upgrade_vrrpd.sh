#!/usr/bin/env bash
# Upgrading vrrpd on the master moves nothing (issue 17): the master runs the
# vrrpd and lbd packages under the real systemd of a container
# (systemd-nspawn on an overlay of this machine's root, as test_pkg_systemd
# does); the backup runs vrrpd in its own namespace; a client sends HTTP
# through the VIP to lbd on the master (wrk -c10, and a keep-alive client
# that pipelines).  A rebuilt vrrpd package (a newer version of the same
# files) is installed with `dpkg -i` on the master 5 times at 1 s adverts,
# then 5 times at 100 ms adverts (the postinst asks for the restart that
# keeps the VIP): the backup makes no transition, the master's vrrpd is a new
# process each time and master again, no HTTP request fails through the VIP.
#
# VRRPD_UPGRADE=stop removes the postinst's restart request from the rebuilt
# packages (an upgrade stops vrrpd: priority 0, the VIP moves): the same
# checks then fail, which shows that the test sees an upgrade that moves
# the VIP.
# run.sh timeout: 300
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
. "$(dirname "$0")/lbd_lib.sh"
. "$(dirname "$0")/pkg_lib.sh"
net_require dpkg-buildpackage dh dpkg-deb systemd-nspawn flock curl mount wrk
cd "$REPO"
UPGRADES=5

exec 8>/tmp/ha-appliance-pkg-test.lock
flock -w 300 8 || t_fail "another package test holds /tmp/ha-appliance-pkg-test.lock"

t_assert "make deb succeeds" make --no-print-directory deb
mkdir -p "$T/in" "$T/repack"
cp build/deb/vrrpd_*_amd64.deb "$T/in/vrrpd.deb"
cp build/deb/lbd_*_amd64.deb "$T/in/lbd.deb"
dpkg-deb -R "$T/in/vrrpd.deb" "$T/repack/vrrpd" || t_fail "dpkg-deb -R"
version=$(dpkg-deb -f "$T/in/vrrpd.deb" Version)
if [ "${VRRPD_UPGRADE:-}" = stop ]; then
	sed -i 's|touch /run/vrrpd/vrrpd.restart|: no restart request|' "$T/repack/vrrpd/DEBIAN/postinst"
fi
for u in $(seq 1 $((2 * UPGRADES))); do
	sed -i "s/^Version: .*/Version: $version+r$u/" "$T/repack/vrrpd/DEBIAN/control"
	dpkg-deb -b "$T/repack/vrrpd" "$T/in/vrrpd-r$u.deb" >/dev/null || t_fail "dpkg-deb -b r$u"
done

vrrp_lab
NS_lb=$NS_cl # lbd_nginx runs its server in "lb": here the client's namespace
lbd_nginx a 198.51.100.50:8080
vrrp_conf n1 100 1s | sed "s|control .*|control /run/vrrpd/vrrpd.sock;|" > "$T/in/vrrpd.conf"
cat > "$T/in/lbd.conf" <<'C'
global { workers 2; control /run/lbd/lbd.sock; grace 5s; stats 198.51.100.11:8404; }
defaults { access-log off; }
backend be { server a 198.51.100.50:8080; }
frontend fe { bind 198.51.100.100:9192; backend be; }
C

pkg_root

pkg_driver "ha-appliance vrrpd upgrade test driver" 260 > "$T/in/ha-test.service"

pkg_driver_head "UPGRADES=$UPGRADES" > "$T/in/driver.sh"
cat >> "$T/in/driver.sh" <<'EOF'
mainpid() { systemctl show -p MainPID --value vrrpd; }
new_main() { p=$(mainpid); [ "$p" != 0 ] && [ "$p" != "$1" ] && systemctl -q is-active vrrpd; }
vip_on() { ip -o addr show dev eth0 to 198.51.100.100 | grep -q .; }
master() { vrrpctl -s /run/vrrpd/vrrpd.sock --json status | grep -q '"state":"master"'; }

printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
check "dpkg -i vrrpd lbd" dpkg -i --force-confold /ha-test/vrrpd.deb /ha-test/lbd.deb
cp /ha-test/vrrpd.conf /etc/vrrpd/vrrpd.conf
cp /ha-test/lbd.conf /etc/lbd/lbd.conf
rm /usr/sbin/policy-rc.d # from here on the packages' scripts restart what they upgrade
# Quicker upgrades on a loaded machine: no man-db index update, no fsync.
rm -f /var/lib/man-db/auto-update
echo force-unsafe-io > /etc/dpkg/dpkg.cfg.d/ha-test
check "systemctl start lbd vrrpd" timeout 20 systemctl start lbd vrrpd
check "vrrpd, alone, takes the VIP" poll 80 vip_on
touch /ha-out/ready
r=0
for phase in 1s 100ms; do
	if [ "$phase" = 100ms ]; then
		sed -i 's/advert 1s;/advert 100ms;/' /etc/vrrpd/vrrpd.conf
		check "$phase: systemctl reload vrrpd (advert 100ms)" timeout 10 systemctl reload vrrpd
	fi
	touch "/ha-out/set-$phase"
	poll 600 test -e "/ha-out/go-$phase"
	for u in $(seq 1 "$UPGRADES"); do
		r=$((r + 1))
		old=$(mainpid)
		echo "$(date +%T.%N) $phase upgrade $u: dpkg -i" >> /ha-out/times
		check "$phase: upgrade $u: dpkg -i the rebuilt vrrpd (r$r)" dpkg -i --force-confold "/ha-test/vrrpd-r$r.deb"
		echo "$(date +%T.%N) $phase upgrade $u: dpkg done" >> /ha-out/times
		check "$phase: upgrade $u: a new vrrpd process" poll 50 new_main "$old"
		check "$phase: upgrade $u: master again" poll 50 master
		check "$phase: upgrade $u: the VIP is on the master" vip_on
		sleep 1
	done
	touch "/ha-out/done-$phase"
done
poll 600 test -e /ha-out/stop
journalctl -q --no-pager -u vrrpd -u lbd > /ha-out/journal.log
echo done >> "$R"
EOF

pkg_boot n1 280 CAP_NET_ADMIN,CAP_IPC_LOCK
NSPAWN=$PID_nspawn
wait_for 90 "the master runs vrrpd and lbd in the container" test -e "$T/out/ready"
wait_for 10 "the master holds the VIP" vip_on n1

backup() { # ADVERT
	[ -n "${PID_vrrpd_n2:-}" ] && net_stop "$PID_vrrpd_n2"
	vrrp_conf n2 90 "$1" > "$T/n2.conf"
	vrrp_run n2 "$T/n2.conf"
	wait_for 10 "the backup ($1 adverts) is backup" vrrp_state_is n2 backup
}

URL=http://$VIP:9192/
net_spawn cl wrk wrk -t1 -c10 -d250s --timeout 2s "$URL"
WRK=$PID_wrk
net_spawn cl ka "$PY" "$(dirname "$0")/lbd_keepalive_client.py" "$VIP" 9192 "$T/stop-ka" 2 250
KA=$PID_ka
declare -A TRANS SEEN VIP1 VIP2
for phase in 1s 100ms; do
	wait_for 20 "$phase: the master is set" test -e "$T/out/set-$phase"
	backup "$phase"
	before=$(vrrp_field n2 counters.transitions)
	"$BIN/vrrpctl" -s "$T/n2.sock" subscribe > "$T/events-$phase" 2>&1 &
	sub=$!
	NET_PIDS+=("$sub")
	wait_for 2 "subscribed to the backup" grep -q '"subscribed":true' "$T/events-$phase"
	touch "$T/out/go-$phase"
	wait_for 120 "$phase: $UPGRADES upgrades of vrrpd on the master" test -e "$T/out/done-$phase"
	# Checked once the container has stopped and its logs are shown.
	TRANS[$phase]=$(($(vrrp_field n2 counters.transitions) - before))
	SEEN[$phase]=$(grep -c '"transition"' "$T/events-$phase")
	vip_on n1 && VIP1[$phase]=yes || VIP1[$phase]=no
	vip_off n2 && VIP2[$phase]=no || VIP2[$phase]=yes
	kill "$sub" 2>/dev/null
done
wrk_alive=no
net_alive "$WRK" && wrk_alive=yes
touch "$T/stop-ka"
kill -INT "$WRK"
wait "$KA"
wait "$WRK"
touch "$T/out/stop"
wait "$NSPAWN"
rc=$?
cat "$T/ka.log" "$T/wrk.log"
t_assert "the container ran its driver and powered off (exit $rc)" test "$rc" = 0
t_log "the units' journal:"
cat "$T/out/journal.log"
cat "$T/out/times" "$T/vrrpd_n2.log"
pkg_results "$((3 + 1 + 2 * 4 * UPGRADES))"
for phase in 1s 100ms; do
	t_assert "$phase: no transition on the backup over $UPGRADES upgrades (${TRANS[$phase]})" [ "${TRANS[$phase]}" = 0 ]
	t_assert "$phase: the backup's subscriber saw no transition (${SEEN[$phase]})" [ "${SEEN[$phase]}" = 0 ]
	t_assert "$phase: the VIP was on the master after the upgrades" [ "${VIP1[$phase]}" = yes ]
	t_assert "$phase: the VIP was not on the backup" [ "${VIP2[$phase]}" = no ]
done
t_assert "wrk was still running after the last upgrade" [ "$wrk_alive" = yes ]
reqs=$(awk '/requests in/ { print $1 }' "$T/wrk.log")
t_assert "wrk made requests through the VIP ($reqs)" test "${reqs:-0}" -gt 1000
t_assert "wrk: no socket errors over $((2 * UPGRADES)) upgrades of vrrpd" bash -c "! grep -q 'Socket errors' '$T/wrk.log'"
t_assert "wrk: no non-2xx" bash -c "! grep -q 'Non-2xx' '$T/wrk.log'"
t_assert "keep-alive client: requests made" grep -Eq '^ok=[1-9][0-9]{2,}' "$T/ka.log"
t_assert "keep-alive client: no failed request" grep -q ' failed=0$' "$T/ka.log"
exit 0
