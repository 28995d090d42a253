// The multi-crop loader end to end on real JPEGs cut from skimage's photographs:
// view sizes, exact flips, determinism across worker counts, corrupt files, back-pressure, shutdown.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { makePhotoFolder } from '../../bench/data/photo-folder.mjs';
import { ImageFolder } from '../../lib/data/image-folder.js';
import { fashionMnist } from '../../lib/data/idx-dataset.js';
import { DataLoader, describeSkipped, type LoadedBatch, type LoaderOptions } from '../../lib/data/loader.js';
import type { ViewSpec } from '../../lib/data/multicrop.js';
import { SyntheticDataset } from '../../lib/data/synthetic.js';
import { root } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { withoutFashionMnist } from '../helpers/requirements.js';

const views: ViewSpec[] = [
  { size: 64, scale: [0.4, 1] },
  { size: 64, scale: [0.4, 1], photometric: { blurProb: 0.1, solarizeProb: 0.2 } },
  { size: 24, scale: [0.05, 0.4], photometric: { blurProb: 0.5, blurKernel: 7 } },
];

async function collect(options: LoaderOptions, epoch = 0, startBatch = 0): Promise<LoadedBatch[]> {
  const loader = new DataLoader(options);
  try {
    const batches: LoadedBatch[] = [];
    for await (const batch of loader.epoch(epoch, { startBatch })) batches.push(batch);
    return batches;
  } finally {
    await loader.close();
  }
}

// Every byte a batch holds: raw views, or the float views' bytes.
async function bytesOf(batches: LoadedBatch[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const batch of batches) {
    parts.push(Buffer.from(Int32Array.from(batch.indices).buffer));
    for (const raw of batch.raw) parts.push(Buffer.from(raw.data));
    for (const view of batch.views) {
      const values = await view.toArray();
      parts.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    }
  }
  return Buffer.concat(parts);
}

t.test('every view has the requested size; grayscale JPEGs come out with 3 equal channels', async (t) => {
  const dir = await makePhotoFolder(tempDir(t), { perClass: 2, grayscale: true });
  const dataset = await ImageFolder.open(dir, { cacheDir: false });
  const batches = await collect({
    dataset,
    batchSize: 6,
    views,
    workers: 2,
    photometric: false,
    recordGeometry: true,
    dropLast: false,
  });
  t.equal(
    batches.reduce((n, b) => n + b.indices.length, 0),
    dataset.length,
    'every image once',
  );
  const grayLabel = dataset.classes.indexOf('camera');
  let grayViews = 0;
  for (const batch of batches) {
    batch.raw.forEach((raw, v) => {
      const size = views[v]!.size;
      t.same(raw.shape, [batch.indices.length, size, size, 3], `batch ${batch.index} view ${v} shape`);
      t.equal(raw.data.length, batch.indices.length * size * size * 3);
    });
    batch.geometry!.forEach((perView, i) => {
      for (const g of perView) {
        t.ok(
          g.left >= 0 && g.top >= 0 && g.left + g.width <= g.sourceWidth && g.top + g.height <= g.sourceHeight,
          'crop inside the image',
        );
        t.ok([500, 375].includes(g.sourceWidth), 'decoded at full size');
      }
      if (batch.labels[i] !== grayLabel) return;
      for (const raw of batch.raw) {
        const stride = raw.shape[1] * raw.shape[2] * 3;
        const image = raw.data.subarray(i * stride, (i + 1) * stride);
        let equal = true;
        for (let p = 0; p < image.length; p += 3) equal &&= image[p] === image[p + 1] && image[p] === image[p + 2];
        t.ok(equal, 'grayscale source: r = g = b');
        grayViews++;
      }
    });
  }
  t.equal(grayViews, 2 * views.length, 'both grayscale images checked');

  // resizer 'sharp': the same crops and flips, cut by sharp's cubic kernel instead of ours.
  const viaSharp = await collect({
    dataset,
    batchSize: 6,
    views,
    workers: 2,
    photometric: false,
    resizer: 'sharp',
    recordGeometry: true,
    dropLast: false,
  });
  t.same(
    viaSharp.flatMap((b) => b.raw.map((r) => r.shape)),
    batches.flatMap((b) => b.raw.map((r) => r.shape)),
    "resizer 'sharp' gives the same shapes",
  );
  t.same(
    viaSharp.flatMap((b) => b.indices),
    batches.flatMap((b) => b.indices),
  );
  t.same(
    viaSharp.flatMap((b) => b.geometry),
    batches.flatMap((b) => b.geometry),
    'the same crop boxes and flips',
  );
  let worstMean = 0;
  viaSharp.forEach((batch, b) =>
    batch.raw.forEach((raw, v) => {
      const ours = batches[b]!.raw[v]!.data;
      let total = 0;
      for (let i = 0; i < ours.length; i++) total += Math.abs(ours[i]! - raw.data[i]!);
      worstMean = Math.max(worstMean, total / ours.length);
    }),
  );
  t.ok(
    worstMean < 1.5,
    `mean |native − sharp| per view at most ${worstMean.toFixed(2)} grey levels (two cubic kernels)`,
  );

  const augmented = await collect({ dataset, batchSize: 6, views, workers: 2, seed: 1 });
  for (const batch of augmented) {
    batch.views.forEach((view, v) => t.same(view.shape, [batch.indices.length, 3, views[v]!.size, views[v]!.size]));
    t.same(
      batch.views.map((v) => v.dtype),
      views.map(() => 'float32'),
    );
  }
});

t.test('Fashion-MNIST (1-channel IDX) gives 3-channel views', { skip: withoutFashionMnist('t10k') }, async (t) => {
  const dataset = await fashionMnist('test');
  const loader = new DataLoader({
    dataset,
    batchSize: 32,
    views: [{ size: 28, scale: [0.4, 1] }],
    workers: 1,
    photometric: false,
  });
  for await (const batch of loader.epoch(0)) {
    t.same(batch.raw[0]!.shape, [32, 28, 28, 3]);
    const data = batch.raw[0]!.data;
    let equal = true;
    for (let p = 0; p < data.length; p += 3) equal &&= data[p] === data[p + 1] && data[p] === data[p + 2];
    t.ok(equal);
    t.same(
      batch.labels,
      batch.indices.map((i) => dataset.label(i)),
    );
    break;
  }
  await loader.close();
});

t.test('a flip mirrors the view exactly', async (t) => {
  const dir = await makePhotoFolder(tempDir(t), { perClass: 1 });
  const dataset = await ImageFolder.open(dir, { cacheDir: false });
  const flipped = views.map((v) => ({ ...v, flipProb: 1 }));
  const straight = views.map((v) => ({ ...v, flipProb: 0 }));
  const options = { dataset, batchSize: 4, workers: 2, seed: 9, photometric: false, recordGeometry: true };
  const [a, b] = [await collect({ ...options, views: flipped }), await collect({ ...options, views: straight })];
  for (let k = 0; k < a.length; k++) {
    t.same(
      a[k]!.geometry!.map((g) => g.map(({ flip, ...box }) => box)),
      b[k]!.geometry!.map((g) => g.map(({ flip, ...box }) => box)),
      'same crops',
    );
    a[k]!.raw.forEach((raw, v) => {
      const [n, h, w] = raw.shape;
      const other = b[k]!.raw[v]!.data;
      let mirrored = true;
      for (let i = 0; i < n && mirrored; i++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            for (let c = 0; c < 3; c++)
              mirrored &&= raw.data[((i * h + y) * w + x) * 3 + c] === other[((i * h + y) * w + (w - 1 - x)) * 3 + c];
      t.ok(mirrored, `batch ${k} view ${v}: flipped = mirror of unflipped`);
    });
  }
});

t.test('the same seed gives byte-identical batches with any number of workers', async (t) => {
  const dir = await makePhotoFolder(tempDir(t), { perClass: 2 });
  const dataset = await ImageFolder.open(dir, { cacheDir: false });
  const options = { dataset, batchSize: 5, views, seed: 21 };
  const one = await bytesOf(await collect({ ...options, workers: 1 }));
  const three = await bytesOf(await collect({ ...options, workers: 3, prefetch: 2 }));
  t.ok(one.length > 0);
  t.ok(one.equals(three), 'photometric float views identical with 1 and 3 workers');
  t.notOk(one.equals(await bytesOf(await collect({ ...options, workers: 2, seed: 22 }))), 'another seed differs');
  const synthetic = new SyntheticDataset({ length: 40, height: 40, width: 40, seed: 2 });
  const raw = { dataset: synthetic, batchSize: 8, views, seed: 3, photometric: false };
  t.ok(
    (await bytesOf(await collect({ ...raw, workers: 1 }))).equals(await bytesOf(await collect({ ...raw, workers: 4 }))),
    'raw views identical too',
  );
});

t.test('resuming at a batch gives the same batches as the uninterrupted epoch', async (t) => {
  const dataset = new SyntheticDataset({ length: 48, height: 32, width: 32 });
  const options = { dataset, batchSize: 8, views, seed: 4, workers: 2 };
  const full = await collect(options, 1);
  const resumed = await collect(options, 1, 3);
  t.same(
    resumed.map((b) => b.index),
    [3, 4, 5],
  );
  t.ok((await bytesOf(resumed)).equals(await bytesOf(full.slice(3))));
});

t.test('corrupt, truncated and non-image files are skipped and counted; the epoch completes', async (t) => {
  const dir = await makePhotoFolder(tempDir(t), { perClass: 2, corrupt: true });
  const dataset = await ImageFolder.open(dir, { cacheDir: false });
  const loader = new DataLoader({ dataset, batchSize: 4, views, workers: 2, dropLast: false });
  const run = loader.epoch(0);
  let images = 0;
  for await (const batch of run) {
    images += batch.indices.length;
    t.ok(
      batch.views.every((v) => v.shape[0] === batch.indices.length),
      'views hold only the good images',
    );
  }
  await loader.close();
  t.equal(run.report.skipped, 3);
  t.equal(images, dataset.length - 3);
  t.equal(run.report.images, images);
  t.equal(run.report.batches, loader.batchesPerEpoch, 'every batch of the epoch was produced');
  const skippedPaths = run.report.skippedExamples.map((s) => s.path!.slice(dir.length + 1)).sort();
  t.same(skippedPaths, ['astronaut/empty.png', 'astronaut/not-an-image.jpg', 'astronaut/truncated.jpg']);
  t.match(run.report.skippedExamples.find((s) => s.path!.endsWith('truncated.jpg'))!.reason, /premature end of JPEG/);
  t.match(describeSkipped(run.report)!, /^epoch 0: 3 images skipped: .*truncated\.jpg \(/);
});

t.test('prefetch bounds the batches in flight when the consumer is slow', async (t) => {
  const dataset = new SyntheticDataset({ length: 160, height: 32, width: 32 });
  const loader = new DataLoader({ dataset, batchSize: 8, views, workers: 2, prefetch: 3 });
  let inFlight = 0;
  let most = 0;
  const produce = loader.produce.bind(loader);
  loader.produce = async (epoch, index) => {
    most = Math.max(most, ++inFlight);
    try {
      return await produce(epoch, index);
    } finally {
      inFlight--;
    }
  };
  const order: number[] = [];
  for await (const batch of loader.epoch(0)) {
    order.push(batch.index);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await loader.close();
  t.same(
    order,
    Array.from({ length: 20 }, (_, i) => i),
    'in order',
  );
  t.equal(most, 3, 'never more than prefetch batches in flight');
});

t.test('leaving an epoch early stops cleanly; a loader never closed does not keep the process alive', async (t) => {
  const script = `
    import { DataLoader } from ${JSON.stringify(join(root, 'dist', 'data', 'loader.js'))};
    import { SyntheticDataset } from ${JSON.stringify(join(root, 'dist', 'data', 'synthetic.js'))};
    const loader = new DataLoader({ dataset: new SyntheticDataset({ length: 400 }), batchSize: 16, workers: 2, prefetch: 4,
      views: [{ size: 32, scale: [0.4, 1] }] });
    for await (const batch of loader.epoch(0)) { if (batch.index === 2) break; }
    for await (const batch of loader.epoch(1)) { console.log('epoch 1 batch', batch.index); break; }
    console.log('done');`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.match(output, /epoch 1 batch 0\ndone/);
});

t.test('bad loader options are refused before any work starts', async (t) => {
  const dataset = new SyntheticDataset({ length: 10 });
  t.throws(
    () => new DataLoader({ dataset, batchSize: 4, views: [{ size: 0, scale: [0.4, 1] }] }),
    /views\[0\]\.size must be a positive integer/,
  );
  t.throws(
    () => new DataLoader({ dataset, batchSize: 4, views: [{ size: 8, scale: [0.5, 0.2] }] }),
    /views\[0\]\.scale must be \[min, max\]/,
  );
  t.throws(() => new DataLoader({ dataset, batchSize: 4, views: [] }), /views must be a non-empty list/);
  t.throws(() => new DataLoader({ dataset, batchSize: 16 }), /10 images, fewer than one global batch of 16/);
  t.throws(() => new DataLoader({ dataset, batchSize: 4, workers: 0 }), /workers must be a positive integer/);
});
