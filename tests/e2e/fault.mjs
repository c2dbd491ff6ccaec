// The fault test of reliable delivery: N events through the Worker with Cloudflare
// Queues while the sandbox injects 20% faults (HTTP 500, HTML 502, code 40100,
// code 50002, answers slower than the timeout). Passes when every accepted event
// is in the sandbox exactly once (by event_id) or in the dead-letter queue with
// its reason, and TikTok saw few, large requests. The sandbox deduplicates on
// event_id like TikTok, so an event counted twice means its event_id changed. Used by tests/e2e/queue.test.mjs
// (CI size) and scripts/fault-test.sh (10,000 events).
import { createHash } from 'node:crypto';
import { bindings, destinations, INGEST, startQueuedWorker, startSandbox } from './harness.mjs';

export async function faultTest({
  events = 2000, perCall = 100, timeoutMs = 1000, seed = 42, rate = 0.2, maxAttempts = 10, deadlineMs = 120_000, log = () => {},
}) {
  const sandbox = await startSandbox();
  const web = { destinations: [destinations(sandbox.url).destinations[0]] };
  const mf = await startQueuedWorker(bindings(sandbox.url, {
    TIKTOK_TIMEOUT_MS: String(timeoutMs),
    QUEUE_RETRY_BASE_SECONDS: '0',
    QUEUE_MAX_DELAY_SECONDS: '1',
    QUEUE_MAX_ATTEMPTS: String(maxAttempts),
    LOG_LEVEL: 'off',
  }, web));
  try {
    const kinds = [
      { kind: 'http500' },
      { kind: 'http502' },
      { kind: 'code', code: 40100 },
      { kind: 'code', code: 50002 },
      { kind: 'slow', delay_ms: timeoutMs + 500 },
    ];
    // Every kind once first (few requests are made, so chance alone might skip one), then `rate`.
    await sandbox.faults({ next: kinds, rate, seed, kinds });
    const started = Date.now();
    const ids = [];
    const calls = [];
    for (let c = 0; c * perCall < events; c++) {
      const batch = [];
      for (let k = 0; k < perCall && c * perCall + k < events; k++) {
        const n = c * perCall + k;
        // Each event is known by its hashed email; every 10th has no `id`, so its
        // event_id is derived from its content and must be the same on every retry.
        const email = `user${n}@example.com`;
        ids.push(createHash('sha256').update(email).digest('hex'));
        batch.push({ event_name: 'purchase', ...(n % 10 ? { id: `F_${n}` } : {}), value: n % 97, currency: 'EUR',
          user: { email }, context: { event_timestamp: 1765290725123 } });
      }
      calls.push(batch);
    }
    let queued = 0;
    const notQueued = [];
    // 4 callers at a time, like a few servers forwarding events.
    for (let i = 0; i < calls.length; i += 4) {
      const answers = await Promise.all(calls.slice(i, i + 4).map(async (batch) => {
        const res = await mf.dispatchFetch('http://worker/v1/events', {
          method: 'POST',
          headers: { Authorization: `Bearer ${INGEST}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(batch),
        });
        if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
        return (await res.json()).results;
      }));
      for (const results of answers) {
        for (const r of results) (r.status === 'queued' ? queued++ : notQueued.push(r));
      }
    }
    const enqueuedMs = Date.now() - started;
    log(`enqueued ${queued} events in ${calls.length} calls in ${enqueuedMs} ms`);
    const want = new Set(ids);
    let delivered = new Map();
    let dead = [];
    for (;;) {
      const { events: received } = await sandbox.received();
      delivered = new Map();
      for (const r of received) delivered.set(r.data.user.email, (delivered.get(r.data.user.email) ?? 0) + 1);
      dead = await mf.deadLetters();
      const deadIds = dead.flatMap((d) => (d.request?.body?.data ?? []).map((x) => x.user.email));
      const settled = [...want].filter((id) => delivered.has(id) || deadIds.includes(id)).length;
      if (settled === want.size || Date.now() - started > deadlineMs) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const stats = await (await fetch(`${sandbox.url}/sandbox/stats`)).json();
    const deadIds = dead.flatMap((d) => (d.request?.body?.data ?? []).map((x) => x.user.email));
    const lost = [...want].filter((id) => !delivered.has(id) && !deadIds.includes(id));
    const duplicates = [...delivered.values()].filter((n) => n > 1).length;
    // Dead-lettered means "not confirmed": if an earlier attempt timed out, TikTok may have
    // kept it anyway (replaying is safe: dedup). Reported, not a failure.
    const inBoth = deadIds.filter((id) => delivered.has(id));
    return {
      events,
      calls: calls.length,
      queued,
      notQueued,
      delivered: delivered.size,
      deadLettered: deadIds.length,
      deadLetterReasons: dead.map((d) => d.dead_letter),
      lost: lost.length,
      duplicates,
      deadAndDelivered: inBoth.length,
      tiktokRequests: stats.requests,
      faultsInjected: stats.faults_injected,
      redeliveriesDeduplicated: stats.duplicates,
      enqueuedMs,
      settledMs: Date.now() - started,
    };
  } finally {
    await mf.dispose();
    sandbox.stop();
  }
}
