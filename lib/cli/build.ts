// `mveb-torch build`: the source build, for a LibTorch that no installed prebuild fits.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { buildAddon } from '../addon/build.js';

export function register(yargs: Argv): Argv {
  return yargs.command(
    'build',
    'Compile the native addon against the LibTorch found (for a LibTorch no prebuild fits; needs cmake and g++)',
    (y) => y.option('jobs', { type: 'number', default: availableParallelism(), describe: 'Parallel compile jobs' }),
    async (args: ArgumentsCamelCase<{ jobs: number }>) => {
      const log = (line: string) => process.stdout.write(`${line}\n`);
      const result = await buildAddon({ jobs: args.jobs, log });
      // Proven by loading it in a fresh process, as every later command will.
      const check = spawnSync(process.execPath, [process.argv[1]!, 'info'], { encoding: 'utf8' });
      if (check.status !== 0) {
        process.stderr.write(check.stderr);
        process.exit(1);
      }
      log(`mveb-torch build: done in ${result.seconds.toFixed(0)} s; \`mveb-torch info\` now reports:`);
      process.stdout.write(check.stdout);
    },
  );
}
