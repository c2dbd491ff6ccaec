// The fault test of reliable delivery: N events through the Worker with Cloudflare
// Queues while the sandbox injects 20% faults (HTTP 500, HTML 502, code 40100,
// code 50002, answers slower than the timeout) and a share `bad` of the events is
// refused by TikTok (half poisoned: the whole request rejected with 40002; half
// dropped from a partial success, 20001). Passes when every good event is in the
// sandbox exactly once (by event_id), every bad one is in the dead-letter queue with
// TikTok's code and never in the sandbox, nothing is lost, and TikTok saw few, large
// requests. The sandbox deduplicates on
// event_id like TikTok, so an event counted twice means its event_id changed. Used by tests/e2e/queue.test.mjs
// (CI size) and scripts/fault-test.sh (10,000 events).
import { createHash } from 'node:crypto';
import { bindings, destinations, INGEST, startQueuedWorker, startSandbox } from './harness.mjs';

export async function faultTest({
  events = 2000, perCall = 100, timeoutMs = 1000, seed = 42, rate = 0.2, maxAttempts = 10, deadlineMs = 120_000, bad = 0.01,
  log = () => {},
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
    await sandbox.faults({ next: kinds, rate, seed, kinds,
      poison: { event_id_prefix: 'BAD_' }, partial: { event_id_prefix: 'PART_' } });
    const started = Date.now();
    const ids = [];
    const badIds = new Set();
    const calls = [];
    // Bad events spread evenly: one poisoned and one partial per 2/bad events.
    const every = bad > 0 ? Math.round(2 / bad) : Infinity;
    for (let c = 0; c * perCall < events; c++) {
      const batch = [];
      for (let k = 0; k < perCall && c * perCall + k < events; k++) {
        const n = c * perCall + k;
        // Each event is known by its hashed email; every 10th has no `id`, so its
        // event_id is derived from its content and must be the same on every retry.
        const email = `user${n}@example.com`;
        const hashed = createHash('sha256').update(email).digest('hex');
        let id = n % 10 ? `F_${n}` : undefined;
        if (bad > 0 && n % every === 1) id = `BAD_${n}`;
        if (bad > 0 && n % every === Math.floor(every / 2) + 1) id = `PART_${n}`;
        if (id?.startsWith('BAD_') || id?.startsWith('PART_')) badIds.add(hashed);
        ids.push(hashed);
        batch.push({ event_name: 'purchase', ...(id ? { id } : {}), value: n % 97, currency: 'EUR',
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
    // Bad events: refused by TikTok, so dead-lettered alone with its code, never delivered.
    const badDead = new Map();
    for (const d of dead) {
      for (const x of d.request?.body?.data ?? []) {
        if (badIds.has(x.user.email)) badDead.set(x.user.email, { code: d.dead_letter?.code, alone: d.request.body.data.length === 1 });
      }
    }
    const badWithCode = [...badDead.values()].filter((d) => d.code === 40002 && d.alone).length;
    const goodDeadLettered = deadIds.filter((id) => !badIds.has(id)).length;
    return {
      events,
      bad: badIds.size,
      badDelivered: [...badIds].filter((id) => delivered.has(id)).length,
      badDeadLetteredWithCode: badWithCode,
      goodDeadLettered,
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
