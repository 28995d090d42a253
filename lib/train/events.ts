// What a run reports, in order: start, then steps, warnings, epochs, kNN scores and
// checkpoints, then end. The CLI prints them; `--json` writes them as they are.
import type { EmbeddingHealth, TrainStepStats } from '../native.js';
import type { TrainingPosition } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import type { MonitorBaselines, KnnSummary, MonitorCosts } from './knn-monitor.js';
import type { TimeBudget } from './time-budget.js';
import type { InitReport } from '../weights/initialize.js';

/** Why a run ended: all its steps, a stop (Ctrl-C, SIGTERM, SIGUSR1), --max-steps, the time budget's deadline. */
export type EndReason = 'completed' | 'stopped' | 'max-steps' | 'time-budget';

export type TrainEvent =
  | {
      type: 'start';
      config: TrainConfig;
      runDir: string;
      device: string;
      totalSteps: number;
      stepsPerEpoch: number;
      resumedFrom?: string;
      initializedFrom?: InitReport;
      position: TrainingPosition;
      processes: number;
      /** --time-budget: the plan it made (a new run) and when training gives way to the final evaluation. */
      timeBudget?: TimeBudget;
      /** What a kNN pass and the final linear probe take, as the baselines measured them (a new run). */
      monitorSeconds?: MonitorCosts;
    }
  | ({
      type: 'step';
      epoch: number;
      step: number;
      batch: number;
      lr: number;
      emaMomentum: number;
      images: number;
      imagesPerSecond: number;
      epochImages: number;
      epochSeconds: number;
    } & TrainStepStats)
  | {
      type: 'epoch';
      epoch: number;
      step: number;
      meanLoss: number;
      skippedSteps: number;
      skippedImages: number;
      seconds: number;
      imagesPerSecond: number;
      health?: EmbeddingHealth;
    }
  | { type: 'knn' | 'linear'; epoch: number; step: number; accuracy: number; baseline?: MonitorBaselines }
  /** replicaDrift (data-parallel runs): 0 when every rank holds the weights that were saved. */
  | { type: 'checkpoint'; path: string; position: TrainingPosition; replicaDrift?: number; report?: string }
  | { type: 'warning'; message: string }
  | {
      type: 'end';
      reason: EndReason;
      position: TrainingPosition;
      runDir: string;
      knn?: KnnSummary;
      linear?: KnnSummary;
      report?: string;
    };
