#!/usr/bin/env bash
# The node-gyp build of the addon (CPU): configure once, then incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f build/Makefile && -f build/config.gypi ]]; then
  npx node-gyp build
else
  npx node-gyp rebuild
fi
