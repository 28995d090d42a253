// `mveb-torch eval knn|linear|transfer`: score any backbone on labelled images, next to the
// raw-pixel and initialisation baselines under the same protocol.
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { knownTestSplit } from '../data/open-dataset.js';
import { InputError } from '../errors.js';
import { evaluate, PROTOCOLS, type EvaluateResult, type Protocol, type ProtocolResult } from '../eval/evaluate.js';
import { logSpace } from '../eval/protocols.js';
import { FORMAT_NAMES } from '../weights/read.js';

interface EvalArgs {
  protocol: string;
  weights: string;
  data: string;
  val?: string;
  branch: string;
  size?: number;
  device?: string;
  workers?: number;
  batchSize?: number;
  baselines: boolean;
  cache: boolean;
  cacheDir?: string;
  ks?: string;
  temperatures?: string;
  epochs?: number;
  l2Values?: number;
  json: boolean;
}

function numberList(text: string | undefined, flag: string): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0))
    throw new InputError(`--${flag} must be positive numbers separated by commas, got '${text}'`);
  return values;
}

const percent = (x: number) => `${(100 * x).toFixed(1)} %`.padStart(7);

function line(name: string, r: ProtocolResult | undefined): string {
  return r ? `${name.padEnd(24)} top-1 ${percent(r.top1)}   top-5 ${percent(r.top5)}` : '';
}

export function formatEvaluation(r: EvaluateResult): string {
  const lines = [
    `weights  ${r.weights.path} (${FORMAT_NAMES[r.weights.format]}), ${r.weights.arch}, ${r.weights.branch} branch`,
    `data     ${r.data.train} (${r.data.trainImages} images) → ${r.data.val} (${r.data.valImages}), ${r.data.classes} classes, ${r.data.size} px`,
    '',
  ];
  // The kNN headline is k 20, T 0.07 (as DINO reports) only when the grid has that pair.
  const knn =
    'knnHeadline' in r.pretrained
      ? `kNN (k ${r.pretrained.knnHeadline.k}, T ${r.pretrained.knnHeadline.temperature})`
      : 'kNN';
  const label: Record<Protocol, string> = { knn, linear: 'linear probe', transfer: 'transfer (L-BFGS)' };
  lines.push(
    `${label[r.protocol]}:`,
    line('  pretrained', r.pretrained),
    line('  at initialisation', r.baselines.initialisation),
    line('  raw pixels', r.baselines.rawPixels),
  );
  if ('knn' in r.pretrained) {
    lines.push(
      '',
      'kNN grid (pretrained):',
      ...r.pretrained.knn.map(
        (g) =>
          `  k ${String(g.k).padStart(3)}, T ${g.temperature.toFixed(2)}   top-1 ${percent(g.top1)}   top-5 ${percent(g.top5)}`,
      ),
    );
  }
  if ('linear' in r.pretrained)
    lines.push(
      '',
      `chosen on a held-out tenth: lr ${r.pretrained.linear.lr}, weight decay ${r.pretrained.linear.weightDecay}`,
    );
  if ('transfer' in r.pretrained)
    lines.push(
      '',
      `chosen on a held-out fifth: L2 ${r.pretrained.transfer.l2.toExponential(1)}, refit on all training images`,
    );
  if (r.cacheHits > 0) lines.push(`(${r.cacheHits} feature set(s) from the cache)`);
  return lines.filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n');
}

/** One stderr line per stage; on a terminal, the line updates with the ETA. */
function progressPrinter(): (p: { stage: string; done: number; total: number }) => void {
  let stage = '';
  let started = 0;
  return ({ stage: now, done, total }) => {
    if (now !== stage) {
      if (stage && process.stderr.isTTY) process.stderr.write('\n');
      stage = now;
      started = performance.now();
      if (!process.stderr.isTTY) process.stderr.write(`${now}\n`);
    }
    if (!process.stderr.isTTY || total <= 1) return;
    const seconds = (performance.now() - started) / 1000;
    const eta = done > 0 ? (seconds / done) * (total - done) : 0;
    process.stderr.write(`\r${now}: ${done}/${total} batches, ${seconds.toFixed(0)} s, ETA ${eta.toFixed(0)} s   `);
  };
}

export function register(yargs: Argv): Argv {
  return yargs.command(
    'eval <protocol> <weights>',
    'Score a backbone: kNN, linear probe or the transfer protocol, next to raw pixels and the backbone at initialisation',
    (y) =>
      y
        .positional('protocol', { type: 'string', choices: PROTOCOLS, demandOption: true })
        .positional('weights', {
          type: 'string',
          demandOption: true,
          describe: 'A checkpoint, a run directory or any file inspect knows',
        })
        .option('data', {
          type: 'string',
          demandOption: true,
          describe: 'Training images: a folder of class sub-folders, or fashion-mnist',
        })
        .option('val', {
          type: 'string',
          describe:
            'Images scored: a folder with the same classes, or fashion-mnist:test (the default for fashion-mnist)',
        })
        .option('branch', { type: 'string', choices: ['online', 'target'], default: 'online' })
        .option('size', {
          type: 'number',
          describe: "Side of the evaluation view (default: the run's global crop size, else 224)",
        })
        .option('device', { type: 'string', describe: "'cpu' (default) or 'cuda[:N]'" })
        .option('workers', { type: 'number', describe: 'Data worker threads (default: one per core)' })
        .option('batch-size', { type: 'number', describe: 'Images per feature batch (default 256)' })
        .option('baselines', {
          type: 'boolean',
          default: true,
          describe: 'Also score raw pixels and the backbone at initialisation (--no-baselines: not)',
        })
        .option('cache', {
          type: 'boolean',
          default: true,
          describe: 'Keep features on disk for the next run (--no-cache: not)',
        })
        .option('cache-dir', {
          type: 'string',
          describe: 'Where features are kept (default ~/.cache/mveb-torch/features)',
        })
        .option('ks', { type: 'string', describe: 'kNN: neighbour counts (default 10,20,100,200)' })
        .option('temperatures', { type: 'string', describe: 'kNN: vote temperatures (default 0.07,0.1)' })
        .option('epochs', { type: 'number', describe: 'linear: epochs of SGD (default 90)' })
        .option('l2-values', {
          type: 'number',
          describe: "transfer: how many L2 strengths, log-spaced 1e-6…1e5 (default 45, the paper's)",
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object (for machines)' })
        .example('$0 eval knn runs/demo --data fashion-mnist', 'kNN of the newest checkpoint on its test split')
        .example(
          '$0 eval transfer r50.pth --data ./cars/train --val ./cars/test',
          "the paper's transfer protocol on a torchvision ResNet-50",
        ),
    async (args: ArgumentsCamelCase<EvalArgs>) => {
      const ks = numberList(args.ks, 'ks');
      const temperatures = numberList(args.temperatures, 'temperatures');
      if (args.l2Values !== undefined && !(Number.isInteger(args.l2Values) && args.l2Values >= 1))
        throw new InputError(`--l2-values must be an integer >= 1, got ${args.l2Values}`);
      // A dataset with a known test split is scored on it, as the training monitor does.
      const val = args.val ?? knownTestSplit(args.data);
      if (!val)
        throw new InputError(`eval: --val is needed for ${args.data} (only fashion-mnist has a known test split)`);
      const result = await evaluate({
        protocol: args.protocol as Protocol,
        weights: args.weights,
        data: args.data,
        val,
        branch: args.branch as 'online' | 'target',
        baselines: args.baselines,
        cacheDir: args.cache ? (args.cacheDir ?? undefined) : false,
        ...(args.size !== undefined && { size: args.size }),
        ...(args.device && { device: args.device }),
        ...(args.workers !== undefined && { workers: args.workers }),
        ...(args.batchSize !== undefined && { batchSize: args.batchSize }),
        knn: { ...(ks && { ks }), ...(temperatures && { temperatures }) },
        linear: { ...(args.epochs !== undefined && { epochs: args.epochs }) },
        transfer: { ...(args.l2Values !== undefined && { l2s: logSpace(-6, 5, args.l2Values) }) },
        onProgress: progressPrinter(),
      });
      process.stdout.write((args.json ? JSON.stringify(result, null, 2) : formatEvaluation(result)) + '\n');
    },
  );
}
