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
  # Per mode: total, in glibc's allocator, malloc calls (scripts/bench-alloc-free.py says why).
  count() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" target/release/instructions "$1" 2000 >/dev/null 2>&1
    python3 scripts/bench-alloc-free.py "$out"
    rm -f "$out"
  }
  declare -A c
  for mode in empty floor plan parse read map serialize hash3; do c[$mode]=$(count "$mode"); done
  python3 - "${c[empty]}" "${c[floor]}" "${c[plan]}" "${c[parse]}" "${c[read]}" "${c[map]}" "${c[serialize]}" "${c[hash3]}" <<'PY'
import sys
names = ["empty", "floor", "plan", "parse", "read", "map", "serialize", "hash3"]
v = {n: [int(x) for x in a.split()] for n, a in zip(names, sys.argv[1:])}
per = lambda n, i: (v[n][i] - v["empty"][i]) / 2000
for label, i in [("instructions per event", 0), ("  outside the allocator", None), ("  malloc calls per event", 2)]:
    get = (lambda n: per(n, 0) - per(n, 1)) if i is None else (lambda n, i=i: per(n, i))
    f, p = get("floor"), get("plan")
    parts = "  ".join(f"{n} {get(n):,.0f}" for n in names[3:])
    print(f"{label}: floor {f:,.0f}  plan {p:,.0f}  ratio plan/floor = {p / f:.2f}x   parts: {parts}")
print("(parse = serde_json's Value, the floor's reading; read = tiktok_edge::node, the plan's; map = planning an already read event, its 3 SHA-256 included; both readings include dropping the tree)")
PY
else
  echo "(valgrind not installed: instruction counts skipped)"
fi
