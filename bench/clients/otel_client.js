#!/usr/bin/env node
// otel_client.js: an application instrumented with the OpenTelemetry JS SDK,
// exporting through the VIP as the deployment's clients do.
//
//   metrics: a MeterProvider whose PeriodicExportingMetricReader exports every
//            --interval ms (100) with the OTLP/HTTP exporter to URL/v1/metrics;
//            each collection carries the gauge "bench.seq", one more each time
//   logs:    a LoggerProvider whose BatchLogRecordProcessor sends every
//            --interval ms to URL/v1/logs; one record per interval with the
//            attribute "bench.seq"
//
// The exporters are the SDK's, with the SDK's own retry policy (429, 502, 503,
// 504 retried with backoff from 1 s, up to 5 times within the export timeout,
// 10 s; a refused or reset connection is a failed export, not retried).  The
// exporter is wrapped only to record, for every export, the sequence numbers
// it carried and the result, one JSON line per export in --log:
//
//   {"c":"otel-metrics","seq":[17],"t0":ms,"t1":ms,"ok":true}
//
// Runs until --count batches of each signal were made (0: until SIGTERM), then
// shuts the providers down, which waits for exports in flight.
//
//   node otel_client.js --url http://VIP:4318 --log FILE [--interval 100] [--count 0] [--logs 1]
'use strict';
const { parseArgs, requestLog } = require('./args');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const opt = parseArgs(process.argv.slice(2), { url: null, log: null, interval: 100, count: 0, logs: 1 });
if (!opt.url) {
	console.error('usage: otel_client.js --url http://HOST:4318 --log FILE [--interval MS] [--count N] [--logs 0|1]');
	process.exit(2);
}
const record = requestLog(opt.log);
const resource = resourceFromAttributes({ 'service.name': 'ha-bench-client' });

// The exporter as the SDK made it; only export() is looked at.
function recording(inner, c, seqsOf) {
	const w = Object.create(inner);
	w.export = (items, done) => {
		const seq = seqsOf(items);
		const t0 = Date.now();
		inner.export(items, (r) => {
			const rec = { c, seq, t0, t1: Date.now(), ok: r.code === 0 };
			if (r.code !== 0 && r.error) rec.err = String(r.error.message || r.error).slice(0, 200);
			record(rec);
			done(r);
		});
	};
	return w;
}

function metricSeqs(rm) {
	const out = [];
	for (const sm of rm.scopeMetrics)
		for (const m of sm.metrics) if (m.descriptor.name === 'bench.seq') for (const dp of m.dataPoints) out.push(dp.value);
	return out;
}
function logSeqs(records) {
	return records.map((r) => r.attributes['bench.seq']).filter((v) => v !== undefined);
}

let metricSeq = 0;
let logSeq = 0;
const metricExporter = recording(new OTLPMetricExporter({ url: opt.url + '/v1/metrics' }), 'otel-metrics', metricSeqs);
const meterProvider = new MeterProvider({
	resource,
	readers: [
		new PeriodicExportingMetricReader({
			exporter: metricExporter,
			exportIntervalMillis: opt.interval,
			exportTimeoutMillis: opt.interval,
		}),
	],
});
let stopping = false;
meterProvider
	.getMeter('ha-bench')
	.createObservableGauge('bench.seq', { description: 'one more at each collection' })
	.addCallback((result) => {
		if (stopping) return;
		metricSeq++;
		result.observe(metricSeq);
		if (opt.count && metricSeq >= opt.count) stop();
	});

let loggerProvider = null;
let logTimer = null;
if (opt.logs) {
	const logExporter = recording(new OTLPLogExporter({ url: opt.url + '/v1/logs' }), 'otel-logs', logSeqs);
	loggerProvider = new LoggerProvider({
		resource,
		processors: [new BatchLogRecordProcessor(logExporter, { scheduledDelayMillis: opt.interval })],
	});
	const logger = loggerProvider.getLogger('ha-bench');
	logTimer = setInterval(() => {
		if (opt.count && logSeq >= opt.count) return;
		logSeq++;
		logger.emit({ severityText: 'INFO', body: `batch ${logSeq}`, attributes: { 'bench.seq': logSeq } });
	}, opt.interval);
}

// the shutdown waits for what is in flight (retries included), bounded
async function stop() {
	if (stopping) return;
	stopping = true;
	if (logTimer) clearInterval(logTimer);
	const guard = setTimeout(() => {
		console.error('otel_client: shutdown took more than 30 s');
		process.exit(1);
	}, 30000);
	await Promise.allSettled([meterProvider.shutdown(), loggerProvider ? loggerProvider.shutdown() : null]);
	clearTimeout(guard);
	console.log(`otel_client: ${metricSeq} metric batches, ${logSeq} log records made`);
	process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// the reader's interval timer is unref'ed: this keeps the process up
setInterval(() => {}, 1 << 30);
