#!/usr/bin/env node
// Images/s of the full multi-crop recipe (2×224 + 6×96, every augmentation, ending in
// normalised float tensors), mveb-torch against torchvision's PIL pipeline
// (bench/reference/dino_data.py) on the same JPEG folder, in one run.
//   node bench/data/run.mjs [--images 768] [--workers <cores>] [--batch 64] [--folder DIR]
//        [--device cpu|cuda] [--resizer native|sharp]
// Both sides are pinned to the same `workers` cores with taskset, so "per core" is fair on the
// CPU; with --device cuda ours also uses the GPU, and the table says so.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makePhotoFolder, photoClasses } from './photo-folder.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '768' },
    workers: { type: 'string', default: String(availableParallelism()) },
    batch: { type: 'string', default: '64' },
    folder: { type: 'string', default: join(here, '..', '..', '.bench-data', 'photos') },
    python: { type: 'string', default: process.env.MVEB_PYTHON ?? '/usr/bin/python3' },
    // Where our photometric augmentation runs (the reference's stays in its CPU workers).
    device: { type: 'string', default: 'cpu' },
    resizer: { type: 'string', default: 'native' },
    child: { type: 'boolean', default: false },
  },
});
const [images, workers, batch] = [args.images, args.workers, args.batch].map(Number);

if (args.child) {
  // Our side, run pinned in its own process (see below).
  const { setNumThreads } = await import('../../dist/index.js');
  const { DataLoader, ImageFolder } = await import('../../dist/entries/data.js');
  await setNumThreads(workers);
  const dataset = await ImageFolder.open(args.folder, { cacheDir: false });
  const loader = new DataLoader({
    dataset,
    batchSize: batch,
    workers,
    seed: 0,
    device: args.device,
    resizer: args.resizer,
  });
  const total = Math.min(loader.batchesPerEpoch, Math.floor(images / batch));
  const start = performance.now();
  let first;
  let seen = 0;
  let shapes;
  for await (const b of loader.epoch(0)) {
    seen += b.indices.length;
    shapes = b.views.map((v) => v.shape);
    if (!first) first = { at: performance.now(), seen };
    if (b.index + 1 >= total) break;
  }
  const end = performance.now();
  await loader.close();
  console.log(
    JSON.stringify({
      impl: 'mveb-torch',
      device: args.device,
      resizer: args.resizer,
      workers,
      batch,
      images: seen,
      steadyImages: seen - first.seen,
      steadySeconds: (end - first.at) / 1000,
      totalSeconds: (end - start) / 1000,
      imagesPerSecond: (seen - first.seen) / ((end - first.at) / 1000),
      views: shapes,
    }),
  );
  process.exit(0);
}

const perClass = Math.ceil(images / photoClasses.length);
if (
  !existsSync(args.folder) ||
  readdirSync(args.folder).length < photoClasses.length ||
  readdirSync(join(args.folder, readdirSync(args.folder)[0])).length < perClass
) {
  mkdirSync(args.folder, { recursive: true });
  process.stderr.write(`writing ${perClass * photoClasses.length} JPEGs to ${args.folder}\n`);
  await makePhotoFolder(args.folder, { perClass, seed: 1 });
}

const cores = `0-${workers - 1}`;
const pinned = spawnSync('taskset', ['-c', cores, 'true']).status === 0 ? ['taskset', '-c', cores] : [];
const run = (command, argv, env = {}) =>
  JSON.parse(
    execFileSync(pinned[0] ?? command, [...pinned.slice(1), ...(pinned.length ? [command] : []), ...argv], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      maxBuffer: 1 << 24,
    })
      .trim()
      .split('\n')
      .pop(),
  );

console.log(
  JSON.stringify({
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      pinnedTo: pinned.length ? cores : 'not pinned (no taskset)',
    },
  }),
);
// sharp runs on libuv's pool: give it one thread per core, as the CLI does.
const ours = run(
  process.execPath,
  [
    fileURLToPath(import.meta.url),
    '--child',
    '--images',
    String(images),
    '--workers',
    String(workers),
    '--batch',
    String(batch),
    '--folder',
    args.folder,
    '--device',
    args.device,
    '--resizer',
    args.resizer,
  ],
  { UV_THREADPOOL_SIZE: String(Math.max(4, workers)) },
);
console.log(JSON.stringify(ours));
const reference = run(args.python, [
  join(here, '..', 'reference', 'dino_data.py'),
  '--data',
  args.folder,
  '--workers',
  String(workers),
  '--batch',
  String(batch),
  '--images',
  String(images),
]);
console.log(JSON.stringify(reference));
const ratio = ours.imagesPerSecond / reference.imagesPerSecond;
// With --device cuda our photometric augmentation runs on the GPU while torchvision's stays on its
// CPU workers: the devices differ, so no per-core figure is claimed for that case.
const sameDevices = args.device === 'cpu';
const where = (r) =>
  r.impl === 'mveb-torch' && !sameDevices
    ? `${workers} CPU cores + ${args.device} (photometric)`
    : `${workers} CPU cores`;
console.log(`\n| pipeline | devices | images/s |${sameDevices ? ' images/s per core |' : ''}`);
console.log(`|---|---|---|${sameDevices ? '---|' : ''}`);
for (const r of [ours, reference]) {
  console.log(
    `| ${r.impl} | ${where(r)} | ${r.imagesPerSecond.toFixed(1)} |${sameDevices ? ` ${(r.imagesPerSecond / workers).toFixed(1)} |` : ''}`,
  );
}
console.log(
  sameDevices
    ? `\nmveb-torch / torchvision, same cores: ${ratio.toFixed(2)}×`
    : `\nmveb-torch (augmenting on ${args.device}) / torchvision (augmenting on the CPU): ${ratio.toFixed(2)}× — not a per-core comparison`,
);
