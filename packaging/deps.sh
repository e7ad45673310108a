#!/usr/bin/env bash
# deps.sh: what "make deps" runs.  Installs the Debian packages listed in
# packaging/deps.txt that are not installed yet (as root, with apt-get).
# Silent when every one is installed.  Otherwise it says which packages it
# installs, how many more they pull in and how much apt downloads, then shows
# its progress (a first run downloads several hundred MiB: Chromium, clang,
# Prometheus), so that a long first run does not look like a hang.
# apt's own output goes to a log, shown when apt fails.
set -u
cd "$(dirname "$0")/.."
LIST=packaging/deps.txt

say() { printf 'make deps: %s\n' "$*"; }
die() { printf 'make deps: %s\n' "$*" >&2; exit 1; }

[ -r "$LIST" ] || die "cannot read $LIST"
wanted=$(sed 's/#.*//' "$LIST" | tr -s ' \t' '\n\n' | grep -v '^$')

# npm: Debian's package, unless an npm is on the PATH already (NodeSource's
# nodejs ships one and conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then
	wanted="$wanted
npm"
fi

# The npm clients of the benches and tests (bench/clients): "npm ci" from the
# committed lockfile when node_modules is missing or older than the lockfile;
# silent otherwise.  --prefer-offline: what npm's cache has is not fetched again.
npm_clients() {
	local d=bench/clients
	[ -f "$d/package-lock.json" ] || return 0
	[ "$d/node_modules/.package-lock.json" -nt "$d/package-lock.json" ] && return 0
	say "npm ci in $d (the pinned OpenTelemetry, AWS SDK, prometheus-query and s3rver)"
	local log
	log=$(mktemp "${TMPDIR:-/tmp}/ha-appliance-npm.XXXXXX.log") || die "mktemp failed"
	if ! (cd "$d" && npm ci --engine-strict --ignore-scripts --prefer-offline --no-audit --no-fund) >"$log" 2>&1; then
		tail -n 40 "$log" | sed 's/^/  | /' >&2
		die "npm ci in $d failed (above: the end of its output; all of it in $log)"
	fi
	rm -f "$log"
	# npm ci leaves the lockfile's time alone: mark node_modules as done after it
	touch "$d/node_modules/.package-lock.json"
	say "npm clients installed in $d/node_modules"
}

# Installed ones, in one dpkg-query (it names the unknown ones on stderr).
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $wanted 2>/dev/null |
	awk '$NF == "installed" && $(NF - 1) == "ok" { print $1 }')
missing=$(grep -vxF -f <(printf '%s\n' $installed) <<<"$wanted")
[ -n "$missing" ] || { npm_clients; exit 0; }

# shellcheck disable=SC2086 # one word per package
set -- $missing
say "missing $# of the $(wc -w <<<"$wanted") packages of $LIST: $*"
[ "$(id -u)" = 0 ] || die "run it as root (it installs them with apt-get)"

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q --no-install-recommends -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)
log=$(mktemp "${TMPDIR:-/tmp}/ha-appliance-deps.XXXXXX.log") || die "mktemp failed"
fail() { # what: the end of apt's output, and where the rest is
	tail -n 40 "$log" | sed 's/^/  | /' >&2
	die "$1 failed (above: the end of apt's output; all of it in $log)"
}

say "apt-get update"
apt-get update -q -o DPkg::Lock::Timeout=600 >"$log" 2>&1 || fail "apt-get update"

# What apt will do: the packages newly installed (the missing ones and what
# they need), the size of their .deb files, what of it apt downloads (what is
# not in its cache), and the disk space they take once installed.
plan=$(apt-get install -s "${APT_OPTS[@]}" "$@" 2>>"$log") || fail "apt-get install -s (are the package names right?)"
new_pkgs=$(awk '$1 == "Inst" { print $2 }' <<<"$plan")
total=$(wc -w <<<"$new_pkgs")
uris_bytes() { # apt-get options...: the bytes of the .deb files apt would fetch
	apt-get install --print-uris -qq "${APT_OPTS[@]}" "$@" 2>>"$log" | awk '{ n += $3 } END { print n + 0 }'
}
empty=$(mktemp -d "${TMPDIR:-/tmp}/ha-appliance-deps.XXXXXX") && mkdir "$empty/partial" || die "mktemp failed"
# (with an empty cache, apt lists every .deb file)
all_bytes=$(uris_bytes -o Dir::Cache::Archives="$empty" "$@")
rm -rf "$empty"
get_bytes=$(uris_bytes "$@")
# shellcheck disable=SC2086 # one word per package
disk_kib=$(apt-cache show --no-all-versions $new_pkgs 2>>"$log" | awk '$1 == "Installed-Size:" { n += $2 } END { print n + 0 }')
mib() { echo "$((($1 + 1048575) / 1048576)) MiB"; } # rounded up
say "installing $total packages ($# listed, $((total - $#)) they need): $(mib "$all_bytes") of .deb files,"
say "$(mib "$get_bytes") of them to download (the rest is in apt's cache), $(mib $((disk_kib * 1024))) on disk once installed;"
say "a first run takes several minutes: progress every 50 packages"

# apt's output to the log; a line here for every 50 packages fetched, unpacked, set up.
apt-get install "${APT_OPTS[@]}" "$@" 2>&1 | {
	got=0 unpacked=0 set_up=0
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$log"
		case $line in
		Get:*) got=$((got + 1)); [ $((got % 50)) = 0 ] && say "downloaded $got packages" ;;
		"Unpacking "*) unpacked=$((unpacked + 1)); [ $((unpacked % 50)) = 0 ] && say "unpacked $unpacked of $total" ;;
		"Setting up "*) set_up=$((set_up + 1)); [ $((set_up % 50)) = 0 ] && say "set up $set_up of $total" ;;
		esac
	done
}
[ "${PIPESTATUS[0]}" = 0 ] || fail "apt-get install"

# Every listed package is installed now, or this is an error.
still=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
	awk '$NF == "installed" && $(NF - 1) == "ok" { n++ } END { print n + 0 }')
[ "$still" = "$#" ] || fail "apt-get install (only $still of $# packages are installed)"
rm -f "$log"
say "done: $total packages installed"
npm_clients
