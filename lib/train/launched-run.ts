// `new Trainer(config, { nprocPerNode: N }).run()`: N worker processes on this machine (the
// CLI's launcher, on a config file of this run's fields); rank 0's events, which it writes as
// JSON lines, are this run's events. stop() asks every rank to finish its step and checkpoint.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal } from '../distributed/launcher.js';
import { InputError } from '../errors.js';
import { packageRoot } from '../native.js';
import type { TrainConfig } from './config.js';
import type { TrainEvent } from './events.js';

export async function* launchedRun(
  given: Partial<TrainConfig>,
  options: { nprocPerNode: number; resume?: string; signal: AbortSignal },
): AsyncGenerator<TrainEvent> {
  const dir = await mkdtemp(join(tmpdir(), 'mveb-launch-'));
  try {
    const configFile = join(dir, 'config.json');
    await writeFile(configFile, JSON.stringify(given));
    const queue: TrainEvent[] = [];
    let wake: (() => void) | undefined;
    const job = await startLocal({
      nprocPerNode: options.nprocPerNode,
      script: join(packageRoot, 'bin', 'mveb-torch.js'),
      args: ['train', '--config', configFile, '--json', ...(options.resume ? ['--resume', options.resume] : [])],
      log: () => {}, // a failure is this run's error, thrown below
      rank0Stdout: (line) => {
        if (!line.startsWith('{')) return;
        queue.push(JSON.parse(line) as TrainEvent);
        wake?.();
      },
    });
    const onAbort = () => job.stop();
    options.signal.addEventListener('abort', onAbort);
    let finished: { code: number; failure?: string } | undefined;
    void job.done.then((result) => {
      finished = result;
      wake?.();
    });
    try {
      while (true) {
        if (queue.length) {
          yield queue.shift()!;
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      // A consumer leaving the loop early ends the workers too.
      if (!finished) {
        job.stop();
        await job.done;
      }
    }
    if (finished.code !== 0) throw new InputError(finished.failure ?? 'data-parallel run failed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
