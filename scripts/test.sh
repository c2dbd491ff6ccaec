#!/usr/bin/env bash
# The test command: installs what it needs, then runs every check CI runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lint (no panics on input paths: unwrap/expect/panic/indexing are denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests (unit, golden fixtures, hashing vectors, property tests, CLI)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked 2>&1 | tee "$log"
passed=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s += $1} END {print s + 0}')
failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s += $1} END {print s + 0}')

step "core builds for wasm32-unknown-unknown"
cargo build --release --locked --target wasm32-unknown-unknown -p tiktok-edge

step "all checks passed"
echo "rust: $passed passed, $failed failed"
