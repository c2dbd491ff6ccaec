// The inspector page in a real headless Chromium (Debian's `chromium`, installed by
// scripts/setup-browser.sh, driven by playwright-core): log in with HTTP
// Basic, see the events, open one, filter, use the preview form, check that no raw PII
// is anywhere in the page, and that it fits a phone. Screenshots: test-output/inspector/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { bindings, root, startSandbox } from './harness.mjs';
import { INSPECTOR, purchase, startInspected, until } from './inspector-harness.mjs';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const SHOTS = path.join(root, 'test-output/inspector');
const RAW = ['jane.doe@example.com', 'Jane.Doe@Example.com', '+33612345678', '203.0.113.77', 'sandbox-token',
  'test-ingest-token', INSPECTOR, 'session-secret', 'paste.me@example.com', '198.51.100.23'];

let sandbox;
let mf;
let url;
let context;
let profile;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/setup-browser.sh`);
  mkdirSync(SHOTS, { recursive: true });
  sandbox = await startSandbox();
  mf = await startInspected(bindings(sandbox.url, { INSPECTOR_TOKEN: INSPECTOR, STATS_FLUSH_SECONDS: '0',
    API_PREFIX: '/_tt', LOG_LEVEL: 'off' }), { options: { host: '127.0.0.1', port: 0 } });
  url = (await mf.ready).toString().replace(/\/$/, '');
  const post = (body) => fetch(`${url}/_tt/v1/events`, { method: 'POST',
    headers: { Authorization: 'Bearer test-ingest-token', 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  await post([purchase('B_1'), purchase('B_2'), { event_name: 'add_to_cart', id: 'C_1', value: 3, currency: 'EUR',
    user: { email: 'Jane.Doe@Example.com' }, context: { event_id: 'E_C1' } }, { event_name: 'no_such_event', id: 'X_1' }]);
  await sandbox.faults({ next: [{ kind: 'code', code: 40002 }] });
  await post(purchase('B_bad'));
  await until('entries in the log', async () => {
    const r = await fetch(`${url}/_tt/v1/inspector/events`, { headers: { Authorization: `Bearer ${INSPECTOR}` } });
    return (await r.json()).events?.some((e) => e.status === 'failed');
  });
  profile = mkdtempSync(path.join(tmpdir(), 'inspector-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 },
    httpCredentials: { username: 'ops', password: INSPECTOR },
  });
});
after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await mf?.dispose();
  sandbox?.stop();
});

async function noRawPii(page, where) {
  const html = await page.content();
  const text = await page.evaluate(() => document.body.innerText);
  for (const raw of RAW) {
    assert.ok(!html.includes(raw) && !text.includes(raw), `${raw} shown in ${where}`);
  }
}

test('log in, see the summary, the match quality and the events; open one; filter; preview; no raw PII', { timeout: 120_000 }, async () => {
  const page = context.pages()[0] ?? await context.newPage();
  const response = await page.goto(`${url}/_tt/inspector`);
  assert.equal(response.status(), 200, 'logged in with HTTP Basic');
  await page.waitForSelector('#events tbody tr');
  await page.waitForSelector('#charts .chart svg rect');
  await page.waitForSelector('#quality-list .quality');
  assert.match(await page.textContent('#totals'), /sent 3/);
  assert.match(await page.textContent('#reasons'), /invalid_params/);
  assert.match(await page.textContent('#quality-list'), /\d\.\d \/ 10/);
  await noRawPii(page, 'the overview');
  await page.screenshot({ path: path.join(SHOTS, 'overview.png'), fullPage: true });

  await page.click('#events tbody tr:has-text("failed")');
  await page.waitForSelector('#detail:not([hidden])');
  assert.match(await page.textContent('#detail-request'), /<redacted>/);
  assert.match(await page.textContent('#detail-answer'), /40002/);
  assert.match(await page.textContent('#detail-input'), /203\.0\.113\.0/);
  await noRawPii(page, 'the detail');
  await page.locator('#detail').screenshot({ path: path.join(SHOTS, 'detail.png') });

  await page.selectOption('#f-status', 'skipped');
  await until('the filtered list', async () => {
    const statuses = await page.$$eval('#events tbody td.status', (tds) => tds.map((t) => t.textContent));
    return statuses.length > 0 && statuses.every((s) => s.startsWith('skipped'));
  });

  await page.fill('#try-input', JSON.stringify({ event_name: 'purchase', id: 'O_P', value: 5, currency: 'EUR',
    user: { email: 'paste.me@example.com' }, context: { device: { ip: '198.51.100.23' } } }));
  await page.click('#try-form button');
  await page.waitForFunction(() => document.querySelector('#try-output').textContent.includes('"status": "ready"'));
  assert.match(await page.textContent('#try-output'), /198\.51\.100\.0/);
  await noRawPii(page, 'the preview');
  await page.locator('#try').screenshot({ path: path.join(SHOTS, 'preview.png') });
  assert.equal((await sandbox.received()).events.filter((e) => e.data?.event_id === 'O_P').length, 0, 'a preview sends nothing');
});

test('the page fits a phone-width screen', { timeout: 60_000 }, async () => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${url}/_tt/inspector`);
  await page.waitForSelector('#events tbody tr');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${overflow}px wider than the screen`);
  await noRawPii(page, 'the phone view');
  await page.screenshot({ path: path.join(SHOTS, 'phone.png') });
  await page.close();
});
