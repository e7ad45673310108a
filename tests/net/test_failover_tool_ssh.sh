#!/usr/bin/env bash
# ha-failover-test reaching the nodes the way it does on real hosts: over ssh.
# Each lab node runs a real sshd (Debian's openssh-server, key only, on the
# node's lab address); the tool runs on the lab's client with
# --node NAME=ssh:root@ADDRESS --ssh-config FILE, finds the holder over ssh,
# crashes the master's vrrpd over ssh, watches the VIP arrive on the peer over
# ssh, checks every service through the VIP and starts vrrpd again over ssh.
. "$(dirname "$0")/lib.sh"
net_require nginx prometheus curl setsid ssh ssh-keygen /usr/sbin/sshd
cd "$REPO"

export LAB_DIR=$T/lab LAB_BIN=$BIN LAB_HOST=0
LAB=packaging/lab/lab.sh
net_on_exit "$LAB down"
t_assert "the lab comes up" "$LAB" up
. "$LAB_DIR/state"

# sshd's privilege-separation directory; removed again only if we made it.
if [ ! -d /run/sshd ]; then
	mkdir -m 0755 /run/sshd
	net_on_exit "rmdir /run/sshd"
fi
ssh-keygen -q -t ed25519 -N '' -f "$T/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$T/client_key"
cp "$T/client_key.pub" "$T/authorized_keys"
{
	for a in 198.51.100.11 198.51.100.12; do echo "$a $(cut -d' ' -f1,2 "$T/host_key.pub")"; done
} > "$T/known_hosts"
cat > "$T/ssh_config" <<EOF
Host 198.51.100.*
	User root
	IdentityFile $T/client_key
	IdentitiesOnly yes
	UserKnownHostsFile $T/known_hosts
	StrictHostKeyChecking yes
	GlobalKnownHostsFile /dev/null
EOF
for n in node1 node2; do
	ns_var=NS_$n
	addr=198.51.100.1${n#node}
	cat > "$T/sshd-$n.conf" <<EOF
ListenAddress $addr:22
HostKey $T/host_key
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/sshd-$n.pid
EOF
	ip netns exec "${!ns_var}" /usr/sbin/sshd -t -f "$T/sshd-$n.conf" || t_fail "sshd refuses its config"
	# -D: no fork, so the PID is the daemon's and the trap can kill it.
	setsid ip netns exec "${!ns_var}" /usr/sbin/sshd -D -e -f "$T/sshd-$n.conf" >"$T/sshd-$n.log" 2>&1 &
	NET_PIDS+=($!)
done
cl() { ip netns exec "$NS_client" "$@"; }
for a in 198.51.100.11 198.51.100.12; do
	wait_for 10 "sshd on $a answers" cl ssh -F "$T/ssh_config" -o BatchMode=yes -o ConnectTimeout=2 "$a" true
done

# The lab's own stop/crash/start commands, now run on the node through ssh.
ME=$REPO/$LAB
cmd=(packaging/ha-failover-test --vip 198.51.100.100 --ssh-config "$T/ssh_config"
	--node node1=ssh:198.51.100.11 --node node2=ssh:198.51.100.12 --client local
	--crash-cmd "LAB_DIR=$LAB_DIR $ME kill-vrrpd {node}"
	--start-cmd "LAB_DIR=$LAB_DIR $ME start-vrrpd {node}")

cl "${cmd[@]}" --status >"$T/status.out" 2>&1
cat "$T/status.out"
t_assert "--status over ssh: node1 holds the VIP" grep -q 'ok .*198.51.100.100 is held by node1' "$T/status.out"

# Over ssh the tool times from its own clock, so the VIP move includes the ssh
# round trips and the lab's kill command waiting for the node's supervisor to
# exit (about 2 s here): the limit is loose; test_failover_tool checks timing.
cl "${cmd[@]}" --mode crash --max-failover 12 >"$T/crash.out" 2>&1
rc=$?
cat "$T/crash.out"
t_assert "crash failover over ssh: PASS (exit $rc)" test "$rc" = 0
t_assert "each service step passed" bash -c "for s in 'OTLP POST' 'Thanos Query Frontend' 'Thanos Query VIP' 'Loki'; do grep -q \"ok    \$s\" '$T/crash.out' || exit 1; done"
t_assert "the VIP moved to node2" grep -q 'summary: mode=crash from=node1 to=node2 vip_move_ms=[0-9]' "$T/crash.out"
t_assert "vrrpd started again over ssh takes the VIP back" grep -q 'ok    vrrpd back on node1, VIP back' "$T/crash.out"
t_assert "node1 holds the VIP again" bash -c "ip -n '$NS_node1' -o addr show to 198.51.100.100 | grep -q ."

# A node that cannot be reached is a clear failure, not a hang or a PASS
# (it used to count as "does not hold the VIP").
cl packaging/ha-failover-test --vip 198.51.100.100 --ssh-config "$T/ssh_config" --timeout 3 \
	--node node1=ssh:198.51.100.11 --node node2=ssh:198.51.100.13 --status >"$T/bad.out" 2>&1
rc=$?
cat "$T/bad.out"
t_assert "an unreachable node: FAIL (exit $rc)" test "$rc" = 1
t_assert "it names the node it cannot reach" grep -q 'FAIL  cannot reach node2 (ssh:198.51.100.13)' "$T/bad.out"
exit 0
