// Two builds of the npm package in one process, on the purchase of bench/npm/speed.mjs:
// interleaved rounds of each export on each build, so machine noise hits both alike.
// Usage: node bench/npm/ab.mjs A/node.js B/node.js [rounds]   (copies of npm/ after
// `bash scripts/build-npm.sh` on each side). Prints median events/s and B/A.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";

const [a, b] = [process.argv[2], process.argv[3]].map((p) => pathToFileURL(resolve(p)).href);
const rounds = Number(process.argv[4] ?? 9);
const builds = { A: await import(a), B: await import(b) };

const eventText = readFileSync(new URL("../purchase.json", import.meta.url), "utf8");
const event = JSON.parse(eventText);
const config = {
  destinations: [
    { id: "tiktok", type: "events_api", pixel_id: "CABCDEF1234567890", app_id: "7312345678901234567", consent_category: "3" },
  ],
};
const configText = JSON.stringify(config);
const context = { now: 1767225600000, secrets: { TIKTOK_ACCESS_TOKEN: "tok" } };

const outputs = Object.values(builds).map((t) => t.buildRequestsJson(configText, eventText, context));
if (outputs[0] !== outputs[1]) throw new Error("the two builds answer different text");
if (!isDeepStrictEqual(builds.A.buildRequests(config, event, context), builds.B.buildRequests(config, event, context))) {
  throw new Error("the two builds answer different objects");
}

const sides = {};
for (const [name, t] of Object.entries(builds)) {
  sides[`${name} buildRequestsJson`] = () => t.buildRequestsJson(configText, eventText, context);
  sides[`${name} buildRequests`] = () => t.buildRequests(config, event, context);
}

function rate(fn, ms = 400) {
  const start = performance.now();
  let n = 0;
  let now;
  do {
    for (let i = 0; i < 20; i++, n++) fn();
    now = performance.now();
  } while (now - start < ms);
  return n / ((now - start) / 1000);
}
for (const fn of Object.values(sides)) rate(fn, 300);
const runs = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) for (const [k, fn] of Object.entries(sides)) runs[k].push(rate(fn));
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}, ${rounds} interleaved rounds of 400 ms, median events/s`);
for (const api of ["buildRequestsJson", "buildRequests"]) {
  const [ma, mb] = ["A", "B"].map((n) => median(runs[`${n} ${api}`]));
  console.log(`${api.padEnd(18)} A ${Math.round(ma).toString().padStart(7)} ev/s  B ${Math.round(mb).toString().padStart(7)} ev/s  B/A ${(mb / ma).toFixed(2)}x`);
}
