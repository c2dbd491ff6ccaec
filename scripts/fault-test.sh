#!/usr/bin/env bash
# The fault test at full size (issue: reliable delivery): 10,000 events through the
# Worker with Cloudflare Queues (Miniflare) while the sandbox injects 20% faults;
# prints the figures (BENCHMARKS.md, Reliability). EVENTS, PER_CALL, SEEDS (space-separated),
# RATE (fault rate) and MAX_ATTEMPTS (before dead-lettering) override.
# Everything runs on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh >/dev/null
. scripts/env.sh
[ -f worker/build/index.js ] || bash scripts/build-worker.sh
cargo build -q --release --locked -p tiktok-sandbox
node bench/worker/fault.mjs
