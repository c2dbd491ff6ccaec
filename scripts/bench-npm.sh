#!/usr/bin/env bash
# npm package size and speed (BENCHMARKS.md, "npm package"): builds the package,
# prints the wasm size raw and gzip, then buildRequests against the JS floor.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build-npm.sh >/dev/null
wasm=npm/dist/tiktok_edge_bg.wasm
echo "wasm: $(stat -c %s "$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip -9"
echo "tarball: $(stat -c %s target/npm/tiktok-edge-*.tgz) bytes"
node bench/npm/speed.mjs npm/node.js "${ROUNDS:-7}"
