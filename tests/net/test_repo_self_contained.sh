#!/usr/bin/env bash
# The repository carries what its own scripts, makefiles and configs read: no
# tracked file (but the Markdown notes) names a path that exists only on the
# machine it was written on (/work, /home, /root, /opt, /srv, /mnt), which a
# clone on another machine would not have.  (bench/lbd_bench.sh read the
# reference HAProxy config from such a path; it is configs/reference now.)
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
exit 0
