#!/usr/bin/env bash
# No call cycle among the files of the tree (issue 15): the file-level call
# graph of the daemons' and common/'s objects, read with nm (file A -> file
# B when A's object uses a symbol B's object defines), has no cycle.  A
# cycle means two modules that each need the other: neither can be read,
# tested or replaced alone.  Callbacks (an ops table, a function pointer
# handed down) are how a lower module reports back up, and they make no
# arrow here.  Every cycle found is printed with the symbols of each arrow.
# Objects of $NET_BIN (build/san-clang by default; run.sh builds it).
. "$(dirname "$0")/lib.sh"
net_require nm python3 git
cd "$REPO"

# The objects of the C files tracked in the daemons' folders (a stale
# object of a removed file does not count).
git ls-files -- 'common/*.c' 'lbd/*.c' 'vrrpd/*.c' >"$T/srcs" || t_fail "git ls-files"
: >"$T/objs"
missing=
while read -r src; do
	obj="$BIN/obj/${src%.c}.o"
	# lbd builds one of these two, as LBD_BPF says (lbd/module.mk)
	case $src in lbd/reuseport.c | lbd/reuseport_off.c)
		if [ ! -f "$obj" ] && { [ -f "$BIN/obj/lbd/reuseport.o" ] || [ -f "$BIN/obj/lbd/reuseport_off.o" ]; }; then
			continue
		fi ;;
	esac
	if [ -f "$obj" ]; then echo "$src $obj" >>"$T/objs"; else missing+=" $src"; fi
done <"$T/srcs"
t_assert "every C file of common/, lbd/, vrrpd/ has its object in $BIN (build it first):${missing:- yes}" \
	test -z "$missing"

while read -r src obj; do
	nm -P "$obj" | awk -v f="$src" '{ print f, $1, $2 }'
done <"$T/objs" >"$T/syms"

/usr/bin/python3 - "$T/syms" >"$T/cycles" <<'EOF'
import sys
defs, uses = {}, {}
for line in open(sys.argv[1]):
    f, name, kind = line.split()[:3]
    if kind == 'U':
        uses.setdefault(f, set()).add(name)
    elif kind in 'TWDBRGSV':
        defs.setdefault(name, f)
edges = {}
for f, names in uses.items():
    for n in names:
        g = defs.get(n)
        if g and g != f:
            edges.setdefault(f, {}).setdefault(g, []).append(n)
# Tarjan's strongly connected components, iteratively.
index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]
nodes = sorted(set(edges) | {g for e in edges.values() for g in e})
for root in nodes:
    if root in index:
        continue
    work = [(root, iter(sorted(edges.get(root, {}))))]
    index[root] = low[root] = counter[0]; counter[0] += 1
    stack.append(root); on.add(root)
    while work:
        v, it = work[-1]
        nxt = next(it, None)
        if nxt is not None:
            if nxt not in index:
                index[nxt] = low[nxt] = counter[0]; counter[0] += 1
                stack.append(nxt); on.add(nxt)
                work.append((nxt, iter(sorted(edges.get(nxt, {})))))
            elif nxt in on:
                low[v] = min(low[v], index[nxt])
            continue
        work.pop()
        if work:
            low[work[-1][0]] = min(low[work[-1][0]], low[v])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))
for comp in sccs:
    print("cycle among %d files: %s" % (len(comp), " ".join(comp)))
    for a in comp:
        for b in sorted(edges.get(a, {})):
            if b in comp:
                print("    %s -> %s: %s" % (a, b, " ".join(sorted(edges[a][b])[:6])))
EOF
t_log "$(wc -l <"$T/objs") objects, $(awk '$3 == "U"' "$T/syms" | wc -l) undefined symbols read"
[ -s "$T/cycles" ] && cat "$T/cycles"
t_assert "no call cycle among the files of common/, lbd/ and vrrpd/" test ! -s "$T/cycles"
exit 0
