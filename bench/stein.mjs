#!/usr/bin/env node
// Times ops.steinScore side by side in one run: the fused implementation against the ATen
// composition, each with a float64 and a float32 ('input') solve, and — with --python — the
// authors' formula (bench/reference/stein_authors.py) on the same device and sizes.
//   node bench/stein.mjs [--sizes 256,1024,4096] [--dim 2048] [--devices cpu,cuda] [--repeats 5]
//                        [--python python3]
// Prints one JSON line per case, then a table with the ratios ATen / fused and authors / fused.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { info } from '../dist/index.js';
import { Tensor } from '../dist/entries/ops.js';
import * as ops from '../dist/entries/ops.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '256,1024,4096' },
    dim: { type: 'string', default: '2048' },
    devices: { type: 'string' },
    repeats: { type: 'string', default: '5' },
    precisions: { type: 'string', default: 'float64,input' },
    implementations: { type: 'string', default: 'fused,aten' },
    python: { type: 'string' },
  },
});
const report = info();
const devices = (args.devices ?? (report.cuda ? 'cpu,cuda' : 'cpu')).split(',');
const sizes = args.sizes.split(',').map(Number);
const dim = Number(args.dim);
const repeats = Number(args.repeats);
const implementations = args.implementations.split(',');

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

function authors(device) {
  if (!args.python) return new Map();
  const script = join(dirname(fileURLToPath(import.meta.url)), 'reference', 'stein_authors.py');
  let out;
  try {
    out = execFileSync(
      args.python,
      [
        script,
        '--sizes',
        args.sizes,
        '--dim',
        args.dim,
        '--device',
        device,
        '--repeats',
        args.repeats,
        '--threads',
        String(report.threads.intraOp),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
  } catch (error) {
    // Ours is still measured; the table shows the reference as missing and the log says why.
    console.log(
      JSON.stringify({
        implementation: 'authors',
        device,
        error: String(error.stderr || error.message)
          .trim()
          .split('\n')
          .at(-1),
      }),
    );
    return new Map();
  }
  const rows = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  for (const row of rows) console.log(JSON.stringify({ implementation: 'authors', ...row }));
  return new Map(rows.map((row) => [row.n, row]));
}

const table = [];
console.log(
  JSON.stringify({
    machine: {
      libtorch: report.libtorch.version,
      threads: report.threads,
      blas: report.blas,
      devices: report.cudaDevices,
    },
  }),
);
for (const device of devices) {
  const theirs = authors(device);
  for (const n of sizes) {
    const z = await unitRows(n, dim, device);
    for (const precision of args.precisions.split(',')) {
      const row = { device, n, d: dim, precision, repeats };
      for (const implementation of implementations) {
        row[implementation] = await time(z, { implementation, precision });
      }
      console.log(JSON.stringify(row));
      table.push({ ...row, authors: theirs.get(n) });
    }
  }
}
const ms = (entry) => (entry === undefined ? '–' : entry.error ? 'out of memory' : entry.medianMs.toFixed(2));
const ratio = (a, b) => (a?.medianMs && b?.medianMs ? (a.medianMs / b.medianMs).toFixed(2) : '–');
console.log(
  '\n| device | N | d | solve | fused ms | ATen ms | authors ms (float32, inverse) | ATen / fused | authors / fused |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of table) {
  console.log(
    `| ${r.device} | ${r.n} | ${r.d} | ${r.precision} | ${ms(r.fused)} | ${ms(r.aten)} | ${ms(r.authors)} | ${ratio(r.aten, r.fused)} | ${ratio(r.authors, r.fused)} |`,
  );
}
