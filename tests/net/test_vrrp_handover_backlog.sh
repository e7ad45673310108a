#!/usr/bin/env bash
# A planned handover loses no connection that the kernel accepted and lbd
# had not: one in a listening socket's accept queue, its request already
# acknowledged by the kernel.  lbd's drain counts used to see only the
# connections its workers had accepted, so vrrpd could give the VIP up with
# one waiting there (a worker not yet run, on a loaded machine); the worker
# then accepted it and answered from an address gone, and the client, its
# request acknowledged, waited for an answer until its own timeout (seen as
# a keep-alive request timing out after 10 s in test_vrrp_graceful_preempt).
#
# Two nodes as in test_vrrp_handover (node 1 master, lbd-control).  Node 1's
# lbd workers are held still (ptrace, tests/net/thread_hold.py) after they
# took the order to quiesce; a client connects through the VIP and sends
# its request, which waits in the accept queue; `vrrpctl handover` on
# node 1.  lbd must count that connection as one with a request in flight:
# the handover is still draining after 10 polls of lbd, and once the
# workers run again the client gets node 1's answer, then node 2 takes the
# VIP (outcome drained).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lab.sh"
. "$(dirname "$0")/handover_lab.sh"
net_require nginx curl ss

handover_lab
handover_nodes "lbd-control $T/lbd-n1.sock;\n\thandover-timeout 5s;"

# The workers take the order to quiesce before they are held (lbd's main
# thread waits for them to take it; on a loaded machine that is well
# before the drain's last polls).  vrrpd's own "quiesce" then extends it.
t_assert "node 1's lbd quiesces" "$BIN/lbctl" -s "$T/lbd-n1.sock" quiesce 30
net_spawn - hold "$PY" "$REPO/tests/net/thread_hold.py" "$PID_lbd_n1" lbd-w "$T/release" 20
wait_for 3 "node 1's lbd workers are held" grep -q '^held 2$' "$T/hold.log"

net_spawn cl waiting curl --noproxy '*' -s -m 6 -o "$T/waiting.body" -w '%{http_code}\n' "http://$VIP:8080/"
queued() { # a connection waits in the accept queue of node 1's listening sockets on :8080
	ip netns exec "$NS_n1" ss -Hltn 'sport = :8080' | awk '{ q += $2 } END { exit !(q > 0) }'
}
wait_for 3 "the client's connection waits in node 1's accept queue" queued

ho_field() { # FIELD of vrrpctl handover status on node 1
	"$BIN/vrrpctl" -s "$T/n1.sock" --json handover status | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}
# vrrpctl handover waits for the outcome
net_spawn - handover "$BIN/vrrpctl" -s "$T/n1.sock" handover
wait_for 3 "the handover has begun" sh -c "'$BIN/vrrpctl' -s '$T/n1.sock' --json handover status | grep -q '\"phase\":\"\(draining\|done\)\"'"
polled_or_done() { [ "$(ho_field polls)" -ge 10 ] || [ "$(ho_field phase)" = done ]; }
wait_for 5 "vrrpd polled lbd 10 times or gave the addresses up" polled_or_done
PHASE=$(ho_field phase)
t_log "with the client's connection in the accept queue: handover $PHASE after $(ho_field polls) polls" \
	"(lbd said $(ho_field conns) connections, $(ho_field busy) busy)"
[ "$PHASE" = done ] || t_assert "node 1 is still master" vrrp_state_is n1 master

touch "$T/release"
wait_for 3 "node 1's lbd workers run again" grep -q '^released$' "$T/hold.log"
wait_for 8 "the waiting client is done" sh -c "! kill -0 $PID_waiting 2>/dev/null"
t_log "the waiting client: HTTP $(cat "$T/waiting.log") '$(cat "$T/waiting.body" 2>/dev/null)'"
t_assert "the waiting client got its answer from node 1" sh -c \
	"grep -qx 200 '$T/waiting.log' && grep -qx n1 '$T/waiting.body'"
t_assert "the handover waited for the connection lbd had not accepted yet" [ "$PHASE" = draining ]
wait_for 8 "node 2 becomes master" vrrp_state_is n2 master
wait_for 3 "vrrpctl handover is done" sh -c "! kill -0 $PID_handover 2>/dev/null"
t_assert "the handover drained lbd" [ "$(ho_field outcome)" = drained ]
wait_for 3 "node 2 answers through the VIP" sh -c \
	"ip netns exec $NS_cl curl --noproxy '*' -sf http://$VIP:8080/ | grep -qx n2"
t_log "PASS"
