#!/usr/bin/env node
// Forward + backward time of the backbones, mveb-torch against the PyTorch-Python reference
// (bench/reference/forward_backward.py) in one run: same LibTorch, same threads, same batch.
//   node bench/models/forward-backward.mjs [--archs resnet50,vit_small_16] [--batch 32] [--size 224]
//        [--threads <cores>] [--repeats 3] [--device cpu|cuda] [--python /usr/bin/python3]
// On CUDA use e.g. --batch 256: both sides then run bf16 autocast with channels-last.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Tensor, createModel, info, setNumThreads } from '../../dist/index.js';

const { values: args } = parseArgs({
  options: {
    archs: { type: 'string', default: 'resnet50,vit_small_16' },
    batch: { type: 'string', default: '32' },
    size: { type: 'string', default: '224' },
    threads: { type: 'string', default: String(availableParallelism()) },
    repeats: { type: 'string', default: '3' },
    python: { type: 'string', default: process.env.MVEB_PYTHON ?? '/usr/bin/python3' },
    // On CUDA our model's defaults are bf16 autocast and channels-last; the reference matches them.
    device: { type: 'string', default: 'cpu' },
  },
});
const [batch, size, threads, repeats] = [args.batch, args.size, args.threads, args.repeats].map(Number);
await setNumThreads(threads);
const report = info();
console.log(JSON.stringify({ machine: { libtorch: report.libtorch.version, threads: report.threads, blas: report.blas } }));

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
  ours[arch] = { impl: 'mveb-torch', arch, batch, size, threads, device: args.device, medianMs: samples[Math.floor(samples.length / 2)], samplesMs: samples };
  console.log(JSON.stringify(ours[arch]));
}

const reference = join(dirname(fileURLToPath(import.meta.url)), '..', 'reference', 'forward_backward.py');
const pythonOut = execFileSync(args.python, [reference, '--archs', args.archs, '--batch', String(batch), '--size', String(size),
  '--threads', String(threads), '--repeats', String(repeats), '--device', args.device,
  ...(args.device.startsWith('cuda') ? ['--amp', 'bf16', '--channels-last'] : [])], { encoding: 'utf8' });
console.log(pythonOut.trim());
console.log('\n| arch | batch | size | threads | mveb-torch ms | PyTorch ms | mveb-torch / PyTorch |');
console.log('|---|---|---|---|---|---|---|');
for (const line of pythonOut.trim().split('\n')) {
  const python = JSON.parse(line);
  const mine = ours[python.arch];
  console.log(`| ${python.arch} | ${batch} | ${size} | ${threads} | ${mine.medianMs.toFixed(0)} | ${python.medianMs.toFixed(0)} | ${(mine.medianMs / python.medianMs).toFixed(3)} |`);
}
