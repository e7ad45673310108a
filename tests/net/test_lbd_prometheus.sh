#!/usr/bin/env bash
# The deployment's 9192 frontend (Thanos Query API) with Debian's
# Prometheus as the two servers behind lbd: a real PromQL query answered
# through lbd, made with curl and with promtool.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lbd_lib.sh"
net_require prometheus promtool

lbd_setup
prom() { # name addr
	mkdir -p "$T/prom-$1"
	cat > "$T/prom-$1.yml" <<Y
global: { scrape_interval: 1s, external_labels: { replica: "$1" } }
scrape_configs:
  - job_name: self
    static_configs: [ { targets: ["$2:19192"] } ]
Y
	net_spawn lb "prom_$1" prometheus --config.file="$T/prom-$1.yml" --storage.tsdb.path="$T/prom-$1" \
		--web.listen-address="$2:19192" --log.level=warn
}
prom a 192.0.2.11
prom b 192.0.2.12
lbd_conf "$T/lbd.conf" <<'C'
backend thanos-query { server mid-1 192.0.2.11:19192; server mid-2 192.0.2.12:19192; }
frontend thanos-query { bind 192.0.2.10:9192; backend thanos-query; }
C
lbd_start "$T/lbd.conf"
P='/api/v1/query?query=up%7Bjob%3D%22self%22%7D'
Q=http://192.0.2.10:9192$P
has_sample() { c "http://$1:19192$P" | grep -q '"result":\[{"metric":{"__name__":"up"'; }
wait_for 20 "both Prometheus have scraped themselves once" eval 'has_sample 192.0.2.11 && has_sample 192.0.2.12'

r=$(c "$Q")
t_assert "curl: PromQL 'up' through lbd answers success with value 1 ($r)" grep -q '"value":\[[0-9.]*,"1"\]' <<<"$r"
out=$(ns_exec lb promtool query instant http://192.0.2.10:9192 'up{job="self"}' 2>&1)
t_assert "promtool query instant through lbd: $out" grep -q '^up{.*job="self".*} => 1 @' <<<"$out"
# a range query with a POST body, as Grafana sends them
r=$(c --data-urlencode 'query=sum(up)' --data-urlencode 'time=0' http://192.0.2.10:9192/api/v1/query)
t_assert "POST form query through lbd" grep -q '"status":"success"' <<<"$r"
t_assert "requests went to both servers" lbd_check "min(x['requests'] for x in s['backends'][0]['servers']) >= 1"
