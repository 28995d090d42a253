#!/usr/bin/env bash
# Packs what a bare GPU machine lacks into .device/ (git-ignored), to `carry` with the
# device tool: this machine's node binary and node_modules, both xz-compressed, and dist/.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .device
npm run --silent build:ts
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > .device/node.xz
# The TypeScript-Go preview that tap pulls in is not needed to run the tests.
tar -cf - --exclude='node_modules/@typescript/native-preview*' node_modules | xz -T0 -6 > .device/node_modules.tar.xz
du -sh .device/* dist
