#!/usr/bin/env bash
# The repository carries what its own scripts, makefiles and configs read: no
# tracked file (but the Markdown notes) names a path that exists only on the
# machine it was written on (/work, /home, /root, /opt, /srv, /mnt), which a
# clone on another machine would not have.  (bench/lbd_bench.sh read the
# reference HAProxy config from such a path; it is configs/reference now.)
# And every tool the test, bench and packaging scripts require is installed by
# "make deps" (packaging/deps.txt) or part of every Debian system, not just
# present on the machine the script was written on.
. "$(dirname "$0")/lib.sh"
net_require git grep
cd "$REPO"

# Tracked text files, but the notes (*.md) and the fuzz corpora (input data).
git ls-files -z -- . ':!:*.md' ':!:tests/fuzz/corpus/*' >"$T/files" || t_fail "git ls-files"
t_assert "git lists the tracked files" test -s "$T/files"
# An absolute path under a machine-specific folder, not part of a longer word
# (so "build/work/x" or "http://host/home/" do not count).
xargs -0 grep -InE '(^|[^A-Za-z0-9_./:-])/(work|home|root|opt|srv|mnt)/[A-Za-z0-9_.-]' <"$T/files" >"$T/hits.log" 2>/dev/null
# This test names them itself, in its patterns and comments.
grep -v '^tests/net/test_repo_self_contained.sh:' "$T/hits.log" >"$T/found.log"
if [ -s "$T/found.log" ]; then
	t_log "tracked files that read a path of one machine:"
	cat "$T/found.log"
fi
t_assert "no tracked file names a path that only one machine has" test ! -s "$T/found.log"
t_assert "the reference HAProxy config that bench/lbd_bench.sh reads is in the repository" \
	git ls-files --error-unmatch configs/reference/haproxy.cfg

# Every tool a test, bench or script requires (net_require) comes from a
# package that "make deps" installs (packaging/deps.txt, or what those depend
# on) or that every Debian system has (Priority: required), and not from one
# that happens to be installed on this machine.
net_require apt-cache dpkg dpkg-query
sed 's/#.*//' packaging/deps.txt | tr -s ' \t' '\n\n' | grep -v '^$' >"$T/listed"
# shellcheck disable=SC2046 # one word per package
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
	--no-replaces --no-enhances $(cat "$T/listed") 2>/dev/null | grep -v '^[ <]' | sed 's/:.*//' >"$T/closure"
dpkg-query -W -f='${Package} ${Priority}\n' | awk '$2 == "required" { print $1 }' >>"$T/closure"
cat "$T/listed" >>"$T/closure"
t_assert "apt knows the packages of packaging/deps.txt and what they need" test "$(wc -l <"$T/closure")" -gt 100
grep -rhoE '^\s*net_require [^#;|&]*' tests/net bench packaging | sed 's/^\s*net_require //' |
	tr -s ' \t' '\n\n' | grep -v '^$' | sort -u >"$T/tools"
# Where each tool may be registered with dpkg (the path found, where its
# links lead, and the merged-/usr twins), then one dpkg -S for all of them.
candidates() { # tool
	local name=${1##*/} path
	path=$(command -v "$1") || return 0
	printf '%s\n' "$path" "$(readlink -f "$path")" /usr/sbin/"$name" /usr/bin/"$name" /sbin/"$name" /bin/"$name"
}
while read -r tool; do candidates "$tool"; done <"$T/tools" | sort -u >"$T/paths"
# shellcheck disable=SC2046 # one word per path
dpkg -S $(cat "$T/paths") 2>/dev/null | grep -v '^diversion ' |
	awk -F': ' '{ split($1, p, ", "); sub(/:.*/, "", p[1]); print $2, p[1] }' >"$T/owners"
bad=
while read -r tool; do
	pkg=
	for f in $(candidates "$tool"); do
		pkg=$(awk -v f="$f" '$1 == f { print $2; exit }' "$T/owners")
		[ -n "$pkg" ] && break
	done
	if [ -z "$pkg" ]; then bad+=" $tool(in no package here)"; continue; fi
	grep -qx "$pkg" "$T/closure" || bad+=" $tool($pkg)"
done <"$T/tools"
t_log "checked $(wc -l <"$T/tools") tools that scripts require"
t_assert "every tool the scripts require comes with make deps or with every Debian system:${bad:- yes}" test -z "$bad"
exit 0
