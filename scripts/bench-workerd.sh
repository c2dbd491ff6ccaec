#!/usr/bin/env bash
# The npm package in workerd (BENCHMARKS.md, "npm package in workerd"): builds and packs the
# package, then buildRequestsJson / buildRequests against the Workers-style JS floor (WebCrypto
# SHA-256) in one Miniflare run.
# Usage: scripts/bench-workerd.sh [rounds] [events per request] [--baseline OTHER.tgz]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build-npm.sh >/dev/null
. scripts/env.sh
node bench/workerd/speed.mjs "$@"
