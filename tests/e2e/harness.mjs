// Starts the TikTok sandbox and the built Worker in workerd (Miniflare) for the
// end-to-end tests. Everything listens on 127.0.0.1 and is stopped by `stop()`.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import http from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import assert from 'node:assert/strict';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TOKEN = 'sandbox-token';
export const INGEST = 'test-ingest-token';
export const ORIGIN = 'https://shop.example.com';

/** Starts target/release/tiktok-sandbox on a free port; resolves with {url, stop}. */
export async function startSandbox(args = []) {
  const bin = path.join(root, 'target/release/tiktok-sandbox');
  const child = spawn(bin, ['--port', '0', '--token', TOKEN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [line] = await once(lines, 'line');
  const url = line.replace('listening on ', '').trim();
  return {
    url,
    async received() { return (await fetch(`${url}/sandbox/received`)).json(); },
    async reset() { await fetch(`${url}/sandbox/reset`, { method: 'POST' }); },
    async faults(spec) {
      const r = await fetch(`${url}/sandbox/faults`, { method: 'POST', body: JSON.stringify(spec) });
      if (!r.ok) throw new Error(await r.text());
    },
    stop() { child.kill(); },
  };
}

/** The three destinations, pointed at the sandbox. */
export function destinations(sandboxUrl) {
  return {
    destinations: [
      { id: 'tiktok', type: 'events_api', pixel_id: 'CABCDEF1234567890', app_id: '7312345678901234567',
        autodiscovery_event_source: true, view_content_mapping: ['view_item'] },
      { id: 'tiktok-offline', type: 'offline_events', event_set_id: '7181537436256731137',
        mapping: { store_purchase: 'CompletePayment' } },
      { id: 'tiktok-orders', type: 'order_sync', endpoint: `${sandboxUrl}/order_sync/`,
        third_merchant_id: 'MERCH-42', third_shop_id: '{{booking.hotel_id}}', third_shop_name: '{{booking.hotel_name}}',
        order_country: '{{booking.country}}', create_time: '{{booking.created_at_s}}',
        payment_value: '{{booking.payment_value}}', total_value: '{{booking.total_value}}',
        length_of_stay: '{{booking.nights}}', amount_of_room: '{{booking.rooms}}',
        check_in_date: '{{booking.check_in}}', check_out_date: '{{booking.check_out}}',
        event_mapping: { hotel_booked: 'CREATE_ORDER', hotel_stay_completed: 'COMPLETE_ORDER' } },
    ],
  };
}

/**
 * The Worker's vars and secrets for the sandbox at `sandboxUrl`: all three destinations
 * (`config` replaces them), the sandbox's token, the test ingest token, and `extra`.
 */
export function bindings(sandboxUrl, extra = {}, config = destinations(sandboxUrl)) {
  return { DESTINATIONS: JSON.stringify(config), TIKTOK_API_BASE: sandboxUrl, TIKTOK_ACCESS_TOKEN: TOKEN,
    INGEST_TOKEN: INGEST, ...extra };
}

/**
 * The built Worker (worker/build) in workerd, with bindings as wrangler would give them.
 * `extra`: more options of the Worker (e.g. `wrappedBindings`), and `workers` beside it.
 */
export async function startWorker(bindings, extra = {}) {
  const { workers = [], ...options } = extra;
  const main = {
    name: 'tiktok-edge',
    modules: true,
    scriptPath: path.join(root, 'worker/build/index.js'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    bindings,
    ...options,
  };
  const mf = new Miniflare(workers.length ? { workers: [main, ...workers] } : main);
  await mf.ready;
  return mf;
}

/** Queue names as wrangler.toml's `queued` environment declares them. */
export const EVENTS_QUEUE = 'tiktok-edge-events';
export const DEAD_LETTER_QUEUE = 'tiktok-edge-dead-letters';

/** A Workers Rate Limiting binding as wrangler.toml's `[[ratelimits]]` declares it. */
export function rateLimit(limit, period = 60) {
  return { ratelimits: { BROWSER_RATE_LIMITER: { simple: { limit, period } } } };
}

/**
 * The built Worker with Cloudflare Queues: producer bindings EVENTS_QUEUE and
 * DEAD_LETTERS, the Worker consuming the events queue, and a recorder Worker
 * consuming the dead-letter queue (`deadLetters()` lists what it received).
 * `workers`: more Workers beside them (e.g. one writing raw messages to the queue).
 */
export async function startQueuedWorker(bindings, consumer = {}, workers = []) {
  const mf = new Miniflare({
    workers: [
      {
        name: 'tiktok-edge',
        modules: true,
        scriptPath: path.join(root, 'worker/build/index.js'),
        modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
        compatibilityDate: '2026-04-01',
        bindings,
        queueProducers: { EVENTS_QUEUE, DEAD_LETTERS: DEAD_LETTER_QUEUE },
        queueConsumers: { [EVENTS_QUEUE]: { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100, ...consumer } },
      },
      {
        name: 'dead-letter-recorder',
        modules: true,
        compatibilityDate: '2026-04-01',
        script: `const seen = [];
          export default {
            async queue(batch) { for (const m of batch.messages) { seen.push(JSON.parse(m.body)); m.ack(); } },
            async fetch() { return Response.json(seen); },
          };`,
        queueConsumers: { [DEAD_LETTER_QUEUE]: { maxBatchSize: 100, maxBatchTimeout: 1 } },
      },
      ...workers,
    ],
  });
  await mf.ready;
  const recorder = await mf.getWorker('dead-letter-recorder');
  mf.deadLetters = async () => (await recorder.fetch('http://recorder/')).json();
  return mf;
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * `wrangler dev` in `cwd` with extra arguments, on a free port of 127.0.0.1;
 * resolves with {url, stop} once it answers (the whole process group is stopped).
 */
export async function startWranglerDev(cwd, args = [], timeoutMs = 90_000) {
  const port = await freePort();
  const bin = path.join(root, 'node_modules/.bin/wrangler');
  const argv = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false', ...args];
  const child = spawn(bin, argv, {
    cwd,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  // wrangler dev sometimes ignores SIGTERM (seen in CI-like runs): then the group is
  // killed, so a test never hangs on it.
  const stop = () => {
    const kill = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {}
    };
    kill('SIGTERM');
    if (child.exitCode !== null) return;
    const hard = setTimeout(() => kill('SIGKILL'), 3000);
    child.once('exit', () => clearTimeout(hard));
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fetch(url).then(() => true, () => false)) return { url, stop, log: () => log };
    if (Date.now() > deadline || child.exitCode !== null) {
      stop();
      throw new Error(`wrangler dev did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Polls `check` every 200 ms until it returns a truthy value (returned), failing after `ms`. */
export async function until(what, check, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A page navigation to the Worker `mf` with node:http (fetch would rewrite Sec-Fetch-Mode;
 * and Miniflare's dispatchFetch does not keep waitUntil work alive): status, headers, body.
 */
export async function visit(mf, p, headers = {}) {
  const base = new URL(await mf.ready);
  const req = http.request({ host: base.hostname, port: base.port, path: p, headers: {
    'Sec-Fetch-Mode': 'navigate', Accept: 'text/html', 'User-Agent': 'Mozilla/5.0 (Macintosh) Chrome/120', ...headers } });
  req.end();
  const [res] = await once(req, 'response');
  const chunks = [];
  for await (const c of res) chunks.push(c);
  return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() };
}

/** Polls `check` every 50 ms for up to `ms`; its last value (falsy when it never came). */
export async function waitFor(check, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
