#!/usr/bin/env bash
# The fault test at full size (issue: reliable delivery): 10,000 events through the
# Worker with Cloudflare Queues (Miniflare) while the sandbox injects 20% faults;
# prints the figures (BENCHMARKS.md, Reliability). EVENTS, PER_CALL, SEEDS override.
# Everything runs on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh >/dev/null
. scripts/env.sh
[ -f worker/build/index.js ] || bash scripts/build-worker.sh
cargo build -q --release --locked -p tiktok-sandbox
EVENTS="${EVENTS:-10000}" PER_CALL="${PER_CALL:-100}" SEEDS="${SEEDS:-42 7 1234}" node --input-type=module -e '
import { faultTest } from "./tests/e2e/fault.mjs";
let failed = false;
for (const seed of process.env.SEEDS.split(" ").map(Number)) {
  const r = await faultTest({ events: Number(process.env.EVENTS), perCall: Number(process.env.PER_CALL), seed, deadlineMs: 300_000 });
  const ok = r.lost === 0 && r.duplicates === 0 && r.deadAndDelivered === 0 && r.delivered + r.deadLettered === r.events;
  failed ||= !ok;
  const { deadLetterReasons, notQueued, ...figures } = r;
  console.log(JSON.stringify({ seed, pass: ok, ...figures, deadLetterReasons: deadLetterReasons.map((d) => d.reason) }));
}
process.exit(failed ? 1 : 0);
'
