// Backbone features of a whole dataset, in order: the evaluation view of each image (its
// central square, resized, normalised; no augmentation) through the online backbone in eval mode.
import { DataLoader } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import type { ViewSpec } from '../data/multicrop.js';
import type { Model } from '../models.js';
import { Tensor } from '../tensor.js';

export interface FeatureOptions {
  size: number;
  batchSize?: number;
  workers?: number;
  device?: string;
  /** Aborting it ends the pass at the next batch, rejecting with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each batch of a feature pass. */
  onBatch?: (done: number, total: number) => void;
}

/** The deterministic evaluation view: scale 1 with ratio 1 falls back to the central square. */
export function evaluationView(size: number): ViewSpec {
  return {
    size,
    scale: [1, 1],
    ratio: [1, 1],
    flipProb: 0,
    photometric: { jitterProb: 0, grayscaleProb: 0, blurProb: 0, solarizeProb: 0 },
  };
}

/** A loader of evaluation views; `seed` set: shuffled (BN re-estimation), else in order. */
export function evaluationLoader(dataset: Dataset, options: FeatureOptions, seed?: number): DataLoader {
  return new DataLoader({
    dataset,
    batchSize: Math.min(options.batchSize ?? 256, dataset.length),
    views: [evaluationView(options.size)],
    ...(seed === undefined ? { shuffle: false, dropLast: false } : { seed }),
    ...(options.workers && { workers: options.workers }),
    ...(options.device && { device: options.device }),
  });
}

export type LabelledRows = { features: Tensor<'float32'>; labels: Tensor<'int64'> };

/** One row of `rowsOf(view)` per image of the loader's single pass, stacked with the labels. */
async function collectRows(
  loader: DataLoader,
  options: FeatureOptions,
  rowsOf: (view: Tensor) => Promise<Tensor>,
): Promise<LabelledRows> {
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  let width = 0;
  try {
    for await (const batch of loader.epoch(0)) {
      options.signal?.throwIfAborted();
      const features = await (await rowsOf(batch.views[0]!)).to('cpu');
      width = features.numel / batch.labels.length;
      rows.push((await features.toArray()) as Float32Array);
      labels.push(...batch.labels);
      options.onBatch?.(batch.index + 1, loader.batchesPerEpoch);
    }
  } finally {
    await loader.close();
  }
  const all = new Float32Array(labels.length * width);
  let offset = 0;
  for (const row of rows) {
    all.set(row, offset);
    offset += row.length;
  }
  return {
    features: Tensor.fromArray(all, [labels.length, width]) as Tensor<'float32'>,
    labels: Tensor.fromArray(BigInt64Array.from(labels.map(BigInt)), [labels.length]) as Tensor<'int64'>,
  };
}

export async function datasetFeatures(model: Model, dataset: Dataset, options: FeatureOptions): Promise<LabelledRows> {
  return collectRows(evaluationLoader(dataset, options), options, (view) => model.backboneFeatures(view));
}

/**
 * The raw-pixel baseline's features: each image's evaluation view (at most 32 px a side, so
 * that the vectors stay small), flattened. Centre them with `centreOn` (the training set's mean).
 */
export async function rawPixelFeatures(dataset: Dataset, options: FeatureOptions): Promise<LabelledRows> {
  const loader = evaluationLoader(dataset, { ...options, size: Math.min(options.size, 32), device: 'cpu' });
  return collectRows(loader, options, async (view) => view);
}

/** Both sets' features minus the first set's mean feature. */
export async function centreOn<S extends { features: Tensor<'float32'> }>(train: S, ...others: S[]): Promise<S[]> {
  const [n, width] = train.features.shape as [number, number];
  const x = (await train.features.toArray()) as Float32Array;
  const mean = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) mean[j]! += x[i * width + j]! / n;
  return Promise.all(
    [train, ...others].map(async (set) => {
      const values = Float32Array.from((await set.features.toArray()) as Float32Array);
      for (let i = 0; i < values.length; i++) values[i]! -= mean[i % width]!;
      return { ...set, features: Tensor.fromArray(values, set.features.shape) as Tensor<'float32'> };
    }),
  );
}
