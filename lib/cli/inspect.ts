// `mveb-torch inspect`: what a weights file holds.
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { formatSummary, inspectWeights } from '../weights/inspect.js';

export function register(yargs: Argv): Argv {
  return yargs.command(
    'inspect <weights>',
    'Say what a weights file is: format, architecture, branches, parameters, epoch and step',
    (y) =>
      y
        .positional('weights', {
          type: 'string',
          demandOption: true,
          describe: "A checkpoint, a run directory, a torchvision/timm state dict, the MVEB authors' checkpoint",
        })
        .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object (for machines)' }),
    async (args: ArgumentsCamelCase<{ weights: string; json: boolean }>) => {
      const summary = await inspectWeights(args.weights);
      process.stdout.write((args.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)) + '\n');
    },
  );
}
