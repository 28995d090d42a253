#!/usr/bin/env node
// Data-parallel training on one machine, side by side in one run: the demo recipe (ResNet-18,
// Fashion-MNIST, global batch 128) as 1 process × all cores against N processes × cores/N
// threads (Gloo over loopback), with several gradient bucket sizes; for each, images/s and the
// all-reduce time left exposed after backward per step (the gradient sync's wait).
//   node bench/distributed/run.mjs [--steps 40] [--warmup 5] [--processes 2]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '5' },
    processes: { type: 'string', default: '2' },
  },
});
const [steps, warmup, processes] = [args.steps, args.warmup, args.processes].map(Number);
const cores = availableParallelism();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const { createModel } = await import(join(root, 'dist', 'entries', 'models.js'));
const model = createModel({ arch: 'resnet18', smallStem: false, projector: { hidden: 512, out: 512 } });
const gradientBytes = model.parameterCount({ part: 'online' }) * 4;

function run(name, extra) {
  const output = mkdtempSync(join(tmpdir(), 'mveb-bench-dp-'));
  try {
    const lines = execFileSync(
      process.execPath,
      [
        join(root, 'bin', 'mveb-torch.js'),
        'train',
        '--preset',
        'demo',
        '--knn-every',
        '0',
        '--max-steps',
        String(steps),
        '--log-every',
        '1',
        '--output',
        output,
        '--json',
        ...extra,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const stepEvents = lines.filter((e) => e.type === 'step');
    const timed = stepEvents.slice(warmup);
    const [from, to] = [stepEvents[warmup - 1], stepEvents.at(-1)];
    const result = {
      config: name,
      steps: stepEvents.length,
      imagesPerSecond: (to.epochImages - from.epochImages) / (to.epochSeconds - from.epochSeconds),
      medianStepSeconds: median(timed.map((e) => e.seconds)),
      medianExposedCommunicationSeconds: median(timed.map((e) => e.exposedCommunicationSeconds)),
      lastLoss: to.loss,
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
}

console.log(
  JSON.stringify({
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    steps,
    warmup,
    processes,
    gradientBytes,
  }),
);
const per = Math.max(1, Math.floor(cores / processes));
const results = [
  run(`1 process × ${cores} threads`, ['--threads', String(cores), '--workers', String(cores)]),
  run(`${processes} processes × ${per} thread(s), buckets 1 + 25 MiB`, ['--nproc-per-node', String(processes)]),
  run(`${processes} processes, buckets 0.25 + 1 MiB`, [
    '--nproc-per-node',
    String(processes),
    '--bucket-first-mb',
    '0.25',
    '--bucket-cap-mb',
    '1',
  ]),
  run(`${processes} processes, one bucket (no overlap)`, [
    '--nproc-per-node',
    String(processes),
    '--bucket-first-mb',
    '1000',
    '--bucket-cap-mb',
    '1000',
  ]),
];
console.log(
  '\n| configuration | images/s | vs 1 process | median step (s) | median exposed all-reduce (ms) |\n|---|---|---|---|---|',
);
for (const r of results) {
  console.log(
    `| ${r.config} | ${r.imagesPerSecond.toFixed(1)} | ${(r.imagesPerSecond / results[0].imagesPerSecond).toFixed(2)}× | ` +
      `${r.medianStepSeconds.toFixed(3)} | ${(r.medianExposedCommunicationSeconds * 1000).toFixed(1)} |`,
  );
}
