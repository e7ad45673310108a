#!/usr/bin/env bash
# WebSocket through lbd (Loki's live tail uses it): the Upgrade is passed,
# the 101 relayed, then bytes flow both ways; echo checked with
# python3-websockets on both ends; the tunnel's idle timeout closes it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
"$PY" -c "import websockets" 2>/dev/null || net_unavailable "python3-websockets is not installed"
WS=$(dirname "$0")/lbd_ws.py

lbd_setup
net_spawn lb ws_a "$PY" "$WS" serve 192.0.2.11 3100
net_spawn lb ws_b "$PY" "$WS" serve 192.0.2.12 3100
wait_for 5 "echo servers" ns_exec lb bash -c '</dev/tcp/192.0.2.11/3100 && </dev/tcp/192.0.2.12/3100'
lbd_conf "$T/lbd.conf" <<'C'
defaults { timeout tunnel 2s; }
backend loki { server a 192.0.2.11:3100; server b 192.0.2.12:3100; }
frontend loki { bind 192.0.2.10:3100; backend loki; }
C
lbd_start "$T/lbd.conf"

t_assert "20 text and binary (100 KB) messages echoed through lbd" \
	ns_exec lb timeout 20 "$PY" "$WS" client ws://192.0.2.10:3100/loki/api/v1/tail 20
# Round robin is per worker: of 3 tunnels over 2 workers, two share a worker.
for i in 1 2 3; do
	t_assert "tunnel $i echoes" ns_exec lb timeout 20 "$PY" "$WS" client ws://192.0.2.10:3100/tail 1
done
t_assert "access log shows the 101" grep -q ' loki loki/[ab] [-0-9/]* 101 ' "$T/lbd.log"
t_assert "both servers got a tunnel" bash -c "grep -q 'loki/a [-0-9/]* 101 ' '$T/lbd.log' && grep -q 'loki/b [-0-9/]* 101 ' '$T/lbd.log'"

# An idle tunnel is closed after 'timeout tunnel' (2s).
el=$(ns_exec lb timeout 15 "$PY" "$WS" idle ws://192.0.2.10:3100/tail)
t_assert "idle tunnel closed by lbd after ~2s (took ${el:-?} ms)" test "${el:-0}" -ge 1800 -a "${el:-0}" -lt 6000
t_assert "lbd still serving" lbctl_ status
