#!/usr/bin/env bash
# run.sh timeout: 1800
# run.sh: background
# A new Debian 12 machine, as a new user gets one: the README's set-up
# commands, copied from README.md as written, run in a container whose root is
# a pristine Debian 12 (debootstrap --variant=minbase, nothing else installed:
# no git, no make, no compiler, and no apt lists).  They must work the first time:
# "make demo" ends with "demo: PASS", and "make check" builds everything (gcc,
# clang, ASan+UBSan, fuzzers, cppcheck) and runs the unit tests, ending
# "N passed, 0 failed".  In there, make check runs with TESTS set to a name
# no namespace test or fuzzer has (it would run this test again, and the
# namespace tests run on this machine anyway).  "make deps" must have said
# what it installs and how much it downloads, and a second "make deps" must
# be silent.
#
# The container is systemd-nspawn (not booted: the README's commands are its
# one process tree, in its own PID and mount namespaces) with every capability
# this machine's root has (the demo creates namespaces, veths, addresses) and
# the bpf system call, which nspawn's own seccomp filter refuses otherwise
# (the unit tests of bpf/ load the programs), in
# this machine's network namespace (apt reaches the Debian mirror; the demo's
# namespaces are its own, and LAB_HOST=0 keeps it from linking this machine to
# its lab).  Package scripts start no service in there (policy-rc.d: no init).
#
# What it tests is the commit HEAD of this checkout, cloned: changes not
# committed are not in it (it says so).  Inside, the README's "git clone
# <this repository>" clones a bare copy of that commit.
#
# Cached between runs, outside the clone, so that CI downloads them once per
# machine ($FRESH_CACHE, default /var/cache/ha-appliance):
#   bookworm-minbase/   the debootstrap result, never written again: each run
#                       works on an overlay of it, thrown away afterwards
#   apt-archives/       the .deb files apt fetched, the container's
#                       /var/cache/apt/archives (apt lists are not cached:
#                       the README's "apt-get update" fetches them)
# Remove the folder to start again from nothing.
. "$(dirname "$0")/lib.sh"
net_require debootstrap systemd-nspawn git flock mount mountpoint
cd "$REPO"

CACHE=${FRESH_CACHE:-/var/cache/ha-appliance}
ROOTFS=$CACHE/bookworm-minbase
DEBS=$CACHE/apt-archives
NO_NET_TEST=none-in-the-fresh-container
START=$(date +%s)
mkdir -p "$CACHE" "$DEBS" || t_fail "cannot create $CACHE"

# One container test at a time: the cache, and nspawn's /run/systemd/nspawn
# (shared with test_pkg_systemd).
exec 8>/tmp/ha-appliance-pkg-test.lock
flock -w 900 8 || t_fail "another container test holds /tmp/ha-appliance-pkg-test.lock"

# The Debian mirror this machine uses (deb822 .sources or sources.list), for a suite.
mirror_of() { # suite
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$1" '
			/^[ \t]*$/ { if (u && s) { print u; exit } u = ""; s = 0; next }
			tolower($1) == "uris:" { u = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) s = 1 }
			END { if (u && s) print u }' "$f"
	done
	awk -v suite="$1" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i !~ /^\[/ && $(i + 1) == suite) { print $i; exit } }' \
		/etc/apt/sources.list 2>/dev/null
}
MIRROR=$(mirror_of bookworm | head -n1)
SECURITY=$(mirror_of bookworm-security | head -n1)
[ -n "$MIRROR" ] || t_fail "no Debian bookworm mirror in /etc/apt/sources.list*"
t_log "Debian mirror: $MIRROR${SECURITY:+, security: $SECURITY}"

# ---- phase 1: the pristine root, made once per machine ----------------------
phase=$(date +%s)
if [ ! -f "$ROOTFS/.ha-appliance-complete" ]; then
	rm -rf "$ROOTFS.new"
	t_log "no cached root in $ROOTFS: debootstrap --variant=minbase bookworm (once per machine)"
	debootstrap --variant=minbase bookworm "$ROOTFS.new" "$MIRROR" >"$T/debootstrap.log" 2>&1 ||
		t_fail "debootstrap failed (log: $(tail -n 5 "$T/debootstrap.log"))"
	rm -rf "$ROOTFS"
	mv "$ROOTFS.new" "$ROOTFS" && touch "$ROOTFS/.ha-appliance-complete" || t_fail "cannot store $ROOTFS"
fi
T_ROOTFS=$(($(date +%s) - phase))
for tool in git make gcc pkg-config curl; do
	t_assert "the pristine root has no $tool" test ! -e "$ROOTFS/usr/bin/$tool"
done

# ---- phase 2: this run's machine, an overlay of it ---------------------------
# Its writes (2 GiB of packages, the builds) go to memory: nothing to fsync,
# nothing to delete afterwards (24 GiB here; it falls back to the disk).
mkdir -p "$T/mem" "$T/root" "$T/src"
if mount -t tmpfs -o size=6g,mode=0755 tmpfs "$T/mem"; then
	net_on_exit "umount -l $T/mem"
else
	t_log "no tmpfs for the overlay's writes: they go to $T"
fi
mkdir -p "$T/mem/upper" "$T/mem/work"
mount -t overlay overlay -o "lowerdir=$ROOTFS,upperdir=$T/mem/upper,workdir=$T/mem/work" "$T/root" ||
	t_fail "cannot mount an overlay of $ROOTFS on $T/root"
net_on_exit "umount -l $T/root"
R=$T/root
# What the Debian installer writes: the release, its updates, its security.
{
	echo "deb $MIRROR bookworm main"
	echo "deb $MIRROR bookworm-updates main"
	[ -n "$SECURITY" ] && echo "deb $SECURITY bookworm-security main"
} >"$R/etc/apt/sources.list"
# No apt lists, as in Debian's container images (debootstrap leaves those it
# used): the README must say "apt-get update" before its first install.
find "$R/var/lib/apt/lists" -maxdepth 1 -type f -delete
t_assert "no apt lists in the container" bash -c "! ls '$R'/var/lib/apt/lists/*_Packages* >/dev/null 2>&1"
# No init in the container: package scripts start no service (as in Debian's
# container images); apt keeps the .deb files it fetched (the cache above).
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d" && chmod 755 "$R/usr/sbin/policy-rc.d"
echo 'APT::Keep-Downloaded-Packages "true";' >"$R/etc/apt/apt.conf.d/99ha-appliance-keep-debs"
# dpkg does not fsync each file, as in Debian's container images: the
# container is thrown away anyway, and it saves minutes.
echo force-unsafe-io >"$R/etc/dpkg/dpkg.cfg.d/ha-appliance-unsafe-io"
t_assert "no apt configuration in the root deletes downloaded packages" \
	bash -c "! grep -rqs 'archives/\\*' '$R/etc/apt/apt.conf.d'"

# ---- phase 3: the checkout's HEAD, as a repository to clone ------------------
head=$(git rev-parse HEAD) || t_fail "not a git checkout"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
	t_log "NOTE: this checkout has changes not committed; they are not tested (commit $head is)"
fi
git init -q --bare "$T/src/ha-appliance.git" &&
	git push -q "$T/src/ha-appliance.git" "HEAD:refs/heads/main" &&
	git -C "$T/src/ha-appliance.git" symbolic-ref HEAD refs/heads/main ||
	t_fail "cannot copy HEAD to a bare repository"

# ---- phase 4: the README's commands, as written ------------------------------
# The indented lines of README.md's "Set up and test" section, with the
# repository's address filled in.
readme=$(awk '/^## Set up and test/ { s = 1; next } s && /^## / { exit }
	s && /^    / { print; c = 1; next } s && c && /[^ ]/ { exit }' README.md |
	sed 's/^    //; s|<this repository>|/ha-src/ha-appliance.git|')
readme_has() { grep -q "$1" <<<"$readme"; }
t_assert "README.md's set-up commands include make demo" readme_has '^make demo'
t_assert "README.md's set-up commands include make check" readme_has '^make check'
printf '%s\n' "$readme" | sed 's/^/  README: /'
{
	echo 'cd /root'
	echo 'phase() { echo "@@phase $(date +%s) $*"; }'
	while IFS= read -r line; do
		printf 'phase %q\n%s\n' "$line" "$line"
		echo 'rc=$?; [ "$rc" = 0 ] || { echo "@@failed with exit $rc"; exit "$rc"; }'
	done <<<"$readme"
	echo 'phase "make deps (a second time: silent)"'
	echo 'make -s deps >/tmp/deps-again.out 2>&1; echo "@@deps-again exit $? lines $(wc -l </tmp/deps-again.out)"'
	echo 'phase end'
} >"$T/src/driver.sh"

# nspawn keeps state under /run/systemd/nspawn and cannot remove it from a
# disk file system (here /run is not a tmpfs): give it one for the test.
mkdir -p /run/systemd/nspawn
if ! mountpoint -q /run/systemd/nspawn; then
	mount -t tmpfs -o mode=0755 tmpfs /run/systemd/nspawn || t_fail "cannot mount a tmpfs on /run/systemd/nspawn"
	net_on_exit "umount -l /run/systemd/nspawn"
fi
t_log "in the container: the README's commands (log: $T/container.log, kept as build/test-logs/fresh-machine.log)"
# This machine's network may intercept TLS with its own CA, which the host
# trusts through NODE_EXTRA_CA_CERTS (npm, in make deps, then fails with
# SELF_SIGNED_CERT_IN_CHAIN).  A new machine on the same network is given the
# same CA, so the container is too; nothing else of the host goes in.
EXTRA_CA=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
	cp "$NODE_EXTRA_CA_CERTS" "$T/network-ca.pem"
	EXTRA_CA=(--bind-ro="$T/network-ca.pem:/etc/network-ca.pem" --setenv=NODE_EXTRA_CA_CERTS=/etc/network-ca.pem)
	t_log "the network's extra CA ($NODE_EXTRA_CA_CERTS) is given to the container as NODE_EXTRA_CA_CERTS"
fi
phase=$(date +%s)
timeout -k 10 2400 systemd-nspawn "${EXTRA_CA[@]}" -q --register=no --keep-unit --link-journal=no --console=pipe \
	-D "$R" --capability=all --system-call-filter=bpf --resolv-conf=copy-host --chdir=/root \
	--setenv=HOME=/root --setenv=LANG=C.UTF-8 --setenv=LAB_HOST=0 --setenv=TESTS="$NO_NET_TEST" \
	--bind-ro="$T/src:/ha-src" --bind="$DEBS:/var/cache/apt/archives" \
	/bin/bash /ha-src/driver.sh </dev/null >"$T/container.log" 2>&1
rc=$?
T_CONTAINER=$(($(date +%s) - phase))
mkdir -p "$REPO/build/test-logs"
cp "$T/container.log" "$REPO/build/test-logs/fresh-machine.log"

# How long each README command took.
t_log "times: root $((T_ROOTFS / 60))m$((T_ROOTFS % 60))s (0 when cached), container $((T_CONTAINER / 60))m$((T_CONTAINER % 60))s:"
awk -v end="$(date +%s)" '
	/^@@phase / { if (name != "") printf "  %4ds  %s\n", $2 - t, name; t = $2; name = substr($0, index($0, $3)) }
	END { if (name != "" && name != "end") printf "  %4ds  %s (did not finish)\n", end - t, name }' "$T/container.log"
t_log "cached .deb files: $(du -sm "$DEBS" | cut -f1) MiB in $DEBS"

t_assert "the README's commands all succeeded in the container (exit $rc)" test "$rc" = 0
t_assert "make deps said what it installs and how much it downloads" \
	bash -c "grep -qE '^make deps: installing [0-9]+ packages .*: [0-9]+ MiB of .deb files' '$T/container.log' &&
		grep -qE '^make deps: [0-9]+ MiB of them to download' '$T/container.log'"
t_assert "make demo ended with its report: demo: PASS" grep -q '^demo: PASS' "$T/container.log"
t_assert "make check built with gcc, clang, ASan+UBSan, the fuzzers, and ran cppcheck" bash -c "
	grep -q '^PASS  build gcc' '$T/container.log' && grep -q '^PASS  build clang (' '$T/container.log' &&
	grep -q '^PASS  build clang asan+ubsan' '$T/container.log' && grep -q '^PASS  build fuzzers' '$T/container.log' &&
	grep -q '^PASS  cppcheck' '$T/container.log'"
t_assert "make check ran the unit tests of both builds" bash -c "
	grep -q '^PASS  unit/gcc/' '$T/container.log' && grep -q '^PASS  unit/san/' '$T/container.log'"
t_assert "make check ended 'N passed, 0 failed'" grep -qE '^[1-9][0-9]* passed, 0 failed$' "$T/container.log"
t_assert "a second make deps is silent and succeeds" grep -qx '@@deps-again exit 0 lines 0' "$T/container.log"
t_log "the whole test took $((($(date +%s) - START) / 60))m$((($(date +%s) - START) % 60))s"
exit 0
