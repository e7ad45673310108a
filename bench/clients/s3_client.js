#!/usr/bin/env node
// s3_client.js: an S3 user through the VIP, with the AWS SDK for JavaScript v3
// (@aws-sdk/client-s3, and @aws-sdk/lib-storage's Upload for multipart uploads),
// path-style, SigV4, the SDK's standard retry mode (3 attempts).
//
// Load mode (default): until SIGTERM or --count uploads, upload an object of
// --size bytes of random data with Upload (parts of --part bytes, 2 in
// parallel; multipart when size > part), then read back a random byte range
// of it (GetObject with Range) and compare.  One JSON line per operation in --log:
//
//   {"c":"s3-upload","t0":ms,"t1":ms,"ok":true,"key":"k-3","size":N,"sha256":"..."}
//   {"c":"s3-read","t0":ms,"t1":ms,"ok":true,"range":"bytes=a-b","corrupt":false}
//
// Verify mode (--verify LOG): every object LOG says was uploaded is read back
// whole and its SHA-256 compared; prints "verified N, missing N, corrupt N"
// and exits 1 unless all match.
//
//   node s3_client.js --endpoint http://VIP:9000 --bucket B --log FILE [--size N] [--part N] [--count N]
//   node s3_client.js --endpoint http://VIP:9000 --bucket B --verify FILE
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const { parseArgs, requestLog } = require('./args');
const { S3Client, CreateBucketCommand, GetObjectCommand } = require('@aws-sdk/client-s3');
const { Upload } = require('@aws-sdk/lib-storage');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const MiB = 1 << 20;
const opt = parseArgs(process.argv.slice(2), {
	endpoint: null, bucket: 'bench', log: null, verify: null, size: 6 * MiB, part: 5 * MiB, count: 0,
	prefix: 'k', interval: 100,
});
if (!opt.endpoint) {
	console.error('usage: s3_client.js --endpoint URL [--bucket B] (--log FILE [--size N] [--part N] [--count N] | --verify FILE)');
	process.exit(2);
}
const s3 = new S3Client({
	endpoint: opt.endpoint,
	region: 'us-east-1',
	forcePathStyle: true,
	credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
	// a dead peer must not hang the client for ever: what a real S3 user sets
	requestHandler: new NodeHttpHandler({
		connectionTimeout: 3000,
		requestTimeout: 30000,
		httpAgent: new http.Agent({ keepAlive: true, maxSockets: 8 }),
	}),
});
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function body(out) {
	const chunks = [];
	for await (const c of out.Body) chunks.push(c);
	return Buffer.concat(chunks);
}

async function ensureBucket() {
	for (let i = 0; i < 50; i++) {
		try {
			await s3.send(new CreateBucketCommand({ Bucket: opt.bucket }));
			return;
		} catch (e) {
			if (e.name === 'BucketAlreadyOwnedByYou' || e.name === 'BucketAlreadyExists') return;
			await sleep(200);
		}
	}
	throw new Error(`cannot create bucket ${opt.bucket}`);
}

async function load() {
	const record = requestLog(opt.log);
	let stopping = false;
	process.on('SIGTERM', () => { stopping = true; });
	process.on('SIGINT', () => { stopping = true; });
	await ensureBucket();
	let failed = 0;
	for (let n = 1; !stopping && (!opt.count || n <= opt.count); n++) {
		const data = crypto.randomBytes(opt.size);
		const key = `${opt.prefix}-${process.pid}-${n}`;
		let t0 = Date.now();
		const up = { c: 's3-upload', t0, key, size: opt.size, sha256: sha256(data) };
		try {
			await new Upload({
				client: s3,
				params: { Bucket: opt.bucket, Key: key, Body: data },
				partSize: opt.part,
				queueSize: 2,
				leavePartsOnError: false,
			}).done();
			up.ok = true;
		} catch (e) {
			up.ok = false;
			up.err = String(e.name || '') + ': ' + String(e.message || e).slice(0, 200);
			failed++;
		}
		up.t1 = Date.now();
		record(up);
		if (!up.ok) {
			await sleep(opt.interval);
			continue;
		}
		const a = crypto.randomInt(0, opt.size - 1);
		const b = Math.min(opt.size - 1, a + crypto.randomInt(0, 2 * MiB));
		const range = `bytes=${a}-${b}`;
		t0 = Date.now();
		const rd = { c: 's3-read', t0, key, range };
		try {
			const got = await body(await s3.send(new GetObjectCommand({ Bucket: opt.bucket, Key: key, Range: range })));
			rd.corrupt = !got.equals(data.subarray(a, b + 1));
			rd.ok = !rd.corrupt;
			if (rd.corrupt) failed++;
		} catch (e) {
			rd.ok = false;
			rd.err = String(e.name || '') + ': ' + String(e.message || e).slice(0, 200);
			failed++;
		}
		rd.t1 = Date.now();
		record(rd);
		await sleep(opt.interval);
	}
	console.log(`s3_client: ${failed} failed operations`);
	return opt.count && failed ? 1 : 0;
}

async function verify() {
	const ups = fs.readFileSync(opt.verify, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
		.filter((r) => r.c === 's3-upload' && r.ok);
	let ok = 0, missing = 0, corrupt = 0;
	for (const u of ups) {
		let got = null;
		for (let i = 0; i < 3 && got === null; i++) {
			try {
				got = await body(await s3.send(new GetObjectCommand({ Bucket: opt.bucket, Key: u.key })));
			} catch (e) {
				if (e.name === 'NoSuchKey') break;
				await sleep(500);
			}
		}
		if (got === null) missing++;
		else if (got.length !== u.size || sha256(got) !== u.sha256) corrupt++;
		else ok++;
	}
	console.log(`verified ${ok}, missing ${missing}, corrupt ${corrupt}`);
	return ok === ups.length ? 0 : 1;
}

(opt.verify ? verify() : load()).then((rc) => process.exit(rc), (e) => {
	console.error(`s3_client: ${e.message}`);
	process.exit(1);
});
