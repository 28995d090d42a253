#!/usr/bin/env node
// Times ops.steinScore, cholesky vs inverse, side by side in one run.
//   node bench/stein.mjs [--sizes 256,1024,4096] [--dim 2048] [--devices cpu,cuda] [--repeats 5]
// Prints one JSON line per case, then a table with the ratio cholesky/inverse.
import { parseArgs } from 'node:util';
import { Tensor, info, ops } from '../dist/index.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '256,1024,4096' },
    dim: { type: 'string', default: '2048' },
    devices: { type: 'string' },
    repeats: { type: 'string', default: '5' },
    precisions: { type: 'string', default: 'float64,input' },
  },
});
const report = info();
const devices = (args.devices ?? (report.cuda ? 'cpu,cuda' : 'cpu')).split(',');
const sizes = args.sizes.split(',').map(Number);
const dim = Number(args.dim);
const repeats = Number(args.repeats);

async function unitRows(n, d, device) {
  const raw = await Tensor.randn([n, d], { seed: n });
  const a = await raw.toArray();
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += a[i * d + j] ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) a[i * d + j] /= norm;
  }
  return Tensor.fromArray(a, [n, d]).to(device);
}

async function time(z, options) {
  await (await ops.steinScore(z, options)).score.toArray(); // warm-up, and a device sync
  const samples = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    const { score } = await ops.steinScore(z, options);
    await score.toArray(); // waits for the device
    samples.push(performance.now() - start);
  }
  samples.sort((x, y) => x - y);
  return { medianMs: samples[Math.floor(samples.length / 2)], minMs: samples[0] };
}

const rows = [];
console.log(JSON.stringify({ machine: { libtorch: report.libtorch.version, threads: report.threads, blas: report.blas, devices: report.cudaDevices } }));
for (const device of devices) {
  for (const n of sizes) {
    const z = await unitRows(n, dim, device);
    for (const precision of args.precisions.split(',')) {
      const cholesky = await time(z, { solver: 'cholesky', precision });
      const inverse = await time(z, { solver: 'inverse', precision });
      const row = { device, n, d: dim, precision, repeats, cholesky, inverse, ratio: cholesky.medianMs / inverse.medianMs };
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
}
console.log('\n| device | N | d | precision | cholesky ms (median) | inverse ms (median) | cholesky / inverse |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.device} | ${r.n} | ${r.d} | ${r.precision} | ${r.cholesky.medianMs.toFixed(2)} | ${r.inverse.medianMs.toFixed(2)} | ${r.ratio.toFixed(3)} |`);
}
