// wasm speed of the JSON readers of bench/readers in Node: each build directory holds one
// wasm-bindgen (--target web) module of the readers crate (scripts/bench-readers.sh makes
// them: default flags, and +simd128). Interleaved rounds, every module x reader in each round;
// each call parses and reads the purchase N times inside wasm (one text copy in per call).
// Usage: node bench/readers/speed.mjs DIR... [--rounds R] [--events N]
import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
const rounds = opt("--rounds", 21);
const events = opt("--events", 1000);
const dirs = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
const text = readFileSync(new URL("../purchase.json", import.meta.url), "utf8");

const sides = [];
for (const dir of dirs) {
  // A fresh copy of the glue per module: wasm-bindgen's glue holds one instance per import.
  const glue = await import(`${pathToFileURL(resolve(dir, "readers.js")).href}?${dir}`);
  glue.initSync({ module: readFileSync(join(dir, "readers_bg.wasm")) });
  for (const r of glue.readers().split(",")) sides.push({ label: `${basename(dir)} ${r}`, run: (n) => glue.run(r, text, n) });
}
const sums = new Set(sides.map((s) => s.run(1)));
if (sums.size !== 1) throw new Error(`readers disagree: ${[...sums]}`);
for (const s of sides) s.run(events); // warm up (wasm tier-up)
const times = sides.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < sides.length; i++) {
    const k = (i + r) % sides.length;
    const t0 = performance.now();
    sides[k].run(events);
    times[k].push(((performance.now() - t0) * 1000) / events);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// The ratio per round, then its median: steadier than a ratio of medians on a busy machine.
const ratio = (i) => median(times[i].map((t, r) => t / times[0][r]));
console.log(`node ${process.version}, ${rounds} interleaved rounds of ${events} events; median µs per event (parse + read the slots' paths), median per-round ratio to ${sides[0].label}`);
sides.forEach((s, i) => console.log(`${s.label.padEnd(28)} ${median(times[i]).toFixed(2).padStart(8)} µs  ${ratio(i).toFixed(2)}x`));
