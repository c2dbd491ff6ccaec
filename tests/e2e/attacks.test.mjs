// The attack suite: the built Worker in workerd, tried as an attacker would against a
// default deployment. Each test is named for the property it protects and fails when the
// property breaks (README "Security": what each caller class can do).
import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  bindings, destinations, rateLimit, root, startQueuedWorker, startSandbox, startWorker, visit, waitFor, EVENTS_QUEUE, INGEST,
  ORIGIN, TOKEN,
} from './harness.mjs';

const BASE = 'http://localhost';
let sandbox;
before(async () => { sandbox = await startSandbox(); });
after(() => sandbox?.stop());
beforeEach(async () => { await sandbox.reset(); });

const purchase = (extra = {}) => ({ event_name: 'purchase', id: `O_${Math.random().toString(36).slice(2)}`, value: 10,
  currency: 'EUR', user: { email: 'a@b.example' }, context: { event_timestamp: 1765290725123 }, ...extra });
const post = (mf, url, body, headers = {}) => mf.dispatchFetch(url, {
  method: 'POST', body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  headers: { 'Content-Type': 'application/json', ...headers },
});
const sent = async () => (await sandbox.received()).events;

describe('a default deployment (ALLOWED_ORIGINS set, rate limit bound)', () => {
  let mf;
  before(async () => {
    mf = await startWorker(bindings(sandbox.url, { ALLOWED_ORIGINS: ORIGIN, MAX_BODY_BYTES: '4096' }), rateLimit(1000));
  });
  after(() => mf?.dispose());
  const browser = (body, headers = {}) => post(mf, `${BASE}/v1/events`, body,
    { Origin: ORIGIN, 'CF-Connecting-IP': '203.0.113.10', 'User-Agent': 'Mozilla/5.0 real', ...headers });
  const server = (body, headers = {}) => post(mf, `${BASE}/v1/events`, body, { Authorization: `Bearer ${INGEST}`, ...headers });

  async function refusedAsOrigin(origin) {
    const r = await post(mf, `${BASE}/v1/events`, purchase(), { Origin: origin });
    assert.equal(r.status, 401, origin);
    assert.equal(r.headers.get('Access-Control-Allow-Origin'), null, origin);
    assert.equal((await r.json()).error.code, 'unauthorized');
    assert.equal((await sent()).length, 0);
  }

  test('an Origin with a trailing slash is not the allowed origin', () => refusedAsOrigin(`${ORIGIN}/`));
  test('an Origin in another case is not the allowed origin', () => refusedAsOrigin(ORIGIN.toUpperCase()));
  test('an Origin with a port is not the allowed origin', async () => {
    await refusedAsOrigin(`${ORIGIN}:443`);
    await refusedAsOrigin(`${ORIGIN}:8443`);
  });
  test('Origin: null is not an allowed origin', () => refusedAsOrigin('null'));
  test('a list of origins in one header is not an allowed origin', () => refusedAsOrigin(`${ORIGIN}, https://evil.example`));
  test('a lookalike domain ending in the allowed one is not the allowed origin', () => refusedAsOrigin(`${ORIGIN}.evil.example`));
  test('another scheme of the allowed host is not the allowed origin', () => refusedAsOrigin(ORIGIN.replace('https', 'http')));

  test('a preflight from a spoofed origin variant gets 403 and no CORS', async () => {
    const r = await mf.dispatchFetch(`${BASE}/v1/events`, { method: 'OPTIONS', headers: { Origin: `${ORIGIN}/` } });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('Access-Control-Allow-Origin'), null);
  });

  test('the Worker\'s own origin on workers.dev is not first-party', async () => {
    const own = 'https://tiktok-edge.acme.workers.dev';
    const r = await post(mf, `${own}/v1/events`, purchase(), { Origin: own });
    assert.equal(r.status, 401);
  });

  test('the Worker\'s own origin on loopback (wrangler dev) is not first-party', async () => {
    for (const own of ['http://localhost:8787', 'http://127.0.0.1:8787']) {
      const r = await post(mf, `${own}/v1/events`, purchase(), { Origin: own });
      assert.equal(r.status, 401, own);
    }
  });

  test('the Worker\'s own origin on a custom domain without a routed site is not first-party', async () => {
    const own = 'https://edge.example.net';
    const r = await post(mf, `${own}/v1/events`, purchase(), { Origin: own });
    assert.equal(r.status, 401);
    assert.equal((await sent()).length, 0);
  });

  test('a token with an extra prefix is refused', async () => {
    assert.equal((await server(purchase(), { Authorization: `Bearer x${INGEST}` })).status, 401);
  });
  test('a token with an extra suffix is refused', async () => {
    assert.equal((await server(purchase(), { Authorization: `Bearer ${INGEST}x` })).status, 401);
  });
  test('a truncated token is refused', async () => {
    assert.equal((await server(purchase(), { Authorization: `Bearer ${INGEST.slice(0, -1)}` })).status, 401);
  });
  test('a token without the Bearer scheme is refused', async () => {
    for (const a of [INGEST, `Basic ${INGEST}`, `Token ${INGEST}`, `Bearer${INGEST}`]) {
      assert.equal((await server(purchase(), { Authorization: a })).status, 401, a);
    }
    assert.equal((await sent()).length, 0);
  });
  test('the Bearer scheme is case-insensitive (RFC 9110) but the token is exact', async () => {
    assert.equal((await server(purchase(), { Authorization: `bearer ${INGEST}` })).status, 202);
    assert.equal((await server(purchase(), { Authorization: `bearer ${INGEST.toUpperCase()}` })).status, 401);
  });
  test('a token in the query string is not a token', async () => {
    const r = await post(mf, `${BASE}/v1/events?token=${INGEST}&access_token=${INGEST}`, purchase());
    assert.equal(r.status, 401);
  });
  test('a wrong token from an allowed origin is refused, not served as a browser', async () => {
    const r = await browser(purchase(), { Authorization: 'Bearer wrong' });
    assert.equal(r.status, 401);
    assert.equal((await sent()).length, 0);
  });

  test('a browser cannot preview: pixel ids and endpoints need the token', async () => {
    const r = await post(mf, `${BASE}/v1/preview`, purchase(), { Origin: ORIGIN });
    assert.equal(r.status, 401);
    const text = await r.text();
    assert.ok(!text.includes('CABCDEF1234567890') && !text.includes('order_sync'), text);
    const ok = await post(mf, `${BASE}/v1/preview`, purchase(), { Authorization: `Bearer ${INGEST}` });
    assert.equal(ok.status, 200);
  });

  test('stats need the token, even from an allowed origin', async () => {
    assert.equal((await mf.dispatchFetch(`${BASE}/v1/stats`)).status, 401);
    assert.equal((await mf.dispatchFetch(`${BASE}/v1/stats`, { headers: { Origin: ORIGIN } })).status, 401);
    assert.equal((await mf.dispatchFetch(`${BASE}/v1/stats`, { headers: { Authorization: `Bearer ${INGEST}x` } })).status, 401);
    // With the token the caller is let in: 200 from the stats store, or 503 `no_stats_store`
    // here, where the suite's Worker has no Durable Object bound.
    const allowed = await mf.dispatchFetch(`${BASE}/v1/stats`, { headers: { Authorization: `Bearer ${INGEST}` } });
    assert.ok([200, 503].includes(allowed.status), `status ${allowed.status}`);
    if (allowed.status === 503) assert.equal((await allowed.json()).error.code, 'no_stats_store');
  });

  test('a chunked body over MAX_BODY_BYTES is refused while it is read (413)', async () => {
    // node:http sends Transfer-Encoding: chunked (no Content-Length) and keeps writing
    // until the Worker answers: the answer must come long before the body would end.
    const base = new URL(await mf.ready);
    const req = http.request({ host: base.hostname, port: base.port, path: '/v1/events', method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${INGEST}` } });
    req.on('error', () => {});
    const chunk = `[${'{"event_name":"purchase"},'.repeat(40)}`;
    let written = 0;
    let answered = null;
    req.on('response', (res) => { answered = res; });
    while (!answered && written < 400) {
      req.write(chunk);
      written += 1;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(answered, 'no answer while the body kept coming');
    assert.ok(req.getHeader('content-length') === undefined);
    assert.equal(answered.statusCode, 413);
    const parts = [];
    for await (const c of answered) parts.push(c);
    assert.equal(JSON.parse(Buffer.concat(parts)).error.code, 'payload_too_large');
    assert.ok(written * chunk.length < 200_000, `answered only after ${written * chunk.length} bytes`);
    req.destroy();
    assert.equal((await sent()).length, 0);
  });

  test('a declared Content-Length over MAX_BODY_BYTES is refused before reading', async () => {
    const r = await server(JSON.stringify([purchase({ pad: 'x'.repeat(5000) })]));
    assert.equal(r.status, 413);
  });

  test('a body that is not UTF-8 is refused as bad_json, never decoded with replacements', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"event_name":"purchase","id":"O_\xff'), 0xff, 0xfe,
      ...new TextEncoder().encode('","user":{"email":"a@b.example"}}')]);
    const r = await server(bytes);
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.code, 'bad_json');
    assert.equal((await sent()).length, 0);
  });

  test('a browser event never reaches order sync (creating or cancelling orders)', async () => {
    const booking = { event_name: 'hotel_booked', id: 'BK-1', currency: 'EUR', items: [{ id: 'ROOM', product: { name: 'Deluxe' } }],
      booking: { hotel_id: 'H1', hotel_name: 'Hotel', country: 'FR', created_at_s: 1764000000, nights: 2, rooms: 1,
        check_in: '2025-12-20', check_out: '2025-12-22', total_value: 416, payment_value: 396 },
      partners: { tiktok: { discounts: 20 } },
      context: { event_timestamp: 1764000000000, page: { url: 'https://hotel.example.com/b?ttoclid=opf123' } } };
    const r = await browser(booking);
    const { results } = await r.json();
    assert.deepEqual(results.map((x) => x.destination), ['tiktok']);
    assert.equal((await sent()).length, 0);
    // The same event with the token does reach it: the door, not the event, stops it.
    const s = await server(booking);
    assert.equal((await s.json()).results.find((x) => x.destination === 'tiktok-orders').status, 'sent');
  });

  test('a browser event never reaches offline events', async () => {
    const r = await browser({ event_name: 'store_purchase', id: 'S1', value: 5, currency: 'EUR', user: { email: 'a@b.example' } });
    assert.deepEqual((await r.json()).results.map((x) => x.destination), ['tiktok']);
    assert.equal((await sent()).length, 0);
  });

  test('a browser cannot set the IP or user agent TikTok receives', async () => {
    const r = await browser(purchase({ context: { event_timestamp: 1765290725123, device: { ip: '6.6.6.6', user_agent: 'Spoofed/1.0' } } }));
    assert.equal(r.status, 202);
    const [e] = await sent();
    assert.equal(e.data.user.ip, '203.0.113.10');
    assert.equal(e.data.user.user_agent, 'Mozilla/5.0 real');
  });

  test('a browser cannot bring cookies inside the event', async () => {
    const r = await browser(purchase({ context: { event_timestamp: 1765290725123, device: { cookie: '_ttp=INJECTED; ttclid=E.C.P.injected' } } }),
      { Cookie: '_ttp=REQUEST_TTP' });
    assert.equal(r.status, 202);
    const [e] = await sent();
    assert.equal(e.data.user.ttp, 'REQUEST_TTP');
    assert.equal(e.data.user.ttclid, undefined);
  });

  test('a browser sees no TikTok codes, messages, request ids or warnings', async () => {
    await sandbox.faults({ next: [{ kind: 'code', code: 40001 }] });
    const r = await browser([purchase(), { event_name: 'not_mapped' }]);
    const text = await r.text();
    await sandbox.faults({});
    const { results } = JSON.parse(text);
    assert.deepEqual(results, [
      { destination: 'tiktok', index: 0, status: 'failed', retryable: false },
      { destination: 'tiktok', index: 1, status: 'skipped', reason: 'unmapped_event' },
    ]);
    assert.ok(!/request_id|40001|"tiktok":|"code"|"reason":"permission|warnings|message/.test(text), text);
    const s = await server(purchase());
    assert.equal((await s.json()).results.find((x) => x.destination === 'tiktok').tiktok.code, 0, 'servers do see them');
  });

  test('a browser call carries at most BROWSER_MAX_EVENTS events', async () => {
    const r = await browser(Array.from({ length: 21 }, () => purchase()));
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.code, 'too_many_events');
    assert.equal((await sent()).length, 0);
  });

  test('browsers may not post text/plain (a form or beacon from any site)', async () => {
    const r = await browser(purchase(), { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 415);
  });
});

describe('templated pixel ids', () => {
  let mf;
  before(async () => {
    const config = { destinations: [{ id: 'tiktok', type: 'events_api', pixel_id: '{{partners.tiktok.pixel_id}}' }] };
    mf = await startWorker(bindings(sandbox.url, { ALLOWED_ORIGINS: ORIGIN, BROWSER_ALLOWED_IDS: 'CALLOWED00000001' }, config));
  });
  after(() => mf?.dispose());
  const event = (pixel) => purchase({ partners: { tiktok: { pixel_id: pixel } } });

  test('a browser event aimed at a foreign pixel is refused before anything is sent', async () => {
    const r = await post(mf, `${BASE}/v1/events`, event('CFOREIGN0000001'), { Origin: ORIGIN });
    assert.equal(r.status, 422);
    const { results } = await r.json();
    assert.deepEqual(results, [{ destination: 'tiktok', status: 'error', error: { code: 'invalid_field', path: 'partners.tiktok.pixel_id' } }]);
    assert.equal((await sent()).length, 0);
  });

  test('a browser event for an allowed templated pixel is sent', async () => {
    const r = await post(mf, `${BASE}/v1/events`, event('CALLOWED00000001'), { Origin: ORIGIN });
    assert.equal(r.status, 202);
    assert.equal((await sent())[0].event_source_id, 'CALLOWED00000001');
  });

  test('a server caller may choose any templated pixel', async () => {
    const r = await post(mf, `${BASE}/v1/events`, event('CSERVER0000001'), { Authorization: `Bearer ${INGEST}` });
    assert.equal(r.status, 202);
  });
});

describe('rate limiting (BROWSER_RATE_LIMITER, 3 calls per 60 s)', () => {
  let mf;
  before(async () => { mf = await startWorker(bindings(sandbox.url, { ALLOWED_ORIGINS: ORIGIN }), rateLimit(3)); });
  after(() => mf?.dispose());
  const from = (ip, headers = {}) => post(mf, `${BASE}/v1/events`, { event_name: 'not_mapped' }, { Origin: ORIGIN, 'CF-Connecting-IP': ip, ...headers });

  test('browser calls past the limit get 429 JSON with Retry-After, readable by the page', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await from('198.51.100.1')).status, 202);
    // The limiter counts in fixed 60 s windows: if one ends during these calls, the next
    // window allows 3 more, so the 4th call past the limit comes by the 7th at the latest.
    let r = await from('198.51.100.1');
    for (let extra = 0; r.status === 202 && extra < 3; extra++) r = await from('198.51.100.1');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('Retry-After'), '60');
    assert.equal(r.headers.get('Access-Control-Allow-Origin'), ORIGIN);
    assert.equal((await r.json()).error.code, 'rate_limited');
  });

  test('the rate limit counts per client IP', async () => {
    assert.equal((await from('198.51.100.2')).status, 202);
  });

  test('server callers are not rate limited', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await from('198.51.100.1', { Authorization: `Bearer ${INGEST}` });
      assert.equal(r.status, 202);
    }
  });

  test('healthz says when the rate limit is not bound', async () => {
    const bare = await startWorker(bindings(sandbox.url));
    try {
      const codes = (await (await bare.dispatchFetch(`${BASE}/healthz`)).json()).warnings.map((w) => w.code);
      assert.ok(codes.includes('no_rate_limit'));
      const bound = (await (await mf.dispatchFetch(`${BASE}/healthz`)).json()).warnings.map((w) => w.code);
      assert.ok(!bound.includes('no_rate_limit'));
    } finally {
      await bare.dispose();
    }
  });
});

describe('proxy mode', () => {
  const SITE = 'https://shop.test';
  let origin;
  let thief;
  const seen = [];
  const stolen = [];
  let mf;
  let open;
  before(async () => {
    origin = http.createServer((req, res) => {
      seen.push({ url: req.url, host: req.headers.host });
      const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=600, s-maxage=3600' };
      if (req.url.startsWith('/asset')) res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'public, max-age=86400' });
      else if (req.url.startsWith('/cached')) res.writeHead(304, {});
      else if (req.url.startsWith('/away')) res.writeHead(302, { Location: 'https://elsewhere.example/landing' });
      else if (req.url.startsWith('/moved')) res.writeHead(301, { Location: '/landing/' });
      else res.writeHead(200, headers);
      res.end(req.url.startsWith('/cached') ? undefined : '<!doctype html><p>hi</p>');
    });
    thief = http.createServer((req, res) => { stolen.push(req.url); res.end('stolen'); });
    origin.listen(0, '127.0.0.1');
    thief.listen(0, '127.0.0.1');
    await Promise.all([once(origin, 'listening'), once(thief, 'listening')]);
    const config = { destinations: [
      { id: 'tiktok', type: 'events_api', pixel_id: 'CPIXEL1', view_content_mapping: ['page_view'], consent_category: '3' }] };
    const vars = { PROXY_ORIGIN: `http://127.0.0.1:${origin.address().port}`, API_PREFIX: '/_tt', AUTO_PAGE_VIEW: 'true' };
    mf = await startWorker(bindings(sandbox.url, { ...vars, CONSENT_CATEGORY: '3' }, config), rateLimit(1000));
    open = await startWorker(bindings(sandbox.url, vars, config));
  });
  after(async () => { await mf?.dispose(); await open?.dispose(); origin?.close(); thief?.close(); });
  beforeEach(() => { seen.length = 0; stolen.length = 0; });
  const AGREED = 'TC_PRIVACY=0%40002%7C12%7C3441%401%2C3%40%401592900933049%2C1592900933049%2C1624436933049';

  test('the own origin of a proxied site is a browser caller (first-party)', async () => {
    const r = await post(mf, `${SITE}/_tt/v1/events`, { event_name: 'not_mapped' }, { Origin: SITE });
    assert.equal(r.status, 202);
  });

  test('without consent: no click-id cookie and no page view', async () => {
    const r = await visit(mf, '/page?ttclid=E.C.P.noconsent', { Cookie: '_ttp=T1' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['set-cookie'], undefined);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal((await sent()).length, 0);
  });

  test('an opt-out consent cookie grants nothing', async () => {
    const r = await visit(mf, '/page?ttclid=E.C.P.optout', { Cookie: 'TC_PRIVACY=1@012|26|4221@3@@1592900933049@1592900933049' });
    assert.equal(r.headers['set-cookie'], undefined);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal((await sent()).length, 0);
  });

  test('with consent: the cookie is set and the page view carries the consent categories', async () => {
    const r = await visit(mf, '/page?ttclid=E.C.P.agreed', { Cookie: AGREED });
    assert.deepEqual(r.headers['set-cookie'], ['ttclid=E.C.P.agreed; Max-Age=2592000; Path=/; Secure; SameSite=Lax']);
    const events = await waitFor(async () => { const e = await sent(); return e.length ? e : null; });
    assert.ok(events, 'the page view reached the destination that needs consent category 3');
    assert.equal(events[0].data.event, 'ViewContent');
    assert.equal(events[0].data.user.ttclid, 'E.C.P.agreed');
  });

  test('without CONSENT_CATEGORY, cookies are set without a consent cookie', async () => {
    const r = await visit(open, '/page?ttclid=E.C.P.open');
    assert.deepEqual(r.headers['set-cookie'], ['ttclid=E.C.P.open; Max-Age=2592000; Path=/; Secure; SameSite=Lax']);
  });

  test('a cacheable page that gets a cookie is made private', async () => {
    const r = await visit(open, '/page?ttclid=E.C.P.cache');
    assert.equal(r.headers['cache-control'], 'private, max-age=600');
    const plain = await visit(open, '/page');
    assert.equal(plain.headers['cache-control'], 'public, max-age=600, s-maxage=3600', 'untouched without a cookie');
  });

  test('assets get no cookies, even with a click id in the URL', async () => {
    const r = await visit(open, '/asset.png?ttclid=E.C.P.asset', { Cookie: '_ttp=T2' });
    assert.equal(r.headers['set-cookie'], undefined);
    assert.equal(r.headers['cache-control'], 'public, max-age=86400');
  });

  test('304 answers get no cookies', async () => {
    const r = await visit(open, '/cached?ttclid=E.C.P.304');
    assert.equal(r.status, 304);
    assert.equal(r.headers['set-cookie'], undefined);
  });

  test('redirects to another host get no cookies; redirects on the site keep the click id', async () => {
    const away = await visit(open, '/away?ttclid=E.C.P.away');
    assert.equal(away.status, 302);
    assert.equal(away.headers['set-cookie'], undefined);
    const moved = await visit(open, '/moved?ttclid=E.C.P.moved');
    assert.equal(moved.status, 301);
    assert.deepEqual(moved.headers['set-cookie'], ['ttclid=E.C.P.moved; Max-Age=2592000; Path=/; Secure; SameSite=Lax']);
  });

  test('click ids with CR/LF, ; or , are never echoed into Set-Cookie', async () => {
    for (const v of ['a%0D%0ASet-Cookie:%20evil=1', 'a%3B%20Domain%3Devil.test', 'a%2Cb=c', 'a%22b']) {
      const r = await visit(open, `/page?ttclid=${v}`);
      assert.equal(r.headers['set-cookie'], undefined, v);
      assert.equal(r.headers.evil, undefined);
    }
  });

  test('Host headers and absolute-URL paths cannot point the proxy at another server', async () => {
    const thiefHost = `127.0.0.1:${thief.address().port}`;
    for (const p of ['/page', `//${thiefHost}/x`, `/${'..'}/${thiefHost}/x`]) {
      const r = await visit(open, p, { Host: thiefHost, 'X-Forwarded-Host': thiefHost });
      assert.equal(r.status, 200, p);
    }
    assert.equal(stolen.length, 0, `the thief saw ${stolen.join(', ')}`);
    assert.equal(seen.length, 3);
  });
});

describe('the queue consumer', () => {
  test('a queue message with a foreign URL is dead-lettered as foreign_url and the token goes nowhere', async () => {
    const thief = http.createServer((req, res) => { thief.seen.push(req.headers); res.end('{"code":0}'); });
    thief.seen = [];
    thief.listen(0, '127.0.0.1');
    await once(thief, 'listening');
    const injector = {
      name: 'injector', modules: true, compatibilityDate: '2026-04-01', queueProducers: { Q: EVENTS_QUEUE },
      script: 'export default { async fetch(req, env) { await env.Q.send(await req.text(), { contentType: "text" }); return new Response("ok"); } };',
    };
    const mf = await startQueuedWorker(bindings(sandbox.url), {}, [injector]);
    try {
      const message = { destination: 'tiktok', token_secret: 'TIKTOK_ACCESS_TOKEN', request: {
        method: 'POST', url: `http://127.0.0.1:${thief.address().port}/open_api/v1.3/event/track/`,
        headers: { 'Access-Token': '<redacted>', 'Content-Type': 'application/json' },
        body: { event_source: 'web', event_source_id: 'CABCDEF1234567890', data: [{ event: 'Purchase', event_time: 1765290725, event_id: 'F1' }] } } };
      await (await mf.getWorker('injector')).fetch('http://injector/', { method: 'POST', body: JSON.stringify(message) });
      const dead = await waitFor(async () => { const d = await mf.deadLetters(); return d.length ? d : null; }, 8000);
      assert.ok(dead, 'the message was dead-lettered');
      assert.equal(dead[0].dead_letter.reason, 'foreign_url');
      assert.ok(!JSON.stringify(dead).includes(TOKEN), 'no token in the dead letter');
      assert.equal(thief.seen.length, 0, 'nothing was sent to the foreign URL');
      assert.equal((await sent()).length, 0);
    } finally {
      await mf.dispose();
      thief.close();
    }
  });
});

describe('the npm package', () => {
  test('npm errors never echo a secret given in the wrong place', { timeout: 300_000 }, async () => {
    if (!existsSync(path.join(root, 'npm/dist/tiktok_edge_bg.wasm'))) {
      execFileSync('bash', ['scripts/build-npm.sh'], { cwd: root, stdio: 'ignore' });
    }
    const { buildRequests, validateConfig } = await import(path.join(root, 'npm/node.js'));
    const config = { destinations: [{ id: 't', type: 'events_api', pixel_id: 'CABCDEF1234567890' }] };
    const secret = 'tok-SECRET-0123456789';
    const attempts = [
      () => buildRequests(config, { event_name: 'purchase' }, { secrets: secret }),
      () => buildRequests(config, { event_name: 'purchase' }, { secrets: { TIKTOK_ACCESS_TOKEN: [secret] } }),
      () => buildRequests(config, { event_name: 'purchase' }, { ip: { v: secret } }),
      () => buildRequests(config, { event_name: 'purchase' }, { now: secret }),
      () => buildRequests(config, { event_name: 'purchase' }, { [secret]: 1 }),
      () => buildRequests(config, { event_name: 'purchase' }, secret),
      () => validateConfig({ destinations: [{ id: 't', type: 'events_api', pixel_id: 'P', access_token_secret: { secret } }] }),
    ];
    for (const attempt of attempts) {
      let thrown;
      let returned;
      try { returned = attempt(); } catch (e) { thrown = e; }
      const all = thrown ? `${thrown.message} ${thrown.path} ${JSON.stringify(thrown.errors ?? [])}` : JSON.stringify(returned);
      assert.ok(thrown?.code || returned?.length, `no error for ${attempt}`);
      assert.ok(!all.includes(secret), `the secret is echoed: ${all}`);
    }
  });
});
