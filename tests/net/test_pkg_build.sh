#!/usr/bin/env bash
# make deb builds the binary packages vrrpd and lbd with debhelper, and lintian
# reports no error and no warning on either.  Each package holds what an
# operator expects: daemons in /usr/sbin, tools in /usr/bin, configs as
# conffiles, man pages, systemd units with the hardening the issue asks for.
. "$(dirname "$0")/lib.sh"
net_require dpkg-buildpackage dh lintian dpkg-deb systemd-analyze readelf
cd "$REPO"

t_assert "make deb succeeds" make --no-print-directory deb
VRRPD_DEB=$(ls build/deb/vrrpd_*.deb)
LBD_DEB=$(ls build/deb/lbd_*.deb)
t_log "packages: $VRRPD_DEB $LBD_DEB"

lintian --fail-on error,warning "$VRRPD_DEB" "$LBD_DEB" >"$T/lintian.log" 2>&1
rc=$?
cat "$T/lintian.log"
t_assert "lintian: no error or warning on vrrpd and lbd (exit $rc)" test "$rc" = 0
t_assert "lintian output has no E: or W: line" bash -c "! grep -E '^(E|W): ' '$T/lintian.log'"

contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'; }
contents "$VRRPD_DEB" >"$T/vrrpd.list"
contents "$LBD_DEB" >"$T/lbd.list"
for f in /usr/sbin/vrrpd /usr/bin/vrrpctl /usr/bin/ha-failover-test /etc/vrrpd/vrrpd.conf \
	/lib/systemd/system/vrrpd.service /usr/share/man/man8/vrrpd.8.gz /usr/share/man/man8/vrrpctl.8.gz \
	/usr/share/man/man5/vrrpd.conf.5.gz /usr/share/man/man1/ha-failover-test.1.gz \
	/usr/share/doc/vrrpd/examples/node2.conf; do
	t_assert "vrrpd package contains $f" grep -qx "$f" "$T/vrrpd.list"
done
for f in /usr/sbin/lbd /usr/bin/lbctl /etc/lbd/lbd.conf /lib/systemd/system/lbd.service \
	/usr/share/man/man8/lbd.8.gz /usr/share/man/man8/lbctl.8.gz /usr/share/man/man5/lbd.conf.5.gz \
	/usr/share/doc/lbd/examples/node2.conf; do
	t_assert "lbd package contains $f" grep -qx "$f" "$T/lbd.list"
done
t_assert "vrrpd conffiles: /etc/vrrpd/vrrpd.conf" \
	bash -c "dpkg-deb -f '$VRRPD_DEB' >/dev/null && dpkg-deb -I '$VRRPD_DEB' conffiles | grep -qx /etc/vrrpd/vrrpd.conf"
t_assert "lbd conffiles: /etc/lbd/lbd.conf" \
	bash -c "dpkg-deb -I '$LBD_DEB' conffiles | grep -qx /etc/lbd/lbd.conf"

# The units as shipped: readiness, validated reload, restart, capabilities, hardening.
mkdir -p "$T/x"
dpkg-deb -x "$VRRPD_DEB" "$T/x"
dpkg-deb -x "$LBD_DEB" "$T/x"
unit_has() { grep -qx "$2" "$T/x/lib/systemd/system/$1.service"; }
for u in vrrpd lbd; do
	for l in "Type=notify" "ExecReload=/usr/sbin/$u -t -f /etc/$u/$u.conf" 'ExecReload=/bin/kill -HUP $MAINPID' \
		"Restart=on-failure" "NoNewPrivileges=yes" "ProtectSystem=strict" "PrivateTmp=yes" "RuntimeDirectory=$u"; do
		t_assert "$u.service: $l" unit_has "$u" "$l"
	done
done
# CAP_BPF loads the XDP guard and the accept-off filter at start; vrrpd drops it
# after start-up (test_pkg_daemons and test_pkg_systemd check the running process).
t_assert "vrrpd.service keeps CAP_NET_ADMIN CAP_NET_RAW CAP_BPF only" unit_has vrrpd "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_BPF"
t_assert "vrrpd.service removes the VIPs after any exit" unit_has vrrpd "ExecStopPost=/usr/sbin/vrrpd --cleanup -f /etc/vrrpd/vrrpd.conf"
t_assert "lbd.service runs as user lbd" unit_has lbd "User=lbd"
t_assert "lbd.service keeps CAP_NET_BIND_SERVICE only" unit_has lbd "CapabilityBoundingSet=CAP_NET_BIND_SERVICE"
t_assert "lbd.service grants CAP_NET_BIND_SERVICE to the user" unit_has lbd "AmbientCapabilities=CAP_NET_BIND_SERVICE"
for u in vrrpd lbd; do
	# --root resolves ExecStart= binaries inside the extracted package; without a
	# running systemd, the missing sysinit.target is the one complaint to ignore
	out=$(systemd-analyze verify --man=no --root="$T/x" "$T/x/lib/systemd/system/$u.service" 2>&1 |
		grep -v -e 'Failed to create .*Unit sysinit.target not found' -e '^$')
	t_assert "systemd-analyze verify $u.service: no complaint${out:+ ($out)}" test -z "$out"
done
# Maintainer scripts: enabled but not started on install, a running daemon
# restarted on upgrade (try-restart), stopped on removal.
for p in vrrpd lbd; do
	deb=$(ls build/deb/${p}_*.deb)
	mkdir -p "$T/ctl-$p"
	dpkg-deb -e "$deb" "$T/ctl-$p"
	t_assert "$p postinst enables the unit" grep -q "deb-systemd-helper enable '$p.service'" "$T/ctl-$p/postinst"
	if [ "$p" = lbd ]; then # the running lbd starts the new binary (upgrade in place)
		t_assert "lbd postinst never starts it, asks a running one to upgrade in place (try-restart only if it cannot)" \
			bash -c "grep -q 'lbctl -s /run/lbd/lbd.sock upgrade' '$T/ctl-$p/postinst' && ! grep -qE 'deb-systemd-invoke (start|restart) ' '$T/ctl-$p/postinst'"
		t_assert "lbd.service: NotifyAccess=all (the new process sends MAINPID=)" unit_has lbd "NotifyAccess=all"
	else
		t_assert "$p postinst never starts it, only try-restarts a running one on upgrade" \
			bash -c "grep -q \"deb-systemd-invoke try-restart '$p.service'\" '$T/ctl-$p/postinst' && ! grep -qE 'deb-systemd-invoke (start|restart) ' '$T/ctl-$p/postinst'"
	fi
	t_assert "$p prerm stops the service on removal" grep -q "deb-systemd-invoke stop $p.service" "$T/ctl-$p/prerm"
done
t_assert "vrrpd binary in the package runs (-V)" bash -c "'$T/x/usr/sbin/vrrpd' -V | grep -q '^vrrpd '"
t_assert "lbd binary in the package runs (-V)" bash -c "'$T/x/usr/sbin/lbd' -V | grep -q '^lbd '"
t_assert "dpkg-buildflags hardening reached the binaries (bind-now)" \
	bash -c "readelf -d '$T/x/usr/sbin/lbd' | grep -q BIND_NOW"
exit 0
