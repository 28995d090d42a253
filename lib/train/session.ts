// The state of a run between its setup and its end, shared by the parts of the epoch loop.
import type { DataLoader, EpochReport } from '../data/loader.js';
import type { WorldEnvironment } from '../distributed/environment.js';
import type { Model } from '../models.js';
import type { Tensor } from '../tensor.js';
import type { LoadedCheckpoint, TrainingPosition } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import type { DataParallelRun } from './data-parallel.js';
import type { KnnMonitor } from './knn-monitor.js';
import type { RunDirectory } from './run-directory.js';
import type { ResumedElsewhere } from './shared-start.js';
import type { LearningRateSchedule } from './schedules.js';
import type { TimeBudget } from './time-budget.js';
import type { TrainingCore } from './training-core.js';
import type { InitReport } from '../weights/initialize.js';
import type { WeightsFile } from '../weights/read.js';

/** Where a run writes: its directory on rank 0, nothing on the other ranks of a data-parallel run. */
export type RunOutput = Pick<RunDirectory, 'path' | 'writeConfig' | 'startEvents' | 'log' | 'close'>;

/** What `run` settled before any data is read: the refusals are behind it. */
export interface Setup {
  config: TrainConfig;
  device: string;
  warnings: string[];
  run: RunOutput;
  /** The checkpoint (read here), or on the other ranks of a data-parallel run what rank 0 read. */
  resumed?: LoadedCheckpoint | ResumedElsewhere;
  /** --init-from's weights (a new run only); applied by setup, then let go. */
  initial?: WeightsFile;
  /** A data-parallel run's place (torchrun's or srun's variables); absent for one process. */
  world?: WorldEnvironment;
  /** A data-parallel run's process group, joined before anything else. */
  parallel?: DataParallelRun;
  /** performance.now() when the run was asked to start: a time budget counts from here. */
  startedAt: number;
}

/** A run after setup (as DINO's train_dino builds everything before its epoch loop). */
export interface Session extends Setup {
  model: Model;
  core: TrainingCore;
  loader: DataLoader;
  stepsPerEpoch: number;
  totalSteps: number;
  /** Epochs the steps reach into (the last may end mid-way with --steps). */
  epochs: number;
  schedule: LearningRateSchedule;
  monitor?: KnnMonitor;
  /** Where the run is: advanced by every batch, then to the next epoch. */
  position: TrainingPosition;
  checkpointedStep: number;
  /** What --init-from loaded and left unused. */
  initializedFrom?: InitReport;
  timeBudget?: TimeBudget;
}

/** One epoch's tallies (train_one_epoch's return), and whether the run stops inside it. */
export interface EpochOutcome {
  stop?: 'stopped' | 'max-steps' | 'time-budget';
  started: number;
  report: EpochReport;
  losses: number;
  steps: number;
  stepsRun: number;
  skippedSteps: number;
  images: number;
  lastViews?: Tensor[];
}
