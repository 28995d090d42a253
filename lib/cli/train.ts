// `mveb-torch train`: pre-train a backbone with MVEB. Configuration from --preset, a
// YAML/JSON --config file and flags (flags win), validated before any work starts.
import { constants as osConstants } from 'node:os';
import { readFile } from 'node:fs/promises';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { parse } from 'yaml';
import { worldFromEnvironment } from '../distributed/environment.js';
import { InputError } from '../errors.js';
import { parseFlag, type Field } from '../train/config-fields.js';
import { CONFIG_FIELDS, changeableOnResume, presets, type TrainConfig } from '../train/config.js';
import { Trainer, type TrainEvent } from '../train/trainer.js';
import { ProgressPrinter } from './progress.js';

// Flags named after the config fields (lib/train/config.ts), in kebab case; ranges as "min,max".
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const commandOptions = ['preset', 'config', 'resume', 'quiet', 'json', 'nprocPerNode'] as const;

export function register(yargs: Argv): Argv {
  return yargs.command(
    'train',
    "Pre-train a backbone with MVEB (defaults: the paper's ImageNet recipe)",
    (y) => {
      let builder = y
        .usage(
          '$0 train --data <images> [--preset demo|fmnist-30min|small|imagenet-r50] [--config file.yaml] [--<field> value ...]',
        )
        .example(
          '$0 train --preset demo',
          'ten minutes on any machine (its time budget): Fashion-MNIST, kNN before/after',
        )
        .example('$0 train --preset fmnist-30min', 'thirty minutes: the demo with two local crops')
        .example('$0 train --preset small --data ./images --time-budget 8h', 'as many steps as fit in eight hours')
        .example('$0 train --data ./imagenet/train --arch resnet50 --batch-size 256', "the paper's recipe at batch 256")
        .example('$0 train --resume runs/2026-11-28_10-00-00', 'continue a run from its newest checkpoint')
        .example(
          '$0 train --data ./train --name r50 --auto-resume --checkpoint-every-steps 500',
          'run it again after a preemption: it continues from the newest checkpoint',
        )
        .epilogue(
          `Ctrl-C, SIGTERM or SIGUSR1 (SLURM's warning) finishes the step in progress, writes a checkpoint and exits 0; a second one quits at once. ` +
            `With --resume, only these fields may change: ${changeableOnResume.map((f) => `--${kebab(f)}`).join(', ')} ` +
            "(--max-steps is not carried over); the others are the checkpoint's. Each flag may be given once.",
        )
        .option('preset', {
          type: 'string',
          choices: Object.keys(presets),
          describe: 'A complete recipe to start from',
        })
        .option('config', { type: 'string', describe: 'YAML or JSON file of config fields (flags override it)' })
        .option('resume', { type: 'string', describe: 'A checkpoint, or a run directory (its newest checkpoint)' })
        .option('quiet', { type: 'boolean', default: false, describe: 'Only warnings and the final summary' })
        .option('json', { type: 'boolean', default: false, describe: 'One JSON object per event on stdout' })
        .option('nproc-per-node', {
          type: 'number',
          string: true,
          describe: 'Data-parallel: start N processes on this machine (Gloo on CPU); --batch-size is the global batch',
        });
      for (const [name, field] of Object.entries(CONFIG_FIELDS) as Array<[keyof TrainConfig, Field<unknown>]>) {
        builder = builder.option(kebab(name), {
          // Help says [number]; yargs keeps the text (`string`) and parseFlag reads it, so that a
          // typo is echoed as typed rather than as NaN.
          type: field.flag === 'boolean' ? 'boolean' : field.flag === 'number' ? 'number' : 'string',
          ...(field.flag === 'number' && { string: true }),
          group: "Recipe (defaults: the paper's ImageNet recipe; presets change some):",
          describe: `${field.help} (default ${JSON.stringify(field.default)})`,
        });
      }
      return builder;
    },
    async (args: ArgumentsCamelCase<Record<string, unknown>>) => {
      for (const name of [...commandOptions, ...Object.keys(CONFIG_FIELDS)]) {
        const given = args[name];
        if (Array.isArray(given)) {
          throw new InputError(
            `--${kebab(name)} was given ${given.length} times (${given.join(', ')}): give each flag once`,
          );
        }
      }
      const flags: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(CONFIG_FIELDS) as Array<[string, Field<unknown>]>) {
        const given = args[name];
        if (given === undefined) continue;
        flags[name] = typeof given === 'string' ? parseFlag(given, field.flag) : given;
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
      // Rank 0 speaks for a data-parallel run; the others only fail loudly.
      const printer = new ProgressPrinter({
        quiet: Boolean(args.quiet),
        json: Boolean(args.json),
        silent: Boolean(world && world.rank > 0),
      });
      // Clusters pre-empt with SIGTERM (Kubernetes waits 30 s, then kills), SLURM warns with the
      // signal of `sbatch --signal=USR1@90`: each stops the run as Ctrl-C does, and the requeued
      // job continues it (autoResume). A second signal quits at once; the last checkpoint is
      // intact either way.
      const stopSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGUSR1'];
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (++signals > 1) process.exit(128 + osConstants.signals[signal]);
        const again = signal === 'SIGINT' ? 'Ctrl-C again' : `a second ${signal}`;
        process.stderr.write(
          `\nmveb-torch: ${signal}: finishing the step and writing a checkpoint (${again} to quit now)\n`,
        );
        trainer.stop();
      };
      for (const signal of stopSignals) process.on(signal, onSignal);
      try {
        for await (const event of trainer.run()) printer.print(event as TrainEvent);
      } finally {
        for (const signal of stopSignals) process.off(signal, onSignal);
        printer.close();
      }
    },
  );
}

function processCount(value: unknown): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(`--nproc-per-node must be an integer >= 1, got ${JSON.stringify(value)}`);
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
    const value = parse(text) as unknown; // YAML is a superset of JSON
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a mapping of fields');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`config file ${path}: ${(error as Error).message}`);
  }
}
