#!/usr/bin/env bash
# The packaged daemons run the way their systemd units run them, without
# systemd (none runs here): the binaries and units from the .debs, each
# daemon started with the unit's own capability set (CapabilityBoundingSet,
# AmbientCapabilities, NoNewPrivileges) and lbd as an unprivileged user, in a
# namespace with documentation addresses.  Checked: lbd serves /healthz with
# CAP_NET_BIND_SERVICE as its only capability; vrrpd takes the VIP with
# CAP_NET_ADMIN and CAP_NET_RAW only; the unit's ExecReload (-t, then HUP)
# keeps the VIP; after a SIGKILL the VIP is left behind, and the unit's
# ExecStopPost command, run with the unit's capabilities, removes it.
. "$(dirname "$0")/lib.sh"
net_require dpkg-buildpackage dh dpkg-deb setpriv curl
cd "$REPO"

t_assert "make deb succeeds" make --no-print-directory deb
R=$T/root
mkdir -p "$R"
dpkg-deb -x build/deb/vrrpd_*.deb "$R"
dpkg-deb -x build/deb/lbd_*.deb "$R"
U=$R/lib/systemd/system

unit_val() { sed -n "s/^$2=//p" "$U/$1.service" | head -n1; }
# "CAP_NET_ADMIN CAP_NET_RAW" -> "-all,+net_admin,+net_raw" for setpriv
caps_arg() { local c out="-all"; for c in $1; do c=${c#CAP_}; out+=",+${c,,}"; done; echo "$out"; }
# the unit's command with the package's paths and this test's config
unit_cmd() { # unit key [index]
	sed -n "s/^$2=//p" "$U/$1.service" | sed -n "${3:-1}p" |
		sed -e "s|/usr/sbin/|$R/usr/sbin/|g" -e "s|/etc/$1/$1.conf|$T/conf/node1/$1.conf|g"
}
VRRPD_CAPS=$(caps_arg "$(unit_val vrrpd CapabilityBoundingSet)")
LBD_CAPS=$(caps_arg "$(unit_val lbd CapabilityBoundingSet)")
LBD_AMBIENT=$(caps_arg "$(unit_val lbd AmbientCapabilities)")
t_assert "vrrpd unit: bounding set $VRRPD_CAPS" test "$VRRPD_CAPS" = "-all,+net_admin,+net_raw,+bpf"
t_assert "lbd unit: bounding and ambient set $LBD_CAPS" test "$LBD_CAPS" = "-all,+net_bind_service" -a "$LBD_AMBIENT" = "$LBD_CAPS"
t_assert "both units set NoNewPrivileges" bash -c "grep -qx NoNewPrivileges=yes '$U/vrrpd.service' && grep -qx NoNewPrivileges=yes '$U/lbd.service'"

# The shipped templates with the lab's documentation addresses.
t_assert "configs for node1 (lab addresses)" configs/generate.sh -e packaging/lab/env -o "$T/conf"
chmod 711 "$T"    # the unprivileged lbd reads its config under it, as it reads /etc/lbd

ns_create n1
ns_create peer
net_veth n1 eth0 peer eth0
# the daemons run under setpriv and ip netns exec, not as children lib.sh tracks
net_on_exit "ip netns pids $NS_n1 | xargs -r kill -KILL"
ns_exec n1 ip addr add 198.51.100.11/24 dev eth0
ns_exec peer ip addr add 198.51.100.12/24 dev eth0
# /run as the units see it: RuntimeDirectory=vrrpd (root) and lbd (owned by the service user)
mkdir -p "$T/run/vrrpd" "$T/run/lbd"
chown nobody:nogroup "$T/run/lbd"
in_node() { ns_exec n1 sh -c 'mount --bind "$0" /run && exec "$@"' "$T/run" "$@"; }
vip_on() { ns_exec n1 ip -o addr show dev eth0 to 198.51.100.100 | grep -q .; }
# pgrep would see every helper's daemons (the pid namespace is shared): only n1's
pid_in_n1() { local p; for p in $(ip netns pids "$NS_n1"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && echo "$p"; done | head -n1; }
cap_eff() { awk '/^CapEff/ { print $2 }' "/proc/$1/status"; }
uid_of() { awk '/^Uid/ { print $2 }' "/proc/$1/status"; }

# ---- lbd: User=lbd (here nobody), only CAP_NET_BIND_SERVICE ---------------
# shellcheck disable=SC2046
net_spawn - lbd in_node setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps="$LBD_AMBIENT" --ambient-caps="$LBD_AMBIENT" --bounding-set="$LBD_CAPS" --no-new-privs \
	$(unit_cmd lbd ExecStart)
wait_for 10 "lbd answers /healthz as an unprivileged user" ns_exec peer curl -sf -o /dev/null --max-time 1 http://198.51.100.11:8404/healthz
LBD_PID=$(pid_in_n1 lbd)
t_assert "lbd runs as uid 65534, not root (pid $LBD_PID)" test "$(uid_of "$LBD_PID")" = 65534
t_assert "lbd's effective capabilities: CAP_NET_BIND_SERVICE only ($(cap_eff "$LBD_PID"))" \
	test "$(cap_eff "$LBD_PID")" = 0000000000000400
t_assert "lbd's control socket is in its RuntimeDirectory" test -S "$T/run/lbd/lbd.sock"

# ---- vrrpd: root with CAP_NET_ADMIN and CAP_NET_RAW only -----------------
# shellcheck disable=SC2046
t_assert "the unit's ExecStartPre accepts the config" in_node $(unit_cmd vrrpd ExecStartPre)
# shellcheck disable=SC2046
net_spawn - vrrpd in_node setpriv --bounding-set="$VRRPD_CAPS" --inh-caps=-all --no-new-privs \
	$(unit_cmd vrrpd ExecStart)
wait_for 8 "vrrpd alone on the link takes the VIP" vip_on
VRRPD_PID=$(pid_in_n1 vrrpd)
t_assert "vrrpd's effective capabilities: CAP_NET_ADMIN and CAP_NET_RAW only ($(cap_eff "$VRRPD_PID"))" \
	test "$(cap_eff "$VRRPD_PID")" = 0000000000003000
t_assert "vrrpd tracks lbd through /healthz: effective priority 100" \
	bash -c "'$R/usr/bin/vrrpctl' -s '$T/run/vrrpd/vrrpd.sock' --json status | grep -q '\"effective_priority\":100'"

# ExecReload: -t, then SIGHUP to $MAINPID; the VIP stays.
# shellcheck disable=SC2046
t_assert "the unit's first ExecReload (-t) accepts the config" in_node $(unit_cmd vrrpd ExecReload 1)
t_assert "the unit's second ExecReload is kill -HUP \$MAINPID" test "$(unit_cmd vrrpd ExecReload 2)" = '/bin/kill -HUP $MAINPID'
kill -HUP "$VRRPD_PID"
wait_for 3 "vrrpd logged the reload" grep -q 'reloaded ' "$T/vrrpd.log"
t_assert "vrrpd still runs after the reload" kill -0 "$VRRPD_PID"
t_assert "the VIP stayed through the reload" vip_on

# A crash leaves the VIP; the unit's ExecStopPost, with the unit's capabilities, removes it.
kill -KILL "$VRRPD_PID"
wait_for 3 "vrrpd is gone" bash -c "! kill -0 $VRRPD_PID 2>/dev/null || grep -q '^State:.*Z' /proc/$VRRPD_PID/status"
t_assert "after SIGKILL the VIP is left on eth0 (what ExecStopPost is for)" vip_on
# shellcheck disable=SC2046
t_assert "the unit's ExecStopPost runs" in_node setpriv --bounding-set="$VRRPD_CAPS" --inh-caps=-all --no-new-privs \
	$(unit_cmd vrrpd ExecStopPost)
vip_gone() { ! vip_on; }
t_assert "and the VIP is gone" vip_gone
exit 0
