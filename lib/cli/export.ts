// `mveb-torch export`: a checkpoint's backbone as torchvision, timm or Detectron2 weights.
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { EXPORT_FORMATS, exportWeights, type ExportFormat, type ExportResult } from '../weights/export.js';
import { FORMAT_NAMES } from '../weights/read.js';

interface ExportArgs {
  weights: string;
  format: string;
  out?: string;
  branch: string;
  withProjector: boolean;
  force: boolean;
  json: boolean;
}

export function formatExport(r: ExportResult): string {
  const lines = [
    `read     ${r.source} (${FORMAT_NAMES[r.sourceFormat]})`,
    `wrote    ${r.out}: ${r.arch} ${r.branch} ${r.format} weights, ${r.tensors} tensors, ${(r.parameters / 1e6).toFixed(2)}M parameters`,
    ...(r.unused.length ? [`not used ${r.unused.join(', ')}`] : []),
    '',
    ...r.notes,
  ];
  if (r.config) lines.push('', ...r.config);
  return lines.join('\n');
}

export function register(yargs: Argv): Argv {
  return yargs.command(
    'export <weights>',
    'Write a backbone as torchvision, timm or Detectron2 weights, or as an ONNX model',
    (y) =>
      y
        .positional('weights', {
          type: 'string',
          demandOption: true,
          describe: 'A checkpoint, a run directory (its newest checkpoint) or any file inspect knows',
        })
        .option('format', {
          type: 'string',
          choices: EXPORT_FORMATS,
          demandOption: true,
          describe:
            'torchvision (ResNet .pth), timm (ViT .pth), detectron2 (ResNet .pkl), onnx (the backbone of any architecture, for onnxruntime)',
        })
        .option('out', {
          type: 'string',
          describe: 'The file to write (default: beside the checkpoint, <name>.<format>.pth|pkl)',
        })
        .option('branch', {
          type: 'string',
          choices: ['online', 'target'],
          default: 'online',
          describe: 'Which branch: the online one or the EMA target',
        })
        .option('with-projector', {
          type: 'boolean',
          default: false,
          describe: 'Also write the projector, as projector.* (torchvision, timm)',
        })
        .option('force', { type: 'boolean', default: false, describe: 'Replace --out if it exists' })
        .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object (for machines)' })
        .example('$0 export runs/my-run --format detectron2 --out r50.pkl', 'the newest checkpoint, for Detectron2')
        .example(
          '$0 export checkpoint_199.pth.tar --format torchvision',
          "the MVEB authors' checkpoint, for torchvision",
        ),
    async (args: ArgumentsCamelCase<ExportArgs>) => {
      const result = await exportWeights(args.weights, {
        format: args.format as ExportFormat,
        branch: args.branch as 'online' | 'target',
        withProjector: args.withProjector,
        force: args.force,
        ...(args.out !== undefined && { out: args.out }),
      });
      process.stdout.write((args.json ? JSON.stringify(result, null, 2) : formatExport(result)) + '\n');
    },
  );
}
