#!/usr/bin/env node
// Forward + backward time of the backbones, mveb-torch against the PyTorch-Python reference
// (bench/reference/forward_backward.py) in one run: same LibTorch, same threads, same batch.
//   node bench/models/forward-backward.mjs [--archs resnet50,vit_small_16] [--batch 32] [--size 224]
//        [--threads <cores>] [--repeats 10] [--device cpu|cuda] [--python /usr/bin/python3]
// Reports the fastest and the median of the repeats on both sides. Our side runs with the caching
// CPU allocator (MVEB_CPU_ALLOCATOR=system turns it off), PyTorch with its own allocator.
// On CUDA use e.g. --batch 256: both sides then run bf16 autocast with channels-last.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { info, setNumThreads } from '../../dist/index.js';
import { Tensor } from '../../dist/entries/ops.js';
import { createModel } from '../../dist/entries/models.js';

const { values: args } = parseArgs({
  options: {
    archs: { type: 'string', default: 'resnet50,vit_small_16' },
    batch: { type: 'string', default: '32' },
    size: { type: 'string', default: '224' },
    threads: { type: 'string', default: String(availableParallelism()) },
    repeats: { type: 'string', default: '10' },
    python: { type: 'string', default: process.env.MVEB_PYTHON ?? '/usr/bin/python3' },
    // On CUDA our model's defaults are bf16 autocast and channels-last; the reference matches them.
    device: { type: 'string', default: 'cpu' },
  },
});
const [batch, size, threads, repeats] = [args.batch, args.size, args.threads, args.repeats].map(Number);
await setNumThreads(threads);
const report = info();
console.log(
  JSON.stringify({ machine: { libtorch: report.libtorch.version, threads: report.threads, blas: report.blas } }),
);

const ours = {};
for (const arch of args.archs.split(',')) {
  const model = createModel({ arch, projector: { hidden: 8, out: 8 } });
  await model.to(args.device);
  await model.train();
  const images = await (await Tensor.randn([batch, 3, size, size], { seed: 1 })).to(args.device);
  const samples = [];
  for (let i = 0; i <= repeats; i++) {
    const start = performance.now();
    await model.forwardBackward(images);
    if (i > 0) samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  ours[arch] = {
    impl: 'mveb-torch',
    arch,
    batch,
    size,
    threads,
    device: args.device,
    minMs: samples[0],
    medianMs: samples[Math.floor(samples.length / 2)],
    samplesMs: samples,
    cpuCache: info().cpuCache.installed,
  };
  console.log(JSON.stringify(ours[arch]));
}

const reference = join(dirname(fileURLToPath(import.meta.url)), '..', 'reference', 'forward_backward.py');
const pythonOut = execFileSync(
  args.python,
  [
    reference,
    '--archs',
    args.archs,
    '--batch',
    String(batch),
    '--size',
    String(size),
    '--threads',
    String(threads),
    '--repeats',
    String(repeats),
    '--device',
    args.device,
    ...(args.device.startsWith('cuda') ? ['--amp', 'bf16', '--channels-last'] : []),
  ],
  { encoding: 'utf8' },
);
console.log(pythonOut.trim());
console.log(
  `\n${repeats} repeats each after one warm-up; mveb-torch with the caching CPU allocator: ${ours[Object.keys(ours)[0]].cpuCache}`,
);
console.log(
  '| arch | batch | size | threads | mveb-torch min / median ms | PyTorch min / median ms | ratio of mins | ratio of medians |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const line of pythonOut.trim().split('\n')) {
  const python = JSON.parse(line);
  const mine = ours[python.arch];
  const pyMin = Math.min(...python.samplesMs);
  console.log(
    `| ${python.arch} | ${batch} | ${size} | ${threads} | ${mine.minMs.toFixed(0)} / ${mine.medianMs.toFixed(0)} | ` +
      `${pyMin.toFixed(0)} / ${python.medianMs.toFixed(0)} | ${(mine.minMs / pyMin).toFixed(3)} | ${(mine.medianMs / python.medianMs).toFixed(3)} |`,
  );
}
