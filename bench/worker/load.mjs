// Bounded load test on 127.0.0.1: the built Worker (sandbox upstream) vs a
// passthrough Worker forwarding the same body to the same sandbox, alternating
// rounds in one run. Also: cold start, and the cost of a 100-event batch.
// Usage: node bench/worker/load.mjs [requests per round] [concurrency]
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { load, summary, rounded } from './measure.mjs';
import { root, startSandbox, startWorker, destinations, TOKEN, INGEST } from '../../tests/e2e/harness.mjs';

const PER_ROUND = Number(process.argv[2] ?? 400);
const CONCURRENCY = Number(process.argv[3] ?? 4);
const ROUNDS = 5;
const DEADLINE = performance.now() + 240_000; // stops by itself

const event = {
  event_name: 'purchase', id: 'O_1', value: 22.53, currency: 'EUR',
  user: { id: '845454', email: ' John.Doe@Example.com ', phone: '+33612345678', consent_categories: ['3'] },
  items: [1, 2, 3].map((i) => ({ id: `SKU_${i}`, quantity: 1, product: { name: `Item ${i}`, price: 9.99, brand: 'B', category_1: 'c' } })),
  context: { event_timestamp: 1765290725123, page: { url: 'https://shop.example.com/thanks?ttclid=E.C.P.x', referrer: 'https://shop.example.com/cart' },
             device: { ip: '203.0.113.10', user_agent: 'Mozilla/5.0', cookie: '_ttp=2Xy9kQ3abcDEFghiJKL' } },
};

const post = (body) => ({ method: 'POST', body, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${INGEST}` } });
const run = (url, body, n) => load(url, post(body), n, CONCURRENCY, 202, DEADLINE);


const sandbox = await startSandbox();
const bindings = { DESTINATIONS: JSON.stringify({ destinations: [destinations(sandbox.url).destinations[0]] }),
  TIKTOK_API_BASE: sandbox.url, TIKTOK_ACCESS_TOKEN: TOKEN, INGEST_TOKEN: INGEST, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };

// Cold start: a new workerd with the Worker, then its first request.
let t = performance.now();
const ours = await startWorker(bindings);
const ready = performance.now() - t;
const oursUrl = new URL('/v1/events', await ours.ready).href;
t = performance.now();
const first = await fetch(oursUrl, { method: 'POST', body: JSON.stringify(event), headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${INGEST}` } });
await first.arrayBuffer();
const firstRequest = performance.now() - t;

const base = new Miniflare({ modules: true, scriptPath: path.join(root, 'bench/worker/passthrough.mjs'), compatibilityDate: '2026-04-01', bindings });
const baseUrl = new URL('/', await base.ready).href;

const body = JSON.stringify(event);
const rounds = { ours: [], passthrough: [] };
await run(oursUrl, body, 50); await run(baseUrl, body, 50); // warm-up
for (let i = 0; i < ROUNDS && performance.now() < DEADLINE; i += 1) {
  rounds.passthrough.push(await run(baseUrl, body, PER_ROUND));
  rounds.ours.push(await run(oursUrl, body, PER_ROUND));
}
const batchBody = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ ...event, id: `O_${i}` })));
const batch = { ours: [], passthrough: [] };
for (let i = 0; i < ROUNDS && performance.now() < DEADLINE; i += 1) {
  batch.passthrough.push(await run(baseUrl, batchBody, 40));
  batch.ours.push(await run(oursUrl, batchBody, 40));
}
const s = { ours: summary(rounds.ours), passthrough: summary(rounds.passthrough) };
const b = { ours: summary(batch.ours), passthrough: summary(batch.passthrough) };
const result = {
  cold_start: { workerd_ready_ms: Math.round(ready), first_request_ms: Math.round(firstRequest) },
  single_event: { ...s, added_p50_ms: s.ours.p50_ms - s.passthrough.p50_ms, rps_ratio: s.ours.rps / s.passthrough.rps },
  batch_100_events: { ...b, added_p50_ms: b.ours.p50_ms - b.passthrough.p50_ms,
                      added_ms_per_event: (b.ours.p50_ms - b.passthrough.p50_ms) / 100 },
  settings: { requests_per_round: PER_ROUND, concurrency: CONCURRENCY, rounds: ROUNDS },
};
console.log(rounded(result));
await ours.dispose(); await base.dispose(); sandbox.stop();
