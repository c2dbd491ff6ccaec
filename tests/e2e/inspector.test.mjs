// The inspector and the fleet-wide delivery report in workerd (Miniflare runs the
// Durable Object with SQLite storage): events sent inline and through the queue are
// read back from /v1/stats and /v1/inspector/events, masked, sampled, authorised.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bindings, INGEST, startSandbox } from './harness.mjs';
import { INSPECTOR, purchase, RAW_PII, startInspected, until } from './inspector-harness.mjs';

const basic = (password, user = 'ops') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function client(mf) {
  return {
    post: (body, path = '/v1/events') => mf.dispatchFetch(`http://worker${path}`, {
      method: 'POST', headers: { Authorization: `Bearer ${INGEST}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    }),
    stats: async (window = '1h') => (await mf.dispatchFetch(`http://worker/v1/stats?window=${window}`,
      { headers: { Authorization: `Bearer ${INGEST}` } })).json(),
    events: async (query = '', auth = `Bearer ${INSPECTOR}`) => (await mf.dispatchFetch(`http://worker/v1/inspector/events${query}`,
      { headers: { Authorization: auth } })).json(),
  };
}

describe('inline delivery', () => {
  let sandbox;
  let mf;
  let api;
  before(async () => {
    sandbox = await startSandbox();
    mf = await startInspected(bindings(sandbox.url, { INSPECTOR_TOKEN: INSPECTOR, STATS_FLUSH_SECONDS: '1',
      INSPECTOR_SAMPLE_PER_MINUTE: '2', LOG_LEVEL: 'off' }));
    api = client(mf);
  });
  after(async () => { await mf?.dispose(); sandbox?.stop(); });

  test('sent, skipped and failed events are counted fleet-wide, with reasons and match quality', async () => {
    const r = await api.post([purchase('I_1'), purchase('I_2'), purchase('I_3'), { event_name: 'no_such_event', id: 'X' }]);
    assert.equal(r.status, 202);
    await sandbox.faults({ next: [{ kind: 'code', code: 40002 }] });
    // Another event name: its own sampling quota.
    assert.equal((await api.post(purchase('I_4', { event_name: 'add_to_cart' }))).status, 422);
    const stats = await until('the counts in the Durable Object', async () => {
      const s = await api.stats();
      return s.destinations?.tiktok?.sent >= 3 && s.destinations.tiktok.failed >= 1 ? s : null;
    });
    assert.equal(stats.scope, 'fleet');
    assert.equal(stats.window, '1h');
    assert.equal(stats.destinations.tiktok.sent, 3);
    assert.equal(stats.destinations.tiktok.skipped, 1);
    assert.ok(stats.reasons.some((x) => x.outcome === 'failed' && x.reason === 'invalid_params'), JSON.stringify(stats.reasons));
    assert.ok(stats.reasons.some((x) => x.outcome === 'skipped' && x.reason === 'unmapped_event'));
    const q = stats.match_quality.tiktok;
    assert.equal(q.events, 4);
    const share = Object.fromEntries(q.coverage.map((c) => [c.key, c.share]));
    assert.equal(share.email, 1);
    assert.equal(share.ip, 1, 'from context.device.ip');
    assert.equal(share.ttclid, 0);
    assert.deepEqual(q.coverage.slice(0, 2).map((c) => [c.key, c.weight]), [['email', 3], ['phone', 3]]);
    assert.ok(q.score > 0 && q.score <= 10);
    assert.ok(stats.series.length >= 1);
    for (const w of ['24h', '30d']) assert.equal((await api.stats(w)).destinations.tiktok.sent, 3);
    const bad = await mf.dispatchFetch('http://worker/v1/stats?window=7d', { headers: { Authorization: `Bearer ${INGEST}` } });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.path, 'window');
  });

  test('the inspector log holds sampled, masked entries with the request, the answer and the match keys', async () => {
    const { events } = await until('entries', async () => {
      const e = await api.events('?destination=tiktok');
      return e.events?.some((x) => x.status === 'failed') ? e : null;
    });
    const text = JSON.stringify(events);
    for (const raw of RAW_PII) assert.ok(!text.includes(raw), `${raw} in the inspector log`);
    const sent = events.find((e) => e.status === 'sent');
    assert.equal(sent.event, 'CompletePayment');
    // printf %s jane.doe@example.com | sha256sum
    assert.equal(sent.input.user.email, '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d');
    assert.equal(sent.input.context.device.ip, '203.0.113.0');
    assert.equal(sent.input.context.device.cookie, '_ttp=ttp-abc; session');
    assert.equal(sent.request.headers['Access-Token'], '<redacted>');
    assert.equal(sent.request.body.data[0].user.email, sent.input.user.email, 'the event and the request show the same hash');
    assert.equal(sent.tiktok.code, 0);
    assert.equal(sent.attempts, 1);
    assert.deepEqual(sent.match_keys, ['email', 'phone', 'external_id', 'ttp', 'ip', 'user_agent']);
    const failed = events.find((e) => e.status === 'failed');
    assert.equal(failed.event, 'AddToCart');
    assert.equal(failed.reason, 'invalid_params');
    assert.equal(failed.tiktok.code, 40002);
    // Two purchases per minute are sampled (INSPECTOR_SAMPLE_PER_MINUTE=2); a minute may turn between calls.
    const purchases = events.filter((e) => e.event === 'CompletePayment');
    assert.ok(purchases.length >= 2 && purchases.length <= 3, `${purchases.length} sampled`);
    assert.equal((await api.events('?status=skipped')).events[0].reason, 'unmapped_event');
  });

  test('debug events bypass sampling', async () => {
    const marked = Array.from({ length: 8 }, (_, i) => purchase(`D_${i}`, { inspector_debug: true }));
    assert.equal((await api.post(marked)).status, 202);
    const { events } = await until('8 debug entries', async () => {
      const e = await api.events('?destination=tiktok&limit=200');
      return e.events.filter((x) => x.debug).length >= 8 ? e : null;
    });
    assert.equal(events.filter((x) => x.debug).length, 8);
  });

  test('the inspector needs its token: Basic (any user) or Bearer; a browser is prompted', async () => {
    const none = await mf.dispatchFetch('http://worker/inspector');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('WWW-Authenticate'), /^Basic realm="tiktok-edge inspector"/);
    assert.equal((await mf.dispatchFetch('http://worker/inspector', { headers: { Authorization: basic('wrong') } })).status, 401);
    assert.equal((await mf.dispatchFetch('http://worker/v1/inspector/events', { headers: { Authorization: `Bearer ${INGEST}` } })).status, 401);
    const page = await mf.dispatchFetch('http://worker/inspector', { headers: { Authorization: basic(INSPECTOR, 'anyone') } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('Content-Type'), /^text\/html/);
    assert.match(page.headers.get('Content-Security-Policy'), /default-src 'none'/);
    assert.match(await page.text(), /tiktok-edge inspector/);
    assert.ok(Array.isArray((await api.events('', basic(INSPECTOR))).events));
    const js = await mf.dispatchFetch('http://worker/inspector/app.js');
    assert.equal(js.status, 200, 'the page code holds no data');
  });

  test('the preview form plans a pasted event, masked, and sends nothing', async () => {
    await sandbox.reset();
    const r = await mf.dispatchFetch('http://worker/v1/inspector/preview', {
      method: 'POST', headers: { Authorization: `Bearer ${INSPECTOR}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(purchase('P_1')),
    });
    assert.equal(r.status, 200);
    const body = await r.json();
    const text = JSON.stringify(body);
    for (const raw of RAW_PII) assert.ok(!text.includes(raw), `${raw} in the preview`);
    const tiktok = body.results.find((x) => x.destination === 'tiktok');
    assert.equal(tiktok.status, 'ready');
    assert.equal(tiktok.request.headers['Access-Token'], '<redacted>');
    assert.equal((await sandbox.received()).events.length, 0, 'nothing sent');
  });
});

describe('queued delivery', () => {
  let sandbox;
  let mf;
  let api;
  before(async () => {
    sandbox = await startSandbox();
    mf = await startInspected(bindings(sandbox.url, { INSPECTOR_TOKEN: INSPECTOR, STATS_FLUSH_SECONDS: '1',
      QUEUE_MAX_ATTEMPTS: '1', QUEUE_RETRY_BASE_SECONDS: '0', LOG_LEVEL: 'off' }), { queued: true });
    api = client(mf);
  });
  after(async () => { await mf?.dispose(); sandbox?.stop(); });

  test('the ingest counts queued, the consumer sent and dead-lettered, all in one report', async () => {
    const events = Array.from({ length: 5 }, (_, i) => purchase(`Q_${i}`));
    assert.equal((await api.post(events)).status, 202);
    await until('5 events at the sandbox', async () => (await sandbox.received()).events.length >= 5);
    await sandbox.faults({ next: [{ kind: 'http500' }] });
    assert.equal((await api.post(purchase('Q_dead'))).status, 202);
    const stats = await until('queued, sent and dead-lettered counts', async () => {
      const s = await api.stats('24h');
      const t = s.destinations?.tiktok;
      return t && t.queued >= 6 && t.sent >= 5 && t.dead_lettered >= 1 ? s : null;
    });
    assert.equal(stats.destinations.tiktok.queued, 6);
    assert.equal(stats.destinations.tiktok.sent, 5);
    assert.ok(stats.reasons.some((x) => x.outcome === 'dead_lettered' && x.reason === 'server_error'), JSON.stringify(stats.reasons));
    const { events: logged } = await api.events('?status=queued');
    assert.ok(logged.length >= 1);
    assert.ok(logged[0].request.body.data[0].user.email.match(/^[0-9a-f]{64}$/));
  });
});

describe('without INSPECTOR_TOKEN', () => {
  let mf;
  before(async () => {
    mf = await startInspected(bindings('http://127.0.0.1:9', { LOG_LEVEL: 'off' }));
  });
  after(async () => { await mf?.dispose(); });

  test('the inspector is off (404) and /v1/stats still answers', async () => {
    const r = await mf.dispatchFetch('http://worker/inspector');
    assert.equal(r.status, 404);
    assert.equal((await r.json()).error.code, 'inspector_off');
    const s = await mf.dispatchFetch('http://worker/v1/stats', { headers: { Authorization: `Bearer ${INGEST}` } });
    assert.equal(s.status, 200);
    assert.equal((await s.json()).scope, 'fleet');
  });
});
