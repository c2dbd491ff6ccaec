// Delivery in workerd (Miniflare) against the sandbox: one bad event never takes good
// ones down (inline and queued), partial success, page views through the queue, a
// queue that refuses messages, and the HTTP status that tells a caller what to do.
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { after, before, beforeEach, describe, test } from 'node:test';
import { bindings, destinations, INGEST, ORIGIN, startQueuedWorker, startSandbox, startWorker, until, visit } from './harness.mjs';

let sandbox;
before(async () => { sandbox = await startSandbox(); });
after(() => sandbox?.stop());
beforeEach(async () => { await sandbox.reset(); await sandbox.faults({}); });

const web = () => ({ destinations: [destinations(sandbox.url).destinations[0]] });
const post = (mf, body, headers = {}) => mf.dispatchFetch('http://worker/v1/events', {
  method: 'POST',
  headers: { Authorization: `Bearer ${INGEST}`, 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const purchases = (prefix, n) => Array.from({ length: n }, (_, i) => ({ event_name: 'purchase', id: `${prefix}${i}`, value: 1 }));
const keptIds = async () => (await sandbox.received()).events.map((e) => e.event_id);

describe('inline', () => {
  let mf;
  before(async () => { mf = await startWorker(bindings(sandbox.url, { LOG_LEVEL: 'off', ALLOWED_ORIGINS: ORIGIN }, web())); });
  after(() => mf?.dispose());

  test('a poisoned batch: only the bad event fails, with TikTok code and message; 422', async () => {
    await sandbox.faults({ poison: { event_id_prefix: 'BAD_' } });
    const events = purchases('P', 100);
    events[42].id = 'BAD_42';
    const res = await post(mf, events);
    assert.equal(res.status, 422, 'some event failed for good, none retryably');
    const { results } = await res.json();
    const bad = results.find((r) => r.index === 42);
    assert.deepEqual([bad.status, bad.reason, bad.retryable, bad.tiktok.code], ['failed', 'invalid_params', false, 40002]);
    assert.match(bad.tiktok.message, /data\.42\.event_id/);
    assert.equal(results.filter((r) => r.status === 'sent').length, 99);
    const kept = await keptIds();
    assert.equal(kept.length, 99);
    assert.ok(!kept.includes('BAD_42'));
    const stats = await (await fetch(`${sandbox.url}/sandbox/stats`)).json();
    assert.equal(stats.requests, 2, 'TikTok named the row: one extra request, no halving');
  });

  test('partial success (20001) that names nothing is split until the refused event stands alone', async () => {
    await sandbox.faults({ partial: { event_id_prefix: 'PART_' } });
    const events = purchases('Q', 40);
    events[7].id = 'PART_7';
    const res = await post(mf, events);
    const { results } = await res.json();
    assert.equal(res.status, 422);
    assert.deepEqual(results.filter((r) => r.status !== 'sent').map((r) => [r.index, r.status, r.tiktok.code]), [[7, 'failed', 40002]]);
    const kept = new Set(await keptIds());
    assert.equal(kept.size, 39, 'the 39 good events kept once each (resends deduplicated)');
    const stats = await (await fetch(`${sandbox.url}/sandbox/stats`)).json();
    assert.ok(stats.requests <= 1 + 2 * 6, `${stats.requests} requests: at most 2 per halving`);
  });

  test('partial success that lists the refused events is believed: one request', async () => {
    await sandbox.faults({ partial: { event_id_prefix: 'PART_', listed: true } });
    const events = purchases('L', 10);
    events[2].id = 'PART_2';
    events[5].id = 'PART_5';
    const { results } = await (await post(mf, events)).json();
    assert.deepEqual(results.filter((r) => r.status === 'failed').map((r) => r.index), [2, 5]);
    const stats = await (await fetch(`${sandbox.url}/sandbox/stats`)).json();
    assert.equal(stats.requests, 1);
  });

  test('the status says what to do: 202 all sent or skipped, 503 with Retry-After when retrying can help', async () => {
    const ok = await post(mf, [{ event_name: 'purchase', id: 'S1' }, { event_name: 'not_mapped' }]);
    assert.equal(ok.status, 202);
    assert.equal(ok.headers.get('Retry-After'), null);
    await sandbox.faults({ next: [{ kind: 'code', code: 40100 }] });
    const limited = await post(mf, { event_name: 'purchase', id: 'S2' });
    assert.equal(limited.status, 503);
    assert.equal(limited.headers.get('Retry-After'), '10', "TikTok's rate-limit wait");
    const [r] = (await limited.json()).results;
    assert.deepEqual([r.status, r.reason, r.retryable], ['failed', 'rate_limited', true]);
    // Sending the whole body again is safe: TikTok keeps an event_id once.
    assert.equal((await post(mf, { event_name: 'purchase', id: 'S2' })).status, 202);
    const unmappable = await post(mf, [{ event_name: 'purchase', id: 'S3' }, { id: 'no event name' }]);
    assert.equal(unmappable.status, 422);
    // A browser caller gets the status advice too (CORS exposes Retry-After).
    await sandbox.faults({ next: [{ kind: 'http500' }, { kind: 'http500' }, { kind: 'http500' }] });
    const browser = await post(mf, { event_name: 'purchase', id: 'S4' }, { Authorization: '', Origin: ORIGIN });
    assert.equal(browser.status, 503);
  });

  test('at most MAX_SUBREQUESTS TikTok requests per call; the rest fail retryable, reason subrequest_budget', async () => {
    const many = { destinations: Array.from({ length: 8 }, (_, i) => ({ id: `d${i}`, type: 'events_api', pixel_id: `CPIXEL${i}` })) };
    const small = await startWorker(bindings(sandbox.url, { LOG_LEVEL: 'off', MAX_SUBREQUESTS: '5' }, many));
    try {
      const res = await post(small, { event_name: 'purchase', id: 'M1' });
      assert.equal(res.status, 503);
      const { results } = await res.json();
      assert.equal(results.filter((r) => r.status === 'sent').length, 5);
      assert.deepEqual([...new Set(results.filter((r) => r.status === 'failed').map((r) => r.reason))], ['subrequest_budget']);
    } finally {
      await small.dispose();
    }
  });
});

describe('queued', () => {
  let mf;
  let site;
  before(async () => {
    // A site whose every page is HTML, for the page-view test.
    site = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<!doctype html><p>hi'); });
    site.listen(0, '127.0.0.1');
    await once(site, 'listening');
    mf = await startQueuedWorker(bindings(sandbox.url, {
      QUEUE_MAX_ATTEMPTS: '3', QUEUE_RETRY_BASE_SECONDS: '0', QUEUE_MAX_DELAY_SECONDS: '0', LOG_LEVEL: 'off',
      PROXY_ORIGIN: `http://127.0.0.1:${site.address().port}`, AUTO_PAGE_VIEW: 'true',
    }, {
      destinations: [{ ...web().destinations[0], view_content_mapping: ['page_view'] }],
    }));
  });
  after(async () => { await mf?.dispose(); site?.close(); });

  test('a poisoned queued batch mixing two calls dead-letters only the bad event; the others are delivered', async () => {
    await sandbox.faults({ poison: { event_id_prefix: 'BAD_' } });
    const first = purchases('A', 30);
    first[11].id = 'BAD_A11';
    const [a, b] = await Promise.all([post(mf, first), post(mf, purchases('B', 30))]);
    assert.equal(a.status, 202, 'queued: the caller is done');
    assert.equal(b.status, 202);
    const kept = await until('59 good events', async () => { const k = new Set(await keptIds()); return k.size >= 59 && k; });
    assert.ok(!kept.has('BAD_A11'));
    const dead = await until('the dead letter', async () => (await mf.deadLetters()).find((d) => d.dead_letter?.code === 40002));
    assert.deepEqual(dead.request.body.data.map((d) => d.event_id), ['BAD_A11'], 'only the bad event is dead-lettered');
    assert.equal(dead.dead_letter.reason, 'invalid_params');
    assert.match(dead.dead_letter.message, /event_id/);
  });

  test('a partial success in the queue splits the request back into the queue; the refused event is dead-lettered', async () => {
    await sandbox.faults({ partial: { event_id_prefix: 'PART_' } });
    const events = purchases('C', 20);
    events[3].id = 'PART_3';
    await post(mf, events);
    await until('19 good events', async () => new Set(await keptIds()).size >= 19);
    const dead = await until('the dead letter', async () => (await mf.deadLetters()).find((d) => d.request?.body?.data?.[0]?.event_id === 'PART_3'));
    assert.equal(dead.request.body.data.length, 1);
    assert.equal(dead.dead_letter.code, 40002);
  });

  test('page views from proxy mode go through the queue when it is bound', async () => {
    // Over real HTTP (Miniflare's dispatchFetch does not keep waitUntil work alive).
    assert.equal((await visit(mf, '/page?ttclid=CLICK1')).status, 200);
    const [view] = await until('the page view', async () => {
      const events = (await sandbox.received()).events.filter((e) => e.event === 'ViewContent');
      return events.length && events;
    });
    assert.equal(view.data.user.ttclid, 'CLICK1');
  });
});

test('a queue that refuses messages: the events are answered failed, retryable, with 503', async () => {
  const mf = await startWorker(bindings(sandbox.url, { LOG_LEVEL: 'off' }, web()), {
    wrappedBindings: { EVENTS_QUEUE: { scriptName: 'refusing-queue' } },
    workers: [{
      name: 'refusing-queue',
      modules: true,
      script: 'export default function () { return { async send() { throw new Error("queue unavailable"); } }; }',
    }],
  });
  try {
    const res = await post(mf, purchases('R', 3));
    assert.equal(res.status, 503);
    assert.ok(res.headers.get('Retry-After'));
    const { results } = await res.json();
    assert.deepEqual([...new Set(results.map((r) => [r.status, r.reason, r.retryable].join()))], ['failed,queue_unavailable,true']);
    assert.equal((await sandbox.received()).events.length, 0);
  } finally {
    await mf.dispose();
  }
});

test("Commanders Act's shapes: {\"batch\": [...]} and text/plain from a token holder; browsers stay on application/json", async () => {
  const mf = await startWorker(bindings(sandbox.url, { LOG_LEVEL: 'off', ALLOWED_ORIGINS: ORIGIN }, web()));
  try {
    const batch = await mf.dispatchFetch('http://worker/v1/events', {
      method: 'POST',
      headers: { Authorization: `Bearer ${INGEST}`, 'Content-Type': 'text/plain' },
      body: JSON.stringify({ batch: [{ event_name: 'purchase', id: 'CA1' }, { event_name: 'purchase', id: 'CA2' }] }),
    });
    assert.equal(batch.status, 202);
    const { results } = await batch.json();
    assert.deepEqual(results.map((r) => [r.index, r.status]), [[0, 'sent'], [1, 'sent']]);
    const untyped = await mf.dispatchFetch('http://worker/v1/events', {
      method: 'POST', headers: { Authorization: `Bearer ${INGEST}` }, body: JSON.stringify({ event_name: 'purchase', id: 'CA3' }),
    });
    assert.equal(untyped.status, 202, 'no Content-Type at all, with the token');
    const browser = await mf.dispatchFetch('http://worker/v1/events', {
      method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': 'text/plain' }, body: JSON.stringify({ event_name: 'purchase', id: 'CA4' }),
    });
    assert.equal(browser.status, 415, 'a browser must send application/json (a CORS preflight)');
    const badBatch = await post(mf, { batch: 'nope' });
    assert.equal(badBatch.status, 400);
    assert.equal((await badBatch.json()).error.path, 'batch');
    assert.deepEqual((await keptIds()).sort(), ['CA1', 'CA2', 'CA3']);
  } finally {
    await mf.dispose();
  }
});
