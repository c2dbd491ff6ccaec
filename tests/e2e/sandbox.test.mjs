// The TikTok sandbox on its own: auth codes, validation, strict mode, limits,
// dedup, recording and fault injection (spec tiktok-api.md 2.11).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, TOKEN } from './harness.mjs';

let sb;
let strict;
before(async () => {
  sb = await startSandbox(['--token', 'scoped-token=CPIXEL1']);
  strict = await startSandbox(['--strict']);
});
after(() => { sb?.stop(); strict?.stop(); });

const HEX = '836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f';
const body = (over = {}) => ({ event_source: 'web', event_source_id: 'CPIXEL1',
  data: [{ event: 'CompletePayment', event_time: 1765290725, event_id: 'E1', user: { email: HEX } }], ...over });
async function post(base, payload, token = TOKEN, path = '/open_api/v1.3/event/track/') {
  const headers = { 'Content-Type': 'application/json' };
  if (token !== null) headers['Access-Token'] = token;
  const r = await fetch(`${base.url}${path}`, { method: 'POST', headers, body: JSON.stringify(payload) });
  const text = await r.text();
  return { status: r.status, text, json: (() => { try { return JSON.parse(text); } catch { return null; } })() };
}

test('access token: missing 40104, unknown 40105, no rights on the pixel 40001', async () => {
  await sb.reset();
  assert.equal((await post(sb, body(), null)).json.code, 40104);
  assert.equal((await post(sb, body(), 'nope')).json.code, 40105);
  const denied = await post(sb, body({ event_source_id: 'COTHER' }), 'scoped-token');
  assert.equal(denied.json.code, 40001);
  assert.match(denied.json.message, /No permission to operate pixel code: COTHER/);
  assert.equal((await post(sb, body(), 'scoped-token')).json.code, 0);
});

test('TikTok envelope and validation codes', async () => {
  const ok = await post(sb, body());
  assert.deepEqual(Object.keys(ok.json).sort(), ['code', 'data', 'message', 'request_id']);
  assert.match(ok.json.request_id, /^\d{14}[0-9A-F]{20}$/);
  const rows = [
    [body({ event_source: 'kiosk' }), /event_source/],
    [body({ event_source: 'offline', event_source_id: 'CPIXEL1' }), /event_source_id: not a valid string/],
    [body({ data: [] }), /data/],
    [body({ data: Array.from({ length: 1001 }, (_, i) => ({ event: 'X', event_time: 1765290725, event_id: `${i}` })) }), /between 1 and 1000/],
    [body({ data: [{ event: 'X', event_time: 1765290725123 }] }), /event_time: must be a unix timestamp in seconds/],
    [body({ data: [{ event: 'X', event_time: 1765290725, event_id: 12 }] }), /event_id: not a valid string/],
    [body({ data: [{ event: 'X', event_time: 1765290725, properties: { contents: [{ content_id: 7 }] } }] }), /content_id: not a valid string/],
    [body({ event_source: 'offline', event_source_id: '7181537436256731137', data: [{ event: 'MadeUp', event_time: 1765290725 }] }), /standard event/],
    [body({ event_source: 'app', event_source_id: '7312345678901234567', data: [{ event: 'LaunchAPP', event_time: 1765290725 }] }), /app_id/],
  ];
  for (const [payload, message] of rows) {
    const r = await post(sb, payload);
    assert.equal(r.json.code, 40002, message.source);
    assert.match(r.json.message, message);
    assert.equal(r.json.data, undefined, 'error bodies omit data');
  }
  assert.equal((await post(sb, body(), TOKEN, '/open_api/v1.3/pixel/track/')).json.code, 40400);
});

test('strict mode rejects unhashed PII', async () => {
  const clear = body({ data: [{ event: 'X', event_time: 1765290725, user: { email: 'john@example.com' } }] });
  assert.equal((await post(sb, clear)).json.code, 0);
  const r = await post(strict, clear);
  assert.equal(r.json.code, 40002);
  assert.match(r.json.message, /SHA-256/);
  assert.equal((await post(strict, body())).json.code, 0);
});

test('dedup on (event_source_id, event, event_id); everything accepted is recorded', async () => {
  await sb.reset();
  await post(sb, body());
  await post(sb, body());
  await post(sb, body({ data: [{ event: 'CompletePayment', event_time: 1765290725, event_id: 'E2' }] }));
  const { events, stats } = await sb.received();
  assert.deepEqual(events.map((e) => e.event_id), ['E1', 'E2']);
  assert.equal(stats.duplicates, 1);
  assert.equal(stats.accepted_requests, 3, 'TikTok answers code 0 for duplicates');
});

test('legacy offline/track and order sync are validated', async () => {
  const off = { event_set_id: '7181537436256731137', event: 'CompletePayment', event_id: 'P1',
    timestamp: '2025-12-01T14:32:05.000Z', context: { user: { emails: [HEX] } }, properties: { event_channel: 'in_store' } };
  assert.equal((await post(sb, off, TOKEN, '/open_api/v1.3/offline/track/')).json.code, 0);
  const badChannel = { ...off, properties: { event_channel: 'offline' } };
  assert.match((await post(sb, badChannel, TOKEN, '/open_api/v1.3/offline/track/')).json.message, /event_channel/);
  const cancel = { ttoclid: 't', order_info: { order_id: 'B1', third_merchant_id: 'm', third_shop_id: 's', third_shop_name: 'n',
    order_country: 'FR', order_status: 'CANCEL_ORDER', create_time: 1, update_time: 2,
    value: { currency: 'EUR', payment_value: 1, total_value: 1 },
    extra: { length_of_stay: 1, amount_of_room: 1, check_in_date: 'a', check_out_date: 'b' },
    spu_list: [{ sku_list: [{ third_sku_id: 'r', third_sku_name: 'n' }] }] } };
  assert.match((await post(sb, cancel, TOKEN, '/order_sync/')).json.message, /initiator/);
  cancel.order_info.initiator = 'CUSTOMER';
  assert.equal((await post(sb, cancel, TOKEN, '/order_sync/')).json.code, 0);
});

test('faults on demand: HTTP 500, HTML 502, body codes, partial success, slow answers', async () => {
  await sb.reset();
  await sb.faults({ next: [{ kind: 'http500' }, { kind: 'http502' }, { kind: 'code', code: 40100 },
    { kind: 'code', code: 50002 }, { kind: 'code', code: 20001 }, { kind: 'slow', delay_ms: 300 }] });
  const r500 = await post(sb, body());
  assert.equal(r500.status, 500);
  const r502 = await post(sb, body());
  assert.equal(r502.status, 502);
  assert.match(r502.text, /<html>/);
  assert.equal((await post(sb, body())).json.code, 40100);
  assert.equal((await post(sb, body())).json.code, 50002);
  assert.equal((await post(sb, body())).json.code, 20001);
  const t = Date.now();
  assert.equal((await post(sb, body())).json.code, 0);
  assert.ok(Date.now() - t >= 300);
  assert.equal((await sb.received()).stats.faults_injected, 6);
});

test('event faults: one poisoned event rejects the request whole, naming its index', async () => {
  await sb.reset();
  await sb.faults({ poison: { event_id_prefix: 'BAD_' } });
  const items = ['E0', 'E1', 'E2', 'BAD_3'].map((id) => ({ event: 'CompletePayment', event_time: 1765290725, event_id: id }));
  const r = await post(sb, body({ data: items }));
  assert.equal(r.json.code, 40002);
  assert.match(r.json.message, /^Invalid value for data\.3\.event_id: /);
  assert.equal(r.json.data, undefined);
  assert.equal((await post(sb, body({ data: items.slice(0, 3) }))).json.code, 0);
  const { events, stats } = await sb.received();
  assert.deepEqual(events.map((e) => e.event_id), ['E0', 'E1', 'E2'], 'nothing of the poisoned request was kept');
  assert.equal(stats.poisoned_requests, 1);
});

test('event faults: partial keeps the others and answers 20001, listed on demand, composable with next', async () => {
  await sb.reset();
  const items = ['E0', 'PART_1', 'E2'].map((id) => ({ event: 'CompletePayment', event_time: 1765290725, event_id: id }));
  await sb.faults({ partial: { event_id_prefix: 'PART_' }, next: [{ kind: 'http500' }] });
  assert.equal((await post(sb, body({ data: items }))).status, 500, 'the queued fault comes first');
  const unlisted = await post(sb, body({ data: items }));
  assert.equal(unlisted.json.code, 20001);
  assert.deepEqual(unlisted.json.data, {});
  await sb.faults({ partial: { event_id_prefix: 'PART_', listed: true } });
  const listed = await post(sb, body({ data: items.map((e) => ({ ...e, event_id: `${e.event_id}_b` })) }));
  assert.equal(listed.json.code, 20001);
  assert.deepEqual(listed.json.data.failed_events, [{ index: 1, event_id: 'PART_1_b', code: 40002,
    message: "Invalid value for data.1.event_id: rejected by the sandbox's partial fault." }]);
  const alone = await post(sb, body({ data: [items[1]] }));
  assert.equal(alone.json.code, 40002, 'a request whose only event matches is rejected');
  assert.match(alone.json.message, /data\.0\.event_id/);
  const { events, stats } = await sb.received();
  assert.deepEqual(events.map((e) => e.event_id), ['E0', 'E2', 'E0_b', 'E2_b']);
  assert.equal(stats.partial_requests, 2);
  assert.equal(stats.partial_dropped_events, 3);
  const bad = await fetch(`${sb.url}/sandbox/faults`, { method: 'POST', body: JSON.stringify({ poison: {} }) });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /poison\.event_id_prefix/);
});
