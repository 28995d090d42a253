// The kNN monitor of a run: weighted kNN accuracy of the backbone on a labelled split, next to
// the honest baselines measured before training (the same backbone at initialisation with BN
// statistics re-estimated; raw pixels). Every pass stops at its next batch when `signal` aborts.
import type { Dataset } from '../data/dataset.js';
import { openDataset } from '../data/open-dataset.js';
import { evenSubset } from '../data/subset.js';
import { backboneKnnAccuracy, rawPixelKnnAccuracy, reestimateBatchNorm } from '../eval/knn.js';
import type { FeatureOptions } from '../eval/features.js';
import type { Model } from '../models.js';
import type { TrainConfig } from './config.js';

export interface KnnSummary {
  pretrained: number;
  initialisation?: number;
  rawPixels?: number;
}

export class KnnMonitor {
  initialisation: number | undefined;
  rawPixels: number | undefined;
  last: number | undefined;

  private constructor(
    private readonly train: Dataset,
    private readonly test: Dataset,
    private readonly options: FeatureOptions & { k: number; temperature: number },
  ) {}

  /** The monitor for this run, or undefined when it is off or the data has no labelled test split. */
  static async open(config: TrainConfig, dataset: Dataset, options: FeatureOptions): Promise<KnnMonitor | undefined> {
    // Fashion-MNIST's train and test splits are the only labelled pair for now.
    if (config.knnEvery === 0 || (config.data !== 'fashion-mnist' && config.data !== 'fashion-mnist:test')) return undefined;
    const test = await openDataset('fashion-mnist:test');
    return new KnnMonitor(evenSubset(dataset, config.knnTrainImages), evenSubset(test, config.knnTestImages), {
      ...options, k: config.knnK, temperature: config.knnTemperature,
    });
  }

  /** Before training: the baselines. Moves the model's BN statistics (the caller restores them). */
  async measureBaselines(model: Model): Promise<void> {
    await reestimateBatchNorm(model, this.train, this.options);
    this.initialisation = await backboneKnnAccuracy(model, this.train, this.test, this.options);
    this.rawPixels = await rawPixelKnnAccuracy(this.train, this.test, this.options);
  }

  async score(model: Model): Promise<number> {
    this.last = await backboneKnnAccuracy(model, this.train, this.test, this.options);
    return this.last;
  }

  get baselines(): Omit<KnnSummary, 'pretrained'> {
    return {
      ...(this.initialisation !== undefined && { initialisation: this.initialisation }),
      ...(this.rawPixels !== undefined && { rawPixels: this.rawPixels }),
    };
  }

  get summary(): KnnSummary | undefined {
    return this.last === undefined ? undefined : { pretrained: this.last, ...this.baselines };
  }
}
