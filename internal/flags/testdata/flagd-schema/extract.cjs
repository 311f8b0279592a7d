// Extract the flagd JSON schemas that @openfeature/flagd-core@1.2.0 bundles.
const fs = require('fs');
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
const start = lines.findIndex(l => l.startsWith('var $id$1 = "https://flagd.dev/schema/v0/flags.json"'));
let end = lines.findIndex((l, i) => i > start && l.startsWith('var targetingSchema = {'));
while (!lines[end].startsWith('};')) end++;
const src = lines.slice(start, end + 1).join('\n') + '\n;({flagsSchema, targetingSchema})';
const out = eval(src);
fs.writeFileSync(process.argv[3] + '/flags.json', JSON.stringify(out.flagsSchema, null, 2) + '\n');
fs.writeFileSync(process.argv[3] + '/targeting.json', JSON.stringify(out.targetingSchema, null, 2) + '\n');
