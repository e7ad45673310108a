#!/usr/bin/env bash
# ha-failover-test --status says clearly when vrrpd's interface does not
# exist on a node (the configs' INTERFACE is a guess until the deployment
# names it): node 1's vrrpd is configured for eth1, which it does not have;
# node 2 holds the VIP.  The tool names node 1 and the interface and says
# FAIL (exit 1); with both nodes right it says nothing of the kind (exit 0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

TOOL=${FAILOVER_TOOL:-$REPO/packaging/ha-failover-test}
vrrp_lab
vrrp_conf n1 100 100ms | sed 's/interface eth0;/interface eth1;/' > "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 1 waits in FAULT" vrrp_state_is n1 fault
wait_for 5 "node 2 is master" vrrp_state_is n2 master
wait_for 2 "VIP on node 2" vip_on n2
status() {
	"$TOOL" --vip "$VIP" --node "n1=netns:$NS_n1" --node "n2=netns:$NS_n2" \
		--vrrpctl "$BIN/vrrpctl -s $T/{node}.sock" --status
}
out=$(status 2>&1); rc=$?
t_log "$out"
t_assert "--status fails (exit $rc)" [ "$rc" = 1 ]
t_assert "it names node 1 and its missing interface" grep -q "FAIL  n1: interface eth1 does not exist on this node" <<<"$out"
t_assert "and says where to set it" grep -q "INTERFACE in configs/site.env" <<<"$out"
t_assert "it still says who holds the VIP" grep -q "ok .*$VIP is held by n2" <<<"$out"
t_assert "node 2 is not blamed" sh -c "! grep -q 'n2: interface' <<EOT
$out
EOT"
net_stop "$PID_vrrpd_n1"
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1, on eth0 now, is master" vrrp_state_is n1 master
wait_for 2 "VIP on node 1" vip_on n1
out=$(status 2>&1); rc=$?
t_log "$out"
t_assert "--status passes (exit $rc)" [ "$rc" = 0 ]
t_assert "no interface is reported missing" sh -c "! grep -q 'does not exist' <<EOT
$out
EOT"
