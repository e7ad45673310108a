#!/usr/bin/env node
// report.js: the tables of bench/availability.sh from its results (JSON lines
// written by summarise.js, one per run, scenario and client).
//
//   node report.js RESULTS.jsonl          per scenario: both implementations side by side
//   node report.js RESULTS.jsonl --full   per scenario and client
//
// "gap" is the longest window without a successful request; per scenario it is
// the worst client's of each run (OTel and Prometheus clients apart from the
// S3 client, whose requests last 0.3-1.5 s each), and the median over the runs ("+": a window
// was still open at the end of the observation).  failed: requests that failed
// after the client's own retries, summed over clients and runs, per run.  lost:
// OpenTelemetry batches (metrics + log batches' records) no receiver recorded,
// per run.  S3: uploads failed / objects corrupt or missing on read-back, per run.
'use strict';
const fs = require('fs');

const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const full = process.argv.includes('--full');
const med = (a) => {
	if (!a.length) return NaN;
	const s = [...a].sort((x, y) => x - y);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sum = (a, f) => a.reduce((n, r) => n + (f(r) || 0), 0);
const perRun = (n, runs) => (runs ? (n / runs).toFixed(n % runs ? 1 : 0) : '-');
const ratio = (v, k) => (v >= 0 && k > 0 ? (v / k).toFixed(2) : 'n/a');

function group(keyOf) {
	const g = new Map();
	for (const r of rows) {
		const k = keyOf(r);
		if (!g.has(k)) g.set(k, {});
		(g.get(k)[r.impl] ||= []).push(r);
	}
	return g;
}

if (!full) {
	const g = group((r) => `${r.advert}\t${r.scenario}`);
	// worst gap of each run over the clients that match, median over runs
	const worst = (rs, f) => {
		const runs = new Map();
		for (const r of rs.filter(f)) (runs.get(r.rep) || runs.set(r.rep, []).get(r.rep)).push(r);
		const gaps = [...runs.values()].map((rr) => Math.max(...rr.map((r) => r.gap_ms)));
		const open = rs.some((r) => f(r) && r.open) ? '+' : '';
		return { gap: med(gaps), txt: `${(med(gaps) / 1000).toFixed(1)}${open} [${gaps.map((x) => (x / 1000).toFixed(1)).join(' ')}]` };
	};
	const isS3 = (r) => r.c.startsWith('s3');
	const cell = (rs) => {
		if (!rs) return { txt: 'n/a | | | | ', gap: NaN };
		const n = new Set(rs.map((r) => r.rep)).size;
		const otel = rs.filter((r) => 'lost' in r);
		const up = rs.filter((r) => r.c === 's3-upload');
		const fast = worst(rs, (r) => !isS3(r));
		return {
			gap: fast.gap,
			txt: `${fast.txt} | ${worst(rs, isS3).txt} | ${perRun(sum(rs, (r) => r.failed), n)} | ` +
				`${perRun(sum(otel, (r) => r.lost), n)} | ` +
				`${perRun(sum(up, (r) => r.failed), n)}/${perRun(sum(rs, (r) => (r.corrupt || 0) + (r.missing || 0)), n)}`,
		};
	};
	console.log('| advert | scenario | vrrpd+lbd: gap s, OTel+Prom [runs] | S3 [runs] | failed | OTel lost | S3 failed/bad ' +
		'| keepalived+HAProxy: gap s, OTel+Prom | S3 | failed | OTel lost | S3 failed/bad | ratio OTel+Prom gap |');
	console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
	for (const [k, v] of g) {
		const [adv, sc] = k.split('\t');
		const a = cell(v.vrrpd);
		const b = cell(v.keepalived);
		console.log(`| ${adv} ms | ${sc} | ${a.txt} | ${b.txt} | ${ratio(a.gap, b.gap)} |`);
	}
} else {
	const g = group((r) => `${r.advert}\t${r.scenario}\t${r.c}`);
	const cell = (rs) => {
		if (!rs) return 'n/a';
		const open = rs.some((r) => r.open) ? '+' : '';
		let s = `${med(rs.map((r) => r.gap_ms))}${open} ms [${rs.map((r) => r.gap_ms).join(' ')}], failed ${sum(rs, (r) => r.failed)}`;
		if ('lost' in rs[0]) s += `, lost ${sum(rs, (r) => r.lost)}`;
		if (rs[0].c.startsWith('s3')) s += `, bad ${sum(rs, (r) => (r.corrupt || 0) + (r.missing || 0))}`;
		return s;
	};
	console.log('| advert | scenario | client | vrrpd+lbd: median gap [runs], sums | keepalived+HAProxy | ratio |');
	console.log('|---|---|---|---|---|---|');
	for (const [k, v] of g) {
		const [adv, sc, c] = k.split('\t');
		const a = v.vrrpd ? med(v.vrrpd.map((r) => r.gap_ms)) : NaN;
		const b = v.keepalived ? med(v.keepalived.map((r) => r.gap_ms)) : NaN;
		console.log(`| ${adv} ms | ${sc} | ${c} | ${cell(v.vrrpd)} | ${cell(v.keepalived)} | ${ratio(a, b)} |`);
	}
}
console.log('(gap: the longest window without a successful request; "+": a window still open at the end of the observation)');
