#!/usr/bin/env bash
# Builds the Worker (worker/build/index.js + index_bg.wasm) with worker-build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh
worker-build --release worker
