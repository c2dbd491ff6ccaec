#!/usr/bin/env bash
# Full-size fuzzing of the core's public entry points (plan over every destination
# type, config loading, batching of JSON requests, queue messages, classification):
# arbitrary JSON events, arbitrary values planted at every path the mapping reads,
# arbitrary config documents, arbitrary npm batch input, queue bodies and TikTok
# answers. CI runs 512 cases per property; this runs FUZZ_CASES (default 1,000,000)
# per property, in release mode.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
FUZZ_CASES="${FUZZ_CASES:-1000000}" cargo test --release --locked --test robustness -- --nocapture "$@"
