#!/usr/bin/env bash
# bench/gpu/check.sh as a bare GPU machine would run it, as far as this machine allows: a fresh
# clone with only what `run` carries (.device, dist), no node/npm/npx/ccache on PATH, no network
# but loopback (when unshare is permitted), a cold build directory. CUDA steps fail or skip here; the rest
# must pass. Logs go to $OUT (default /tmp/mveb-gpu-dry/out).
#   bash bench/gpu/pack.sh && bash bench/gpu/dry-run.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${DRY_RUN_DIR:-/tmp/mveb-gpu-dry}
rm -rf "$work" && mkdir -p "$work/bin"
git clone -q "$repo" "$work/repo"
cp -r "$repo/.device" "$repo/dist" "$work/repo/"
# A PATH with every tool of this machine but node, npm, npx and ccache.
for dir in /usr/local/bin /usr/bin /bin; do
  for tool in "$dir"/*; do
    name=$(basename "$tool")
    case $name in node | nodejs | npm | npx | corepack | ccache) continue ;; esac
    [[ -e $work/bin/$name ]] || ln -s "$tool" "$work/bin/$name"
  done
done
# No network but loopback, as on the GPU machine (rendezvous and NCCL bootstrap use 127.0.0.1).
offline=()
if unshare -n true 2>/dev/null && ip=$(command -v ip); then
  offline=("$(command -v unshare)" -n sh -c "$ip link set lo up && exec \"\$@\"" sh)
fi
export OUT=${OUT:-$work/out}
cd "$work/repo"
env -i HOME="$work/home" PATH="$work/bin" OUT="$OUT" CHECK_BUDGET_S="${CHECK_BUDGET_S:-3600}" \
  CHECK_BUILD_LIMIT_S="${CHECK_BUILD_LIMIT_S:-1800}" "${offline[@]}" bash bench/gpu/check.sh || true
cat "$OUT/summary.txt"
