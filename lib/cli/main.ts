// The `mveb-torch` command line: one file per command under cli/.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../errors.js';
import { NativeAddonError } from '../native.js';
import { register as registerBuild } from './build.js';
import { register as registerData } from './data.js';
import { register as registerEval } from './eval.js';
import { register as registerExport } from './export.js';
import { register as registerInfo } from './info.js';
import { register as registerInspect } from './inspect.js';
import { register as registerReport } from './report.js';
import { register as registerTrain } from './train.js';

export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  const commands = [
    registerInfo,
    registerData,
    registerTrain,
    registerEval,
    registerReport,
    registerExport,
    registerInspect,
    registerBuild,
  ];
  const cli = commands
    .reduce((y, register) => register(y), yargs(argv).scriptName('mveb-torch'))
    .demandCommand(1, 'Name a command (see --help).')
    .strict()
    .help()
    .fail((message, error, y) => {
      if (error) throw error;
      process.stderr.write(`${y.help()}\n\n${message}\n`);
      process.exit(2);
    });
  try {
    await cli.parseAsync();
  } catch (err) {
    // Known failures get their message, not a stack trace.
    if (err instanceof NativeAddonError || err instanceof InputError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
