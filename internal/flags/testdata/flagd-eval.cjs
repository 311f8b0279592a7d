// flagd-eval.cjs evaluates a flagd flag definition file with OpenFeature's
// own flagd evaluator (@openfeature/flagd-core), as flagd and its in-process
// providers do, for the tests of internal/flags.
//
//   node flagd-eval.cjs FLAGD_CORE_DIR FILE NOW N
//
// NOW is the unix time in seconds the evaluator's clock reads (it feeds
// $flagd.timestamp), or "real" for the machine's clock. N targeting keys
// (user-0 ... user-N-1) are evaluated for every flag of FILE. Prints, per
// flag, how many keys got true and false, the variants, reasons and errors,
// and the flag's metadata; "logs" holds whatever the evaluator logged
// (schema validation problems among them).
'use strict';
const fs = require('fs');
const path = require('path');

const [dir, file, now, n] = process.argv.slice(2);
if (now !== 'real') {
	const ms = Number(now) * 1000;
	Date.now = () => ms; // the evaluator reads $flagd.timestamp from Date.now()
}
const { FlagdCore } = require(path.join(dir, 'node_modules', '@openfeature', 'flagd-core'));

const logs = [];
const logger = {};
for (const level of ['error', 'warn', 'info', 'debug']) {
	logger[level] = (...args) => logs.push(level + ': ' + args.map(String).join(' '));
}
const core = new FlagdCore(undefined, logger);
const text = fs.readFileSync(file, 'utf8');
const keys = core.setConfigurations(text);
const out = { flags: {}, logs };
for (const key of JSON.parse(text).flags ? Object.keys(JSON.parse(text).flags) : keys) {
	const r = { true: 0, false: 0, variants: {}, reasons: {}, errors: [], metadata: null };
	for (let i = 0; i < Number(n); i++) {
		const d = core.resolveBooleanEvaluation(key, false, { targetingKey: 'user-' + i }, logger);
		r[String(d.value)]++;
		r.variants[d.variant] = (r.variants[d.variant] || 0) + 1;
		r.reasons[d.reason] = (r.reasons[d.reason] || 0) + 1;
		if (d.errorCode && r.errors.length < 5) r.errors.push(d.errorCode + ': ' + d.errorMessage);
		r.metadata = d.flagMetadata;
	}
	out.flags[key] = r;
}
process.stdout.write(JSON.stringify(out) + '\n');
