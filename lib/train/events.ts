// What a run reports, in order: start, then steps, warnings, epochs, kNN scores and
// checkpoints, then end. The CLI prints them; `--json` writes them as they are.
import type { EmbeddingHealth, TrainStepStats } from '../native.js';
import type { TrainingPosition } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import type { MonitorBaselines, KnnSummary } from './knn-monitor.js';
import type { InitReport } from '../weights/initialize.js';

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
      reason: 'completed' | 'stopped' | 'max-steps';
      position: TrainingPosition;
      runDir: string;
      knn?: KnnSummary;
      linear?: KnnSummary;
      report?: string;
    };
