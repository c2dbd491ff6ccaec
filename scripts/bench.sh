#!/usr/bin/env bash
# Runs the criterion benchmarks and prints plan/floor as a ratio (same run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cargo bench -p tiktok-edge-bench --bench map -- --noplot "$@"
python3 - <<'PY'
import json
def ns(name):
    with open(f"target/criterion/purchase_3_items/{name}/new/estimates.json") as f:
        e = json.load(f)
    return e["median"]["point_estimate"]
floor, plan = ns("floor"), ns("plan")
print(f"floor {floor/1000:.2f} us  plan {plan/1000:.2f} us  ratio plan/floor = {plan/floor:.2f}x (target <= 1.30x)")
PY

# Wall clock, alternating rounds of floor and plan in one process (medians of 30 rounds).
cargo build -q --release -p tiktok-edge-bench --bin instructions
target/release/instructions interleaved 30

# Instruction counts (deterministic for a given binary; immune to a busy machine).
if command -v valgrind >/dev/null 2>&1; then
  count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/instructions "$1" 2000 2>&1 \
      | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  empty=$(count empty); floor=$(count floor); plan=$(count plan)
  parse=$(count parse); map=$(count map); ser=$(count serialize); hash3=$(count hash3)
  python3 -c "
e, f, p = $empty, $floor, $plan
print(f'instructions per event: floor {(f-e)/2000:,.0f}  plan {(p-e)/2000:,.0f}  ratio plan/floor = {(p-e)/(f-e):.2f}x')
parts = dict(parse=$parse, map=$map, serialize=$ser, hash3=$hash3)
print('  parts: ' + '  '.join(f'{k} {(v-e)/2000:,.0f}' for k, v in parts.items()) + '  (map includes its hashes)')"
else
  echo "(valgrind not installed: instruction counts skipped)"
fi
