#!/usr/bin/env bash
# JSON readers compared (BENCHMARKS.md, "JSON readers"): parse the benchmark purchase and read
# the events_api slots' default paths with each reader of bench/readers. Natively: criterion,
# interleaved wall clock, instruction counts (callgrind, when valgrind is installed). In wasm:
# speed in Node (default flags and +simd128, one run) and the gzip size each reader adds to a
# minimal module. Usage: scripts/bench-readers.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
. scripts/env.sh
features="serde,jiter,simd,node"
cargo bench -q -p tiktok-edge-bench --bench readers -- --noplot
cargo build -q --release -p tiktok-edge-bench --bin readers
target/release/readers interleaved 15

if command -v valgrind >/dev/null 2>&1; then
  echo "instructions per event (callgrind, 2,000 events, the empty loop subtracted): total / outside the allocator / malloc calls"
  count() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" target/release/readers "$1" "$2" >/dev/null 2>&1
    python3 scripts/bench-alloc-free.py "$out"
    rm -f "$out"
  }
  read -r et ea em <<<"$(count none 2000)"
  for r in serde_json jiter simd-json node; do
    read -r t a m <<<"$(count "$r" 2000)"
    python3 -c "import sys; t,a,m,et,ea,em=map(int,sys.argv[2:]); n=2000
print(f'{sys.argv[1]:12} {(t-et)/n:10,.0f} {((t-a)-(et-ea))/n:10,.0f} {(m-em)/n:6,.1f}')" "$r" "$t" "$a" "$m" "$et" "$ea" "$em"
  done
else
  echo "(valgrind not installed: instruction counts skipped)"
fi

# wasm: one module with every reader (speed), and one per reader (size), each through
# wasm-bindgen and wasm-opt -Oz as the npm package is.
pack() { # pack OUT_DIR [cargo args...]: builds, binds and optimises the readers cdylib
  local out=$1 dir
  shift
  dir=$(mktemp -d)
  cargo build -q --release --locked -p tiktok-edge-readers --lib --target wasm32-unknown-unknown "$@"
  local wasm
  wasm=$(find "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release" -maxdepth 1 -name tiktok_edge_readers.wasm)
  wasm-bindgen --target web --no-typescript --omit-default-module-path --out-dir "$dir" --out-name readers "$wasm"
  "$WASM_OPT_BIN" -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-mutable-globals \
    --enable-multivalue --enable-reference-types --enable-simd "$dir/readers_bg.wasm" -o "$dir/readers_bg.wasm"
  rm -rf "$out" && mkdir -p "$(dirname "$out")" && mv "$dir" "$out"
}
pack target/readers-wasm/scalar --features "$features"
CARGO_TARGET_DIR=target/simd128 RUSTFLAGS="-C target-feature=+simd128" pack target/readers-wasm/simd128 --features "$features"
node bench/readers/speed.mjs target/readers-wasm/scalar target/readers-wasm/simd128

echo "wasm size (wasm-bindgen, wasm-opt -Oz, gzip -9): module with one reader, and what it adds to the module without any"
gz() { gzip -9 -c "$1/readers_bg.wasm" | wc -c; }
pack target/readers-wasm/none --no-default-features
base=$(gz target/readers-wasm/none)
echo "none         $(stat -c %s target/readers-wasm/none/readers_bg.wasm) B raw, $base B gzip"
for f in serde jiter simd node; do
  pack "target/readers-wasm/only-$f" --no-default-features --features "$f"
  s=$(gz "target/readers-wasm/only-$f")
  echo "$(printf '%-12s' "$f") $(stat -c %s "target/readers-wasm/only-$f/readers_bg.wasm") B raw, $s B gzip, +$((s - base)) B gzip"
done
# The core keeps serde_json for configs: what each other reader adds to a module that has it.
serde=$(gz target/readers-wasm/only-serde)
for f in jiter simd node; do
  pack "target/readers-wasm/serde-$f" --no-default-features --features "serde,$f"
  s=$(gz "target/readers-wasm/serde-$f")
  echo "serde + $(printf '%-6s' "$f") $s B gzip: +$((s - serde)) B gzip over serde_json alone"
done
