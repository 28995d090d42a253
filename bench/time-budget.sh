#!/bin/bash
# How closely a budgeted run keeps its budget on this machine: `train --preset demo` (10 minutes)
# and the demo with --time-budget 3m, each timed from the shell, with the machine's load before
# and after, the steps the budget chose and the run's own images/s. Run it on an otherwise idle
# machine; the report goes to stdout (markdown), the runs to $OUT (default /tmp/mveb-time-budget).
#   bash bench/time-budget.sh [BUDGET ...]     (default: 10m 3m; 10m is the demo's own)
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/ensure-setup.mjs >&2
out=${OUT:-/tmp/mveb-time-budget}
rm -rf "$out" && mkdir -p "$out"
if [ $# -eq 0 ]; then budgets=(10m 3m); else budgets=("$@"); fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
echo
echo "| budget | wall (s) | within | steps planned | steps run | end | img/s (epochs) | kNN | linear | load before | load after |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for budget in "${budgets[@]}"; do
  flags=(--preset demo --output "$out" --name "demo-$budget" --json)
  [ "$budget" != 10m ] && flags+=(--time-budget "$budget")
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  start=$(date +%s.%N)
  node bin/mveb-torch.js train "${flags[@]}" > "$out/demo-$budget.jsonl" 2> "$out/demo-$budget.stderr"
  end=$(date +%s.%N)
  after=$(cut -d' ' -f1-3 /proc/loadavg)
  node -e '
    const [file, budget, wall, before, after] = process.argv.slice(1);
    const events = require("fs").readFileSync(file, "utf8").trim().split("\n").map(JSON.parse);
    const start = events.find((e) => e.type === "start"), end = events.find((e) => e.type === "end");
    const seconds = { s: 1, m: 60, h: 3600 }[budget.slice(-1)] * Number(budget.slice(0, -1));
    const rates = events.filter((e) => e.type === "epoch").map((e) => e.imagesPerSecond.toFixed(1)).join(", ");
    const pct = (x) => (x === undefined ? "" : `${(100 * x).toFixed(1)} %`);
    console.log(`| ${budget} | ${Number(wall).toFixed(1)} | ${(100 * wall / seconds).toFixed(1)} % | ${start.timeBudget.plan.steps} | ${end.position.step} | ${end.reason} | ${rates} | ${pct(end.knn?.pretrained)} | ${pct(end.linear?.pretrained)} | ${before} | ${after} |`);
  ' "$out/demo-$budget.jsonl" "$budget" "$(echo "$end - $start" | bc)" "$before" "$after"
done
