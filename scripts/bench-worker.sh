#!/usr/bin/env bash
# Worker measurements: wasm size, cold start and a bounded load test on 127.0.0.1
# (the Worker vs a passthrough Worker to the same sandbox, in one run).
# Usage: scripts/bench-worker.sh [requests per round, default 400] [concurrency, default 4]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/env.sh
bash scripts/build-worker.sh >/dev/null
cargo build -q --release -p tiktok-sandbox
raw=$(wc -c < worker/build/index_bg.wasm)
gz=$(gzip -9 -c worker/build/index_bg.wasm | wc -c)
echo "worker wasm: $raw bytes raw, $gz bytes gzip -9"
LOG_LEVEL="${LOG_LEVEL:-info}" node bench/worker/load.mjs "${1:-400}" "${2:-4}" | grep -v '"msg":"tiktok_request"'
node bench/worker/proxy-load.mjs 1000 1
