// The Worker of bench/workerd/speed.mjs, bundled by wrangler from a project with the packed
// package installed (its `workerd` export). GET /run?side=S&n=N runs N events on one side and
// answers the time it took as this isolate sees it; GET /check compares the sides' outputs.
import * as t from "tiktok-edge";
import { config, context, floorOutput, hashInputs } from "./floor.mjs";
import { eventText } from "./data.js";
// Another build of the package (speed.mjs --baseline), or { present: false }.
import * as base from "./baseline.js";

const configText = JSON.stringify(config);
const event = JSON.parse(eventText);
const enc = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const hex = (buf) => {
  const b = new Uint8Array(buf);
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
};
const sha = async (s) => hex(await crypto.subtle.digest("SHA-256", enc.encode(s)));

// Workers-style floor: JSON.parse, the 3 WebCrypto digests awaited together, direct build, JSON.stringify.
async function floor(text) {
  const e = JSON.parse(text);
  return JSON.stringify(floorOutput(e, await Promise.all(hashInputs(e).map(sha))));
}

// The same with the digests awaited one after the other (as code that hashes field by field does).
async function floorSequential(text) {
  const e = JSON.parse(text);
  const hashes = [];
  for (const s of hashInputs(e)) hashes.push(await sha(s));
  return JSON.stringify(floorOutput(e, hashes));
}

// The core's calls are synchronous: they run without an await per event.
const sides = {
  empty: { sync: true, run: () => 0 },
  floor: { sync: false, run: async () => (await floor(eventText)).length },
  floorSequential: { sync: false, run: async () => (await floorSequential(eventText)).length },
  json: { sync: true, run: () => t.buildRequestsJson(configText, eventText, context).length },
  objects: { sync: true, run: () => t.buildRequests(config, event, context).results.length },
  ...(base.present && {
    baseJson: { sync: true, run: () => base.buildRequestsJson(configText, eventText, context).length },
    baseObjects: { sync: true, run: () => base.buildRequests(config, event, context).results.length },
  }),
};

// Key order differs between the floor and serde's output only if a bug does: compare canonically.
const canonical = (v) =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;
const same = (a, b) => JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/check") {
      const [f, s, j] = [await floor(eventText), await floorSequential(eventText), t.buildRequestsJson(configText, eventText, context)];
      const o = JSON.stringify(t.buildRequests(config, event, context));
      const b = base.present ? base.buildRequestsJson(configText, eventText, context) : j;
      return Response.json({ floorEqual: same(f, j) && same(s, j), objectsEqual: same(o, j), baseEqual: b === j, results: JSON.parse(j).results.length });
    }
    const side = sides[url.searchParams.get("side")];
    const n = Number(url.searchParams.get("n"));
    if (!side || !(n >= 0)) return new Response("bad side or n", { status: 400 });
    const start = performance.now();
    let sum = 0;
    if (side.sync) for (let i = 0; i < n; i++) sum += side.run();
    else for (let i = 0; i < n; i++) sum += await side.run();
    return Response.json({ ms: performance.now() - start, sum });
  },
};
