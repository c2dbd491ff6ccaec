// The built Worker in the real workerd runtime, against the local TikTok sandbox.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { bindings, startSandbox, startWorker, destinations, TOKEN, INGEST, ORIGIN } from './harness.mjs';

let sandbox;
let mf;
const BASE = 'http://localhost'; // not a site route: proxy mode stays off

before(async () => {
  sandbox = await startSandbox();
  mf = await startWorker(bindings(sandbox.url, {
    ALLOWED_ORIGINS: `${ORIGIN}, https://other.example.com`,
    TIKTOK_TIMEOUT_MS: '2000',
  }));
});
after(async () => { await mf?.dispose(); sandbox?.stop(); });
beforeEach(async () => { await sandbox.reset(); await sandbox.faults({}); });

const server = (body, extra = {}) => mf.dispatchFetch(`${BASE}/v1/events`, {
  method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${INGEST}`, ...extra },
});
const browser = (body, headers = {}) => mf.dispatchFetch(`${BASE}/v1/events`, {
  method: 'POST', body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json', Origin: ORIGIN, ...headers },
});

const purchase = (id = 'O_1') => ({
  event_name: 'purchase', id, value: 22.53, currency: 'EUR',
  user: { email: ' John.Doe@Example.com ', phone: '+33612345678', consent_categories: ['3'] },
  items: [{ id: 'SKU_1', quantity: 1, product: { name: 'Cap', price: 22.53 } }],
  context: { event_timestamp: 1765290725123, page: { url: 'https://shop.example.com/thanks' } },
});

test('healthz reports a valid config and its destinations', async () => {
  const r = await mf.dispatchFetch(`${BASE}/healthz`);
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.deepEqual(body.destinations, ['tiktok', 'tiktok-offline', 'tiktok-orders']);
  assert.equal(body.delivery, 'inline');
});

test('a browser purchase from an allowed origin carries _ttp and ttclid from its cookies', async () => {
  const r = await browser(purchase(), {
    Cookie: '_ttp=2Xy9kQ3abcDEFghiJKL; ttclid=E.C.P.cookie123; other=1',
    'CF-Connecting-IP': '203.0.113.10', 'User-Agent': 'Mozilla/5.0 test',
    'X-Forwarded-For': '198.51.100.99',
  });
  assert.equal(r.status, 202);
  assert.equal(r.headers.get('Access-Control-Allow-Origin'), ORIGIN);
  const { results } = await r.json();
  const web = results.find((x) => x.destination === 'tiktok');
  assert.equal(web.status, 'sent');
  assert.equal(web.tiktok, undefined, 'browsers see a summary, not TikTok answers');
  const { events } = await sandbox.received();
  assert.equal(events.length, 1);
  const user = events[0].data.user;
  assert.equal(user.ttp, '2Xy9kQ3abcDEFghiJKL');
  assert.equal(user.ttclid, 'E.C.P.cookie123');
  assert.equal(user.ip, '203.0.113.10', 'CF-Connecting-IP, never X-Forwarded-For');
  assert.equal(user.user_agent, 'Mozilla/5.0 test');
  assert.equal(user.email, '836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f');
  assert.equal(events[0].event, 'CompletePayment');
});

test('server calls need the ingest token and are not enriched from headers', async () => {
  assert.equal((await server(purchase(), { Authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await server(purchase(), { Authorization: '' })).status, 401);
  const r = await server(purchase(), { Cookie: '_ttp=SHOULD_NOT_BE_USED', 'CF-Connecting-IP': '192.0.2.1' });
  assert.equal(r.status, 202);
  const { events } = await sandbox.received();
  assert.equal(events[0].data.user.ttp, undefined);
  assert.equal(events[0].data.user.ip, undefined);
});

test('an app event goes out with event_source app', async () => {
  const r = await server({ event_name: 'launch_app', id: 'A_1',
    context: { event_timestamp: 1765290725123, device: { type: 'android', advertising_id: 'gaid-1' },
               app: { namespace: 'com.example.shop', version: '2.0' } } });
  const web = (await r.json()).results.find((x) => x.destination === 'tiktok');
  assert.equal(web.status, 'sent');
  const { events } = await sandbox.received();
  assert.equal(events[0].event_source, 'app');
  assert.equal(events[0].event, 'LaunchAPP');
  assert.equal(events[0].data.user.gaid, 'gaid-1');
});

test('offline and order sync events reach their endpoints', async () => {
  const r = await server([
    { event_name: 'store_purchase', id: 'POS-1', value: 59.9, currency: 'EUR', user: { email: 'marie@example.fr' },
      context: { event_timestamp: 1764599525000 } },
    { event_name: 'hotel_booked', id: 'BK-1', currency: 'EUR', items: [{ id: 'ROOM', product: { name: 'Deluxe' } }],
      booking: { hotel_id: 'H1', hotel_name: 'Hotel', country: 'FR', created_at_s: 1764000000, nights: 2, rooms: 1,
                 check_in: '2025-12-20', check_out: '2025-12-22', total_value: 416, payment_value: 396 },
      partners: { tiktok: { discounts: 20 } },
      context: { event_timestamp: 1764000000000, page: { url: 'https://hotel.example.com/b?ttoclid=opf123' } } },
  ]);
  assert.equal(r.status, 202);
  const { results } = await r.json();
  const sent = results.filter((x) => x.status === 'sent').map((x) => `${x.index}:${x.destination}`);
  assert.deepEqual(sent, ['0:tiktok-offline', '1:tiktok-orders']);
  const { events } = await sandbox.received();
  const offline = events.find((e) => e.event_source === 'offline');
  assert.equal(offline.event_source_id, '7181537436256731137');
  const order = events.find((e) => e.endpoint === 'order_sync');
  assert.equal(order.data.ttoclid, 'opf123');
  assert.equal(order.order_status, 'CREATE_ORDER');
});

test('preview answers the exact requests with the token redacted and sends nothing', async () => {
  const r = await mf.dispatchFetch(`${BASE}/v1/preview`, {
    method: 'POST', body: JSON.stringify(purchase()),
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${INGEST}` },
  });
  assert.equal(r.status, 200);
  const text = await r.text();
  assert.ok(!text.includes(TOKEN), 'the token never appears');
  const web = JSON.parse(text).results[0];
  assert.equal(web.status, 'ready');
  assert.equal(web.request.headers['Access-Token'], '<redacted>');
  assert.equal(web.request.url, `${sandbox.url}/open_api/v1.3/event/track/`);
  assert.equal((await sandbox.received()).events.length, 0);
});

test('transient TikTok failures are retried inline; persistent ones are reported with the reason', async () => {
  await sandbox.faults({ next: [{ kind: 'http500' }] });
  let web = (await (await server(purchase())).json()).results[0];
  assert.deepEqual([web.status, web.attempts], ['sent', 2]);
  assert.equal((await sandbox.received()).events.length, 1);

  await sandbox.faults({ next: [{ kind: 'http502' }, { kind: 'http502' }, { kind: 'http502' }] });
  web = (await (await server(purchase('O_2'))).json()).results[0];
  assert.deepEqual([web.status, web.reason, web.retryable, web.attempts], ['failed', 'server_error', true, 3]);

  // A rate limit asks for a longer wait than a caller should hold a request open.
  await sandbox.faults({ next: [{ kind: 'code', code: 40100 }] });
  web = (await (await server(purchase('O_3'))).json()).results[0];
  assert.deepEqual([web.status, web.reason, web.tiktok.code, web.attempts], ['failed', 'rate_limited', 40100, 1]);

  await sandbox.faults({ next: [{ kind: 'code', code: 40002 }] });
  web = (await (await server(purchase('O_4'))).json()).results[0];
  assert.deepEqual([web.status, web.reason, web.retryable, web.attempts], ['failed', 'invalid_params', false, 1]);
});

// The fleet-wide counts behind /v1/stats live in the INSPECTOR Durable Object: inspector.test.mjs.
test('/v1/stats is token-protected, and says so when its Durable Object is not bound', async () => {
  const get = (auth) => mf.dispatchFetch(`${BASE}/v1/stats`, { headers: auth ? { Authorization: `Bearer ${INGEST}` } : {} });
  assert.equal((await get(false)).status, 401);
  const r = await get(true);
  assert.equal(r.status, 503);
  assert.equal((await r.json()).error.code, 'no_stats_store');
});

test('a TikTok answer slower than TIKTOK_TIMEOUT_MS is a retryable timeout', async () => {
  await sandbox.faults({ next: [{ kind: 'slow', delay_ms: 3000 }] });
  const web = (await (await server(purchase())).json()).results[0];
  assert.deepEqual([web.status, web.reason, web.retryable, web.attempts], ['failed', 'timeout', true, 1]);
});

test('a batch of events is one TikTok request', async () => {
  const list = Array.from({ length: 50 }, (_, i) => purchase(`O_${i}`));
  const r = await server(list);
  const results = (await r.json()).results.filter((x) => x.destination === 'tiktok');
  assert.equal(results.length, 50);
  assert.ok(results.every((x) => x.status === 'sent'));
  const { events, stats } = await sandbox.received();
  assert.equal(events.length, 50);
  assert.equal(stats.requests, 1);
});

test('CORS preflight for allowed origins only', async () => {
  const ok = await mf.dispatchFetch(`${BASE}/v1/events`, { method: 'OPTIONS', headers: { Origin: ORIGIN } });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('Access-Control-Allow-Origin'), ORIGIN);
  assert.match(ok.headers.get('Access-Control-Allow-Methods'), /POST/);
  const no = await mf.dispatchFetch(`${BASE}/v1/events`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
  assert.equal(no.status, 403);
});

test('every error status, as JSON', async () => {
  const cases = [
    [await server('{"event_name": ', {}), 400, 'bad_json'],
    [await server('"just a string"', {}), 400, 'invalid_event'],
    [await server(Array.from({ length: 1001 }, () => ({ event_name: 'purchase' }))), 400, 'too_many_events'],
    [await server(purchase(), { 'Content-Type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type'],
    [await server(JSON.stringify({ event_name: 'purchase', pad: 'x'.repeat(2 * 1024 * 1024) })), 413, 'payload_too_large'],
    [await mf.dispatchFetch(`${BASE}/v1/events`), 405, 'method_not_allowed'],
    [await mf.dispatchFetch(`${BASE}/healthz`, { method: 'POST' }), 405, 'method_not_allowed'],
    [await mf.dispatchFetch(`${BASE}/nope`), 404, 'not_found'],
  ];
  for (const [r, status, code] of cases) {
    assert.equal(r.status, status, code);
    assert.equal((await r.json()).error.code, code);
  }
});

test('DESTINATIONS may also be a table (an object binding), as in wrangler.toml [vars]', async () => {
  const table = await startWorker(bindings(sandbox.url, { DESTINATIONS: destinations(sandbox.url) }));
  try {
    const r = await table.dispatchFetch(`${BASE}/healthz`);
    assert.equal(r.status, 200);
    assert.equal((await r.json()).destinations.length, 3);
  } finally {
    await table.dispose();
  }
});

test('an invalid config answers 500 with the path of the problem, on every route', async () => {
  const bad = await startWorker({ DESTINATIONS: JSON.stringify({ destinations: [{ id: 'x', type: 'events_api' }] }),
    INGEST_TOKEN: INGEST, TIKTOK_ACCESS_TOKEN: TOKEN });
  try {
    const health = await bad.dispatchFetch(`${BASE}/healthz`);
    assert.equal(health.status, 500);
    assert.equal((await health.json()).errors[0].path, 'destinations[0].pixel_id');
    const r = await bad.dispatchFetch(`${BASE}/v1/events`, { method: 'POST', body: '{}',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${INGEST}` } });
    assert.equal(r.status, 500);
    const body = await r.json();
    assert.equal(body.error.code, 'invalid_config');
    assert.equal(body.error.path, 'destinations[0].pixel_id');
  } finally {
    await bad.dispose();
  }
});
