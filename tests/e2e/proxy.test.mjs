// Proxy mode in workerd: site traffic passes through to a local origin unchanged,
// click ids become first-party cookies, the event API is first-party under a prefix,
// and HTML navigations produce server-side page views (with ttclid and _ttp).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { startSandbox, startWorker, TOKEN, INGEST, visit as harnessVisit, waitFor } from './harness.mjs';

const SITE = 'https://shop.test';
const BINARY = randomBytes(256 * 1024);
let origin;
let originUrl;
let sandbox;
let mf;
const seen = [];

before(async () => {
  origin = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method, url: req.url, headers: req.headers, body });
    if (req.url.startsWith('/page')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Set-Cookie': ['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/'] });
      res.end('<!doctype html><title>shop</title><p>hello</p>');
    } else if (req.url === '/image.bin') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': BINARY.length });
      res.end(BINARY);
    } else if (req.url === '/stream') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      for (let i = 0; i < 5; i++) { res.write(`chunk ${i}\n`); await new Promise((r) => setTimeout(r, 20)); }
      res.end();
    } else if (req.url === '/old') {
      res.writeHead(301, { Location: '/new', 'Set-Cookie': 'moved=1; Path=/' });
      res.end();
    } else if (req.url === '/echo') {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Origin': 'yes' });
      res.end(JSON.stringify({ method: req.method, length: body.length, sha: body.toString('base64').slice(0, 16) }));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('origin 404');
    }
  });
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  originUrl = `http://127.0.0.1:${origin.address().port}`;
  sandbox = await startSandbox();
  mf = await startWorker({
    PROXY_ORIGIN: originUrl,
    API_PREFIX: '/_tt',
    AUTO_PAGE_VIEW: 'true',
    COOKIE_DOMAIN: '.shop.test',
    TIKTOK_API_BASE: sandbox.url,
    TIKTOK_ACCESS_TOKEN: TOKEN,
    INGEST_TOKEN: INGEST,
    DESTINATIONS: JSON.stringify({ destinations: [{ id: 'tiktok', type: 'events_api', pixel_id: 'CPIXEL1',
      view_content_mapping: ['page_view'] }] }),
  });
});
after(async () => { await mf?.dispose(); sandbox?.stop(); origin?.close(); });
beforeEach(async () => { await sandbox.reset(); seen.length = 0; });

const browse = (path, headers = {}) => mf.dispatchFetch(`${SITE}${path}`, {
  headers: { 'Sec-Fetch-Mode': 'navigate', Accept: 'text/html', 'User-Agent': 'Mozilla/5.0 (Macintosh) Chrome/120', ...headers },
  redirect: 'manual',
});
// node:http, unlike fetch (undici), sends Sec-Fetch-Mode and Purpose as given, like a browser.
async function navigate(path, headers = {}) {
  return (await visit(path, headers)).status;
}
// A navigation to this file's Worker.
const visit = (p, headers = {}) => harnessVisit(mf, p, headers);

test('pages pass through unchanged, with every Set-Cookie of the origin', async () => {
  const r = await browse('/page?x=1');
  assert.equal(r.status, 200);
  assert.equal(await r.text(), '<!doctype html><title>shop</title><p>hello</p>');
  assert.deepEqual(r.headers.getSetCookie(), ['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/']);
  assert.equal(seen[0].url, '/page?x=1');
});

test('binary and streamed bodies are byte-identical', async () => {
  const bin = Buffer.from(await (await browse('/image.bin')).arrayBuffer());
  assert.ok(bin.equals(BINARY));
  assert.equal(await (await browse('/stream')).text(), [0, 1, 2, 3, 4].map((i) => `chunk ${i}\n`).join(''));
});

test('redirects are passed back, not followed', async () => {
  const r = await browse('/old');
  assert.equal(r.status, 301);
  assert.equal(r.headers.get('Location'), '/new');
  assert.deepEqual(r.headers.getSetCookie(), ['moved=1; Path=/']);
  assert.equal(seen.length, 1);
});

test('request bodies, methods and statuses pass through', async () => {
  const body = randomBytes(100 * 1024);
  const r = await mf.dispatchFetch(`${SITE}/echo`, { method: 'PUT', body, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('X-Origin'), 'yes');
  assert.deepEqual(await r.json(), { method: 'PUT', length: body.length, sha: body.toString('base64').slice(0, 16) });
  assert.equal((await browse('/missing')).status, 404);
});

test('click ids in the URL become first-party cookies next to the origin cookies', async () => {
  const r = await visit('/page?ttclid=E.C.P.abc123&ttoclid=opf42', { Cookie: '_ttp=2Xy9kQ3abcDEFghiJKL' });
  assert.equal(r.headers['cache-control'], 'private', 'a response setting a cookie is never stored by shared caches');
  assert.deepEqual(r.headers['set-cookie'], [
    'session=abc; Path=/; HttpOnly',
    'theme=dark; Path=/',
    'ttclid=E.C.P.abc123; Max-Age=2592000; Path=/; Secure; SameSite=Lax; Domain=.shop.test',
    'ttoclid=opf42; Max-Age=2592000; Path=/; Secure; SameSite=Lax; Domain=.shop.test',
    '_ttp=2Xy9kQ3abcDEFghiJKL; Max-Age=34128000; Path=/; Secure; SameSite=Lax; Domain=.shop.test',
  ]);
});

test('injected values are never echoed into a header', async () => {
  const r = await visit('/page?ttclid=a%0D%0ASet-Cookie:%20evil=1&ttoclid=x%3B%20Domain%3Devil.test');
  assert.deepEqual(r.headers['set-cookie'], ['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/']);
});

test('the first-party event API uses the site cookies', async () => {
  const r = await mf.dispatchFetch(`${SITE}/_tt/v1/events`, {
    method: 'POST',
    body: JSON.stringify({ event_name: 'page_view', id: 'PV1', context: { event_timestamp: 1765290725123 } }),
    headers: { 'Content-Type': 'application/json', Origin: SITE, Cookie: '_ttp=SITE_TTP; ttclid=SITE_CLICK', 'CF-Connecting-IP': '203.0.113.7' },
  });
  assert.equal(r.status, 202);
  assert.equal((await r.json()).results[0].status, 'sent');
  const { events } = await sandbox.received();
  assert.deepEqual([events[0].data.user.ttp, events[0].data.user.ttclid, events[0].data.user.ip], ['SITE_TTP', 'SITE_CLICK', '203.0.113.7']);
  assert.equal(seen.length, 0, 'the API is not proxied');
});

test('HTML navigations send a server-side page view with ttclid and _ttp', async () => {
  assert.equal(await navigate('/page?ttclid=E.C.P.nav1', { Cookie: '_ttp=NAV_TTP', 'CF-Connecting-IP': '198.51.100.4', Referer: 'https://www.tiktok.com/' }), 200);
  const events = await waitFor(async () => { const e = (await sandbox.received()).events; return e.length ? e : null; });
  assert.ok(events, 'a page view reached the sandbox');
  const data = events[0].data;
  assert.equal(data.event, 'ViewContent');
  assert.deepEqual([data.user.ttclid, data.user.ttp, data.user.ip], ['E.C.P.nav1', 'NAV_TTP', '198.51.100.4']);
  assert.equal(data.page.referrer, 'https://www.tiktok.com/');
});

test('bots, prefetches, non-HTML and failed pages send no page view', async () => {
  await navigate('/page?ttclid=B1', { 'User-Agent': 'Mozilla/5.0 (compatible; Googlebot/2.1)' });
  await navigate('/page?ttclid=B2', { 'Sec-Purpose': 'prefetch' });
  await navigate('/page?ttclid=B3', { 'Sec-Fetch-Mode': 'cors' });
  await navigate('/image.bin');
  await navigate('/missing');
  await mf.dispatchFetch(`${SITE}/page?ttclid=B4`, { method: 'POST', body: 'x' });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await sandbox.received()).events.length, 0);
});
