#!/usr/bin/env bash
# "lbctl show stat" (the main loop) while the stats thread samples the
# request rates (once a second) and serves pages: every answer lists every
# server and a request rate.  Meant for the ThreadSanitizer build too
# (tests/run.sh runs it against build/tsan-clang), where reading the rate
# table while the sampler rewrote it was reported as a data race: 1000
# servers make the sampling long enough for the two to overlap.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require curl

NSERVERS=1000
lbd_setup
lbd_nginx a 192.0.2.11:8080
{
	printf 'global { workers 1; control %s; access-log off; stats 192.0.2.10:8404 vrrp %s; }\n' \
		"$LBD_SOCK" "$T/no-vrrpd.sock"
	printf 'backend web {\n\tserver a 192.0.2.11:8080;\n'
	for i in $(seq 1 $((NSERVERS - 1))); do printf '\tserver s%d 192.0.2.12:%d weight 0;\n' "$i" $((10000 + i)); done
	printf '}\nfrontend www { bind 192.0.2.10:9192; backend web; }\n'
} >"$T/lbd.conf"
lbd_start "$T/lbd.conf"
wait_for 5 "stats listener" c -f -o /dev/null http://192.0.2.10:8404/healthz

# Traffic, so the sampler has rates to compute.
for _ in $(seq 1 20); do c -f -o /dev/null --max-time 2 http://192.0.2.10:9192/ || t_fail "request through lbd"; done

column() { # csv proxy server column
	awk -F, -v p="$2" -v s="$3" -v c="$4" \
		'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i } $1 == p && $2 == s && col { print $col }' <<<"$1"
}
# About 4 s of "show stat" from the main loop (two more clients asking in a
# loop beside the checked one), pages from the stats thread in between: at
# least three sampling rounds overlap them.
end=$(($(date +%s) + 4))
for k in 1 2; do
	(while [ "$(date +%s)" -lt "$end" ]; do lbctl_ show stat >/dev/null || exit 1; done) &
	eval "asker$k=\$!"
done
n=0
while [ "$(date +%s)" -lt "$end" ] && [ "$n" -lt 2000 ]; do
	n=$((n + 1))
	csv=$(lbctl_ show stat) || t_fail "lbctl show stat (round $n)"
	rows=$(grep -c '^web,s[0-9]*,' <<<"$csv")
	[ "$rows" = $((NSERVERS - 1)) ] || t_fail "show stat round $n listed $rows of $((NSERVERS - 1)) weight-0 servers"
	[ -n "$(column "$csv" www FRONTEND req_rate_max)" ] || t_fail "show stat round $n: no req_rate_max for www"
	[ $((n % 10)) = 0 ] && { c -f -o /dev/null 'http://192.0.2.10:8404/stats;csv' || t_fail "stats page"; }
done
t_log "ok: $n rounds of show stat"
wait "$asker1" || t_fail "a looping lbctl show stat failed"
wait "$asker2" || t_fail "a looping lbctl show stat failed"
max=$(column "$(lbctl_ show stat)" www FRONTEND req_rate_max)
t_assert "www's highest request rate is above 0 (the sampler ran)" [ "${max:-0}" -gt 0 ]
t_assert "lbd still running" net_alive "$PID_lbd"
t_log "PASS"
