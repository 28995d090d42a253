#!/usr/bin/env node
// The compatibility suite: the tests that matter across LibTorch versions, run against the addon
// of another flavour (scripts/flavours.mjs) — by default pip's torch 2.13 CPU wheel, what CI checks
// beside the full suite on Debian's 1.13:
//   npm run test:torch2                           torch2.13-cpu
//   node scripts/test-flavour.mjs torch2.14-cu13  the CUDA addon, its CPU part (a release check)
// The flavour's venv supplies the LibTorch; the oracles stay Debian's python3-torch/torchvision
// (they compare numbers, whichever LibTorch computed ours). Tests that need Gloo are left out:
// pip's wheels ship no Gloo headers, and test/compat/pip-libtorch.compat.ts checks the refusal.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFlavour } from './build-flavour.mjs';
import { flavourNamed, venvOf } from './flavours.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const COMPAT_TESTS = [
  // loading, info, what a build without Gloo (and, on CPU, without CUDA) refuses
  'test/compat/pip-libtorch.compat.ts',
  'test/addon/surface.test.ts',
  // tensors across the boundary, the device thread, the CPU allocator (its c10::Allocator API moved in 2.2/2.3)
  'test/tensor.test.ts',
  'test/device-thread.test.ts',
  'test/memory.test.ts',
  // ResNet-18/34/50/101 and ViT-S/B against torchvision and timm on the same weights (2.x: fused attention)
  'test/models/resnet.test.ts',
  'test/models/vit.test.ts',
  'test/models/siamese.test.ts',
  // the method against the authors' transcription
  'test/mveb/stein.test.ts',
  'test/mveb/stein-fused.test.ts',
  'test/mveb/loss.test.ts',
  'test/mveb/ema.test.ts',
  'test/optim.test.ts',
  // training: a short run, exact resume, the non-finite skip, the loss scaler
  'test/train/trainer.test.ts',
  // torch.save files in: checkpoints as PyTorch writes them (export and import are TypeScript over
  // the same reader and writer, which resnet/vit's savePth round trips already take through 2.x)
  'test/torch-format/torch-load.test.ts',
  // on-device augmentation (ATen kernels that differ by version)
  'test/augment/photometric.test.ts',
];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  return result.status ?? 1;
}

const name = process.argv[2] ?? 'torch2.13-cpu';
let flavour, addon;
try {
  flavour = flavourNamed(name);
  if (flavour.from === 'system') throw new Error(`${name} is the checkout's own build: its suite is \`npm test\``);
  // The JS, the oracles and the 1.13 build, as `npm test` has them (incremental).
  if (run(process.execPath, [join(root, 'scripts', 'ensure-setup.mjs'), '--for-tests']) !== 0) process.exit(1);
  addon = buildFlavour(name);
} catch (err) {
  process.stderr.write(`mveb-torch test-flavour: ${err.message}\n`);
  process.exit(1);
}
process.stderr.write(
  `mveb-torch test-flavour: ${COMPAT_TESTS.length} test files against ${flavour.libtorch} (${addon})\n`,
);
const env = {
  ...process.env,
  MVEB_ADDON: addon,
  MVEB_TEST_FLAVOUR: name,
  MVEB_TEST_FLAVOUR_PYTHON: join(root, venvOf(flavour), 'bin', 'python'),
};
process.exit(run(join(root, 'node_modules', '.bin', 'tap'), COMPAT_TESTS, { env }));
