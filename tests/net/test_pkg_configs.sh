#!/usr/bin/env bash
# configs/: the deployment's two nodes, generated from one template per daemon
# and a small env file per node.  The committed files are what the generator
# makes today, and the daemons accept every shipped config (-t), the unicast
# variant for OpenStack included; a broken template is refused with file:line.
. "$(dirname "$0")/lib.sh"
cd "$REPO"

t_assert "committed configs equal a fresh generation (configs/generate.sh -c)" configs/generate.sh -c
for n in node1 node2; do
	t_assert "vrrpd -t accepts configs/$n/vrrpd.conf" "$BIN/vrrpd" -t -f "configs/$n/vrrpd.conf"
	t_assert "lbd -t accepts configs/$n/lbd.conf" "$BIN/lbd" -t -f "configs/$n/lbd.conf"
done
t_assert "node1 has priority 100, node2 90" bash -c \
	"grep -q 'priority 100;' configs/node1/vrrpd.conf && grep -q 'priority 90;' configs/node2/vrrpd.conf"
t_assert "both nodes carry VRID 51 and VIP 192.168.110.140" bash -c \
	"grep -q 'vrid 51;' configs/node2/vrrpd.conf && grep -q 'virtual-address 192.168.110.140/24' configs/node1/vrrpd.conf"
t_assert "unicast peers present, commented out" grep -q '^	# unicast-peer 192.168.110.119;' configs/node1/vrrpd.conf

for p in 4318 19193 9192 3100; do
	t_assert "lbd config of node1 has a frontend on :$p" grep -q "bind \*:$p;" configs/node1/lbd.conf
done
t_assert "lbd balances over both nodes' collectors" bash -c \
	"grep -q 'server mid-1 192.168.110.214:14318;' configs/node2/lbd.conf && grep -q 'server mid-2 192.168.110.119:14318;' configs/node2/lbd.conf"
t_assert "lbd stats on :8404 with a loopback health listener, which vrrpd tracks" bash -c \
	"grep -q 'stats \*:8404 health 127.0.0.1:8405;' configs/node1/lbd.conf && grep -q 'http 127.0.0.1:8405 /healthz;' configs/node1/vrrpd.conf"

# The unicast variant (UNICAST=yes) is valid too and names the peer.
mkdir -p "$T/env"
cp configs/*.env "$T/env/"
sed -i 's/^UNICAST=.*/UNICAST=yes/' "$T/env/site.env"
t_assert "generate with UNICAST=yes" configs/generate.sh -e "$T/env" -o "$T/out"
t_assert "unicast-peer is active in node1's config" grep -q '^	unicast-peer 192.168.110.119;' "$T/out/node1/vrrpd.conf"
for n in node1 node2; do
	t_assert "vrrpd -t accepts the unicast $n config" "$BIN/vrrpd" -t -f "$T/out/$n/vrrpd.conf"
done

# BFD (site.env BFD=10ms): each node's session to the other; BFD=off comments it out.
t_assert "node1 runs BFD to node2 at 10 ms x 3" grep -q '^	bfd { peer 192.168.110.119; min-tx 10ms; min-rx 10ms; multiplier 3; }' configs/node1/vrrpd.conf
sed -i 's/^BFD=.*/BFD=off/' "$T/env/site.env"
t_assert "generate with BFD=off" configs/generate.sh -e "$T/env" -o "$T/nobfd"
t_assert "the bfd line is commented out" grep -q '^	# bfd { peer' "$T/nobfd/node1/vrrpd.conf"
t_assert "vrrpd -t accepts the config without BFD" "$BIN/vrrpd" -t -f "$T/nobfd/node1/vrrpd.conf"
sed -i 's/^BFD=.*/BFD=fast/' "$T/env/site.env"
t_assert "generator refuses BFD=fast" bash -c "! configs/generate.sh -e '$T/env' -o '$T/bad' 2>/dev/null"
sed -i 's/^BFD=.*/BFD=10ms/' "$T/env/site.env"

# A node file without PRIORITY is an error, not a config with "@PRIORITY@" in it.
sed -i '/^PRIORITY=/d' "$T/env/node2.env"
t_assert "generator refuses a node file without PRIORITY" bash -c "! configs/generate.sh -e '$T/env' -o '$T/bad' 2>'$T/gen.err'"
t_assert "and says which variable is missing" grep -q 'PRIORITY' "$T/gen.err"

# The validation is real: a broken config is refused with file:line:col.
sed 's/priority 100;/priority 300;/' configs/node1/vrrpd.conf >"$T/bad.conf"
t_assert "vrrpd -t refuses priority 300" bash -c "! '$BIN/vrrpd' -t -f '$T/bad.conf' 2>'$T/bad.err'"
t_assert "with file:line:col" grep -q "bad.conf:[0-9]*:[0-9]*:" "$T/bad.err"
sed 's/expect 200-499/expect 200-999/' configs/node1/lbd.conf >"$T/badlb.conf"
t_assert "lbd -t refuses expect 200-999" bash -c "! '$BIN/lbd' -t -f '$T/badlb.conf' 2>'$T/badlb.err'"
t_assert "with file:line:col" grep -q "badlb.conf:[0-9]*:[0-9]*:" "$T/badlb.err"
exit 0
