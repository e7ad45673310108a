# tests/net/pkg_lib.sh: the systemd container of the package tests
# (test_pkg_systemd.sh, test_pkg_upgrade*.sh; sourced after lib.sh): this
# machine's root as a copy-on-write overlay, booted with systemd-nspawn in a
# namespace of the test, a driver unit that runs /ha-test/driver.sh and
# powers off.
#
#   pkg_root                      the overlay in $T/root ($T/in -> /ha-test, $T/out -> /ha-out)
#   pkg_driver DESC TIMEOUT > F   the driver's unit file (TIMEOUT: seconds, or infinity)
#   pkg_driver_head VARS...       the driver's first lines (log, check, poll), on stdout
#   pkg_boot NS SECS [CAPS]       boot it in namespace NS in the background ($PID_nspawn)
#   pkg_results N                 every "ok:"/"FAIL:" line of the driver; N checks passed

pkg_root() {
	mkdir -p "$T/in" "$T/out" "$T/upper" "$T/work" "$T/root"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$T/root" ||
		t_fail "cannot mount an overlay of / on $T/root"
	net_on_exit "umount -l $T/root"
	# nspawn keeps state under /run/systemd/nspawn and refuses to remove it from
	# a disk file system (here /run is not a tmpfs): give it one for the test.
	mkdir -p /run/systemd/nspawn
	if ! mountpoint -q /run/systemd/nspawn; then
		mount -t tmpfs -o mode=0755 tmpfs /run/systemd/nspawn || t_fail "cannot mount a tmpfs on /run/systemd/nspawn"
		net_on_exit "umount -l /run/systemd/nspawn"
	fi
}

pkg_driver() { # DESCRIPTION TIMEOUT_S
	printf '[Unit]\nDescription=%s\n[Service]\nType=oneshot\nTimeoutStartSec=%s\n' "$1" "$2"
	printf 'ExecStart=/bin/bash /ha-test/driver.sh\nExecStopPost=/bin/systemctl --no-block poweroff\n'
}

pkg_driver_head() { # NAME=VALUE... for the driver
	printf '%s\n' "$@"
	cat <<'EOF2'
exec > /ha-out/driver.log 2>&1
set -x
R=/ha-out/results
check() { # description cmd...
	local d=$1; shift
	if "$@"; then echo "ok: $d" >> "$R"; else echo "FAIL: $d" >> "$R"; fi
}
poll() { # tenths-of-a-second cmd...
	local n=$1; shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}
EOF2
}

pkg_boot() { # NAMESPACE TIMEOUT_S [CAPABILITIES]
	local v="NS_$1"
	net_spawn - nspawn timeout -k 5 "$2" systemd-nspawn -q --register=no --keep-unit --link-journal=no \
		-D "$T/root" --network-namespace-path="/run/netns/${!v}" --capability="${3:-CAP_NET_ADMIN}" \
		--bind-ro="$T/in:/ha-test" --bind="$T/out:/ha-out" \
		--bind-ro="$T/in/ha-test.service:/etc/systemd/system/ha-test.service" \
		--boot -- --unit=ha-test.service
}

pkg_results() { # EXPECTED_OKS
	local line n
	t_assert "the driver went to its end" grep -qx done "$T/out/results"
	while read -r line; do
		case $line in
		"ok: "*) t_log "ok: ${line#ok: }" ;;
		"FAIL: "*) t_fail "${line#FAIL: }" ;;
		esac
	done < "$T/out/results"
	n=$(grep -c '^ok: ' "$T/out/results")
	t_assert "all $1 checks inside the container passed ($n)" test "$n" = "$1"
}
