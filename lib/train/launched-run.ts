// `new Trainer(config, { nprocPerNode: N }).run()` and `mveb-torch train --nproc-per-node N`: N
// worker processes on this machine (lib/train/worker.ts, forked by the launcher), each given
// this run's fields; rank 0's events, sent over IPC, are this run's events, and a worker's error
// is thrown here as the same class with the worker's stack. stop() asks every rank to finish its
// step and checkpoint.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startLocal, type JobResult } from '../distributed/launcher.js';
import { FileError, InputError, NativeAddonError } from '../errors.js';
import type { TrainConfig } from './config.js';
import type { TrainEvent } from './events.js';
import type { WorkerJob, WorkerMessage } from './worker-messages.js';

/** The worker module beside this one: worker.js when compiled, worker.ts under a TypeScript loader. */
function workerModule(): string {
  const compiled = fileURLToPath(new URL('./worker.js', import.meta.url));
  return existsSync(compiled) ? compiled : fileURLToPath(new URL('./worker.ts', import.meta.url));
}

const ERROR_CLASSES: Record<string, new (message: string) => Error> = {
  InputError,
  FileError,
  NativeAddonError,
  TypeError,
  RangeError,
};

/**
 * A worker's error as the class it was thrown as (Error for others), carrying the worker's stack.
 * The user's errors (InputError and its kin) keep their one-line message; any other names its rank.
 */
function rethrown(rank: number, error: Extract<WorkerMessage, { type: 'error' }>['error']): Error {
  const ErrorClass = ERROR_CLASSES[error.name] ?? Error;
  const known = ErrorClass === InputError || ErrorClass === FileError || ErrorClass === NativeAddonError;
  const copy = new ErrorClass(known ? error.message : `rank ${rank}: ${error.message}`);
  // The worker's frames under this message (a stack starts with "name: message").
  const header = `${error.name}: ${error.message}`;
  const frames = error.stack?.startsWith(header) ? error.stack.slice(header.length) : '';
  copy.stack = `${copy.name}: ${copy.message}${frames}\n    at data-parallel rank ${rank} (a worker of this run)`;
  return copy;
}

export async function* launchedRun(
  given: Partial<TrainConfig>,
  options: { nprocPerNode: number; resume?: string; signal: AbortSignal },
): AsyncGenerator<TrainEvent> {
  const queue: TrainEvent[] = [];
  const workerErrors = new Map<number, Error>();
  let wake: (() => void) | undefined;
  const job: WorkerJob = { config: given, ...(options.resume && { resume: options.resume }) };
  const launched = await startLocal({
    nprocPerNode: options.nprocPerNode,
    module: workerModule(),
    job,
    log: () => {}, // a failure is this run's error, thrown below
    onMessage: (rank, raw) => {
      const message = raw as WorkerMessage;
      if (message.type === 'event' && rank === 0) queue.push(message.event);
      else if (message.type === 'error' && !workerErrors.has(rank))
        workerErrors.set(rank, rethrown(rank, message.error));
      wake?.();
    },
  });
  const onAbort = () => launched.stop();
  options.signal.addEventListener('abort', onAbort);
  let finished: JobResult | undefined;
  void launched.done.then((result) => {
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
      launched.stop();
      await launched.done;
    }
  }
  if (finished.code === 0) return;
  // The rank that failed first is the cause; the others' errors follow from it (their peers were
  // stopped). A rank that died without an error (killed) is named by the launcher.
  const cause = finished.failedRank !== undefined ? workerErrors.get(finished.failedRank) : undefined;
  throw cause ?? new InputError(finished.failure ?? 'data-parallel run failed');
}
