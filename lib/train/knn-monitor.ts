// The accuracy monitor of a run: weighted kNN of the backbone on a labelled split (every
// knnEvery epochs) and, at the end, a linear probe on the same features, each next to the
// honest baselines measured before training under the same protocol (the same backbone at
// initialisation with BN statistics re-estimated; raw pixels). Every pass stops at its next
// batch when `signal` aborts.
import type { Dataset } from '../data/dataset.js';
import { knownTestSplit, openDataset } from '../data/open-dataset.js';
import { evenSubset } from '../data/subset.js';
import { InputError } from '../errors.js';
import type { FeatureSet } from '../eval/feature-set.js';
import { centreOn, datasetFeatures, rawPixelFeatures, type FeatureOptions } from '../eval/features.js';
import { knnAccuracy, reestimateBatchNorm } from '../eval/knn.js';
import { linearProbe } from '../eval/protocols.js';
import type { Model } from '../models.js';
import type { TrainConfig } from './config.js';

export interface MonitorBaselines {
  initialisation?: number;
  rawPixels?: number;
}

export interface KnnSummary extends MonitorBaselines {
  pretrained: number;
}

export interface MonitorCosts {
  passSeconds: number;
  linearSeconds: number;
}

export interface MonitorScore {
  knn: number;
  linear?: number;
}

// A quick probe (the monitor runs inside training): two learning rates, 30 epochs.
const probeSettings = { lrs: [0.01, 0.1], weightDecays: [0], epochs: 30 };

/** The labelled split a run is scored on: --val, or fashion-mnist's test split. */
export function monitorSplit(config: TrainConfig): string | undefined {
  if (config.val) return config.val;
  return knownTestSplit(config.data);
}

export class KnnMonitor {
  readonly knnBaselines: MonitorBaselines = {};
  readonly linearBaselines: MonitorBaselines = {};
  last: MonitorScore | undefined;
  /** What a kNN pass and the final linear probe take, measured with the baselines (a new run only). */
  costs: MonitorCosts | undefined;

  private constructor(
    private readonly train: Dataset,
    private readonly test: Dataset,
    private readonly options: FeatureOptions & { k: number; temperature: number },
  ) {}

  /** The monitor for this run, or undefined when it is off or there is no labelled split to score. */
  static async open(config: TrainConfig, dataset: Dataset, options: FeatureOptions): Promise<KnnMonitor | undefined> {
    const split = monitorSplit(config);
    if (config.knnEvery === 0 || !split) return undefined;
    if (dataset.classes.length === 0) throw new InputError(`val: ${config.data} has no labels to score ${split} with`);
    const test = await openDataset(split);
    if (test.classes.length !== dataset.classes.length) {
      throw new InputError(
        `val: ${split} has ${test.classes.length} classes, ${config.data} ${dataset.classes.length}; they must be the same classes`,
      );
    }
    return new KnnMonitor(evenSubset(dataset, config.knnTrainImages), evenSubset(test, config.knnTestImages), {
      ...options,
      k: config.knnK,
      temperature: config.knnTemperature,
    });
  }

  private get classes(): number | undefined {
    return this.train.classes.length || undefined;
  }

  private knnOf(train: FeatureSet, test: FeatureSet): Promise<number> {
    return knnAccuracy(train, test, { ...this.options, classes: this.classes });
  }

  private async linearOf(train: FeatureSet, test: FeatureSet): Promise<number> {
    return (await linearProbe(train, test, { ...probeSettings, ...(this.classes && { classes: this.classes }) })).top1;
  }

  private async scoreSets(train: FeatureSet, test: FeatureSet, withLinear: boolean): Promise<MonitorScore> {
    const knn = await this.knnOf(train, test);
    return withLinear ? { knn, linear: await this.linearOf(train, test) } : { knn };
  }

  private async features(model: Model): Promise<[FeatureSet, FeatureSet]> {
    await model.eval();
    try {
      return [
        await datasetFeatures(model, this.train, this.options),
        await datasetFeatures(model, this.test, this.options),
      ];
    } finally {
      await model.train();
    }
  }

  /** Before training: the baselines. Moves the model's BN statistics (the caller restores them). */
  async measureBaselines(model: Model): Promise<void> {
    await reestimateBatchNorm(model, this.train, this.options);
    const started = performance.now();
    const [train, test] = await this.features(model);
    const knn = await this.knnOf(train, test);
    const passEnded = performance.now();
    const initial = { knn, linear: await this.linearOf(train, test) };
    this.costs = {
      passSeconds: (passEnded - started) / 1000,
      linearSeconds: (performance.now() - passEnded) / 1000,
    };
    const [rawTrain, rawTest] = await centreOn(
      await rawPixelFeatures(this.train, this.options),
      await rawPixelFeatures(this.test, this.options),
    );
    const raw = await this.scoreSets(rawTrain!, rawTest!, true);
    Object.assign(this.knnBaselines, { initialisation: initial.knn, rawPixels: raw.knn });
    Object.assign(this.linearBaselines, { initialisation: initial.linear, rawPixels: raw.linear });
  }

  /** kNN accuracy now; with `withLinear`, the linear probe's too. */
  async score(model: Model, withLinear = false): Promise<MonitorScore> {
    this.last = await this.scoreSets(...(await this.features(model)), withLinear);
    return this.last;
  }

  get summary(): { knn: KnnSummary; linear?: KnnSummary } | undefined {
    if (!this.last) return undefined;
    return {
      knn: { pretrained: this.last.knn, ...this.knnBaselines },
      ...(this.last.linear !== undefined && { linear: { pretrained: this.last.linear, ...this.linearBaselines } }),
    };
  }
}
