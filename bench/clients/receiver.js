#!/usr/bin/env node
// receiver.js: an OTLP/HTTP receiver standing in for one node's OpenTelemetry
// collector (:14318 behind lbd, as in the deployment).  It accepts what the
// OpenTelemetry JS exporters send (JSON or protobuf is not asked: the bench's
// exporters send JSON), finds the sequence number each batch carries (the
// gauge "bench.seq" of metrics batches, the attribute "bench.seq" of log
// records) and appends one line per sequence number to its record file:
//
//   <signal> <seq> <node> <epoch ms>
//
// written synchronously before the 200 is sent, so that a batch the exporter
// saw accepted is on disk even if this process is SIGKILLed just after.
// Like a real collector it answers 404 to GET / (opentelemetry-collector#5187).
//
//   node receiver.js --listen ADDR:PORT[,ADDR:PORT] --out FILE --node NAME
'use strict';
const http = require('http');
const fs = require('fs');
const { parseArgs } = require('./args');

const opt = parseArgs(process.argv.slice(2), { listen: null, out: null, node: 'node' });
if (!opt.listen || !opt.out) {
	console.error('usage: receiver.js --listen ADDR:PORT[,ADDR:PORT] --out FILE --node NAME');
	process.exit(2);
}
const fd = fs.openSync(opt.out, 'a');
const MAX_BODY = 16 << 20;

function intOf(v) {
	if (v === undefined || v === null) return null;
	const n = Number(v);
	return Number.isFinite(n) ? n : null;
}

// The sequence numbers of a metrics batch: every data point of "bench.seq".
function metricSeqs(body) {
	const out = [];
	for (const rm of body.resourceMetrics || [])
		for (const sm of rm.scopeMetrics || [])
			for (const m of sm.metrics || []) {
				if (m.name !== 'bench.seq') continue;
				const g = m.gauge || m.sum || {};
				for (const dp of g.dataPoints || []) {
					const v = intOf(dp.asInt !== undefined ? dp.asInt : dp.asDouble);
					if (v !== null) out.push(v);
				}
			}
	return out;
}

// The sequence numbers of a logs batch: the attribute "bench.seq" of each record.
function logSeqs(body) {
	const out = [];
	for (const rl of body.resourceLogs || [])
		for (const sl of rl.scopeLogs || [])
			for (const lr of sl.logRecords || [])
				for (const a of lr.attributes || []) {
					if (a.key !== 'bench.seq' || !a.value) continue;
					const v = intOf(a.value.intValue !== undefined ? a.value.intValue : a.value.doubleValue);
					if (v !== null) out.push(v);
				}
	return out;
}

function reply(res, code, text) {
	res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
	res.end(text);
}

function handle(req, res) {
	const signal = { '/v1/metrics': 'metrics', '/v1/logs': 'logs', '/v1/traces': 'traces' }[req.url];
	if (req.method !== 'POST' || !signal) {
		reply(res, 404, '404 page not found\n');
		return;
	}
	const chunks = [];
	let size = 0;
	req.on('data', (c) => {
		size += c.length;
		if (size <= MAX_BODY) chunks.push(c);
	});
	req.on('end', () => {
		if (size > MAX_BODY) return reply(res, 413, '{"error":"too large"}');
		let body;
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch (e) {
			return reply(res, 400, '{"error":"this receiver reads OTLP/HTTP JSON only"}');
		}
		const seqs = signal === 'metrics' ? metricSeqs(body) : signal === 'logs' ? logSeqs(body) : [];
		const now = Date.now();
		if (seqs.length) fs.writeSync(fd, seqs.map((s) => `${signal} ${s} ${opt.node} ${now}\n`).join(''));
		reply(res, 200, '{"partialSuccess":{}}');
	});
	req.on('error', () => {});
}

for (const hp of opt.listen.split(',')) {
	const i = hp.lastIndexOf(':');
	const srv = http.createServer(handle);
	srv.keepAliveTimeout = 60000;
	srv.listen(Number(hp.slice(i + 1)), hp.slice(0, i), () => console.log(`receiver ${opt.node} listening on ${hp}`));
	srv.on('error', (e) => {
		console.error(`receiver: ${hp}: ${e.message}`);
		process.exit(1);
	});
}
process.on('SIGTERM', () => process.exit(0));
