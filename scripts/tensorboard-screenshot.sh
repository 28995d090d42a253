#!/bin/bash
# The README's TensorBoard picture: TensorBoard (from .venvs/oracles) serving a run directory's
# event files, its scalars page shot by headless Chromium.
#   bash scripts/tensorboard-screenshot.sh RUN_DIR [OUT.png]   (default docs/tensorboard-scalars.png)
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:?usage: tensorboard-screenshot.sh RUN_DIR [OUT.png]}
out=${2:-docs/tensorboard-scalars.png}
node scripts/oracle-venv.mjs
port=$((16006 + RANDOM % 1000))
.venvs/oracles/bin/tensorboard --logdir "$run" --port "$port" --host 127.0.0.1 > /tmp/tensorboard-screenshot.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/" > /dev/null && break; sleep 0.5; done
# The scalars page with the tags a reader looks at first; virtual time lets its charts draw.
url="http://127.0.0.1:$port/?darkMode=false#scalars&tagFilter=^(train/loss|train/lr|knn/accuracy|linear/accuracy|train/imagesPerSecond)$"
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1000 \
  --virtual-time-budget=20000 --screenshot="$out" "$url" 2> /dev/null
echo "wrote $out from $run"
