// The training configuration: one table of fields (every default is the paper's ImageNet recipe,
// docs/architecture.md section 5) from which its type, defaults, validator, CLI flags and resume
// rules are derived; presets name complete recipes as overlays; validation names the bad field
// before any work starts.
import { InputError } from '../errors.js';
import { ARCHITECTURES, type Architecture } from '../models.js';
import { boolean, integer, number, oneOf, range, text, type Field } from './config-fields.js';
import { parseDuration } from './duration.js';
import { COSINE_SPANS, type CosineSpan } from './schedules.js';

/**
 * Every field of the training configuration, once: default, check, flag, help, and whether a
 * resumed run may change it. The type, the defaults, the validator, the flags of `mveb-torch
 * train` and the resume rules are derived from it; a field is added here and nowhere else.
 */
export const CONFIG_FIELDS = {
  data: text('', (v) => v !== '', 'must name a dataset (a folder, fashion-mnist or synthetic)', {
    help: 'Images: a folder of class sub-folders, fashion-mnist, synthetic or synthetic:N',
    resume: true,
  }),
  val: text('', () => true, 'must be a path (or empty)', {
    help: 'Labelled images the kNN/linear monitor scores: a folder with the same classes (fashion-mnist: its test split by default)',
    resume: true,
  }),
  arch: oneOf<Architecture>(ARCHITECTURES, 'resnet50', {
    help: 'Backbone: resnet18/34/50/101, vit_small_16, vit_base_16',
  }),
  smallStem: boolean(false, { help: 'ResNet: 3×3 stride-1 stem without max-pool, for 28–64 px images' }),
  initFrom: text('', () => true, 'must be a path (or empty)', {
    help: "Start from these weights: an mveb-torch checkpoint or export, the MVEB authors' checkpoint, a torchvision ResNet or timm ViT state dict",
  }),
  projectorHidden: integer(2048, 1, { help: 'Projector hidden width' }),
  projectorOut: integer(2048, 1, { help: 'Projector output width (the embedding dimension)' }),
  target: oneOf(['ema', 'shared'], 'ema', {
    help: "'ema': a target branch updated by EMA; 'shared': the online branch, detached",
  }),
  emaBase: number(0.996, { min: 0, max: 1, help: 'EMA momentum at step 0 (rises to 1 on a cosine)' }),
  beta: number(0.01, { min: 0, help: 'Weight of the entropy term (the paper: 0.01; collapse below ~0.001)' }),
  epochs: integer(800, 1, { help: 'Epochs over the data' }),
  steps: integer(0, 0, {
    help: 'Total steps instead of epochs (0: epochs × steps per epoch); the schedules span them, warm-up keeps its share of the epochs. --time-budget sets it',
  }),
  timeBudget: text(
    '',
    (v) => parseDuration(v) !== undefined,
    'must be a duration such as 90s, 10m, 8h, 1h30m or 2:00:00 (or none)',
    {
      help: 'Fit the run to this time (10m, 8h): steps timed on this machine (then thrown away) fix --steps so that training, the kNN monitor and the final evaluation end within it; also a deadline that stops, with a checkpoint, a run the machine slowed down',
      resume: true,
    },
  ),
  batchSize: integer(4096, 2, { help: 'Images per step (the global batch of a data-parallel run)' }),
  optimizer: oneOf(['lars', 'sgd'], 'lars', { help: "'lars' (the paper's) or 'sgd'" }),
  baseLr: number(0.4, { min: 0, minExclusive: true, help: 'Learning rate per 256 images (peak = base × batch / 256)' }),
  weightDecay: number(1e-6, { min: 0, help: 'Weight decay (not on biases and norm weights)' }),
  momentum: number(0.9, { min: 0, max: 1, help: 'Optimiser momentum' }),
  trustCoefficient: number(0.001, { min: 0, minExclusive: true, help: 'LARS trust coefficient' }),
  warmupEpochs: integer(10, 0, { help: 'Linear warm-up epochs from lr/1000 to the peak' }),
  cosineSpan: oneOf<CosineSpan>(COSINE_SPANS, 'total', {
    help: "'total': the authors' cosine over all steps; 'after-warmup': over the steps after warm-up, ending at lr/1000",
    // Checkpoints written before the field existed decayed over the steps after warm-up.
    before: 'after-warmup',
  }),
  globalSize: integer(224, 8, { help: 'Side of the 2 global crops, pixels' }),
  localSize: integer(96, 8, { help: 'Side of the local crops, pixels' }),
  localCrops: integer(6, 0, { help: 'Number of local crops (0: the 2 global views only)' }),
  globalScale: range([0.4, 1], 1, { help: 'Area range of global crops, "min,max" of the image' }),
  localScale: range([0.05, 0.4], 1, { help: 'Area range of local crops, "min,max" of the image' }),
  colorAugment: boolean(true, { help: 'Colour jitter, grayscale, blur, solarisation (false: crops and flips only)' }),
  precision: oneOf(['auto', 'fp32', 'fp16', 'bf16'], 'auto', {
    help: "'auto' (bf16 on CUDA, fp32 on CPU), 'fp32', 'bf16', 'fp16' (CUDA, loss scaling)",
  }),
  device: text('auto', (v) => /^(auto|cpu|cuda(:\d+)?)$/.test(v), "must be 'auto', 'cpu', 'cuda' or 'cuda:N'", {
    help: "'auto' (CUDA when present), 'cpu', 'cuda' or 'cuda:N'",
    resume: true,
  }),
  workers: integer(0, 0, { help: 'Data worker threads (0: one per core; at most 4 per core)', resume: true }),
  threads: integer(0, 0, { help: 'LibTorch intra-op threads (0: one per core; at most 4 per core)', resume: true }),
  seed: integer(0, 0, { help: 'Seed of every random choice (initialisation, order, crops, augmentation)' }),
  output: text('runs', (v) => v !== '', 'must be a directory path', {
    help: 'Directory that holds the run directories',
  }),
  name: text('', (v) => !/[/\\]/.test(v), 'must be a plain name (no slashes)', {
    help: 'Run directory name (default: the start time; with --auto-resume, from SLURM or torchrun); never reused unless --auto-resume',
  }),
  checkpointEvery: integer(1, 1, {
    help: 'Write a checkpoint every N epochs (and at the end, Ctrl-C, SIGTERM, --max-steps)',
    resume: true,
  }),
  checkpointEverySteps: integer(0, 0, {
    help: 'Also write a checkpoint every N steps (0: per epoch only): a preempted run loses at most N steps',
    resume: true,
  }),
  autoResume: boolean(false, {
    help: "Run the same command again to continue: resume the named run from its newest checkpoint when it has one, else start it there (the name: --name, SLURM's job id or torchrun's --rdzv_id)",
    resume: true,
  }),
  keepCheckpoints: integer(3, 1, { help: 'Keep the newest N checkpoints', resume: true }),
  knnEvery: integer(0, 0, { help: 'kNN accuracy every N epochs (0: off; needs a labelled test split)', resume: true }),
  knnK: integer(200, 1, { help: 'kNN neighbours' }),
  knnTemperature: number(0.1, { min: 0, minExclusive: true, help: 'kNN vote temperature' }),
  knnTrainImages: integer(0, 0, { help: 'Images of the train split the kNN bank holds (0: all)' }),
  knnTestImages: integer(0, 0, { help: 'Images of the test split the kNN monitor scores (0: all)' }),
  logEvery: integer(10, 1, { help: 'Write a metrics.jsonl line every N steps', resume: true }),
  tensorboard: boolean(true, {
    help: 'Write TensorBoard event files beside metrics.jsonl, the same scalars (tensorboard --logdir runs)',
    resume: true,
  }),
  collapseThreshold: number(0.1, {
    min: 0,
    help: 'Warn of collapse when mean embedding std × √d falls below this',
    resume: true,
  }),
  maxSteps: integer(0, 0, {
    help: 'Stop after this many steps in total (0: no limit); not carried over by --resume',
    resume: true,
  }),
  syncBn: boolean(true, {
    help: 'Data-parallel: batch statistics over the global batch, online and target (SyncBatchNorm)',
  }),
  steinScope: oneOf(['global', 'local'], 'global', {
    help: "Data-parallel: 'global' scores every rank's embeddings (independent of the process count); 'local' each rank's own, as the authors' code",
  }),
  collectiveTimeout: number(30, {
    min: 0,
    minExclusive: true,
    help: 'Data-parallel: seconds after which a collective fails (a dead or hung rank ends the run)',
    resume: true,
  }),
  joinTimeout: number(300, {
    min: 0,
    minExclusive: true,
    help: 'Data-parallel: seconds every rank has to join the job (a rank that never does is named)',
    resume: true,
  }),
  bucketFirstMb: number(1, {
    min: 0,
    minExclusive: true,
    help: 'Data-parallel: size of the first gradient bucket, MiB',
    resume: true,
  }),
  bucketCapMb: number(25, {
    min: 0,
    minExclusive: true,
    help: 'Data-parallel: size of the other gradient buckets, MiB',
    resume: true,
  }),
} satisfies Record<string, Field<unknown>>;

type ValueOf<F> = F extends Field<infer T> ? T : never;

/** The training configuration: every default is the paper's ImageNet recipe (see CONFIG_FIELDS). */
export type TrainConfig = { -readonly [K in keyof typeof CONFIG_FIELDS]: ValueOf<(typeof CONFIG_FIELDS)[K]> };

const fieldNames = Object.keys(CONFIG_FIELDS) as Array<keyof TrainConfig>;

export const defaultConfig: TrainConfig = Object.fromEntries(
  fieldNames.map((name) => [name, structuredClone(CONFIG_FIELDS[name].default)]),
) as TrainConfig;

/**
 * A configuration saved in a checkpoint, completed: a field added since it was written takes what
 * its absence meant then (the field's `before`, by default its default).
 */
export function completeSavedConfig(saved: Partial<TrainConfig>): TrainConfig {
  const complete = { ...saved } as Record<string, unknown>;
  for (const name of fieldNames) complete[name] ??= structuredClone(CONFIG_FIELDS[name].before);
  return complete as TrainConfig;
}

/** What a resumed run may change: where and how fast it runs, what it logs, when it stops. */
export const changeableOnResume: ReadonlyArray<keyof TrainConfig> = fieldNames.filter(
  (name) => CONFIG_FIELDS[name].changeableOnResume,
);

// Ten minutes on any machine: ResNet-18 with the standard stem on 28-px Fashion-MNIST, a narrow
// projector, two global crops only, as many steps as the budget holds (about two epochs on a fast
// 2-core CPU); lr and EMA chosen by the recipe study (bench/results/2026-11-29-demo-recipes.md).
const demo: Partial<TrainConfig> = {
  data: 'fashion-mnist',
  arch: 'resnet18',
  smallStem: false,
  projectorHidden: 512,
  projectorOut: 512,
  epochs: 2,
  batchSize: 128,
  optimizer: 'sgd',
  baseLr: 0.5,
  weightDecay: 1e-4,
  emaBase: 0.99,
  warmupEpochs: 0,
  globalSize: 28,
  localSize: 14,
  localCrops: 0,
  globalScale: [0.4, 1],
  localScale: [0.1, 0.4],
  colorAugment: false,
  knnEvery: 1,
  knnTrainImages: 10000,
  knnTestImages: 2000,
  logEvery: 5,
  checkpointEvery: 1,
  timeBudget: '10m',
};

/** Complete recipes, each a small overlay on the defaults. */
export const presets: Record<'imagenet-r50' | 'small' | 'demo' | 'fmnist-30min', Partial<TrainConfig>> = {
  // The paper's: ResNet-50, 800 epochs, LARS, batch 4096, 2 × 224 + 6 × 96.
  'imagenet-r50': {},
  // Fashion-MNIST/CIFAR-size images: small-image stem, fewer and smaller crops, SGD.
  small: {
    arch: 'resnet18',
    smallStem: true,
    projectorHidden: 2048,
    projectorOut: 2048,
    epochs: 200,
    batchSize: 256,
    optimizer: 'sgd',
    baseLr: 0.1,
    weightDecay: 1e-4,
    warmupEpochs: 5,
    globalSize: 32,
    localSize: 16,
    localCrops: 2,
    globalScale: [0.3, 1],
    localScale: [0.1, 0.3],
    knnEvery: 10,
  },
  demo,
  // Thirty minutes: the demo with two 14-px local crops (the study's best linear probe at that
  // budget, four epochs on a fast 2-core CPU; six epochs without local crops did worse).
  'fmnist-30min': { ...demo, epochs: 4, localCrops: 2, timeBudget: '30m' },
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
    if (!(key in CONFIG_FIELDS)) throw new InputError(`config: unknown field '${key}'`);
  }
  const values = config as Record<string, unknown>;
  for (const name of fieldNames) {
    const why = CONFIG_FIELDS[name].check(values[name]);
    if (why !== null) throw new InputError(`config: ${name} ${why}, got ${JSON.stringify(values[name])}`);
  }
}
