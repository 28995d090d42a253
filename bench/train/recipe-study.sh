#!/usr/bin/env bash
# One row of the demo recipe study (bench/results/2026-11-29-demo-recipes.md): trains the demo
# preset with the given overrides, then scores the newest checkpoint on all of Fashion-MNIST —
# kNN with the full 60k bank (online and target branch) and the linear probe — without the
# baselines (they do not depend on the recipe; measured once with `eval`'s defaults).
#   bash bench/train/recipe-study.sh NAME [train flags...]      e.g. lr05 --base-lr 0.5 --ema-base 0.99
# Writes STUDY_DIR (default /tmp/recipe-study)/{runs/NAME, logs/NAME.*}; nothing else may run meanwhile.
set -uo pipefail
name=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
study=${STUDY_DIR:-/tmp/recipe-study}
mkdir -p "$study/runs" "$study/logs"
log=$study/logs/$name
cli=(node "$root/bin/mveb-torch.js")
score=(--data fashion-mnist --val fashion-mnist:test --no-baselines --json)
{ echo "flags: $*"; date -u; } >"$log.info"
started=$(date +%s.%N)
"${cli[@]}" train --preset demo --output "$study/runs" --name "$name" --quiet "$@" >"$log.train.txt" 2>"$log.train.err"
echo "train_seconds $(echo "$(date +%s.%N) - $started" | bc)" >>"$log.info"
"${cli[@]}" eval knn "$study/runs/$name" "${score[@]}" >"$log.knn.json" 2>"$log.knn.err"
"${cli[@]}" eval knn "$study/runs/$name" "${score[@]}" --branch target >"$log.knn-target.json" 2>"$log.knn-target.err"
"${cli[@]}" eval linear "$study/runs/$name" "${score[@]}" >"$log.linear.json" 2>"$log.linear.err"
date -u >>"$log.info"
