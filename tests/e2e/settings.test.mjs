// Worker vars are parsed strictly (EdgeSettings::from_vars): an invalid value makes the
// config invalid, answered 500 invalid_config naming the var and listed in /healthz,
// never a silent default.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { bindings, startSandbox, startWorker, INGEST, root } from './harness.mjs';

let sandbox;
before(async () => { sandbox = await startSandbox(); });
after(() => sandbox?.stop());

const BASE = 'http://localhost';
const post = (mf, path = '/v1/events') => mf.dispatchFetch(`${BASE}${path}`, {
  method: 'POST', body: JSON.stringify({ event_name: 'purchase', id: 'S_1', value: 1 }),
  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${INGEST}` },
});

async function withWorker(extra, fn) {
  const mf = await startWorker(bindings(sandbox.url, extra));
  try {
    await fn(mf);
  } finally {
    await mf.dispose();
  }
}

test('an invalid var answers 500 invalid_config naming it on /v1/events, and /healthz lists it', async () => {
  const cases = [
    ['MAX_BODY_BYTES', '1MB', /whole number of bytes/],
    ['LOG_LEVEL', 'debug', /one of info, warn, off/],
    ['COOKIE_REFRESH', 'no', /one of true, false/],
    ['TIKTOK_API_BASE', 'business-api.tiktok.com', /http:\/\/ or https:\/\/ URL/],
    ['ALLOWED_ORIGINS', 'https://shop.example.com/path', /scheme:\/\/host\[:port\]/],
    ['MAX_SUBREQUESTS', '0', /from 1 to 10000/],
  ];
  for (const [name, value, accepted] of cases) {
    await withWorker({ [name]: value }, async (mf) => {
      const r = await post(mf);
      assert.equal(r.status, 500, name);
      const body = await r.json();
      assert.equal(body.error.code, 'invalid_config', name);
      assert.equal(body.error.path, name);
      assert.deepEqual(body.errors.map((e) => [e.code, e.path]), [['invalid_setting', name]]);
      assert.match(body.errors[0].message, accepted);
      const health = await mf.dispatchFetch(`${BASE}/healthz`);
      assert.equal(health.status, 500, name);
      const h = await health.json();
      assert.equal(h.config, 'invalid');
      assert.deepEqual(h.errors.map((e) => e.path), [name]);
    });
  }
  assert.equal((await sandbox.received()).events.length, 0, 'nothing was sent with an invalid config');
});

test('every invalid var is listed at once, with the destinations problems', async () => {
  const config = { destinations: [{ id: 'x', type: 'events_api' }] };
  const mf = await startWorker(bindings(sandbox.url, { LOG_LEVEL: 'debug', AUTO_PAGE_VIEW: 'yes', DESTINATIONS: JSON.stringify(config) }));
  try {
    const h = await (await mf.dispatchFetch(`${BASE}/healthz`)).json();
    assert.deepEqual(h.errors.map((e) => e.path), ['LOG_LEVEL', 'AUTO_PAGE_VIEW', 'destinations[0].pixel_id']);
  } finally {
    await mf.dispose();
  }
});

test('with an invalid var the Worker still routes under its API_PREFIX', async () => {
  await withWorker({ API_PREFIX: '/_tt', QUEUE_MAX_ATTEMPTS: 'ten' }, async (mf) => {
    const h = await mf.dispatchFetch(`${BASE}/_tt/healthz`);
    assert.equal(h.status, 500);
    assert.deepEqual((await h.json()).errors.map((e) => e.path), ['QUEUE_MAX_ATTEMPTS']);
    const r = await post(mf, '/_tt/v1/events');
    assert.equal((await r.json()).error.path, 'QUEUE_MAX_ATTEMPTS');
  });
});

test('valid values and blank ones (the default) keep the Worker healthy', async () => {
  await withWorker({ LOG_LEVEL: 'WARN', MAX_BODY_BYTES: '2097152', COOKIE_REFRESH: '', MAX_SUBREQUESTS: '1000',
    ALLOWED_ORIGINS: 'https://shop.example.com/, http://localhost:8080' }, async (mf) => {
    const h = await mf.dispatchFetch(`${BASE}/healthz`);
    assert.equal(h.status, 200);
    const r = await post(mf);
    assert.equal(r.status, 202);
    assert.equal((await r.json()).results[0].status, 'sent');
  });
});

test('wrangler deploy refuses the committed wrangler.toml (its YOUR_PIXEL_ID) before building anything', { timeout: 120_000 }, () => {
  for (const env of [[], ['--env', 'queued']]) {
    const r = spawnSync(path.join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', ...env], {
      cwd: root, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' }, timeout: 110_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    assert.notEqual(r.status, 0, out);
    assert.match(out, /error: vars\.DESTINATIONS\.destinations\[0\]\.pixel_id: `YOUR_PIXEL_ID` is a placeholder/);
    assert.match(out, /error: env\.queued\.vars\.DESTINATIONS\.destinations\[0\]\.pixel_id/);
    assert.match(out, /nothing was built or uploaded/);
    assert.doesNotMatch(out, /worker-build|Compiling/, 'stopped before the wasm build');
  }
});
