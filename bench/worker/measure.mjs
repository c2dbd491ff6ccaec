// Shared by the load scripts: a bounded closed-loop load on one URL.
import { performance } from 'node:perf_hooks';

/** Sends `n` requests with `concurrency` clients; returns {n, rps, p50, p99} (ms). */
export async function load(url, init, n, concurrency, expected, deadline) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  async function client() {
    while (next < n && performance.now() < deadline) {
      next += 1;
      const t = performance.now();
      const r = await fetch(url, init);
      await r.arrayBuffer();
      if (r.status !== expected) throw new Error(`status ${r.status}`);
      latencies.push(performance.now() - t);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return { n: latencies.length, rps: latencies.length / seconds, p50: q(0.5), p99: q(0.99) };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const summary = (rs) => ({ rps: median(rs.map((r) => r.rps)), p50_ms: median(rs.map((r) => r.p50)), p99_ms: median(rs.map((r) => r.p99)) });
export const rounded = (v) => JSON.stringify(v, (k, x) => (typeof x === 'number' ? Math.round(x * 1000) / 1000 : x), 2);
