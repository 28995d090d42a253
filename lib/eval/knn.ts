// Weighted kNN accuracy (k = 200, T = 0.1 by default), the monitor of self-supervised
// training, and the baselines it must be read against.
import type { Dataset } from '../data/dataset.js';
import type { Model } from '../models.js';
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { datasetFeatures, evaluationLoader, type FeatureOptions } from './features.js';

export interface KnnOptions {
  k?: number;
  temperature?: number;
}

/** Fraction of test labels the weighted kNN vote over train features gets right. */
export async function knnAccuracy(
  train: { features: Tensor; labels: Tensor<'int64'> },
  test: { features: Tensor; labels: Tensor<'int64'> },
  options: KnnOptions & { classes?: number } = {},
): Promise<number> {
  const predicted = (await Tensor.wrap(
    await native().eval.knnPredict(train.features.handle, train.labels.handle, test.features.handle, {
      k: options.k ?? 200,
      temperature: options.temperature ?? 0.1,
      ...(options.classes && { classes: options.classes }),
    }),
  ).toArray()) as BigInt64Array;
  const truth = (await test.labels.toArray()) as BigInt64Array;
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
  return right / truth.length;
}

/** kNN accuracy of the model's backbone features (eval mode). */
export async function backboneKnnAccuracy(
  model: Model,
  train: Dataset,
  test: Dataset,
  options: FeatureOptions & KnnOptions,
): Promise<number> {
  await model.eval();
  try {
    const trainSet = await datasetFeatures(model, train, options);
    const testSet = await datasetFeatures(model, test, options);
    return await knnAccuracy(trainSet, testSet, { ...options, classes: train.classes.length || undefined });
  } finally {
    await model.train();
  }
}

/** The raw-pixel baseline: cosine kNN on pixels centred by the train mean (pixel datasets only). */
export async function rawPixelKnnAccuracy(
  train: Dataset,
  test: Dataset,
  options: KnnOptions = {},
): Promise<number | undefined> {
  if (train.source.kind !== 'pixels' || test.source.kind !== 'pixels') return undefined;
  const width = train.source.height * train.source.width * train.source.channels;
  const trainData = train.source.data;
  const mean = new Float64Array(width);
  for (let i = 0; i < train.length; i++) for (let j = 0; j < width; j++) mean[j]! += trainData[i * width + j]!;
  for (let j = 0; j < width; j++) mean[j]! /= train.length;
  const centred = (dataset: Dataset) => {
    const data = (dataset.source as { data: Uint8Array }).data;
    const out = new Float32Array(dataset.length * width);
    for (let i = 0; i < out.length; i++) out[i] = data[i]! - mean[i % width]!;
    return {
      features: Tensor.fromArray(out, [dataset.length, width]),
      labels: Tensor.fromArray(
        BigInt64Array.from({ length: dataset.length }, (_, i) => BigInt(dataset.label(i))),
        [dataset.length],
      ) as Tensor<'int64'>,
    };
  };
  return knnAccuracy(centred(train), centred(test), { ...options, classes: train.classes.length || undefined });
}

/**
 * Re-estimates BN statistics on training images (train-mode forwards without gradients):
 * the honest random-init baseline; a random net with untouched statistics is none.
 */
export async function reestimateBatchNorm(
  model: Model,
  dataset: Dataset,
  options: FeatureOptions & { batches?: number },
): Promise<void> {
  await model.train();
  const loader = evaluationLoader(dataset, options, 1);
  try {
    for await (const batch of loader.epoch(0)) {
      options.signal?.throwIfAborted();
      await model.backboneFeatures(batch.views[0]!);
      if (batch.index + 1 >= (options.batches ?? 50)) break;
    }
  } finally {
    await loader.close();
  }
}
