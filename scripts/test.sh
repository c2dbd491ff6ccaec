#!/usr/bin/env bash
# The test command: installs what it needs, then runs every check CI runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/env.sh

step() { printf '\n== %s\n' "$*"; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT

step "format"
cargo fmt --all -- --check

step "lint (no panics on input paths: unwrap/expect/panic/indexing are denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --locked -p tiktok-edge-worker --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -p tiktok-edge --lib --features js --target wasm32-unknown-unknown -- -D warnings

step "Rust tests (unit, golden fixtures, hashing vectors, batching, classification, property tests, CLI)"
cargo test --workspace --locked 2>&1 | tee -a "$log"

step "core builds for wasm32-unknown-unknown"
cargo build --release --locked --target wasm32-unknown-unknown -p tiktok-edge

step "Worker build (worker-build) and sandbox"
bash scripts/build-worker.sh
cargo build --release --locked -p tiktok-sandbox

step "end-to-end: the built Worker in workerd (Miniflare) against the sandbox"
bash scripts/setup-browser.sh   # Debian's chromium: the inspector's and the npm package's browser tests
node --test --test-reporter=spec tests/e2e/ 2>&1 | tee -a "$log"

step "npm package: packed, installed into temporary projects, run in Node, Deno, Bun, Chromium and workerd, bundled by webpack, Vite, Rollup and esbuild; types, schema, README snippets"
bash scripts/build-npm.sh
node --test --test-reporter=spec tests/npm/ 2>&1 | tee -a "$log"

passed=$(grep -Eo '([0-9]+ passed|^ℹ pass [0-9]+)' "$log" | grep -Eo '[0-9]+' | awk '{s += $1} END {print s + 0}')
failed=$(grep -Eo '([0-9]+ failed|^ℹ fail [0-9]+)' "$log" | grep -Eo '[0-9]+' | awk '{s += $1} END {print s + 0}')
step "all checks passed"
echo "all: $passed passed, $failed failed"
