#!/usr/bin/env bash
# IPv6: after a link flap the link-local address is tentative (duplicate
# address detection, a second or two) and the kernel refuses it as a
# source.  The instance must wait in FAULT until DAD is over (the status
# says so), then become master, without a failed advert.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"

ll_tentative() { ip -n "$NS_n1" -6 addr show dev eth0 scope link | grep -q tentative; }
ll_ready() { ip -n "$NS_n1" -6 addr show dev eth0 scope link | grep -q inet6 && ! ll_tentative; }
says_tentative() { [ "$(vrrp_field n1 link_fault)" = "address tentative (duplicate address detection)" ]; }

vrrp_lab
printf 'global {\n\tcontrol %s/n1.sock;\n\tmlock off;\n\trealtime-priority 5;\n}\n' "$T" > "$T/n1.conf"
printf 'instance VI6 {\n\tinterface eth0;\n\tvrid 52;\n\tpriority 100;\n\tadvert 100ms;\n\tvirtual-address 2001:db8::100/64;\n}\n' >> "$T/n1.conf"
wait_for 5 "node 1's link-local address is ready" ll_ready
vrrp_run n1 "$T/n1.conf"
wait_for 5 "node 1 is master" vrrp_state_is n1 master
ip -n "$NS_n1" link set eth0 down
wait_for 3 "node 1 is in FAULT" vrrp_state_is n1 fault
# (the priority-0 goodbye on the down link may have failed: counted so far)
errs=$(vrrp_field n1 counters.send_errors)
ip -n "$NS_n1" link set eth0 up
wait_for 2 "the new link-local address is tentative" ll_tentative
t_assert "node 1 stays in FAULT while it is" vrrp_state_is n1 fault
wait_for 2 "the status says why" says_tentative
wait_for 5 "DAD is over" ll_ready
wait_for 3 "node 1 is master" vrrp_state_is n1 master
t_assert "no advert failed since the link came up (counters.send_errors still $errs)" field_is n1 counters.send_errors "$errs"
