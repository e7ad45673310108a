#!/usr/bin/env node
// prom_client.js: a Grafana-like reader of the Prometheus HTTP API through the
// VIP, with the npm client prometheus-query (axios underneath, its own
// keep-alive-less connections and timeout).  One instant query "up" every
// --interval ms on each endpoint (Thanos Query :9192, Query Frontend :19193 in
// the deployment), one at a time per endpoint; one JSON line per query in --log:
//
//   {"c":"prom-9192","t0":ms,"t1":ms,"ok":true,"by":"mid-1"}
//
// "by" is the replica label of the answer (which node's Prometheus answered).
//
//   node prom_client.js --endpoints http://VIP:9192,http://VIP:19193 --log FILE
//                       [--interval 100] [--timeout 2000] [--count 0]
'use strict';
const { parseArgs, requestLog } = require('./args');
const { PrometheusDriver } = require('prometheus-query');

const opt = parseArgs(process.argv.slice(2), { endpoints: null, log: null, interval: 100, timeout: 2000, count: 0 });
if (!opt.endpoints) {
	console.error('usage: prom_client.js --endpoints URL[,URL] --log FILE [--interval MS] [--timeout MS] [--count N]');
	process.exit(2);
}
const record = requestLog(opt.log);
let stopping = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function loop(endpoint) {
	const port = new URL(endpoint).port;
	const prom = new PrometheusDriver({ endpoint, baseURL: '/api/v1', timeout: opt.timeout });
	let failed = 0;
	for (let n = 0; !stopping && (!opt.count || n < opt.count); n++) {
		const t0 = Date.now();
		const rec = { c: `prom-${port}`, t0 };
		try {
			const r = await prom.instantQuery('up');
			rec.ok = Array.isArray(r.result);
			const s = r.result && r.result[0];
			if (s && s.metric && s.metric.labels) rec.by = s.metric.labels.replica;
		} catch (e) {
			rec.ok = false;
			rec.err = String((e && (e.message || e.error || e.errorType)) || e).slice(0, 200);
			failed++;
		}
		rec.t1 = Date.now();
		record(rec);
		const left = opt.interval - (rec.t1 - t0);
		if (left > 0) await sleep(left);
	}
	return failed;
}

process.on('SIGTERM', () => { stopping = true; });
process.on('SIGINT', () => { stopping = true; });
Promise.all(opt.endpoints.split(',').map(loop)).then((f) => {
	const total = f.reduce((a, b) => a + b, 0);
	console.log(`prom_client: ${total} failed queries`);
	process.exit(opt.count && total ? 1 : 0);
});
