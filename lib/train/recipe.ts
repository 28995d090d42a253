// What a configuration means for the model, the data and the run's length: its model options,
// its views and its steps.
import { multiCropViews, type ViewSpec } from '../data/multicrop.js';
import type { ModelOptions } from '../models.js';
import type { InitialModel } from '../weights/initialize.js';
import type { TrainConfig } from './config.js';

export function modelOptionsOf(config: TrainConfig): ModelOptions {
  return {
    arch: config.arch,
    smallStem: config.smallStem,
    projector: { hidden: config.projectorHidden, out: config.projectorOut },
    target: config.target,
    precision: config.precision,
  };
}

/** What --init-from's weights must fit. */
export function initialModelOf(config: TrainConfig): InitialModel {
  return {
    arch: config.arch,
    smallStem: config.smallStem,
    projector: { hidden: config.projectorHidden, out: config.projectorOut },
  };
}

export function viewsOf(config: TrainConfig): ViewSpec[] {
  const views = multiCropViews({
    globalSize: config.globalSize,
    localSize: config.localSize,
    localCrops: config.localCrops,
    globalScale: config.globalScale,
    localScale: config.localScale,
  });
  if (config.colorAugment) return views;
  return views.map((v) => ({ ...v, photometric: { jitterProb: 0, grayscaleProb: 0, blurProb: 0, solarizeProb: 0 } }));
}

/** How long a run is: --steps when set (warm-up keeping its share of the epochs), else epochs. */
export function lengthOf(
  config: TrainConfig,
  stepsPerEpoch: number,
): { totalSteps: number; warmupSteps: number; epochs: number } {
  if (config.steps === 0) {
    return {
      totalSteps: stepsPerEpoch * config.epochs,
      warmupSteps: stepsPerEpoch * config.warmupEpochs,
      epochs: config.epochs,
    };
  }
  return {
    totalSteps: config.steps,
    warmupSteps: Math.round((config.steps * config.warmupEpochs) / config.epochs),
    epochs: Math.ceil(config.steps / stepsPerEpoch),
  };
}
