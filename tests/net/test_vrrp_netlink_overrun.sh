#!/usr/bin/env bash
# Netlink overrun: while vrrpd is stopped (SIGSTOP) an address flood on
# another interface fills its event socket, and the kernel drops what comes
# after: eth0 going down.  On ENOBUFS vrrpd must read links and addresses
# again: node 1 leaves master for FAULT and its status says the link is down.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

vrrp_lab
vrrp_conf n1 100 100ms > "$T/n1.conf"
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
ip -n "$NS_n1" link add flood0 type bridge
for i in $(seq 1 3000); do printf 'addr add 2001:db8:ff::%x/128 dev flood0 nodad\n' "$i"; done > "$T/flood.batch"
kill -STOP "$PID_vrrpd_n1"
ip -n "$NS_n1" -batch "$T/flood.batch"
ip -n "$NS_n1" link set eth0 down
kill -CONT "$PID_vrrpd_n1"
wait_for 5 "node 1 leaves master for FAULT" vrrp_state_is n1 fault
t_assert "the overrun is logged" grep -q "netlink events lost" "$T/vrrpd_n1.log"
t_assert "its status says the link is down" field_is n1 link_up false
t_assert "and it released the VIP" vip_off n1
ip -n "$NS_n1" link set eth0 up
wait_for 5 "node 1 is master again once the link is up" vrrp_state_is n1 master
