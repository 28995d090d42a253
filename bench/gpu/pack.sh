#!/usr/bin/env bash
# Packs what a bare GPU machine lacks into .device/ (git-ignored), to `carry` with the
# device tool: this machine's node binary, npm (for `npm pack`), node_modules, all
# xz-compressed, dist/, and the test data: skimage's photographs and Fashion-MNIST (its train
# split only if the whole carry stays under the device tool's 64 MiB).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .device
npm run --silent build:ts
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > .device/node.xz
tar -C "$(npm root -g)" -cf - npm | xz -T0 -6 > .device/npm.tar.xz
# The TypeScript-Go preview that tap pulls in is not needed to run the tests.
tar -cf - --exclude='node_modules/@typescript/native-preview*' node_modules | xz -T0 -6 > .device/node_modules.tar.xz
# The photographs the data tests and benchmark cut their JPEGs from (Debian's python3-skimage).
mkdir -p .device/skimage
for photo in astronaut.png chelsea.png coffee.png hubble_deep_field.jpg motorcycle_left.png motorcycle_right.png \
             retina.jpg rocket.jpg camera.png truncated.jpg; do
  cp /usr/lib/python3/dist-packages/skimage/data/$photo .device/skimage/
done
mkdir -p .device/fashion-mnist
fashion=${MVEB_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
cp "$fashion"/t10k-*-ubyte.gz .device/fashion-mnist/
rm -f .device/fashion-mnist/train-*
used=$(du -sbc .device dist | tail -1 | cut -f1)
train=$(du -sbc "$fashion"/train-*-ubyte.gz | tail -1 | cut -f1)
if ((used + train < 62 * 1024 * 1024)); then
  cp "$fashion"/train-*-ubyte.gz .device/fashion-mnist/
else
  echo "pack.sh: Fashion-MNIST's train split left out (the carry would pass 64 MiB); its tests skip there"
fi
du -sh .device/* dist
du -shc .device dist | tail -1
