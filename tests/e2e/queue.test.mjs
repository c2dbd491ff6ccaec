// Reliable delivery through Cloudflare Queues (Miniflare's queues in workerd):
// 202 `queued`, the consumer's batching, retries, dead letters with the reason,
// and the fault test at CI size (scripts/fault-test.sh runs 10,000 events).
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { faultTest } from './fault.mjs';
import { bindings, INGEST, root, startQueuedWorker, startSandbox, startWranglerDev, TOKEN, until } from './harness.mjs';

let sandbox;
let mf;
before(async () => {
  sandbox = await startSandbox();
  mf = await startQueuedWorker(bindings(sandbox.url, {
    QUEUE_MAX_ATTEMPTS: '2',
    QUEUE_RETRY_BASE_SECONDS: '0',
    QUEUE_MAX_DELAY_SECONDS: '0',
    LOG_LEVEL: 'off',
  }));
});
after(async () => { await mf?.dispose(); sandbox?.stop(); });
beforeEach(async () => { await sandbox.reset(); await sandbox.faults({}); });

const post = (path, body) => mf.dispatchFetch(`http://worker${path}`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${INGEST}`, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const received = async (n) => until(`${n} events at the sandbox`, async () => {
  const { events } = await sandbox.received();
  return events.length >= n && events;
});

const deadLettered = async (pred) => until('a dead letter', async () => (await mf.deadLetters()).filter(pred).at(-1));

test('with a queue, events are answered 202 queued and delivered by the consumer in one request', async () => {
  const events = Array.from({ length: 50 }, (_, i) => ({ event_name: 'purchase', id: `Q_${i}`, value: i }));
  events.push({ event_name: 'not_mapped', id: 'Q_skip' });
  const res = await post('/v1/events', events);
  assert.equal(res.status, 202);
  const { results } = await res.json();
  const web = results.filter((r) => r.destination === 'tiktok');
  assert.deepEqual(web.slice(0, 2).map((r) => [r.index, r.status, r.event]), [[0, 'queued', 'CompletePayment'], [1, 'queued', 'CompletePayment']]);
  assert.equal(web.at(-1).status, 'skipped');
  assert.ok(results.every((r) => r.request === undefined), 'queued results do not echo the request');
  const got = await received(50);
  assert.deepEqual(got.map((e) => e.data.event_id).sort(), events.slice(0, 50).map((e) => e.id).sort());
  const stats = await (await fetch(`${sandbox.url}/sandbox/stats`)).json();
  assert.equal(stats.requests, 1, 'one TikTok request for the 50 events');
  const health = await (await mf.dispatchFetch('http://worker/healthz')).json();
  assert.equal(health.delivery, 'queue');
  const preview = await post('/v1/preview', events[0]);
  assert.equal((await preview.json()).results[0].status, 'ready', 'preview never enqueues');
});

test('an event whose request cannot fit in a queue message is answered failed, not dropped silently', async () => {
  const items = Array.from({ length: 900 }, (_, k) => ({ id: `${k}`.padStart(100, '0'), product: { name: 'n'.repeat(100) } }));
  const res = await post('/v1/events', [{ event_name: 'purchase', id: 'BIG', items }, { event_name: 'purchase', id: 'SMALL' }]);
  const web = (await res.json()).results.filter((r) => r.destination === 'tiktok');
  assert.deepEqual(web.map((r) => [r.index, r.status, r.reason, r.retryable]),
    [[0, 'failed', 'message_too_large', false], [1, 'queued', undefined, undefined]]);
  const [event] = await received(1);
  assert.equal(event.data.event_id, 'SMALL');
});

test('a refusal of the whole request dead-letters the message at once, with TikTok code, message and event ids', async () => {
  await sandbox.faults({ next: [{ kind: 'code', code: 40001 }] });
  await post('/v1/events', [{ event_name: 'purchase', id: 'D_1' }, { event_name: 'purchase', id: 'D_2' }]);
  const dead = await deadLettered((d) => d.dead_letter?.code === 40001);
  assert.equal(dead.dead_letter.reason, 'permission_denied');
  assert.equal(dead.dead_letter.attempts, 1);
  assert.ok(dead.dead_letter.message.length > 0);
  assert.deepEqual(dead.request.body.data.map((d) => d.event_id), ['D_1', 'D_2']);
  assert.equal(dead.request.headers['Access-Token'], '<redacted>', 'no token in the dead-letter queue');
  assert.equal(dead.token_secret, 'TIKTOK_ACCESS_TOKEN');
  assert.ok(!JSON.stringify(dead).includes(TOKEN));
});

test('a retryable failure is retried, and dead-lettered after QUEUE_MAX_ATTEMPTS with the last answer', async () => {
  await sandbox.faults({ next: [{ kind: 'http500' }, { kind: 'http502' }] });
  await post('/v1/events', { event_name: 'purchase', id: 'R_1' });
  const dead = await deadLettered((d) => d.request?.body?.data?.[0]?.event_id === 'R_1');
  assert.equal(dead.dead_letter.reason, 'server_error');
  assert.equal(dead.dead_letter.attempts, 2);
  const stats = await (await fetch(`${sandbox.url}/sandbox/stats`)).json();
  assert.equal(stats.requests, 2, 'sent twice, then given up');
  // One failure then success: delivered on the second attempt, nothing dead-lettered.
  await sandbox.faults({ next: [{ kind: 'code', code: 40100 }] });
  await post('/v1/events', { event_name: 'purchase', id: 'R_2' });
  const [event] = await received(1);
  assert.equal(event.data.event_id, 'R_2');
  // The fleet-wide counts of queued, sent and dead-lettered events: inspector.test.mjs.
});

test('fault test (CI size): 2,000 events, 20% faults, 1% bad: nothing lost, nothing counted twice, only bad events refused', { timeout: 180_000 }, async () => {
  const r = await faultTest({ events: 2000, perCall: 100, bad: 0.01 });
  assert.equal(r.queued, 2000);
  assert.equal(r.lost, 0, JSON.stringify(r));
  assert.equal(r.duplicates, 0);
  assert.equal(r.delivered + r.deadLettered - r.deadAndDelivered, 2000);
  assert.equal(r.bad, 20);
  assert.equal(r.badDelivered, 0, 'a refused event is never counted delivered');
  assert.equal(r.badDeadLetteredWithCode, 20, 'each bad event is dead-lettered alone with TikTok\'s code');
  assert.ok(r.faultsInjected >= 5, 'every fault kind was injected');
  // Without bad events 2,000 events are 2 requests; isolating 20 bad ones costs more.
  assert.ok(r.tiktokRequests <= 400, `${r.tiktokRequests} TikTok requests for 20 calls`);
});

test('wrangler dev --env queued delivers through local queues', { timeout: 180_000 }, async () => {
  const vars = bindings(sandbox.url, { QUEUE_RETRY_BASE_SECONDS: '0' });
  const args = ['--env', 'queued', ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])];
  const dev = await startWranglerDev(root, args);
  try {
    const res = await fetch(`${dev.url}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${INGEST}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ event_name: 'purchase', id: 'W_1', value: 5 }),
    });
    assert.equal(res.status, 202);
    assert.equal((await res.json()).results[0].status, 'queued');
    const [event] = await received(1);
    assert.equal(event.data.event_id, 'W_1');
  } finally {
    dev.stop();
  }
});
