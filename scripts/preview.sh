#!/usr/bin/env bash
# The main job, locally: validate the example config and preview the TikTok
# requests for the example events (nothing is sent). Pass your own files with
#   scripts/preview.sh path/to/config.json path/to/event.json
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

config="${1:-examples/config.json}"
event="${2:-examples/purchase.json}"
cargo build -q --release -p tiktok-edge-cli
bin=target/release/tiktok-edge

echo "== validate $config" >&2
"$bin" validate --config "$config"
echo "== preview $event (no token needed: a missing one shows as <missing: NAME>, a set one as <redacted>)" >&2
"$bin" preview --config "$config" --event "$event"
