// `mveb-torch train`: pre-train a backbone with MVEB. Configuration from --preset, a
// YAML/JSON --config file and flags (flags win), validated before any work starts.
import { readFile } from 'node:fs/promises';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { parse } from 'yaml';
import { worldFromEnvironment } from '../distributed/environment.js';
import { exitWithLauncher } from '../distributed/launcher.js';
import { InputError } from '../errors.js';
import { defaultConfig, presets, type TrainConfig } from '../train/config.js';
import { changeableOnResume } from '../train/preflight.js';
import { Trainer, type TrainEvent } from '../train/trainer.js';
import { ProgressPrinter } from './progress.js';

// Flags named after the config fields, in kebab case; ranges as "min,max".
const descriptions: Record<keyof TrainConfig, string> = {
  data: 'Images: a folder of class sub-folders, fashion-mnist, synthetic or synthetic:N',
  val: 'Labelled images the kNN/linear monitor scores: a folder with the same classes (fashion-mnist: its test split by default)',
  arch: 'Backbone: resnet18/34/50/101, vit_small_16, vit_base_16',
  smallStem: 'ResNet: 3×3 stride-1 stem without max-pool, for 28–64 px images',
  initFrom: "Start from these weights: an mveb-torch checkpoint or export, the MVEB authors' checkpoint, a torchvision ResNet or timm ViT state dict",
  projectorHidden: 'Projector hidden width',
  projectorOut: 'Projector output width (the embedding dimension)',
  target: "'ema': a target branch updated by EMA; 'shared': the online branch, detached",
  emaBase: 'EMA momentum at step 0 (rises to 1 on a cosine)',
  beta: 'Weight of the entropy term (collapse below ~0.001)',
  epochs: 'Epochs over the data',
  batchSize: 'Images per step',
  optimizer: "'lars' (the paper's) or 'sgd'",
  baseLr: 'Learning rate per 256 images (peak = base × batch / 256)',
  weightDecay: 'Weight decay (not on biases and norm weights)',
  momentum: 'Optimiser momentum',
  trustCoefficient: 'LARS trust coefficient',
  warmupEpochs: 'Linear warm-up epochs from lr/1000 to the peak',
  cosineSpan: "'total': the authors' cosine over all steps; 'after-warmup': over the steps after warm-up, ending at lr/1000",
  globalSize: 'Side of the 2 global crops, pixels',
  localSize: 'Side of the local crops, pixels',
  localCrops: 'Number of local crops (0: the 2 global views only)',
  globalScale: 'Area range of global crops, "min,max" of the image',
  localScale: 'Area range of local crops, "min,max" of the image',
  colorAugment: 'Colour jitter, grayscale, blur, solarisation (false: crops and flips only)',
  precision: "'auto' (bf16 on CUDA, fp32 on CPU), 'fp32', 'bf16', 'fp16' (CUDA, loss scaling)",
  device: "'auto' (CUDA when present), 'cpu', 'cuda' or 'cuda:N'",
  workers: 'Data worker threads (0: one per core; at most 4 per core)',
  threads: 'LibTorch intra-op threads (0: one per core; at most 4 per core)',
  seed: 'Seed of every random choice (initialisation, order, crops, augmentation)',
  output: 'Directory that holds the run directories',
  name: 'Run directory name (default: the start time); never reused',
  checkpointEvery: 'Write a checkpoint every N epochs (and at the end, Ctrl-C, SIGTERM, --max-steps)',
  keepCheckpoints: 'Keep the newest N checkpoints',
  knnEvery: 'kNN accuracy every N epochs (0: off; Fashion-MNIST only)',
  knnK: 'kNN neighbours',
  knnTemperature: 'kNN vote temperature',
  knnTrainImages: 'Images of the train split the kNN bank holds (0: all)',
  knnTestImages: 'Images of the test split the kNN monitor scores (0: all)',
  logEvery: 'Write a metrics.jsonl line every N steps',
  collapseThreshold: 'Warn of collapse when mean embedding std × √d falls below this',
  maxSteps: 'Stop after this many steps in total (0: no limit); not carried over by --resume',
  syncBn: 'Data-parallel: batch statistics over the global batch, online and target (SyncBatchNorm)',
  steinScope: "Data-parallel: 'global' scores every rank's embeddings (independent of the process count); 'local' each rank's own, as the authors' code",
  collectiveTimeout: 'Data-parallel: seconds after which a collective fails (a dead or hung rank ends the run)',
  bucketFirstMb: 'Data-parallel: size of the first gradient bucket, MiB',
  bucketCapMb: 'Data-parallel: size of the other gradient buckets, MiB',
};

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

// What the user typed for a field, as the config value: numbers and ranges parsed, text that
// does not parse kept as typed so the refusal can echo it.
function fieldValue(text: string, kind: unknown): unknown {
  if (Array.isArray(kind)) {
    const parts = text.split(',').map((p) => p.trim());
    return parts.every((p) => p !== '' && Number.isFinite(Number(p))) ? parts.map(Number) : text;
  }
  if (typeof kind === 'number') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  return text;
}

const commandOptions = ['preset', 'config', 'resume', 'quiet', 'json', 'nprocPerNode'] as const;

export function register(yargs: Argv): Argv {
  return yargs.command(
    'train',
    'Pre-train a backbone with MVEB (defaults: the paper\'s ImageNet recipe)',
    (y) => {
      let builder = y
        .usage('$0 train --data <images> [--preset demo|fmnist-30min|small|imagenet-r50] [--config file.yaml] [--<field> value ...]')
        .example('$0 train --preset demo', 'ten minutes on a 2-core CPU: Fashion-MNIST, kNN before/after')
        .example('$0 train --preset fmnist-30min', 'thirty minutes: the demo with two local crops, four epochs')
        .example('$0 train --data ./imagenet/train --arch resnet50 --batch-size 256', "the paper's recipe at batch 256")
        .example('$0 train --resume runs/2026-11-28_10-00-00', 'continue a run from its newest checkpoint')
        .epilogue(
          `Ctrl-C or SIGTERM finishes the step in progress, writes a checkpoint and exits 0; a second one quits at once. ` +
            `With --resume, only these fields may change: ${changeableOnResume.map((f) => `--${kebab(f)}`).join(', ')} ` +
            '(--max-steps is not carried over); the others are the checkpoint\'s. Each flag may be given once.',
        )
        .option('preset', { type: 'string', choices: Object.keys(presets), describe: 'A complete recipe to start from' })
        .option('config', { type: 'string', describe: 'YAML or JSON file of config fields (flags override it)' })
        .option('resume', { type: 'string', describe: 'A checkpoint, or a run directory (its newest checkpoint)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'Only warnings and the final summary' })
        .option('json', { type: 'boolean', default: false, describe: 'One JSON object per event on stdout' })
        .option('nproc-per-node', {
          type: 'string',
          describe: 'Data-parallel: start N processes on this machine (Gloo on CPU); --batch-size is the global batch',
        });
      for (const [field, value] of Object.entries(defaultConfig) as Array<[keyof TrainConfig, unknown]>) {
        builder = builder.option(kebab(field), {
          // Numbers are parsed here, so that a typo is echoed as typed.
          type: typeof value === 'boolean' ? 'boolean' : 'string',
          group: 'Recipe (defaults: the paper\'s ImageNet recipe; presets change some):',
          describe: `${descriptions[field]} (default ${JSON.stringify(value)})`,
        });
      }
      return builder;
    },
    async (args: ArgumentsCamelCase<Record<string, unknown>>) => {
      for (const name of [...commandOptions, ...Object.keys(defaultConfig)]) {
        const given = args[name];
        if (Array.isArray(given)) {
          throw new InputError(`--${kebab(name)} was given ${given.length} times (${given.join(', ')}): give each flag once`);
        }
      }
      const flags: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(defaultConfig)) {
        const given = args[field];
        if (given === undefined) continue;
        flags[field] = typeof given === 'string' ? fieldValue(given, value) : given;
      }
      const file = args.config ? await readConfigFile(String(args.config)) : {};
      // With --nproc-per-node the Trainer starts the workers (after checking the configuration
      // once, here) and yields rank 0's events; a worker finds its rank in the environment.
      const trainer = new Trainer({ ...file, ...flags } as Partial<TrainConfig>, {
        ...(args.preset !== undefined && { preset: String(args.preset) }),
        ...(args.resume !== undefined && { resume: String(args.resume) }),
        nprocPerNode: processCount(args.nprocPerNode),
      });
      const world = worldFromEnvironment();
      exitWithLauncher();
      // Rank 0 speaks for a data-parallel run; the others only fail loudly.
      const printer = new ProgressPrinter({ quiet: Boolean(args.quiet), json: Boolean(args.json), silent: Boolean(world && world.rank > 0) });
      // Clusters pre-empt with SIGTERM (Kubernetes waits 30 s, then kills): it stops the run as
      // Ctrl-C does. A second signal quits at once; the last checkpoint is intact either way.
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (++signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
        const again = signal === 'SIGINT' ? 'Ctrl-C again' : `a second ${signal}`;
        process.stderr.write(`\nmveb-torch: ${signal}: finishing the step and writing a checkpoint (${again} to quit now)\n`);
        trainer.stop();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        for await (const event of trainer.run()) printer.print(event as TrainEvent);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        printer.close();
      }
    },
  );
}

function processCount(value: unknown): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--nproc-per-node must be an integer >= 1, got ${JSON.stringify(value)}`);
  return n;
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(`config file not found: ${path}`);
  }
  try {
    const value = parse(text) as unknown;  // YAML is a superset of JSON
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a mapping of fields');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`config file ${path}: ${(error as Error).message}`);
  }
}
