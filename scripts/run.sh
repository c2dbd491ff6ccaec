#!/usr/bin/env bash
# The main job, locally: the TikTok sandbox on 127.0.0.1:9400 and the Worker in
# `wrangler dev` on 127.0.0.1:8787, configured with all three destinations
# (.dev.vars, created from .dev.vars.example when missing). Ctrl-C stops both.
# `scripts/run.sh --queued` runs the `queued` environment: delivery through local
# Cloudflare Queues (producer, consumer and dead-letter queue simulated by wrangler).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/env.sh

[ -f .dev.vars ] || cp .dev.vars.example .dev.vars
cargo build -q --release -p tiktok-sandbox
target/release/tiktok-sandbox --port 9400 --token sandbox-token &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true' EXIT

cat <<'MSG'

The Worker starts on http://127.0.0.1:8787 (first build about a minute). Then, in another shell:

  curl -s -X POST http://127.0.0.1:8787/v1/events \
    -H 'Authorization: Bearer dev-ingest-token' -H 'Content-Type: application/json' \
    --data @examples/purchase.json
  curl -s http://127.0.0.1:9400/sandbox/received     # what "TikTok" received

The inspector (fleet-wide counts and the sampled, masked event log):

  http://127.0.0.1:8787/inspector        user: anything, password: the INSPECTOR_TOKEN of .dev.vars
MSG
inspector_token=$(sed -n 's/^INSPECTOR_TOKEN=//p' .dev.vars | head -1)
if [ -n "$inspector_token" ]; then
  printf '  local token (the password): %s\n\n' "$inspector_token"
else
  printf '  off: add INSPECTOR_TOKEN=dev-inspector-token to .dev.vars to turn it on\n\n'
fi
env_args=()
[ "${1:-}" = "--queued" ] && env_args=(--env queued)
wrangler dev --ip 127.0.0.1 --port 8787 --show-interactive-dev-session=false "${env_args[@]}"
