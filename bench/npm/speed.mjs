// Events per second of the npm package's buildRequests on a realistic purchase,
// against a JS floor measured in the same run (issue 7): JSON.parse of the event,
// building the same output object field by field (no rules, bench/floor.mjs), JSON.stringify,
// and three node:crypto SHA-256 digests. The floor's output is checked equal to ours.
// Usage: node bench/npm/speed.mjs [package entry] [rounds]
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { config, context, floorOutput, hashInputs, rate } from "../floor.mjs";

const entry = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : new URL("../../npm/node.js", import.meta.url).href;
const rounds = Number(process.argv[3] ?? 5);
const t = await import(entry);

const eventText = readFileSync(new URL("../purchase.json", import.meta.url), "utf8");
const configText = JSON.stringify(config);
const sha = (s) => createHash("sha256").update(s).digest("hex");
const floor = (text) => {
  const e = JSON.parse(text);
  return JSON.stringify(floorOutput(e, hashInputs(e).map(sha)));
};

const event = JSON.parse(eventText);
const sides = {
  "floor (JS: parse, build, stringify, 3 SHA-256)": () => floor(eventText),
  "buildRequestsJson (text in, text out)": () => t.buildRequestsJson(configText, eventText, context),
  "buildRequests (objects in, objects out)": () => t.buildRequests(config, event, context),
  "buildRequests + JSON.parse/stringify": () => JSON.stringify(t.buildRequests(config, JSON.parse(eventText), context)),
  "JSON.parse(buildRequestsJson(stringify))": () => JSON.parse(t.buildRequestsJson(JSON.stringify(config), JSON.stringify(event), context)),
};

const expected = JSON.parse(t.buildRequestsJson(configText, eventText, context));
if (!isDeepStrictEqual(JSON.parse(floor(eventText)), expected)) throw new Error("the floor's output differs from buildRequests'");
if (!isDeepStrictEqual(t.buildRequests(config, event, context), expected)) throw new Error("object and JSON APIs differ");

for (const fn of Object.values(sides)) rate(fn, 300); // warm up every side before measuring
const runs = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) for (const [k, fn] of Object.entries(sides)) runs[k].push(rate(fn)); // interleaved
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(runs[Object.keys(sides)[0]]);
console.log(`node ${process.version}, ${rounds} interleaved rounds of 400 ms, median events/s and ratio to the floor`);
for (const [k, xs] of Object.entries(runs)) {
  const m = median(xs);
  console.log(`${k.padEnd(48)} ${Math.round(m).toString().padStart(8)} ev/s  ${(m / base).toFixed(2)}x`);
}
