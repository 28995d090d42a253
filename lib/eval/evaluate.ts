// `mveb-torch eval`: one protocol on any weights file, with its two baselines under the same
// protocol: raw pixels, and the same backbone at initialisation (BN statistics re-estimated on
// the training images). Features come from the feature cache when they can.
import { resolve } from 'node:path';
import { openDataset } from '../data/open-dataset.js';
import type { Dataset } from '../data/dataset.js';
import { InputError } from '../errors.js';
import { createModel, type Model } from '../models.js';
import { native } from '../native.js';
import { initializeModel } from '../weights/initialize.js';
import { readWeights, type WeightsFile } from '../weights/read.js';
import { cacheKey, defaultCacheDir, FeatureCache } from './feature-cache.js';
import type { Accuracy, FeatureSet } from './feature-set.js';
import { centreOn, datasetFeatures, rawPixelFeatures, type FeatureOptions } from './features.js';
import { reestimateBatchNorm } from './knn.js';
import {
  knnGrid,
  linearProbe,
  logisticTransfer,
  type KnnGridOptions,
  type KnnGridResult,
  type LinearProbeOptions,
  type LinearProbeResult,
  type TransferOptions,
  type TransferResult,
} from './protocols.js';

export const PROTOCOLS = ['knn', 'linear', 'transfer'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface EvaluateOptions {
  protocol: Protocol;
  /** A checkpoint, a run directory (its newest checkpoint) or any weights file `inspect` knows. */
  weights: string;
  /** Training images (labelled): an ImageFolder path or 'fashion-mnist'. */
  data: string;
  /** Images scored: an ImageFolder path or 'fashion-mnist:test'. */
  val: string;
  branch?: 'online' | 'target';
  /** Side of the evaluation view (default: the run's global crop size, else 224). */
  size?: number;
  device?: string;
  workers?: number;
  batchSize?: number;
  /** Where features are kept (default ~/.cache/mveb-torch/features); false: not kept. */
  cacheDir?: string | false;
  /** Also score raw pixels and the backbone at initialisation (default true). */
  baselines?: boolean;
  knn?: KnnGridOptions;
  linear?: LinearProbeOptions;
  transfer?: TransferOptions;
  /** Progress of each feature pass and protocol stage. */
  onProgress?: (progress: { stage: string; done: number; total: number }) => void;
  signal?: AbortSignal;
}

export type ProtocolDetail =
  | {
      knn: KnnGridResult[];
      /** The grid's pair the headline accuracy is. */ knnHeadline: { k: number; temperature: number };
    }
  | { linear: LinearProbeResult }
  | { transfer: TransferResult };

/** The headline accuracy (kNN: k = 20, T = 0.07 as DINO reports, when in the grid) and the protocol's detail. */
export type ProtocolResult = Accuracy & ProtocolDetail;

export interface EvaluateResult {
  protocol: Protocol;
  weights: { path: string; format: WeightsFile['format']; arch: WeightsFile['arch']; branch: 'online' | 'target' };
  data: { train: string; val: string; trainImages: number; valImages: number; classes: number; size: number };
  pretrained: ProtocolResult;
  baselines: { rawPixels?: ProtocolResult; initialisation?: ProtocolResult };
  /** Feature sets read from the cache, of those needed. */
  cacheHits: number;
}

async function labelled(spec: string, role: string): Promise<Dataset> {
  const dataset = await openDataset(spec);
  if (dataset.classes.length === 0)
    throw new InputError(
      `eval: ${role} ${spec} has no labels (it must be a folder of class sub-folders, or fashion-mnist)`,
    );
  return dataset;
}

async function runProtocol(
  protocol: Protocol,
  train: FeatureSet,
  val: FeatureSet,
  classes: number,
  options: EvaluateOptions,
): Promise<ProtocolResult> {
  if (protocol === 'knn') {
    const grid = await knnGrid(train, val, { ...options.knn, classes });
    const headline = grid.find((r) => r.k === 20 && r.temperature === 0.07) ?? grid[0]!;
    return {
      top1: headline.top1,
      top5: headline.top5,
      knn: grid,
      knnHeadline: { k: headline.k, temperature: headline.temperature },
    };
  }
  if (protocol === 'linear') {
    const linear = await linearProbe(train, val, { ...options.linear, classes });
    return { top1: linear.top1, top5: linear.top5, linear };
  }
  const transfer = await logisticTransfer(train, val, { ...options.transfer, classes });
  return { top1: transfer.top1, top5: transfer.top5, transfer };
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  if (!(PROTOCOLS as readonly string[]).includes(options.protocol)) {
    throw new InputError(
      `eval: protocol must be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(options.protocol)}`,
    );
  }
  const branch = options.branch ?? 'online';
  const weights = await readWeights(options.weights, 'eval');
  const chosen = branch === 'target' ? weights.target : weights.online;
  if (!chosen) throw new InputError(`eval: ${weights.path} has no target branch`);
  const train = await labelled(options.data, '--data');
  const val = await labelled(options.val, '--val');
  if (train.classes.length !== val.classes.length) {
    throw new InputError(
      `eval: --data has ${train.classes.length} classes and --val ${val.classes.length}; they must be the same classes`,
    );
  }
  const runSize = Number(weights.config?.['globalSize']);
  const size = options.size ?? (Number.isInteger(runSize) && runSize > 0 ? runSize : 224);
  const cache = new FeatureCache(options.cacheDir === false ? undefined : (options.cacheDir ?? defaultCacheDir()));
  let hits = 0;
  const features = async (
    kind: string,
    dataset: Dataset,
    spec: string,
    files: string[],
    compute: (o: FeatureOptions) => Promise<FeatureSet>,
  ) => {
    const where = /^(fashion-mnist|synthetic)/.test(spec) ? spec : resolve(spec);
    // The batch size shapes the initialisation baseline (its BN statistics are re-estimated per batch).
    const key = await cacheKey(
      { kind, data: where, images: dataset.length, size, branch, batch: options.batchSize ?? 256 },
      files,
    );
    const progress = (done: number, total: number) =>
      options.onProgress?.({ stage: `${kind} features of ${spec}`, done, total });
    const set = await cache.get(key, () => compute({ ...pass, onBatch: progress }));
    if (set.hit) hits++;
    return set;
  };
  const pass: FeatureOptions = {
    size,
    ...(options.device && { device: options.device }),
    ...(options.workers && { workers: options.workers }),
    ...(options.batchSize && { batchSize: options.batchSize }),
    ...(options.signal && { signal: options.signal }),
  };
  const classes = train.classes.length;
  const score = async (kind: string, model: Model, file: string[]) => {
    await model.eval();
    const trainSet = await features(kind, train, options.data, file, (o) => datasetFeatures(model, train, o));
    const valSet = await features(kind, val, options.val, file, (o) => datasetFeatures(model, val, o));
    options.onProgress?.({ stage: `${options.protocol} on ${kind} features`, done: 0, total: 1 });
    return runProtocol(options.protocol, trainSet, valSet, classes, options);
  };

  const device = options.device ?? 'cpu';
  const model = createModel({
    arch: weights.arch,
    smallStem: weights.smallStem,
    target: 'shared',
    projector: { hidden: 8, out: 8 },
  });
  await initializeModel(
    model,
    { ...weights, online: chosen },
    { arch: weights.arch, smallStem: weights.smallStem, projector: { hidden: 8, out: 8 } },
    false,
  );
  await model.to(device);
  const stem = weights.smallStem ? ' (small stem)' : '';
  const pretrained = await score(`${weights.arch}${stem} ${branch}`, model, [weights.path]);

  const baselines: EvaluateResult['baselines'] = {};
  if (options.baselines ?? true) {
    const [rawTrain, rawVal] = await centreOn(
      await features('raw-pixel', train, options.data, [], (o) => rawPixelFeatures(train, o)),
      await features('raw-pixel', val, options.val, [], (o) => rawPixelFeatures(val, o)),
    );
    baselines.rawPixels = await runProtocol(options.protocol, rawTrain!, rawVal!, classes, options);
    await native().manualSeed(0);
    const initial = createModel({
      arch: weights.arch,
      smallStem: weights.smallStem,
      target: 'shared',
      projector: { hidden: 8, out: 8 },
    });
    await initial.to(device);
    await reestimateBatchNorm(initial, train, pass);
    baselines.initialisation = await score(`${weights.arch}${stem} at initialisation`, initial, []);
  }
  return {
    protocol: options.protocol,
    weights: { path: weights.path, format: weights.format, arch: weights.arch, branch },
    data: { train: options.data, val: options.val, trainImages: train.length, valImages: val.length, classes, size },
    pretrained,
    baselines,
    cacheHits: hits,
  };
}
