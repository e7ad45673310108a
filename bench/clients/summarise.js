#!/usr/bin/env node
// summarise.js: what the clients of one run of one scenario saw, from their
// request logs (JSON lines, {c, t0, t1, ok, ...}) and the receivers' records.
//
//   node summarise.js --trigger MS --end MS --logs F[,F] --received F[,F] [--verify TEXT] [--tag JSON]
//
// Prints one JSON line per client kind ("c"), with the tag's fields added:
//   requests   requests that ended in [trigger - baseline, end]
//   failed     of those, failed (after the client's own retries)
//   gap_ms     the longest window without a successful request, from the last
//              success before the trigger (the start of the log if none) to the
//              first success after it, and between any two successes up to end;
//              a window still open at end counts up to end and sets open=true
//   base_ms    the longest such window before the trigger (the client's own cadence)
//   lost       OpenTelemetry only: sequence numbers the client made whose batch
//              no receiver recorded (lost after the SDK's retries)
//   dup        OpenTelemetry only: sequence numbers recorded more often than exported
//   corrupt    S3 only: ranged reads that differed, plus verified objects that differed
'use strict';
const fs = require('fs');
const { parseArgs } = require('./args');

const opt = parseArgs(process.argv.slice(2), { trigger: 0, end: 0, logs: '', received: '', verify: '', tag: '{}' });
const tag = JSON.parse(opt.tag);
const lines = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
const recs = [];
for (const f of opt.logs.split(',').filter(Boolean))
	for (const l of lines(f)) {
		try {
			recs.push(JSON.parse(l));
		} catch (e) {
			// a line cut by a SIGKILL: not a request
		}
	}
const received = { metrics: new Map(), logs: new Map() };
for (const f of opt.received.split(',').filter(Boolean))
	for (const l of lines(f)) {
		const [sig, seq] = l.split(' ');
		const m = received[sig];
		if (m) m.set(Number(seq), (m.get(Number(seq)) || 0) + 1);
	}

const byClient = new Map();
for (const r of recs) {
	if (!byClient.has(r.c)) byClient.set(r.c, []);
	byClient.get(r.c).push(r);
}
for (const [c, rs] of [...byClient.entries()].sort()) {
	rs.sort((a, b) => a.t1 - b.t1);
	const first = Math.min(...rs.map((r) => r.t0));
	const inWin = rs.filter((r) => r.t1 <= opt.end);
	const okT = inWin.filter((r) => r.ok).map((r) => r.t1);
	let last = null;
	let base = 0;
	for (const t of okT) {
		if (t > opt.trigger) break;
		if (last !== null) base = Math.max(base, t - last);
		last = t;
	}
	let from = last === null ? first : last;
	let gap = 0;
	let open = false;
	for (const t of okT) {
		if (t <= opt.trigger) continue;
		gap = Math.max(gap, t - from);
		from = t;
	}
	// still no success at end: the window is open when a request failed or was
	// under way since the last success, or nothing succeeded after the trigger
	const pending = rs.some((r) => r.t0 < opt.end && r.t1 > from && (!r.ok || r.t1 > opt.end));
	if (opt.end - from > gap && (pending || !okT.some((t) => t > opt.trigger))) {
		gap = opt.end - from;
		open = true;
	}
	const out = { ...tag, c, requests: inWin.length, failed: inWin.filter((r) => !r.ok).length, gap_ms: gap, open, base_ms: base };
	const sig = { 'otel-metrics': 'metrics', 'otel-logs': 'logs' }[c];
	if (sig) {
		const made = new Map();
		for (const r of rs) for (const s of r.seq || []) if (r.ok) made.set(s, (made.get(s) || 0) + 1);
		const all = new Set();
		for (const r of rs) for (const s of r.seq || []) all.add(s);
		out.batches = all.size;
		out.lost = [...all].filter((s) => !received[sig].has(s)).length;
		out.dup = [...received[sig].entries()].filter(([s, n]) => n > Math.max(1, made.get(s) || 0)).length;
	}
	if (c === 's3-read') out.corrupt = inWin.filter((r) => r.corrupt).length;
	if (c === 's3-upload' && opt.verify) {
		const m = /verified (\d+), missing (\d+), corrupt (\d+)/.exec(opt.verify);
		if (m) Object.assign(out, { verified: +m[1], missing: +m[2], corrupt: +m[3] });
	}
	console.log(JSON.stringify(out));
}
