#!/usr/bin/env bash
# Installs what building and testing need, idempotently (under a second when all is there;
# minutes on a fresh machine, mostly compiling wasm-bindgen-cli and worker-build).
# Only package registries are used: crates.io and npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust with rustup first" >&2
  exit 1
fi
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in clippy rustfmt; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    echo "setup: adding $component"
    rustup component add "$component"
  fi
done

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock (no --locked: its own lockfile
# pins a crate the registry mirror lacks).
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing wasm-bindgen-cli $want (a few minutes, once)"
  cargo install -q wasm-bindgen-cli --version "=$want"
fi
if ! command -v worker-build >/dev/null 2>&1; then
  echo "setup: installing worker-build 0.8 (a few minutes, once)"
  cargo install -q worker-build --version '^0.8' --locked
fi
# npm ci when node_modules is missing or older than package-lock.json (npm writes
# node_modules/.package-lock.json on every install).
if [ ! -x node_modules/.bin/wrangler ] || [ ! -x node_modules/binaryen/bin/wasm-opt ] || [ ! -d node_modules/miniflare ] \
  || [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: npm not found; install Node.js 20 or later" >&2
    exit 1
  fi
  echo "setup: npm ci (wrangler, miniflare, binaryen, typescript; deno, bun, playwright-core, bundlers, ajv for the npm tests)"
  npm ci --no-audit --no-fund --loglevel=error
fi
