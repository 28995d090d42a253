// `mveb-torch report <run-dir>`: report.html and report.png of a run.
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { writeReport } from '../report/write.js';

export function register(yargs: Argv): Argv {
  return yargs.command(
    'report <run>',
    'Write report.html (self-contained) and report.png of a run: loss, alignment, lr and EMA, accuracy with baselines, embedding health, throughput',
    (y) => y.positional('run', { type: 'string', demandOption: true, describe: 'A run directory' }),
    async (args: ArgumentsCamelCase<{ run: string }>) => {
      const files = await writeReport(args.run);
      process.stdout.write(`${files.html}\n${files.png} (${files.charts.length} charts: ${files.charts.join('; ')})\n`);
    },
  );
}
