#!/usr/bin/env node
// One MVEB training step of the paper's recipe on one device — ResNet-50, 2 × 224 + 6 × 96
// views, batch 256, LARS, EMA target, bf16 autocast, channels-last on CUDA — ours (TrainingCore,
// the step `mveb-torch train` runs) against the PyTorch-Python reference of the same step
// (bench/reference/mveb_step.py), side by side in one run, views fixed on the device in both.
//   node bench/gpu/train-step.mjs [--device cuda] [--batch 256] [--steps 20] [--warmup 5] [--python python3]
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { info } from '../../dist/index.js';
import { Tensor } from '../../dist/entries/ops.js';
import { createModel } from '../../dist/entries/models.js';
import { TrainingCore } from '../../dist/train/training-core.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    device: { type: 'string', default: 'cuda' },
    batch: { type: 'string', default: '256' },
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    'local-crops': { type: 'string', default: '6' },
    python: { type: 'string', default: process.env.MVEB_PYTHON ?? 'python3' },
  },
});
const [batch, steps, warmup, localCrops] = [args.batch, args.steps, args.warmup, args['local-crops']].map(Number);
const sizes = [224, 224, ...new Array(localCrops).fill(96)];
const cuda = args.device.startsWith('cuda');

async function ours() {
  const model = createModel({
    arch: 'resnet50',
    precision: cuda ? 'bf16' : 'fp32',
    projector: { hidden: 2048, out: 2048 },
  });
  await model.to(args.device);
  await model.train();
  const core = new TrainingCore(model, {
    optimizer: 'lars',
    momentum: 0.9,
    weightDecay: 1e-6,
    trustCoefficient: 0.001,
  });
  const views = [];
  for (const [i, size] of sizes.entries())
    views.push(await (await Tensor.randn([batch, 3, size, size], { seed: i })).to(args.device));
  const options = { lr: (0.4 * batch) / 256, emaMomentum: 0.996, beta: 0.01 };
  let last;
  for (let i = 0; i < warmup; i++) await core.step(views, options);
  const started = performance.now();
  // Each step returns its statistics (loss, gradient norm): a device sync per step, as the reference's loss.item().
  for (let i = 0; i < steps; i++) last = await core.step(views, options);
  const seconds = (performance.now() - started) / 1000;
  return {
    impl: 'mveb-torch',
    device: args.device,
    batch,
    views: sizes,
    amp: cuda ? 'bf16' : 'none',
    channelsLast: cuda,
    timedSteps: steps,
    seconds,
    imagesPerSecond: (steps * batch) / seconds,
    lastLoss: last.loss,
  };
}

const report = info();
console.log(
  JSON.stringify({
    machine: { libtorch: report.libtorch.version, devices: report.cudaDevices, threads: report.threads },
  }),
);
const mine = await ours();
console.log(JSON.stringify(mine));
const reference = JSON.parse(
  execFileSync(
    args.python,
    [
      join(here, '..', 'reference', 'mveb_step.py'),
      '--device',
      args.device,
      '--batch',
      String(batch),
      '--steps',
      String(steps),
      '--warmup',
      String(warmup),
      '--local-crops',
      String(localCrops),
      '--amp',
      cuda ? 'bf16' : 'none',
      ...(cuda ? ['--channels-last'] : []),
    ],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .at(-1),
);
console.log(JSON.stringify(reference));
console.log(JSON.stringify({ ratio: mine.imagesPerSecond / reference.imagesPerSecond, target: 1.15 }));
console.log(
  `\nResNet-50, ${sizes.join(' + ')} px, batch ${batch}, ${args.device}: ours ${mine.imagesPerSecond.toFixed(1)} images/s, ` +
    `PyTorch ${reference.imagesPerSecond.toFixed(1)} images/s, ratio ${(mine.imagesPerSecond / reference.imagesPerSecond).toFixed(3)}`,
);
