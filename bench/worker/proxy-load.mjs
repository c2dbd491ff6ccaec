// Proxy mode overhead on 127.0.0.1: GET of an HTML page through the Worker in proxy
// mode vs through a plain passthrough Worker (fetch to the same origin), alternating
// rounds in one run. No click ids and no AUTO_PAGE_VIEW: the plain path.
// Usage: node bench/worker/proxy-load.mjs [requests per round] [concurrency]
import http from 'node:http';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Miniflare } from 'miniflare';
import { load, summary, rounded } from './measure.mjs';
import { startWorker } from '../../tests/e2e/harness.mjs';

const PER_ROUND = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 1);
const ROUNDS = 5;
const DEADLINE = performance.now() + 240_000;
const PAGE = `<!doctype html><title>shop</title>${'<p>product</p>'.repeat(200)}`;

const origin = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Set-Cookie': 'session=abc; Path=/' });
  res.end(PAGE);
});
origin.listen(0, '127.0.0.1');
await once(origin, 'listening');
const originUrl = `http://127.0.0.1:${origin.address().port}`;

const ours = await startWorker({ PROXY_ORIGIN: originUrl, API_PREFIX: '/_tt', DESTINATIONS: '{"destinations": []}' });
const base = new Miniflare({ modules: true, compatibilityDate: '2026-04-01', bindings: { ORIGIN: originUrl },
  script: `export default { async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
  } }` });
const oursUrl = new URL('/product/42?color=red', await ours.ready).href;
const baseUrl = new URL('/product/42?color=red', await base.ready).href;
const init = { headers: { Accept: 'text/html', 'User-Agent': 'Mozilla/5.0' } };
const run = (url, n) => load(url, init, n, CONCURRENCY, 200, DEADLINE);

await run(oursUrl, 100); await run(baseUrl, 100);
const rounds = { ours: [], passthrough: [] };
for (let i = 0; i < ROUNDS && performance.now() < DEADLINE; i += 1) {
  rounds.passthrough.push(await run(baseUrl, PER_ROUND));
  rounds.ours.push(await run(oursUrl, PER_ROUND));
}
const s = { ours: summary(rounds.ours), passthrough: summary(rounds.passthrough) };
console.log(rounded({ proxy_page: { ...s, added_p50_ms: s.ours.p50_ms - s.passthrough.p50_ms, rps_ratio: s.ours.rps / s.passthrough.rps },
  settings: { requests_per_round: PER_ROUND, concurrency: CONCURRENCY, rounds: ROUNDS, page_bytes: PAGE.length } }));
await ours.dispose(); await base.dispose(); origin.close();
