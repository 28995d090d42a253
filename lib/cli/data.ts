// `mveb-torch data`: runs the multi-crop pipeline over a dataset without training — how
// fast it is on this machine, and which files it had to skip.
import { availableParallelism } from 'node:os';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { setNumThreads } from '../info.js';
import { DataLoader, describeSkipped, type EpochReport } from '../data/loader.js';
import { multiCropViews } from '../data/multicrop.js';
import { namedDatasets, openDataset } from '../data/open-dataset.js';

interface DataArgs {
  data: string;
  batchSize: number;
  workers: number;
  epochs: number;
  maxBatches: number;
  globalSize: number;
  localSize: number;
  localCrops: number;
  seed: number;
  device: string;
  json: boolean;
}

export function register(yargs: Argv): Argv {
  return yargs.command(
    'data <data>',
    'Run the multi-crop data pipeline over a dataset (no training): images/s and skipped files',
    (y) =>
      y
        .positional('data', {
          type: 'string',
          demandOption: true,
          describe: `A folder of class sub-folders of images, or one of: ${namedDatasets.join(', ')}`,
        })
        .option('batch-size', { type: 'number', default: 64, describe: 'Images per batch' })
        .option('workers', { type: 'number', default: availableParallelism(), describe: 'View worker threads' })
        .option('epochs', { type: 'number', default: 1 })
        .option('max-batches', {
          type: 'number',
          default: 0,
          describe: 'Stop each epoch after this many batches (0: all)',
        })
        .option('global-size', { type: 'number', default: 224 })
        .option('local-size', { type: 'number', default: 96 })
        .option('local-crops', { type: 'number', default: 6 })
        .option('seed', { type: 'number', default: 0 })
        .option('device', { type: 'string', default: 'cpu', describe: 'Where the photometric augmentation runs' })
        .option('json', { type: 'boolean', default: false, describe: 'One JSON line per epoch' }),
    async (args: ArgumentsCamelCase<DataArgs>) => {
      await setNumThreads(args.workers);
      const dataset = await openDataset(args.data);
      const views = multiCropViews({
        globalSize: args.globalSize,
        localSize: args.localSize,
        localCrops: args.localCrops,
      });
      const loader = new DataLoader({
        dataset,
        batchSize: args.batchSize,
        views,
        workers: args.workers,
        seed: args.seed,
        device: args.device,
        dropLast: false,
      });
      if (!args.json) {
        process.stdout.write(
          `${dataset.description}: ${dataset.length} images` +
            (dataset.classes.length ? ` in ${dataset.classes.length} classes` : '') +
            `; ${views.length} views per image, ${args.workers} workers\n`,
        );
      }
      try {
        for (let epoch = 0; epoch < args.epochs; epoch++) {
          const run = loader.epoch(epoch);
          for await (const batch of run) {
            if (args.maxBatches > 0 && batch.index + 1 >= args.maxBatches) break;
          }
          report(run.report, args);
        }
      } finally {
        await loader.close();
      }
    },
  );
}

function report(r: EpochReport, args: DataArgs): void {
  const perSecond = r.images / r.seconds;
  if (args.json) {
    process.stdout.write(
      JSON.stringify({ ...r, imagesPerSecond: perSecond, imagesPerSecondPerCore: perSecond / args.workers }) + '\n',
    );
    return;
  }
  process.stdout.write(
    `epoch ${r.epoch}: ${r.images} images in ${r.seconds.toFixed(1)} s ` +
      `(${perSecond.toFixed(1)} images/s, ${(perSecond / args.workers).toFixed(1)} per worker), ` +
      `${r.skipped} skipped\n`,
  );
  const skipped = describeSkipped(r);
  if (skipped) process.stdout.write(`${skipped}\n`);
}
