// args.js: "--name value" command-line options over defaults (a number default
// makes the value a number); an unknown option or a missing value is an error.
'use strict';
function parseArgs(argv, defaults) {
	const out = { ...defaults };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const name = a.startsWith('--') ? a.slice(2) : null;
		if (name === null || !(name in defaults) || i + 1 >= argv.length) {
			console.error(`${process.argv[1]}: bad option ${a} (known: ${Object.keys(defaults).map((k) => '--' + k).join(' ')})`);
			process.exit(2);
		}
		const v = argv[++i];
		out[name] = typeof defaults[name] === 'number' ? Number(v) : v;
		if (typeof defaults[name] === 'number' && !Number.isFinite(out[name])) {
			console.error(`${process.argv[1]}: --${name} wants a number, not ${v}`);
			process.exit(2);
		}
	}
	return out;
}

// A JSON-lines log of every request a client made: {c, t0, t1, ok, ...}.
function requestLog(file) {
	const fs = require('fs');
	const fd = file ? fs.openSync(file, 'a') : null;
	return (rec) => {
		if (fd !== null) fs.writeSync(fd, JSON.stringify(rec) + '\n');
	};
}

module.exports = { parseArgs, requestLog };
