#!/usr/bin/env bash
# The whole CUDA check in one call, on a bare GPU machine: a pip PyTorch with CUDA, nvcc and
# cmake; no Node, no npm, no network. Prepare on the development machine, then call it once:
#   bash bench/gpu/pack.sh
#   run(command="bash bench/gpu/check.sh", carry=[".device", "dist"], timeout_s=600)
# What it writes to $OUT (default /tmp/mveb-gpu-check): summary.txt (a line per step: exit status,
# seconds), <step>.log for each step, machine.txt, and the metrics of the training runs (their
# checkpoints stay in /tmp). The GPU figures run first, the whole test suite last with what is
# left of CHECK_BUDGET_S (default 540 s); a step past its limit is stopped and reported.
# Dry run without a GPU (the CUDA steps then fail or skip, the rest must pass): see
# bench/gpu/dry-run.sh.
# Exit status: the number of failed steps.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/mveb-gpu-check}
BUDGET=${CHECK_BUDGET_S:-540}
BUILD_LIMIT=${CHECK_BUILD_LIMIT_S:-300}  # 16 cores there; a dry run on 2 cores needs more
JOBS=$(nproc)
RUNS=$(mktemp -d /tmp/mveb-gpu-runs.XXXXXX)
mkdir -p "$OUT"
failed=0

step() {  # step NAME LIMIT_S COMMAND...: runs under min(LIMIT_S, budget left), logs to $OUT/NAME.log
  local name=$1 limit=$2
  shift 2
  local left=$((BUDGET - SECONDS))
  if ((left < 15)); then
    echo "$name: not run (budget of $BUDGET s spent)" | tee -a "$OUT/summary.txt"
    failed=$((failed + 1))
    return 0
  fi
  ((limit > left)) && limit=$left
  local started=$SECONDS
  timeout --kill-after=10 "$limit" "$@" >"$OUT/$name.log" 2>&1
  local status=$?
  local note=""
  ((status == 124 || status == 137)) && note=" (stopped at its limit of $limit s)"
  echo "$name: exit $status in $((SECONDS - started)) s$note" | tee -a "$OUT/summary.txt"
  ((status == 0)) || failed=$((failed + 1))
  return 0
}

# Node, npm (for `npm pack` in pack-prebuild) and node_modules, carried packed (bench/gpu/pack.sh).
if ! command -v node >/dev/null; then
  mkdir -p .device/bin .device/lib
  xz -dc .device/node.xz >.device/bin/node && chmod +x .device/bin/node
  tar -C .device/lib -xJf .device/npm.tar.xz
  printf '#!/bin/sh\nexec node "%s/npm/bin/npm-cli.js" "$@"\n' "$PWD/.device/lib" >.device/bin/npm
  chmod +x .device/bin/npm
  export PATH="$PWD/.device/bin:$PATH"
fi
[[ -d node_modules ]] || tar -xJf .device/node_modules.tar.xz
# Test data the machine lacks, carried: skimage's photographs, Fashion-MNIST (tests needing a
# split that was not carried are skipped with the reason, see test/helpers/requirements.ts).
[[ -d /usr/lib/python3/dist-packages/skimage/data ]] || export MVEB_SKIMAGE_DATA="$PWD/.device/skimage"
[[ -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]] || export MVEB_FASHION_MNIST="$PWD/.device/fashion-mnist"
export MVEB_PYTHON=${MVEB_PYTHON:-$(command -v python3)}

{
  date -u
  nvidia-smi || true
  nvcc --version || true
  cmake --version | head -1
  node --version
  echo "cores: $JOBS"
  "$MVEB_PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
  node lib/addon/find-libtorch.mjs
} >"$OUT/machine.txt" 2>&1

# The oracles the tests compare against: missing ones fail here, visibly, not only in the tests.
step oracles 30 "$MVEB_PYTHON" -c 'import torch, numpy, torchvision; print(torch.__version__, numpy.__version__, torchvision.__version__)'
step build-cmake "$BUILD_LIMIT" node node_modules/cmake-js/bin/cmake-js compile --out build-cmake --parallel "$JOBS"
# The NCCL process group was only syntax-checked before this machine: if it does not build,
# build without it so that every other check still runs (the log says why).
if ! tail -n 1 "$OUT/summary.txt" | grep -q "exit 0"; then
  step build-cmake-without-nccl "$BUILD_LIMIT" node node_modules/cmake-js/bin/cmake-js compile --out build-cmake --parallel "$JOBS" \
    --CDMVEB_WITH_NCCL=OFF
fi
step info-json 30 node bin/mveb-torch.js info --json
cp "$OUT/info-json.log" "$OUT/info.json" 2>/dev/null

# The GPU figures first.
step tests-cuda 150 node_modules/.bin/tap --reporter=tap --disable-coverage --jobs 4 test/mveb/stein-fused.test.ts \
  test/mveb/stein.test.ts test/train/cuda-step.test.ts test/tensor.test.ts test/augment/photometric.test.ts \
  test/cuda-compile.test.ts
step bench-stein-cuda 150 node bench/stein.mjs --devices cuda --sizes 256,1024,4096,8192 --repeats 5 --python "$MVEB_PYTHON"
step bench-train-step 150 node bench/gpu/train-step.mjs --device cuda --batch 256 --steps 20 --warmup 5 --python "$MVEB_PYTHON"
step bench-stein-cpu 120 node bench/stein.mjs --devices cpu --sizes 256,1024 --repeats 3 --python "$MVEB_PYTHON"
step bench-forward-backward 90 node bench/models/forward-backward.mjs --device cuda --batch 256 --repeats 5 --python "$MVEB_PYTHON"
# Ours with the photometric augmentation on the GPU, torchvision's on CPU workers: the log says so
# (devices differ, so it reports images/s of each whole pipeline, not a per-core ratio).
step bench-data-gpu-augment 120 node bench/data/run.mjs --images 3072 --device cuda --python "$MVEB_PYTHON"
# Training on the GPU through the CLI: the paper's recipe at batch 256, bf16 autocast, synthetic images.
step train-r50-bf16 120 node bin/mveb-torch.js train --data synthetic --batch-size 256 --precision bf16 --device cuda \
  --max-steps 30 --output "$RUNS" --name r50 --json
# Data-parallel on CUDA: a one-rank NCCL job (torchrun's variables by hand; NCCL refuses two
# ranks on one GPU, and pip wheels ship no Gloo headers, so this build has no Gloo-over-CUDA).
step dp-nccl-one-rank 90 env WORLD_SIZE=1 RANK=0 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=29620 \
  node bin/mveb-torch.js train --data synthetic --arch resnet18 --batch-size 64 --device cuda --precision fp32 \
  --max-steps 20 --knn-every 0 --log-every 1 --output "$RUNS" --name nccl1 --json
# The same recipe in one plain process (no group: at::batch_norm, no all-reduce) must end with
# the one-rank job's weights: SyncBN's arithmetic and the NCCL gradient path on CUDA, checked.
step dp-plain-one-process 90 node bin/mveb-torch.js train --data synthetic --arch resnet18 --batch-size 64 --device cuda \
  --precision fp32 --max-steps 20 --knn-every 0 --log-every 1 --output "$RUNS" --name plain1 --json
step dp-nccl-vs-plain 60 bash -c '"$1" test/distributed/compare_checkpoints.py "$0"/nccl1/checkpoint-*.pth "$0"/plain1/checkpoint-*.pth |
  "$1" -c "import json, sys; d = json.load(sys.stdin); print(d); sys.exit(0 if d[\"maxRelative\"] <= 1e-3 else 1)"' "$RUNS" "$MVEB_PYTHON"
if (($(nvidia-smi -L 2>/dev/null | wc -l) >= 2)); then
  step dp-nccl-two-gpus 90 node bin/mveb-torch.js train --data synthetic --arch resnet18 --batch-size 64 --device cuda \
    --max-steps 20 --knn-every 0 --log-every 1 --output "$RUNS" --name nccl2 --nproc-per-node 2 --json
fi
# Metrics and configs of the runs, not their checkpoints.
for run in "$RUNS"/*/; do
  mkdir -p "$OUT/runs/$(basename "$run")"
  cp "$run"/metrics.jsonl "$run"/config.yaml "$OUT/runs/$(basename "$run")/" 2>/dev/null
done
# The CUDA flavour's platform package (@mveb-torch/linux-x64-torch2.x-cuNN), built against this
# machine's pip torch, for a release to publish beside the CPU one.
step pack-prebuild 120 node scripts/pack.mjs --platform-only --out "$OUT/npm"
# Every test, with what is left of the budget.
step tests 600 node_modules/.bin/tap --reporter=tap --disable-coverage --jobs "$((JOBS / 2))"
rm -rf "$RUNS"
echo "failed steps: $failed" | tee -a "$OUT/summary.txt"
exit "$failed"
