// Shared by the inspector's e2e and browser tests: the built Worker with its Durable
// Object, an event carrying every kind of PII, and polling.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { DEAD_LETTER_QUEUE, EVENTS_QUEUE, INGEST, root } from './harness.mjs';

export const INSPECTOR = 'test-inspector-token';
const DO = { INSPECTOR: { className: 'Inspector', useSQLite: true } };
export const RAW_PII = ['jane.doe@example.com', 'Jane.Doe@Example.com', '+33612345678', '203.0.113.77', 'sandbox-token',
  INGEST, INSPECTOR, 'session-secret'];

/** The built Worker with the inspector's Durable Object (and the queues when `queued`). */
export async function startInspected(vars, { queued = false, options = {} } = {}) {
  const worker = {
    name: 'tiktok-edge',
    modules: true,
    scriptPath: path.join(root, 'worker/build/index.js'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    bindings: vars,
    durableObjects: DO,
    ...options,
  };
  if (queued) {
    worker.queueProducers = { EVENTS_QUEUE, DEAD_LETTERS: DEAD_LETTER_QUEUE };
    worker.queueConsumers = { [EVENTS_QUEUE]: { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 } };
  }
  const mf = new Miniflare(worker);
  await mf.ready;
  return mf;
}

export function purchase(id, extra = {}) {
  return {
    event_name: 'purchase', id, value: 10, currency: 'EUR',
    user: { id: `U_${id}`, email: 'Jane.Doe@Example.com', phone: '+33612345678' },
    context: { event_id: `E_${id}`, device: { ip: '203.0.113.77', user_agent: 'Mozilla/5.0 test',
      cookie: '_ttp=ttp-abc; session=session-secret' } },
    ...extra,
  };
}

export async function until(what, check, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
