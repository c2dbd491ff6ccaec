// The inspector's added latency per event, in one run: a previous build of the Worker
// (BASE, e.g. one built from main: no Durable Object, per-isolate counters) vs this
// build with the INSPECTOR Durable Object and INSPECTOR_TOKEN set (every call counts,
// samples and flushes in the background), alternating rounds against the same sandbox.
// Usage: node bench/worker/inspector-load.mjs <base worker/build dir> [requests per round] [concurrency]
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { load, summary, rounded } from './measure.mjs';
import { root, startSandbox, destinations, TOKEN, INGEST } from '../../tests/e2e/harness.mjs';

const BASE = process.argv[2];
if (!BASE) throw new Error('usage: inspector-load.mjs <base worker/build dir> [requests per round] [concurrency]');
const PER_ROUND = Number(process.argv[3] ?? 400);
const CONCURRENCY = Number(process.argv[4] ?? 4);
const ROUNDS = 5;
const DEADLINE = performance.now() + 240_000; // stops by itself

const event = {
  event_name: 'purchase', id: 'O_1', value: 22.53, currency: 'EUR',
  user: { id: '845454', email: ' John.Doe@Example.com ', phone: '+33612345678' },
  context: { page: { url: 'https://shop.example.com/thanks?ttclid=E.C.P.x' },
             device: { ip: '203.0.113.10', user_agent: 'Mozilla/5.0', cookie: '_ttp=2Xy9kQ3abcDEFghiJKL' } },
};
const sandbox = await startSandbox();
const vars = { DESTINATIONS: JSON.stringify({ destinations: [destinations(sandbox.url).destinations[0]] }),
  TIKTOK_API_BASE: sandbox.url, TIKTOK_ACCESS_TOKEN: TOKEN, INGEST_TOKEN: INGEST, LOG_LEVEL: 'off' };
const worker = (dir, extra) => new Miniflare({
  modules: true, scriptPath: path.join(dir, 'index.js'), modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2026-04-01', host: '127.0.0.1', port: 0, ...extra,
});
const base = worker(path.resolve(BASE), { bindings: vars });
const ours = worker(path.join(root, 'worker/build'), { bindings: { ...vars, INSPECTOR_TOKEN: 'bench' },
  durableObjects: { INSPECTOR: { className: 'Inspector', useSQLite: true } } });
console.error('starting both Workers');
const baseUrl = new URL('/v1/events', await base.ready).href;
const oursUrl = new URL('/v1/events', await ours.ready).href;
const init = { method: 'POST', body: JSON.stringify(event), headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${INGEST}` } };
const run = (url, n) => load(url, init, n, CONCURRENCY, 202, DEADLINE);
console.error('warming up');
await run(baseUrl, 50); await run(oursUrl, 50); // warm-up
const rounds = { base: [], ours: [] };
for (let i = 0; i < ROUNDS && performance.now() < DEADLINE; i += 1) {
  rounds.base.push(await run(baseUrl, PER_ROUND));
  rounds.ours.push(await run(oursUrl, PER_ROUND));
}
const s = { base: summary(rounds.base), ours: summary(rounds.ours) };
await new Promise((r) => setTimeout(r, 6000)); // the last flush
const stats = await (await fetch(new URL('/v1/stats?window=1h', oursUrl), { headers: { Authorization: `Bearer ${INGEST}` } })).json();
console.log(rounded({
  single_event: { ...s, added_p50_ms: s.ours.p50_ms - s.base.p50_ms, added_p99_ms: s.ours.p99_ms - s.base.p99_ms,
                  rps_ratio: s.ours.rps / s.base.rps },
  counted_fleet_wide: stats.destinations?.tiktok?.sent,
  settings: { requests_per_round: PER_ROUND, concurrency: CONCURRENCY, rounds: ROUNDS },
}));
await ours.dispose(); await base.dispose(); sandbox.stop();
