#!/usr/bin/env bash
# build-deb.sh: what "make deb" runs.  Builds the binary packages vrrpd and lbd
# from a copy of the source tree with Debian's own tooling (dpkg-buildpackage,
# debhelper) and leaves them in build/deb/.
#
#   DEB_VERSION=0.1.0+1 packaging/build-deb.sh    another package version (upgrade tests)
#
# The copy lives in build/deb/src/ha-appliance/ and keeps its own build/ between
# runs, so a second run only recompiles what changed.  packaging/debian/ becomes
# its debian/ folder.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
OUT=$REPO/build/deb
SRC=$OUT/src/ha-appliance
mkdir -p "$SRC"
# One build at a time per tree (a test and a person may both run "make deb").
exec 9>"$OUT/.lock"
flock 9

list_sources() { # NUL-separated paths of the source tree, without build outputs
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard
	else
		find . -path ./build -prune -o -path ./.git -prune -o -type f -printf '%P\0'
	fi
}

# Copy every source file that exists (tar keeps mtimes: make stays incremental),
# then drop files of earlier runs that are gone from the tree, since the
# Makefile finds sources by wildcard.
list_sources | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done >"$OUT/src/files"
tar --null -T "$OUT/src/files" -cf - | tar -xf - -C "$SRC"
tr '\0' '\n' <"$OUT/src/files" | sort >"$OUT/src/files.sorted"
(cd "$SRC" && find . -path ./build -prune -o -path ./debian -prune -o -type f -printf '%P\n' | sort) |
	comm -23 - "$OUT/src/files.sorted" | while IFS= read -r f; do rm -f "$SRC/$f"; done
rm -rf "$SRC/debian"
cp -a packaging/debian "$SRC/debian"

# A version other than the changelog's gets its own changelog entry.
top=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
want=${DEB_VERSION:-$top}
if [ "$want" != "$top" ]; then
	{
		printf 'ha-appliance (%s) unstable; urgency=medium\n\n' "$want"
		printf '  * Rebuilt as version %s.\n\n' "$want"
		printf ' -- ha-appliance developers <ha-appliance@example.org>  %s\n\n' "$(date -R)"
		cat "$SRC/debian/changelog"
	} >"$SRC/debian/changelog.new"
	mv "$SRC/debian/changelog.new" "$SRC/debian/changelog"
fi

# Nothing changed since the last build of this version: keep its packages.
stamp=$( (cd "$SRC" && find . -path ./build -prune -o -type f -printf '%P %T@ %s\n' | sort; echo "$want") | sha256sum)
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$stamp" ] && ls "$OUT"/vrrpd_*.deb "$OUT"/lbd_*.deb >/dev/null 2>&1; then
	echo "make deb: sources unchanged since the last build of $want"
	ls "$OUT"/*.deb
	exit 0
fi
rm -f "$OUT/.stamp"
rm -f "$OUT"/*.deb "$OUT"/*.changes "$OUT"/*.buildinfo "$OUT"/src/*.deb "$OUT"/src/*.changes "$OUT"/src/*.buildinfo
(cd "$SRC" && dpkg-buildpackage -b -us -uc --no-pre-clean -j"$(nproc)") >"$OUT/build.log" 2>&1 || {
	tail -n 40 "$OUT/build.log" >&2
	echo "make deb: dpkg-buildpackage failed, full log in $OUT/build.log" >&2
	exit 1
}
mv "$OUT"/src/*.deb "$OUT"/src/*.changes "$OUT"/src/*.buildinfo "$OUT/"
echo "$stamp" >"$OUT/.stamp"
ls "$OUT"/*.deb
