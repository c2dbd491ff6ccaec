// Events per second of the packed npm package in workerd (its `workerd` export, bundled by
// wrangler, run by Miniflare as tests/npm/runtimes.test.mjs does), against a Workers-style JS
// floor in the same isolate and the same run (bench/workerd/worker.mjs: JSON.parse, direct
// build, 3 WebCrypto SHA-256 awaited, JSON.stringify; its output checked equal to ours).
// Interleaved rounds: each request runs N events of one side, the side order rotating per
// round. Two clocks: the isolate's `performance.now()` (local workerd advances it while code
// runs, at 1 ms resolution, unlike production, where it moves only on I/O), and Node's clock
// around the `fetch`, minus an empty request of the same round.
// Usage: node bench/workerd/speed.mjs [rounds, default 9] [events per request, default 2000]
//   [--baseline OTHER.tgz]: another build of the package in the same isolate and rounds
//   (installed as `tiktok-edge-baseline`), for before/after ratios in one run.
// (needs target/npm/tiktok-edge-*.tgz: scripts/bench-workerd.sh builds it first).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { project, root } from "../../tests/npm/install.mjs";

const args = process.argv.slice(2);
const baseline = args.includes("--baseline") ? resolve(args.splice(args.indexOf("--baseline"), 2)[1]) : null;
const rounds = Number(args[0] ?? 9);
const n = Number(args[1] ?? 2000);
const here = new URL(".", import.meta.url);
const p = project({
  "worker.mjs": readFileSync(new URL("worker.mjs", here), "utf8"),
  "floor.mjs": readFileSync(new URL("../floor.mjs", here), "utf8"),
  "data.js": `export const eventText = ${JSON.stringify(readFileSync(new URL("../purchase.json", here), "utf8"))};\n`,
  "wrangler.toml": 'name = "speed"\nmain = "worker.mjs"\ncompatibility_date = "2026-04-01"\n',
  "baseline.js": baseline ? 'export * from "tiktok-edge-baseline";\nexport const present = true;\n' : "export const present = false;\n",
});
let mf;
try {
  if (baseline) {
    const npm = ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", `tiktok-edge-baseline@file:${baseline}`];
    execFileSync("npm", npm, { cwd: p.dir, stdio: "pipe" });
  }
  execFileSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", "out"], { cwd: p.dir, stdio: "pipe" });
  mf = new Miniflare({
    modules: true,
    modulesRoot: join(p.dir, "out"),
    scriptPath: join(p.dir, "out/worker.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
  });
  const get = async (path) => {
    const t0 = performance.now();
    const res = await mf.dispatchFetch(`http://localhost${path}`);
    const body = await res.json();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return { ...body, wall: performance.now() - t0 };
  };
  const check = await get("/check");
  if (!check.floorEqual || !check.objectsEqual || !check.baseEqual || check.results !== 1) throw new Error(`outputs differ: ${JSON.stringify(check)}`);

  const sides = ["floor", "floorSequential", "json", "objects", ...(baseline ? ["baseJson", "baseObjects"] : [])];
  const label = {
    floor: "floor (JS: parse, build, stringify, 3 WebCrypto SHA-256)",
    floorSequential: "floor, the 3 digests awaited one by one",
    json: "buildRequestsJson (text in, text out)",
    objects: "buildRequests (objects in, objects out)",
    baseJson: "baseline build: buildRequestsJson",
    baseObjects: "baseline build: buildRequests",
  };
  for (let w = 0; w < 2; w++) for (const s of sides) await get(`/run?side=${s}&n=${n}`); // warm up (JIT, wasm tier-up)
  const inside = Object.fromEntries(sides.map((s) => [s, []]));
  const outside = Object.fromEntries(sides.map((s) => [s, []]));
  for (let r = 0; r < rounds; r++) {
    const empty = (await get("/run?side=empty&n=0")).wall;
    for (let i = 0; i < sides.length; i++) {
      const s = sides[(i + r) % sides.length];
      const { ms, wall } = await get(`/run?side=${s}&n=${n}`);
      inside[s].push(n / (ms / 1000));
      outside[s].push(n / (Math.max(wall - empty, 1e-3) / 1000));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // Ratios per round, then their median: steadier than a ratio of medians on a busy machine.
  const ratio = (xs, s) => median(xs[s].map((x, r) => x / xs.floor[r]));
  const mfVersion = JSON.parse(readFileSync(join(root, "node_modules/miniflare/package.json"), "utf8")).version;
  const wasm = readdirSync(join(p.dir, "out")).filter((f) => f.endsWith(".wasm"));
  console.log(`workerd (miniflare ${mfVersion}), ${wasm.length} wasm module(s); ${rounds} interleaved rounds of ${n} events per request per side`);
  console.log(`${"median events/s".padStart(66)}  vs floor   (Node's clock minus an empty request: events/s, vs floor)`);
  console.log(`${"".padStart(66)}  (median of per-round ratios)`);
  for (const s of sides) {
    const [mi, mo] = [median(inside[s]), median(outside[s])];
    console.log(`${label[s].padEnd(58)} ${Math.round(mi).toString().padStart(8)}  ${ratio(inside, s).toFixed(2)}x    (${Math.round(mo)}, ${ratio(outside, s).toFixed(2)}x)`);
  }
} finally {
  await mf?.dispose();
  p.remove();
}
