// `mveb-torch train`: pre-train a backbone with MVEB. Configuration from --preset, a
// YAML/JSON --config file and flags (flags win), validated before any work starts.
import { readFile } from 'node:fs/promises';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { parse } from 'yaml';
import { InputError } from '../errors.js';
import { defaultConfig, presets, type TrainConfig } from '../train/config.js';
import { Trainer, type TrainEvent } from '../train/trainer.js';
import { ProgressPrinter } from './progress.js';

// Flags named after the config fields, in kebab case; ranges as "min,max".
const descriptions: Partial<Record<keyof TrainConfig, string>> = {
  data: 'Images: a folder of class sub-folders, fashion-mnist, or synthetic',
  arch: 'Backbone: resnet18/34/50/101, vit_small_16, vit_base_16',
  epochs: 'Epochs over the data',
  batchSize: 'Images per step',
  baseLr: 'Learning rate per 256 images (peak = base × batch / 256)',
  beta: 'Weight of the entropy term',
  device: "'auto' (CUDA when present), 'cpu', 'cuda' or 'cuda:N'",
  output: 'Directory that holds the run directories',
  name: 'Run directory name (default: the start time)',
  knnEvery: 'kNN accuracy every N epochs (0: off; Fashion-MNIST only)',
  maxSteps: 'Stop after this many steps (0: no limit)',
};

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function register(yargs: Argv): Argv {
  return yargs.command(
    'train',
    'Pre-train a backbone with MVEB (defaults: the paper\'s ImageNet recipe)',
    (y) => {
      let builder = y
        .usage('$0 train --data <images> [--preset demo|small|imagenet-r50] [--config file.yaml] [--<field> value ...]')
        .example('$0 train --preset demo', 'ten minutes on a 2-core CPU: Fashion-MNIST, kNN before/after')
        .example('$0 train --data ./imagenet/train --arch resnet50 --batch-size 256', "the paper's recipe at batch 256")
        .example('$0 train --resume runs/2026-11-28_10-00-00', 'continue a run from its newest checkpoint')
        .option('preset', { type: 'string', choices: Object.keys(presets), describe: 'A complete recipe to start from' })
        .option('config', { type: 'string', describe: 'YAML or JSON file of config fields (flags override it)' })
        .option('resume', { type: 'string', describe: 'A checkpoint, or a run directory (its newest checkpoint)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'Only warnings and the final summary' })
        .option('json', { type: 'boolean', default: false, describe: 'One JSON object per event on stdout' });
      for (const [field, value] of Object.entries(defaultConfig) as Array<[keyof TrainConfig, unknown]>) {
        const type = typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
        builder = builder.option(kebab(field), {
          type,
          group: 'Recipe (defaults: the paper\'s ImageNet recipe; presets change some):',
          describe: descriptions[field] ?? `default ${JSON.stringify(value)}`,
        });
      }
      return builder;
    },
    async (args: ArgumentsCamelCase<Record<string, unknown>>) => {
      const flags: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(defaultConfig)) {
        const given = args[field];
        if (given === undefined) continue;
        flags[field] = Array.isArray(value) ? String(given).split(',').map(Number) : given;
      }
      const file = args.config ? await readConfigFile(String(args.config)) : {};
      const trainer = new Trainer({ ...file, ...flags } as Partial<TrainConfig>, {
        ...(args.preset !== undefined && { preset: String(args.preset) }),
        ...(args.resume !== undefined && { resume: String(args.resume) }),
      });
      const printer = new ProgressPrinter({ quiet: Boolean(args.quiet), json: Boolean(args.json) });
      let interrupts = 0;
      const onInterrupt = () => {
        if (++interrupts > 1) process.exit(130);
        process.stderr.write('\nmveb-torch: finishing the step and writing a checkpoint (Ctrl-C again to quit now)\n');
        trainer.stop();
      };
      process.on('SIGINT', onInterrupt);
      try {
        for await (const event of trainer.run()) printer.print(event as TrainEvent);
      } finally {
        process.off('SIGINT', onInterrupt);
        printer.close();
      }
    },
  );
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
