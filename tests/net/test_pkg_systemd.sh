#!/usr/bin/env bash
# The packages under a real systemd: a container (systemd-nspawn) boots
# this machine's systemd on a copy-on-write overlay of its root, in a
# network namespace of this test with documentation addresses.  Inside,
# the driver below installs the two .debs with dpkg, puts node 1's lab
# configs in /etc, and runs the units as shipped, with all their sandboxing
# (User=, capability sets, ProtectSystem=strict, SystemCallFilter=,
# RuntimeDirectory=, Type=notify).  Each check it makes is a line here.
# Nothing is installed on this machine itself: the overlay goes with the test.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pkg_lib.sh"
net_require dpkg-buildpackage dh dpkg-deb systemd-nspawn flock curl mount
cd "$REPO"

# One package test at a time on this machine (build/deb is shared).
exec 8>/tmp/ha-appliance-pkg-test.lock
flock -w 300 8 || t_fail "another package test holds /tmp/ha-appliance-pkg-test.lock"

t_assert "make deb succeeds" make --no-print-directory deb
t_assert "configs for node1 (lab addresses)" configs/generate.sh -e packaging/lab/env -o "$T/conf"
# The container's root: this machine's /, with writes going to $T/upper.
pkg_root
cp build/deb/vrrpd_*_amd64.deb "$T/in/vrrpd.deb"
cp build/deb/lbd_*_amd64.deb "$T/in/lbd.deb"
cp "$T/conf/node1/vrrpd.conf" "$T/conf/node1/lbd.conf" "$T/in/"

ns_create n1
ns_create peer
net_veth n1 eth0 peer eth0
ns_exec n1 ip addr add 198.51.100.11/24 dev eth0
ns_exec peer ip addr add 198.51.100.12/24 dev eth0

# The driver runs as the container's only job (no start timeout: the
# container is stopped after 120 s); one line per check in /ha-out/results.
pkg_driver "ha-appliance package test driver" infinity > "$T/in/ha-test.service"
pkg_driver_head > "$T/in/driver.sh"
cat >> "$T/in/driver.sh" <<'EOF'
mainpid() { systemctl show -p MainPID --value "$1"; }
user_of() { ps -o user= -p "$(mainpid "$1")" | tr -d ' '; }
vip_on() { ip -o addr show dev eth0 to 198.51.100.100 | grep -q .; }
vip_off() { ! vip_on; }
no_errors() { ! journalctl -q --no-pager -p err -u "$1" | grep .; }
json() { curl -sf --max-time 2 'http://198.51.100.11:8404/stats;json'; }
vrrp_master() { json | grep -q '"name":"VI_51","state":"MASTER"'; }

# Services are started by this test, not by the postinst, whatever the machine.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
check "dpkg -i vrrpd lbd inside the container" dpkg -i --force-confold /ha-test/vrrpd.deb /ha-test/lbd.deb
cp /ha-test/vrrpd.conf /etc/vrrpd/vrrpd.conf
cp /ha-test/lbd.conf /etc/lbd/lbd.conf
check "both units are enabled by the packages" systemctl -q is-enabled vrrpd lbd

check "systemctl start lbd (Type=notify: lbd said READY)" timeout 20 systemctl start lbd
check "lbd is active" systemctl -q is-active lbd
check "lbd runs as user lbd" test "$(user_of lbd)" = lbd
check "lbd answers /healthz on 8404" poll 50 curl -sf -o /dev/null --max-time 1 http://198.51.100.11:8404/healthz
check "lbctl status through /run/lbd/lbd.sock" lbctl -s /run/lbd/lbd.sock status
check "systemctl start vrrpd (Type=notify)" timeout 20 systemctl start vrrpd
check "vrrpd is active" systemctl -q is-active vrrpd
grep -E 'locked|realtime' "/proc/$(mainpid vrrpd)/limits" > /ha-out/vrrpd.limits
grep -E 'Cap|VmLck' "/proc/$(mainpid vrrpd)/status" >> /ha-out/vrrpd.limits
check "vrrpd runs as root with CAP_NET_ADMIN and CAP_NET_RAW only" \
	grep -qx 'CapEff:.0000000000003000' "/proc/$(mainpid vrrpd)/status"
check "vrrpd's memory is locked (mlock on)" poll 30 sh -c "awk '/^VmLck/ { exit !(\$2 > 0) }' /proc/\$(systemctl show -p MainPID --value vrrpd)/status"
check "vrrpd, alone on the link, takes the VIP" poll 80 vip_on
check "vrrpd tracks lbd: effective priority 100" \
	poll 30 sh -c 'vrrpctl -s /run/vrrpd/vrrpd.sock --json status | grep -q "\"effective_priority\":100"'
check "lbd (user lbd, group vrrpd) reads vrrpd's control socket: MASTER on the stats page" poll 50 vrrp_master

pid=$(mainpid lbd)
check "systemctl reload lbd" timeout 10 systemctl reload lbd
check "lbd kept its process through the reload" test "$(mainpid lbd)" = "$pid"
check "lbd still answers after the reload" curl -sf -o /dev/null --max-time 1 http://198.51.100.11:8404/healthz
# Upgrade in place: the running lbd starts the installed binary,
# which takes the sockets over and becomes the main process (MAINPID=).
pid=$(mainpid lbd)
check "lbctl upgrade (what the postinst does on upgrade)" \
	lbctl -s /run/lbd/lbd.sock upgrade
check "a new lbd became the unit's main process" \
	poll 50 sh -c "p=\$(systemctl show -p MainPID --value lbd); [ \"\$p\" != 0 ] && [ \"\$p\" != $pid ]"
check "the old lbd drained and exited" poll 100 sh -c "! kill -0 $pid 2>/dev/null"
check "lbd is still active after the upgrade in place" systemctl -q is-active lbd
check "lbd answers after the upgrade in place" curl -sf -o /dev/null --max-time 1 http://198.51.100.11:8404/healthz
check "systemctl reload vrrpd" timeout 10 systemctl reload vrrpd
check "the VIP stayed through the reload" vip_on

pid=$(mainpid vrrpd)
check "SIGKILL to vrrpd" systemctl kill -s KILL vrrpd
check "Restart=on-failure starts a new vrrpd" poll 50 sh -c "p=\$(systemctl show -p MainPID --value vrrpd); [ \"\$p\" != 0 ] && [ \"\$p\" != $pid ] && systemctl -q is-active vrrpd"
check "the new vrrpd holds the VIP" poll 80 vip_on

check "systemctl stop vrrpd" timeout 20 systemctl stop vrrpd
check "the VIP is gone once vrrpd is stopped" vip_off
check "systemctl stop lbd" timeout 40 systemctl stop lbd
check "lbd is inactive" sh -c '! systemctl -q is-active lbd'
check "no error in lbd's journal" no_errors lbd
check "no error in vrrpd's journal" no_errors vrrpd
journalctl -q --no-pager -u lbd -u vrrpd > /ha-out/journal.log
echo done >> "$R"
EOF

# The container shares the namespace n1 (its eth0).  nspawn withholds
# CAP_NET_ADMIN from a container, and its own seccomp filter refuses
# mlockall without CAP_IPC_LOCK: both granted, as a real node's systemd has
# them; the units still narrow them down.  (Not so here: this machine's
# root lacks CAP_SYS_RESOURCE, so the units' LimitMEMLOCK=infinity and
# LimitRTPRIO=99 cannot be applied; vrrpd locks within the 8 MiB hard limit
# and warns that SCHED_FIFO is refused.)  The container powers itself off
# when the driver is through (ExecStopPost), and is stopped after 120 s.
pkg_boot n1 120 CAP_NET_ADMIN,CAP_IPC_LOCK
wait "$PID_nspawn"
rc=$?
t_assert "the container ran its driver and powered off (exit $rc)" test "$rc" = 0
t_log "the units' journal:"
cat "$T/out/journal.log"
t_log "vrrpd's limits and capabilities:"
cat "$T/out/vrrpd.limits"
pkg_results "$(grep -c "^check \"" "$0")"
exit 0
