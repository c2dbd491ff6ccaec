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
