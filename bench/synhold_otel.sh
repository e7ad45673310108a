#!/usr/bin/env bash
# bench/synhold_otel.sh: what syn-hold does for the OpenTelemetry JS SDK when
# lbd alone is SIGKILLed on the master (issue 18; the lb-crash scenario of
# bench/availability.sh, reduced to the OTLP path).  The VRRP lab of the tests
# (node1 priority 100, node2 90, client, VIP 198.51.100.100, 1 s adverts, the
# shipped track block of lbd); on each node bench/clients/receiver.js on
# NODE:14318 and lbd's frontend *:4318 over both receivers; vrrpd with
# `syn-hold MODE; syn-hold-ports 4318;`.  bench/clients/otel_client.js (metrics
# and logs every 100 ms, the SDK's own retry policy) exports to VIP:4318 for
# 3 s, lbd on node1 is SIGKILLed, and it goes on for 12 s after node2 became
# master; then it is stopped (its exports in flight finish).  Printed: exports,
# failed exports (by error), batches made, batches lost (at neither receiver),
# and node1's syn_hold counters.
#
#   MODE=on bench/synhold_otel.sh      MODE=off bench/synhold_otel.sh
# Not part of make check.  Needs root, `make` and the npm clients (make deps).
set -u
export NET_BIN=${NET_BIN:-build}
. "$(dirname "$0")/../tests/net/lib.sh"
. "$(dirname "$0")/../tests/net/vrrp_lab.sh"
net_require node curl
MODE=${MODE:-on}
CLIENTS=$REPO/bench/clients
[ -f "$CLIENTS/node_modules/.package-lock.json" ] || net_unavailable "the npm clients are not installed (make deps)"
[ -x "$BIN/vrrpd" ] && [ -x "$BIN/lbd" ] || net_unavailable "no daemons in $BIN (make)"
TRACK=$(sed -n '/^track lbd {/,/^}/p' "$REPO/configs/templates/vrrpd.conf.in")

vrrp_lab
for n in n1 n2; do
	ip=198.51.100.1${n#n}
	net_spawn "$n" "recv_$n" node "$CLIENTS/receiver.js" --listen "$ip:14318" --out "$T/received-$n" --node "$n"
	cat > "$T/lbd-$n.conf" <<EOF2
global { workers 2; stats 127.0.0.1:8404 health 127.0.0.1:8405; control $T/lbd-$n.sock; access-log off; grace 1s; }
defaults { timeout connect 1s; retries 3; redispatch on; }
backend otel { check GET / expect 200-499 interval 2s timeout 2s rise 2 fall 3; server n1 198.51.100.11:14318; server n2 198.51.100.12:14318; }
frontend otlp { bind *:4318; backend otel; }
EOF2
	net_spawn "$n" "lbd_$n" "$BIN/lbd" -n -f "$T/lbd-$n.conf"
	prio=90; [ "$n" = n1 ] && prio=100
	{ vrrp_conf "$n" "$prio" 1s "track lbd weight -20;" "syn-hold $MODE;" "syn-hold-ports 4318;"
	  printf '%s\n' "$TRACK"; } > "$T/$n.conf"
done
all_up() { "$BIN/lbctl" -s "$T/lbd-$1.sock" --json status | "$PY" -c \
	"import json,sys; s=json.load(sys.stdin); sys.exit(0 if all(v['up'] for b in s['backends'] for v in b['servers']) else 1)"; }
wait_for 15 "node1's lbd has both receivers UP" all_up n1
wait_for 15 "node2's lbd has both receivers UP" all_up n2
vrrp_run n1 "$T/n1.conf"
wait_for 8 "node1 is master" vrrp_state_is n1 master
vrrp_run n2 "$T/n2.conf"
wait_for 8 "node2 is backup" vrrp_state_is n2 backup
wait_for 6 "node1 at its full priority" field_is n1 effective_priority 100

ip netns exec "$NS_cl" node "$CLIENTS/otel_client.js" --url "http://$VIP:4318" --log "$T/otel.jsonl" >"$T/otel.out" 2>&1 &
CP=$!
net_on_exit "kill -KILL $CP"
sleep 3 # steady traffic before the event
t_log "lbd SIGKILLed on node1 (syn-hold $MODE)"
kill -KILL "$PID_lbd_n1"
wait_for 8 "node2 is master" vrrp_state_is n2 master
sleep 12 # observed after the move
kill -TERM "$CP"
wait "$CP"
"$PY" - "$T/otel.jsonl" "$T/received-n1" "$T/received-n2" <<'PY'
import json, sys
ex = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = set()
for f in sys.argv[2:]:
    for l in open(f):
        p = l.split()
        if len(p) >= 2:
            got.add((p[0], int(p[1])))
made = set()
for e in ex:
    for s in e['seq']:
        made.add(('metrics' if 'metrics' in e['c'] else 'logs', s))
print("exports %d, failed %d, batches made %d, lost %d" % (
    len(ex), sum(1 for e in ex if not e['ok']), len(made), len(made - got)))
errs = {}
for e in ex:
    if not e['ok']:
        errs[e.get('err', '?')] = errs.get(e.get('err', '?'), 0) + 1
for k, v in sorted(errs.items(), key=lambda kv: -kv[1]):
    print("  failed %d: %s" % (v, k))
PY
vrrpctl_json n1 | "$PY" -c "import json,sys; print('node1 syn_hold:', json.load(sys.stdin)['syn_hold'])"
