#!/usr/bin/env node
// Training throughput, `mveb-torch train --preset demo` against the PyTorch-Python loop of the
// same recipe (bench/reference/mveb_train.py), in one run: same data, model, loss, optimiser,
// batch, threads and data workers, same LibTorch (Debian's 1.13), both pinned to the same cores.
//   node bench/train/run.mjs [--steps 60] [--warmup 5] [--threads <cores>]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    threads: { type: 'string', default: String(availableParallelism()) },
    python: { type: 'string', default: process.env.MVEB_PYTHON ?? '/usr/bin/python3' },
  },
});
const [steps, warmup, threads] = [args.steps, args.warmup, args.threads].map(Number);
const cores = `0-${threads - 1}`;
const pinned = spawnSync('taskset', ['-c', cores, 'true']).status === 0 ? ['taskset', '-c', cores] : [];
const run = (argv) =>
  execFileSync(pinned[0] ?? argv[0], [...pinned.slice(1), ...(pinned.length ? argv : argv.slice(1))], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, UV_THREADPOOL_SIZE: String(Math.max(4, threads)) },
  });

console.log(
  JSON.stringify({
    machine: { cpus: cpus().length, model: cpus()[0]?.model, pinnedTo: pinned.length ? cores : 'not pinned' },
  }),
);
const output = mkdtempSync(join(tmpdir(), 'mveb-bench-train-'));
try {
  const lines = run([
    process.execPath,
    join(root, 'bin', 'mveb-torch.js'),
    'train',
    '--preset',
    'demo',
    '--knn-every',
    '0',
    '--max-steps',
    String(steps),
    '--threads',
    String(threads),
    '--workers',
    String(threads),
    '--output',
    output,
    '--json',
  ])
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // Wall time from the end of the warm-up steps to the last step, data waits included, as in
  // the Python loop (the run stays inside its first epoch).
  const stepEvents = lines.filter((e) => e.type === 'step');
  const [from, to] = [stepEvents[warmup - 1], stepEvents.at(-1)];
  const ours = {
    impl: 'mveb-torch',
    steps: stepEvents.length,
    timedSteps: to.step - from.step,
    batch: to.images,
    seconds: to.epochSeconds - from.epochSeconds,
    imagesPerSecond: (to.epochImages - from.epochImages) / (to.epochSeconds - from.epochSeconds),
    meanNativeStepSeconds: stepEvents.slice(warmup).reduce((s, e) => s + e.seconds, 0) / (stepEvents.length - warmup),
    lastLoss: to.loss,
  };
  console.log(JSON.stringify(ours));
  const python = JSON.parse(
    run([
      args.python,
      join(root, 'bench', 'reference', 'mveb_train.py'),
      '--steps',
      String(steps),
      '--warmup',
      String(warmup),
      '--threads',
      String(threads),
      '--workers',
      String(threads),
    ])
      .trim()
      .split('\n')
      .pop(),
  );
  console.log(JSON.stringify(python));
  console.log(
    `\n| loop | threads | images/s |\n|---|---|---|\n| mveb-torch train --preset demo | ${threads} | ${ours.imagesPerSecond.toFixed(1)} |` +
      `\n| PyTorch reference | ${threads} | ${python.imagesPerSecond.toFixed(1)} |`,
  );
  console.log(`\nmveb-torch / PyTorch: ${(ours.imagesPerSecond / python.imagesPerSecond).toFixed(2)}×`);
} finally {
  rmSync(output, { recursive: true, force: true });
}
