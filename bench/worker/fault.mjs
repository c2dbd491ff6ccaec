// Full-size fault test (scripts/fault-test.sh): runs tests/e2e/fault.mjs once per seed
// and prints one JSON line of figures per run; exits 1 if any run lost or doubled an event.
import { faultTest } from "../../tests/e2e/fault.mjs";

const events = Number(process.env.EVENTS ?? 10000);
const perCall = Number(process.env.PER_CALL ?? 100);
const rate = Number(process.env.RATE ?? 0.2);
const maxAttempts = Number(process.env.MAX_ATTEMPTS ?? 10);
const bad = Number(process.env.BAD ?? 0.01);
let failed = false;
for (const seed of (process.env.SEEDS ?? "42 7 1234").split(" ").map(Number)) {
  const r = await faultTest({ events, perCall, seed, rate, maxAttempts, bad, deadlineMs: 300_000 });
  const pass = r.lost === 0 && r.duplicates === 0 && r.delivered + r.deadLettered - r.deadAndDelivered === r.events
    && r.badDelivered === 0 && r.badDeadLetteredWithCode === r.bad;
  failed ||= !pass;
  const { deadLetterReasons, notQueued, ...figures } = r;
  console.log(JSON.stringify({ seed, rate, maxAttempts, bad, pass, ...figures, notQueued: notQueued.length, deadLetterReasons: deadLetterReasons.map((d) => d.reason) }));
}
process.exit(failed ? 1 : 0);
