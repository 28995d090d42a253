// What a time budget is planned from, measured on this machine before the run starts: the time of
// a training step (the first batches of epoch 0, after a step that warms the allocator up) and of
// writing a checkpoint. The caller throws the steps away: the run starts from step 0 and its seed.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataLoader } from '../data/loader.js';
import { InputError } from '../errors.js';
import type { Model } from '../models.js';
import { writeCheckpoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import type { DataParallelRun } from './data-parallel.js';
import type { TrainingCore } from './training-core.js';

const WARM_UP_STEPS = 1;
const LEAST_TIMED_STEPS = 2;
const MOST_TIMED_STEPS = 8;

export interface StepTiming {
  secondsPerStep: number;
  /** Steps taken, the warm-up included. */
  steps: number;
}

/**
 * Steps on epoch 0's first batches until MOST_TIMED_STEPS are timed, or LEAST_TIMED_STEPS once
 * `maxSeconds` have passed, or one once three times that have: a step that long is measure enough.
 * The warm-up step is never the measure (it allocates, and on a loaded machine may alone outlast
 * the calibration's time). Every rank of a data-parallel run steps together and stops when any
 * rank would.
 */
export async function measureStepSeconds(
  core: TrainingCore,
  loader: DataLoader,
  options: { beta: number; maxSeconds: number; signal: AbortSignal; parallel?: DataParallelRun },
): Promise<StepTiming> {
  const started = performance.now();
  let timingFrom = started;
  let steps = 0;
  let elapsed = 0;
  for await (const batch of loader.epoch(0)) {
    const timed = steps - WARM_UP_STEPS;
    const spent = (performance.now() - started) / 1000;
    const enough =
      options.signal.aborted ||
      timed >= MOST_TIMED_STEPS ||
      (timed >= LEAST_TIMED_STEPS && spent > options.maxSeconds) ||
      (timed >= 1 && spent > 3 * options.maxSeconds);
    const small = batch.indices.length < 2;
    const { stop, skip } = options.parallel
      ? await options.parallel.agree(enough, small)
      : { stop: enough, skip: small };
    if (stop) break;
    if (skip) continue;
    // lr 0 and a frozen target: the same work as a real step; the weights are restored anyway.
    await core.step(batch.views, { lr: 0, emaMomentum: 1, beta: options.beta });
    steps++;
    if (steps === WARM_UP_STEPS) timingFrom = performance.now();
    elapsed = (performance.now() - (steps > WARM_UP_STEPS ? timingFrom : started)) / 1000;
  }
  if (steps === 0) throw new InputError('time budget: no batch of epoch 0 had the 2 decodable images a step needs');
  // One step only (a one-batch epoch, or a stop asked for during the warm-up): it is the measure.
  const timedSteps = steps > WARM_UP_STEPS ? steps - WARM_UP_STEPS : steps;
  return { secondsPerStep: elapsed / timedSteps, steps };
}

/**
 * Seconds to write this run's checkpoint, measured by writing one into the run directory (the disk
 * its checkpoints go to) under a temporary name: removed here, and if the process dies first, by
 * the next run that takes the directory, which also never mistakes it for a run's file.
 */
export async function measureCheckpointSeconds(
  runPath: string,
  parts: { model: Model; core: TrainingCore; config: TrainConfig },
): Promise<number> {
  const { model, core, config } = parts;
  const path = join(runPath, `calibration.pth.tmp-${process.pid}`);
  try {
    const started = performance.now();
    await writeCheckpoint(path, { model, trainer: core, position: { epoch: 0, batch: 0, step: 0 }, config, lr: 0 });
    return (performance.now() - started) / 1000;
  } finally {
    await rm(path, { force: true });
  }
}
