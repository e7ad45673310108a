#!/usr/bin/env bash
# The packages on this machine, as an operator uses them: dpkg -i installs
# vrrpd and lbd with their files, conffiles, user and group; the installed
# daemons accept the installed configs (-t); a rebuilt package with a higher
# version upgrades over it and keeps the operator's edit of a conffile;
# dpkg --purge leaves nothing behind.  Whatever happens, the trap purges what
# this test installed.
. "$(dirname "$0")/lib.sh"
net_require dpkg-buildpackage dh dpkg flock adduser
cd "$REPO"

# One package test at a time on this machine (dpkg has one database).
exec 8>/tmp/ha-appliance-pkg-test.lock
flock -w 300 8 || t_fail "another package test holds /tmp/ha-appliance-pkg-test.lock"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
present() { dpkg-query -W -f='${Status}' "$1" >/dev/null 2>&1 && ! dpkg-query -W -f='${Status}' "$1" | grep -q 'not-installed'; }
for p in vrrpd lbd; do
	present "$p" && net_unavailable "package $p is already on this machine: remove it first (dpkg --purge $p)"
done
getent passwd lbd >/dev/null && net_unavailable "a user 'lbd' exists already"
getent group vrrpd >/dev/null && net_unavailable "a group 'vrrpd' exists already"
net_on_exit "dpkg --purge lbd vrrpd"

t_assert "make deb succeeds" make --no-print-directory deb
VER=$(dpkg-deb -f build/deb/vrrpd_*.deb Version)
mkdir -p "$T/v1" "$T/v2"
cp build/deb/vrrpd_*.deb build/deb/lbd_*.deb "$T/v1/"

# ---- install ------------------------------------------------------------------
t_assert "dpkg -i vrrpd lbd" dpkg -i "$T"/v1/vrrpd_*.deb "$T"/v1/lbd_*.deb
for p in vrrpd lbd; do t_assert "$p is installed ($VER)" installed "$p"; done
for f in /usr/sbin/vrrpd /usr/sbin/lbd /usr/bin/vrrpctl /usr/bin/lbctl /usr/bin/ha-failover-test; do
	t_assert "$f is an executable" test -x "$f"
done
for f in /etc/vrrpd/vrrpd.conf /etc/lbd/lbd.conf /lib/systemd/system/vrrpd.service /lib/systemd/system/lbd.service; do
	t_assert "$f is installed" test -f "$f"
done
for m in vrrpd.8 lbd.8 vrrpctl.8 lbctl.8 vrrpd.conf.5 lbd.conf.5 ha-failover-test.1; do
	t_assert "man page $m is installed" test -f "/usr/share/man/man${m##*.}/$m.gz"
done
t_assert "/etc/vrrpd/vrrpd.conf is a conffile" bash -c "dpkg-query -W -f='\${Conffiles}' vrrpd | grep -q '/etc/vrrpd/vrrpd.conf '"
t_assert "/etc/lbd/lbd.conf is a conffile" bash -c "dpkg-query -W -f='\${Conffiles}' lbd | grep -q '/etc/lbd/lbd.conf '"
t_assert "system user lbd exists" bash -c "getent passwd lbd | awk -F: '\$3 < 1000 { f=1 } END { exit !f }'"
t_assert "lbd has no login shell" bash -c "getent passwd lbd | grep -q -e nologin -e /bin/false"
t_assert "system group vrrpd exists" getent group vrrpd
t_assert "lbd is in group vrrpd (reads vrrpd's control socket)" bash -c "id -nG lbd | grep -qw vrrpd"
t_assert "installed vrrpd -V says $VER" bash -c "/usr/sbin/vrrpd -V | grep -q '${VER%%+*}'"
t_assert "installed vrrpd accepts /etc/vrrpd/vrrpd.conf (-t)" /usr/sbin/vrrpd -t -f /etc/vrrpd/vrrpd.conf
t_assert "installed lbd accepts /etc/lbd/lbd.conf (-t)" /usr/sbin/lbd -t -f /etc/lbd/lbd.conf
t_assert "installed vrrpd accepts the node 2 example (-t)" /usr/sbin/vrrpd -t -f /usr/share/doc/vrrpd/examples/node2.conf
t_assert "installed lbd accepts the node 2 example (-t)" /usr/sbin/lbd -t -f /usr/share/doc/lbd/examples/node2.conf
t_assert "ha-failover-test --help works installed" bash -c "/usr/bin/ha-failover-test --help | grep -q -- --vip"

# ---- upgrade: a rebuilt package with a higher version; the operator's edit stays
echo "# edited by the operator" >>/etc/vrrpd/vrrpd.conf
t_assert "make deb with version $VER+1" env DEB_VERSION="$VER+1" make --no-print-directory deb
cp build/deb/vrrpd_*.deb build/deb/lbd_*.deb "$T/v2/"
t_assert "dpkg -i upgrades to $VER+1" dpkg -i "$T"/v2/vrrpd_*.deb "$T"/v2/lbd_*.deb
for p in vrrpd lbd; do
	t_assert "$p is at $VER+1" bash -c "dpkg-query -W -f='\${Version}' $p | grep -qx '$VER+1'"
done
t_assert "the operator's edit of the conffile survived the upgrade" grep -q "edited by the operator" /etc/vrrpd/vrrpd.conf
t_assert "the user lbd survived the upgrade" getent passwd lbd
t_assert "upgraded vrrpd still accepts its config (-t)" /usr/sbin/vrrpd -t -f /etc/vrrpd/vrrpd.conf

# ---- purge: nothing left ----------------------------------------------------------
dpkg-deb -c "$T"/v2/vrrpd_*.deb | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/files"
dpkg-deb -c "$T"/v2/lbd_*.deb | awk '{ print $6 }' | sed 's|^\./|/|' >>"$T/files"
t_assert "dpkg --purge lbd vrrpd" dpkg --purge lbd vrrpd
for p in vrrpd lbd; do t_assert "$p is gone from dpkg's database" bash -c "! dpkg-query -W -f='\${Status}' $p 2>/dev/null | grep -q installed"; done
left=$(grep -v '/$' "$T/files" | while read -r f; do [ -e "$f" ] && echo "$f"; done)
t_assert "no file of either package is left${left:+: $left}" test -z "$left"
for d in /etc/vrrpd /etc/lbd /usr/share/doc/vrrpd /usr/share/doc/lbd; do
	t_assert "$d is gone" test ! -e "$d"
done
t_assert "no systemd enablement link left" bash -c "! ls /etc/systemd/system/*/vrrpd.service /etc/systemd/system/*/lbd.service 2>/dev/null | grep -q ."
t_assert "no deb-systemd-helper state left" bash -c "! ls /var/lib/systemd/deb-systemd-helper-enabled/ 2>/dev/null | grep -qE '^(vrrpd|lbd)\.service'; ! find /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked -name '*vrrpd*' -o -name '*lbd.service*' 2>/dev/null | grep -q ."
t_assert "the user lbd is gone" bash -c "! getent passwd lbd"
t_assert "the groups lbd and vrrpd are gone" bash -c "! getent group lbd && ! getent group vrrpd"
exit 0
