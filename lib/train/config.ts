// The training configuration: every default is the paper's ImageNet recipe (docs/architecture.md
// section 5); presets name complete recipes; validation names the bad field before any
// work starts.
import { InputError } from '../errors.js';
import { ARCHITECTURES, type Architecture } from '../models.js';
import { COSINE_SPANS, type CosineSpan } from './schedules.js';

export interface TrainConfig {
  /** An ImageFolder path, 'fashion-mnist' or 'synthetic'. */
  data: string;
  /** Labelled images the monitor scores (a folder with the training set's classes); '' = fashion-mnist's test split for fashion-mnist. */
  val: string;
  arch: Architecture;
  /** ResNet: 3×3 stride-1 stem without max-pool, for small images. */
  smallStem: boolean;
  /** Weights to start from ('' for a fresh initialisation): any file `mveb-torch inspect` knows. */
  initFrom: string;
  projectorHidden: number;
  projectorOut: number;
  /** 'ema' target branch (momentum from emaBase to 1) or 'shared'. */
  target: 'ema' | 'shared';
  emaBase: number;
  /** Weight of the entropy term (the paper: 0.01; collapse at 0.001). */
  beta: number;
  epochs: number;
  /** Images per step. */
  batchSize: number;
  optimizer: 'lars' | 'sgd';
  /** Learning rate per 256 images: peak = baseLr × batchSize / 256. */
  baseLr: number;
  weightDecay: number;
  momentum: number;
  trustCoefficient: number;
  warmupEpochs: number;
  /** 'total': the authors' cosine, cos(π·(step − warm-up)/total steps); 'after-warmup': ends at lr/1000. */
  cosineSpan: CosineSpan;
  globalSize: number;
  localSize: number;
  localCrops: number;
  globalScale: [number, number];
  localScale: [number, number];
  /** Photometric augmentation; false leaves only crops and flips (tiny images). */
  colorAugment: boolean;
  /** 'auto': bf16 autocast on CUDA, fp32 on CPU; 'fp16' adds loss scaling. */
  precision: 'auto' | 'fp32' | 'fp16' | 'bf16';
  /** 'auto': CUDA when present. */
  device: string;
  /** Data workers (0: one per core). */
  workers: number;
  /** LibTorch intra-op threads on CPU (0: one per core). */
  threads: number;
  seed: number;
  /** Where run directories go; the run is output/name. */
  output: string;
  name: string;
  checkpointEvery: number;
  keepCheckpoints: number;
  /** kNN monitor every N epochs (0: off); needs a labelled test split. */
  knnEvery: number;
  knnK: number;
  knnTemperature: number;
  /** Images of the train and test splits the monitor embeds (0: all). */
  knnTrainImages: number;
  knnTestImages: number;
  /** Log a metrics line every N steps. */
  logEvery: number;
  /** Warn of collapse when mean embedding std × √d falls below this. */
  collapseThreshold: number;
  /** Stop after this many steps in total (0: no limit); for smoke tests. */
  maxSteps: number;
  /** Data-parallel runs: batch statistics over the global batch (online and target), as the authors' code. */
  syncBn: boolean;
  /** Data-parallel runs: 'global' scores every rank's embeddings (results independent of the process count); 'local' each rank's own, as the authors' code. */
  steinScope: 'global' | 'local';
  /** Data-parallel runs: a collective not finished after this many seconds ends the run (a dead or hung rank). */
  collectiveTimeout: number;
  /** Data-parallel runs: gradient bucket sizes in MiB, the first bucket and the others (DDP's 1 and 25). */
  bucketFirstMb: number;
  bucketCapMb: number;
}

export const defaultConfig: TrainConfig = {
  data: '',
  val: '',
  arch: 'resnet50',
  smallStem: false,
  initFrom: '',
  projectorHidden: 2048,
  projectorOut: 2048,
  target: 'ema',
  emaBase: 0.996,
  beta: 0.01,
  epochs: 800,
  batchSize: 4096,
  optimizer: 'lars',
  baseLr: 0.4,
  weightDecay: 1e-6,
  momentum: 0.9,
  trustCoefficient: 0.001,
  warmupEpochs: 10,
  cosineSpan: 'total',
  globalSize: 224,
  localSize: 96,
  localCrops: 6,
  globalScale: [0.4, 1],
  localScale: [0.05, 0.4],
  colorAugment: true,
  precision: 'auto',
  device: 'auto',
  workers: 0,
  threads: 0,
  seed: 0,
  output: 'runs',
  name: '',
  checkpointEvery: 1,
  keepCheckpoints: 3,
  knnEvery: 0,
  knnK: 200,
  knnTemperature: 0.1,
  knnTrainImages: 0,
  knnTestImages: 0,
  logEvery: 10,
  collapseThreshold: 0.1,
  maxSteps: 0,
  syncBn: true,
  steinScope: 'global',
  collectiveTimeout: 30,
  bucketFirstMb: 1,
  bucketCapMb: 25,
};

export const presets: Record<'imagenet-r50' | 'small' | 'demo' | 'fmnist-30min', Partial<TrainConfig>> = {
  // The paper's: ResNet-50, 800 epochs, LARS, batch 4096, 2 × 224 + 6 × 96.
  'imagenet-r50': {},
  // Fashion-MNIST/CIFAR-size images: small-image stem, fewer and smaller crops, SGD.
  small: {
    arch: 'resnet18', smallStem: true, projectorHidden: 2048, projectorOut: 2048, epochs: 200, batchSize: 256,
    optimizer: 'sgd', baseLr: 0.1, weightDecay: 1e-4, warmupEpochs: 5, globalSize: 32, localSize: 16, localCrops: 2,
    globalScale: [0.3, 1], localScale: [0.1, 0.3], knnEvery: 10,
  },
  // About ten minutes on a 2-core CPU: ResNet-18 with the standard stem on 28-px
  // Fashion-MNIST, a narrow projector, two global crops only, two epochs; lr and EMA chosen by
  // the recipe study (bench/results/2026-11-29-demo-recipes.md).
  demo: {
    data: 'fashion-mnist', arch: 'resnet18', smallStem: false, projectorHidden: 512, projectorOut: 512, epochs: 2,
    batchSize: 128, optimizer: 'sgd', baseLr: 0.5, weightDecay: 1e-4, emaBase: 0.99, warmupEpochs: 0, globalSize: 28,
    localSize: 14, localCrops: 0, globalScale: [0.4, 1], localScale: [0.1, 0.4], colorAugment: false, knnEvery: 1,
    knnTrainImages: 10000, knnTestImages: 2000, logEvery: 5, checkpointEvery: 1,
  },
  // About thirty minutes on a 2-core CPU: the demo recipe with two 14-px local crops, four epochs
  // (the study's best linear probe at that budget; six epochs without local crops did worse).
  'fmnist-30min': {
    data: 'fashion-mnist', arch: 'resnet18', smallStem: false, projectorHidden: 512, projectorOut: 512, epochs: 4,
    batchSize: 128, optimizer: 'sgd', baseLr: 0.5, weightDecay: 1e-4, emaBase: 0.99, warmupEpochs: 0, globalSize: 28,
    localSize: 14, localCrops: 2, globalScale: [0.4, 1], localScale: [0.1, 0.4], colorAugment: false, knnEvery: 1,
    knnTrainImages: 10000, knnTestImages: 2000, logEvery: 5, checkpointEvery: 1,
  },
};

export type PresetName = keyof typeof presets;

/** Defaults, then the preset, then a config file's values, then flags: later wins. */
export function resolveConfig(
  layers: { preset?: string; file?: Partial<TrainConfig>; flags?: Partial<TrainConfig> } = {},
): TrainConfig {
  if (layers.preset !== undefined && !(layers.preset in presets)) {
    throw new InputError(`preset must be one of ${Object.keys(presets).join(', ')}, got '${layers.preset}'`);
  }
  const preset = layers.preset ? presets[layers.preset as PresetName] : {};
  const merged = { ...defaultConfig, ...preset, ...(layers.file ?? {}), ...(layers.flags ?? {}) } as TrainConfig;
  validateConfig(merged);
  return merged;
}

/** Throws InputError naming the first bad field. Unknown fields are refused too (typos). */
export function validateConfig(config: object): asserts config is TrainConfig {
  for (const key of Object.keys(config)) {
    if (!(key in defaultConfig)) throw new InputError(`config: unknown field '${key}'`);
  }
  const c = config as TrainConfig;
  const fail = (field: keyof TrainConfig, why: string): never => {
    throw new InputError(`config: ${field} ${why}, got ${JSON.stringify(c[field])}`);
  };
  const integer = (field: keyof TrainConfig, min: number) => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(field, `must be an integer >= ${min}`);
  };
  const number = (field: keyof TrainConfig, min: number, max = Infinity, minExclusive = false) => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || (minExclusive ? v <= min : v < min) || v > max) {
      fail(field, `must be a number ${minExclusive ? '>' : '>='} ${min}${Number.isFinite(max) ? ` and <= ${max}` : ''}`);
    }
  };
  const oneOf = (field: keyof TrainConfig, values: readonly unknown[]) => {
    if (!values.includes(c[field])) fail(field, `must be one of ${values.map((v) => `'${v}'`).join(', ')}`);
  };
  const range = (field: keyof TrainConfig, max: number) => {
    const v = c[field] as unknown;
    if (!Array.isArray(v) || v.length !== 2 || !(v[0] > 0 && v[1] >= v[0] && v[1] <= max)) fail(field, `must be [min, max] with 0 < min <= max <= ${max}`);
  };
  if (typeof c.data !== 'string' || c.data === '') fail('data', 'must name a dataset (a folder, fashion-mnist or synthetic)');
  oneOf('arch', ARCHITECTURES);
  oneOf('target', ['ema', 'shared']);
  oneOf('optimizer', ['lars', 'sgd']);
  oneOf('precision', ['auto', 'fp32', 'fp16', 'bf16']);
  if (typeof c.device !== 'string' || !/^(auto|cpu|cuda(:\d+)?)$/.test(c.device)) fail('device', "must be 'auto', 'cpu', 'cuda' or 'cuda:N'");
  for (const flag of ['smallStem', 'colorAugment', 'syncBn'] as const) if (typeof c[flag] !== 'boolean') fail(flag, 'must be true or false');
  integer('projectorHidden', 1);
  integer('projectorOut', 1);
  number('emaBase', 0, 1);
  number('beta', 0);
  integer('epochs', 1);
  integer('batchSize', 2);
  number('baseLr', 0, Infinity, true);
  number('weightDecay', 0);
  number('momentum', 0, 1);
  number('trustCoefficient', 0, Infinity, true);
  integer('warmupEpochs', 0);
  oneOf('cosineSpan', COSINE_SPANS);
  integer('globalSize', 8);
  integer('localSize', 8);
  integer('localCrops', 0);
  range('globalScale', 1);
  range('localScale', 1);
  integer('workers', 0);
  integer('threads', 0);
  integer('seed', 0);
  if (typeof c.val !== 'string') fail('val', 'must be a path (or empty)');
  if (typeof c.initFrom !== 'string') fail('initFrom', 'must be a path (or empty)');
  if (typeof c.output !== 'string' || c.output === '') fail('output', 'must be a directory path');
  if (typeof c.name !== 'string' || /[/\\]/.test(c.name)) fail('name', 'must be a plain name (no slashes)');
  integer('checkpointEvery', 1);
  integer('keepCheckpoints', 1);
  integer('knnEvery', 0);
  integer('knnK', 1);
  number('knnTemperature', 0, Infinity, true);
  integer('knnTrainImages', 0);
  integer('knnTestImages', 0);
  integer('logEvery', 1);
  number('collapseThreshold', 0);
  integer('maxSteps', 0);
  oneOf('steinScope', ['global', 'local']);
  number('collectiveTimeout', 0, Infinity, true);
  number('bucketFirstMb', 0, Infinity, true);
  number('bucketCapMb', 0, Infinity, true);
}
