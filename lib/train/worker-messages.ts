// What passes between launchedRun and its workers (lib/train/worker.ts) over IPC.
import type { TrainConfig } from './config.js';
import type { TrainEvent } from './events.js';

/** A worker's job, its first message. */
export interface WorkerJob {
  /** The fields given (a preset's already merged in). */
  config: Partial<TrainConfig>;
  resume?: string;
}

/** From a worker: rank 0's events, and any rank's error with its class name and stack. */
export type WorkerMessage =
  { type: 'event'; event: TrainEvent } | { type: 'error'; error: { name: string; message: string; stack?: string } };
