// validate-card.cjs reads a Teams Workflows webhook payload (the message /
// attachments envelope) on stdin and parses its Adaptive Card with the
// adaptivecards package (Microsoft's reference parser). It prints every
// parse warning and validation failure and exits 1 on any, so the Go test
// fails on a card Teams would not render as written. ADAPTIVECARDS_DIR is
// the npm prefix .ci/run installs the package into.
const AC = require(process.env.ADAPTIVECARDS_DIR + "/node_modules/adaptivecards/dist/adaptivecards.js");
const input = require("fs").readFileSync(0, "utf8");
const problems = [];
const msg = JSON.parse(input);
if (msg.type !== "message") problems.push(`envelope type ${JSON.stringify(msg.type)}, want "message"`);
const atts = msg.attachments || [];
if (atts.length !== 1) problems.push(`${atts.length} attachments, want 1`);
for (const att of atts) {
  if (att.contentType !== "application/vnd.microsoft.card.adaptive") problems.push(`contentType ${att.contentType}`);
  const json = att.content;
  if (json.version !== "1.4") problems.push(`card version ${json.version}, want 1.4`);
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ctx.targetVersion = AC.Versions.v1_4;
  card.parse(json, ctx);
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    problems.push(`parse: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  // Whatever the parser dropped (unknown properties) is missing here.
  const back = card.toJSON(ctx);
  const count = (o) => (o && typeof o === "object") ? Object.values(o).reduce((n, v) => n + count(v), 1) : 0;
  if (count(back.body) < count(json.body)) problems.push(`the parser kept ${count(back.body)} of ${count(json.body)} body nodes`);
  console.log(`elements: ${card.getItemCount()}`);
}
for (const p of problems) console.log(p);
process.exit(problems.length ? 1 : 0);
