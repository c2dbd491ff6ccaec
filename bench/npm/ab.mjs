// Two builds of the npm package side by side in one process (e.g. before/after a build
// change: allocator, target features), against the JS floor of speed.mjs, in interleaved
// rounds: between separate processes this VM's noise (up to 2x) hides a 10% change.
// Usage: node bench/npm/ab.mjs A B [rounds, default 15]: each a copy of npm/ after
// scripts/build-npm.sh, given as the directory or as its node.js.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { config, context, floorOutput, hashInputs, rate } from "../floor.mjs";

const [dirA, dirB] = process.argv.slice(2, 4);
const rounds = Number(process.argv[4] ?? 15);
const entry = (d) => pathToFileURL(d.endsWith(".js") ? resolve(d) : resolve(d, "node.js")).href;
const [a, b] = await Promise.all([dirA, dirB].map((d) => import(entry(d))));
const eventText = readFileSync(new URL("../purchase.json", import.meta.url), "utf8");
const configText = JSON.stringify(config);
const event = JSON.parse(eventText);
const sha = (s) => createHash("sha256").update(s).digest("hex");
const floor = () => {
  const e = JSON.parse(eventText);
  return JSON.stringify(floorOutput(e, hashInputs(e).map(sha)));
};
const name = (d) => basename(d.endsWith(".js") ? resolve(d, "..") : resolve(d));
const [na, nb] = [name(dirA), name(dirB)];
const sides = {
  floor,
  [`${na} buildRequestsJson`]: () => a.buildRequestsJson(configText, eventText, context),
  [`${nb} buildRequestsJson`]: () => b.buildRequestsJson(configText, eventText, context),
  [`${na} buildRequests`]: () => a.buildRequests(config, event, context),
  [`${nb} buildRequests`]: () => b.buildRequests(config, event, context),
};
if (a.buildRequestsJson(configText, eventText, context) !== b.buildRequestsJson(configText, eventText, context)) {
  throw new Error("the two builds give different results");
}
if (JSON.stringify(a.buildRequests(config, event, context)) !== JSON.stringify(b.buildRequests(config, event, context))) {
  throw new Error("the two builds give different objects");
}
const names = Object.keys(sides);
for (const k of names) rate(sides[k], 300);
const runs = Object.fromEntries(names.map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < names.length; i++) {
    const k = names[(i + r) % names.length];
    runs[k].push(rate(sides[k], 300));
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
// Per round B/A ratios too: the median of ratios is steadier than the ratio of medians.
const ratio = (api) => median(runs[`${nb} ${api}`].map((x, i) => x / runs[`${na} ${api}`][i]));
console.log(`node ${process.version}, ${rounds} interleaved rounds of 300 ms; median events/s, vs floor`);
for (const k of names) console.log(`${k.padEnd(40)} ${Math.round(median(runs[k])).toString().padStart(8)} ev/s  ${(median(runs[k]) / median(runs.floor)).toFixed(2)}x`);
for (const api of ["buildRequestsJson", "buildRequests"]) console.log(`${nb} / ${na}, ${api}: median of per-round ratios ${ratio(api).toFixed(3)}x`);
