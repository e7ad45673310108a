#!/usr/bin/env bash
# An address owner (priority 255) whose virtual address is the interface's
# own address (RFC 5798 section 1): vrrpd never removes that address, which
# it did not add: not at start-up (no "stale" address), not at stop, not by
# `vrrpd --cleanup`; and the owner is master, not in FAULT.  The VIPs vrrpd
# does add are still removed by a restart after a crash (test_vrrp_cleanup).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

OWN=198.51.100.11
vrrp_lab
VIP=$OWN vrrp_conf n1 255 100ms > "$T/n1.conf"
vrrp_conf n2 90 100ms > "$T/n2.conf"
sed -i "s|virtual-address .*|virtual-address $OWN/24;|" "$T/n2.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "the owner is master" vrrp_state_is n1 master
t_assert "its own address is still on eth0" vip_on n1 "$OWN"
t_assert "no stale address was removed" sh -c "! grep -q 'stale virtual address' '$T/vrrpd_n1.log'"
t_assert "the status says installed" field_is n1 vips_installed true
vrrp_run n2 "$T/n2.conf"
wait_for 5 "node 2 is backup" vrrp_state_is n2 backup
wait_for 2 "node 2 hears the owner" field_is n2 master_priority 255
# Reloads keep the marks with the addresses: the owner's own address moves to
# second place beside a new one, then leaves the list; vrrpd still did not
# add it, so it stays, and the one vrrpd added goes at stop.
sed -i "s|virtual-address .*|virtual-address 198.51.100.100/24; virtual-address $OWN/24;|" "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "node 1 reloaded (VIP added before its own address)" grep -c "reloaded" "$T/vrrpd_n1.log"
wait_for 2 "the new VIP is on" vip_on n1 198.51.100.100
sed -i "s|virtual-address .*|virtual-address 198.51.100.100/24;|" "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "node 1 reloaded again (its own address out of the list)" sh -c "[ \$(grep -c reloaded '$T/vrrpd_n1.log') -ge 2 ]"
t_assert "its own address stays when the reload drops it from the list" vip_on n1 "$OWN"
t_assert "the new VIP stays" vip_on n1 198.51.100.100
sed -i "s|virtual-address .*|virtual-address $OWN/24;|" "$T/n1.conf"
kill -HUP "$PID_vrrpd_n1"
wait_for 3 "node 1 reloaded a third time (back to its own address)" sh -c "[ \$(grep -c reloaded '$T/vrrpd_n1.log') -ge 3 ]"
wait_for 2 "the VIP vrrpd added is removed when the reload drops it" vip_off n1 198.51.100.100
t_assert "its own address is still there" vip_on n1 "$OWN"
net_stop "$PID_vrrpd_n1"
t_assert "the owner's address survives its stop" vip_on n1 "$OWN"
t_assert "vrrpd --cleanup succeeds" ns_exec n1 "$BIN/vrrpd" --cleanup -f "$T/n1.conf"
t_assert "the owner's address survives --cleanup" vip_on n1 "$OWN"
wait_for 3 "node 2 takes over" vrrp_state_is n2 master
wait_for 2 "node 2 holds the address" vip_on n2 "$OWN"
t_assert "node 2's own address is untouched" vip_on n2 198.51.100.12
net_stop "$PID_vrrpd_n2"
wait_for 2 "node 2 released the address it had added" vip_off n2 "$OWN"
t_assert "node 1 still has it" vip_on n1 "$OWN"
