#!/usr/bin/env bash
# Builds the Worker (worker/build/index.js + index_bg.wasm) with worker-build, after checking
# the vars of every environment of wrangler.toml (`tiktok-edge check-wrangler`, README
# "Worker settings"). wrangler runs this for `wrangler dev`, `deploy` and `versions upload`
# and says which in WRANGLER_COMMAND (wrangler's runCustomBuild; it does not pass --env, so
# every environment is checked):
# - deploy / versions upload: any problem, placeholders (YOUR_PIXEL_ID) included, stops the
#   build before anything is uploaded;
# - dev: problems are warnings, because .dev.vars and --var override wrangler.toml where this
#   script cannot see them (the running Worker still reports invalid vars at /healthz);
# - run by hand or by scripts/test.sh (no WRANGLER_COMMAND): placeholders are warnings, other
#   problems stop the build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh

command="${WRANGLER_COMMAND:-}"
case "$command" in
  dev | types | "") mode=(--dev) ;;
  *) mode=() ;;
esac
cargo build -q --locked -p tiktok-edge-cli
if ! target/debug/tiktok-edge check-wrangler --text "${mode[@]}" wrangler.toml; then
  if [ "$command" != dev ]; then
    echo "build-worker: fix wrangler.toml (paths above); nothing was built or uploaded" >&2
    exit 1
  fi
  echo "build-worker: continuing for wrangler dev (.dev.vars and --var may override these vars)"
fi

# The inspector's page, script and style ship in the Worker's JS bundle rather than in the wasm
# (worker/src/inspector.rs imports them from this module; 5.5 KB gzip out of the wasm, whose data
# is copied into memory at every isolate start). Regenerated from worker/static/ on every build;
# checked in so that `cargo check`/clippy compile without it (tests/e2e/inspector.test.mjs
# checks that it matches worker/static/).
node scripts/inspector-assets.mjs
# Size (issue 15, budget 250 KB gzip): the Worker is built at opt-level "z" (the core's native
# builds stay at "s"), and wasm-opt runs here rather than in worker-build (worker/Cargo.toml sets
# `wasm-opt = false`), because worker-build always keeps the names section (`--debuginfo`,
# 35 KB gzip). WORKER_WASM_NAMES=1 keeps the names (readable stack traces, profiles).
CARGO_PROFILE_RELEASE_OPT_LEVEL="${WORKER_OPT_LEVEL:-z}" worker-build --release worker
names=()
[ "${WORKER_WASM_NAMES:-}" = 1 ] && names=(--debuginfo)
"$WASM_OPT_BIN" -Oz "${names[@]}" --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
  --enable-bulk-memory --enable-multivalue --enable-reference-types --enable-exception-handling \
  worker/build/index_bg.wasm -o worker/build/index_bg.wasm
