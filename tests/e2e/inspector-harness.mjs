// Shared by the inspector's e2e and browser tests: the built Worker with its Durable
// Object, an event carrying every kind of PII, and polling.
import { DEAD_LETTER_QUEUE, EVENTS_QUEUE, INGEST, startWorker } from './harness.mjs';

export { until } from './harness.mjs';

export const INSPECTOR = 'test-inspector-token';
const DO = { INSPECTOR: { className: 'Inspector', useSQLite: true } };
export const RAW_PII = ['jane.doe@example.com', 'Jane.Doe@Example.com', '+33612345678', '203.0.113.77', 'sandbox-token',
  INGEST, INSPECTOR, 'session-secret'];

/** The built Worker with the inspector's Durable Object (and the queues when `queued`). */
export async function startInspected(vars, { queued = false, options = {} } = {}) {
  const queues = queued ? {
    queueProducers: { EVENTS_QUEUE, DEAD_LETTERS: DEAD_LETTER_QUEUE },
    queueConsumers: { [EVENTS_QUEUE]: { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 } },
  } : {};
  return startWorker(vars, { durableObjects: DO, ...queues, ...options });
}

export function purchase(id, extra = {}) {
  return {
    event_name: 'purchase', id, value: 10, currency: 'EUR',
    user: { id: `U_${id}`, email: 'Jane.Doe@Example.com', phone: '+33612345678' },
    context: { event_id: `E_${id}`, device: { ip: '203.0.113.77', user_agent: 'Mozilla/5.0 test',
      cookie: '_ttp=ttp-abc; session=session-secret' } },
    ...extra,
  };
}

