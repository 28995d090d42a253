#!/usr/bin/env bash
# The whole CUDA check in one step, on a bare GPU machine that has a pip PyTorch
# (with CUDA), nvcc and cmake but no Node. Prepare here with bench/gpu/pack.sh, then:
#   run(command="bash bench/gpu/check.sh", carry=[".device", "dist"])
# Logs go to $OUT (default /tmp/mveb-gpu-check). Exit status: number of failed steps.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/mveb-gpu-check}
mkdir -p "$OUT"
failed=0
step() {  # step NAME COMMAND...: runs, logs to $OUT/NAME.log, records the status
  local name=$1; shift
  local started=$SECONDS
  "$@" >"$OUT/$name.log" 2>&1
  local status=$?
  echo "$name: exit $status in $((SECONDS - started)) s" | tee -a "$OUT/summary.txt"
  ((status == 0)) || failed=$((failed + 1))
  return 0
}

if ! command -v node >/dev/null; then
  mkdir -p .device/bin .device/lib
  xz -dc .device/node.xz > .device/bin/node && chmod +x .device/bin/node
  tar -C .device/lib -xJf .device/npm.tar.xz
  printf '#!/bin/sh\nexec node "%s/npm/bin/npm-cli.js" "$@"\n' "$PWD/.device/lib" > .device/bin/npm
  printf '#!/bin/sh\nexec node "%s/npm/bin/npx-cli.js" "$@"\n' "$PWD/.device/lib" > .device/bin/npx
  chmod +x .device/bin/npm .device/bin/npx
  export PATH="$PWD/.device/bin:$PATH"
fi
[[ -d node_modules ]] || tar -xJf .device/node_modules.tar.xz

{
  date -u
  nvidia-smi || true
  nvcc --version || true
  cmake --version | head -1
  node --version
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
  python3 -c 'import numpy; print("numpy", numpy.__version__)' || true
  python3 -c 'import torchvision; print("torchvision", torchvision.__version__)' || true
  node scripts/find-libtorch.mjs
} >"$OUT/machine.txt" 2>&1

export MVEB_PYTHON=${MVEB_PYTHON:-$(command -v python3)}
# No Debian skimage there: the photographs come packed (bench/gpu/pack.sh).
[[ -d /usr/lib/python3/dist-packages/skimage/data ]] || export MVEB_SKIMAGE_DATA="$PWD/.device/skimage"
step build-cmake npx cmake-js compile --out build-cmake
# The NCCL process group was only syntax-checked before this machine: if it does not build,
# build without it so that every other check still runs (the log says why).
if ! grep -q "exit 0" <(tail -n 1 "$OUT/summary.txt"); then
  step build-cmake-without-nccl npx cmake-js compile --out build-cmake --CDMVEB_WITH_NCCL=OFF
fi
step info node bin/mveb-torch.js info
# The CUDA flavour's platform package (@mveb-torch/linux-x64-torch2.x-cuNN), built against this
# machine's pip torch, for a release to publish beside the CPU one.
step pack-prebuild node scripts/pack.mjs --platform-only --out "$OUT/npm"
step info-json node bin/mveb-torch.js info --json
cp "$OUT/info-json.log" "$OUT/info.json" 2>/dev/null
# Every test: the CUDA ones run here instead of skipping.
step tests npx tap --reporter=tap --disable-coverage
# Benchmarks: each compares its variants side by side in one run, CPU and CUDA.
step bench-stein node bench/stein.mjs --devices cpu,cuda --repeats 5
step bench-forward-backward node bench/models/forward-backward.mjs --device cuda --batch 256 --repeats 5 --python "$MVEB_PYTHON"
# The data pipeline on all 16 cores, photometric augmentation on the GPU, against torchvision.
step bench-data node bench/data/run.mjs --images 3072 --device cuda --python "$MVEB_PYTHON"
# Training on the GPU: the paper's recipe (ResNet-50, 2 × 224 + 6 × 96, LARS) at batch 256,
# bf16 autocast, on synthetic images (the throughput of ours; the Python reference for this
# recipe is not written yet).
step train-r50-bf16 node bin/mveb-torch.js train --data synthetic --batch-size 256 --precision bf16 --device cuda \
  --max-steps 30 --output "$OUT/runs" --name r50 --json
# Data-parallel on CUDA: a one-rank NCCL job (torchrun's variables by hand; NCCL refuses two
# ranks on one GPU, and pip wheels ship no Gloo headers, so this build has no Gloo-over-CUDA).
step dp-nccl-one-rank env WORLD_SIZE=1 RANK=0 LOCAL_RANK=0 LOCAL_WORLD_SIZE=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=29620 \
  node bin/mveb-torch.js train --data synthetic --arch resnet18 --batch-size 64 --device cuda --precision fp32 \
  --max-steps 20 --knn-every 0 --log-every 1 --output "$OUT/runs" --name nccl1 --json
# The same recipe in one plain process (no group: at::batch_norm, no all-reduce) must end with
# the one-rank job's weights: SyncBN's arithmetic and the NCCL gradient path on CUDA, checked.
step dp-plain-one-process node bin/mveb-torch.js train --data synthetic --arch resnet18 --batch-size 64 --device cuda \
  --precision fp32 --max-steps 20 --knn-every 0 --log-every 1 --output "$OUT/runs" --name plain1 --json
step dp-nccl-vs-plain bash -c '"$1" test/distributed/compare_checkpoints.py "$0"/nccl1/checkpoint-*.pth "$0"/plain1/checkpoint-*.pth |
  "$1" -c "import json, sys; d = json.load(sys.stdin); print(d); sys.exit(0 if d[\"maxRelative\"] <= 1e-3 else 1)"' "$OUT/runs" "$MVEB_PYTHON"
if (( $(nvidia-smi -L 2>/dev/null | wc -l) >= 2 )); then
  step dp-nccl-two-gpus node bin/mveb-torch.js train --data synthetic --arch resnet18 --batch-size 64 --device cuda \
    --max-steps 20 --knn-every 0 --log-every 1 --output "$OUT/runs" --name nccl2 --nproc-per-node 2 --json
fi
echo "failed steps: $failed" | tee -a "$OUT/summary.txt"
exit "$failed"
