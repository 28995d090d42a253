#!/usr/bin/env bash
# The node-gyp build of the addon (CPU). gyp fixes the source list and the LibTorch
# location at configure time, so configure again whenever either changes; else incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp="$(node scripts/native-sources.mjs; echo; node lib/addon/find-libtorch.mjs)"
if [[ ! -f build/Makefile || ! -f build/config.gypi || "$(cat build/mveb-configure.stamp 2>/dev/null)" != "$stamp" ]]; then
  npx node-gyp configure
  printf '%s' "$stamp" > build/mveb-configure.stamp
fi
npx node-gyp build --jobs max
