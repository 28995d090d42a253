// The three evaluation protocols on frozen features: weighted kNN over a grid of k and T (one
// similarity pass), the linear probe (lr chosen on a held-out part of the training set), and the
// transfer protocol (L-BFGS logistic regression, L2 chosen on a held-out part, refit on all).
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { accuracyOf, holdOut, type Accuracy, type FeatureSet } from './feature-set.js';

export interface KnnGridOptions {
  ks?: number[];
  temperatures?: number[];
  classes?: number;
}

export interface KnnGridResult extends Accuracy {
  k: number;
  temperature: number;
}

/** Weighted kNN for every (k, T): DINO's eval_knn, the full training set as the bank. */
export async function knnGrid(
  train: FeatureSet,
  test: FeatureSet,
  options: KnnGridOptions = {},
): Promise<KnnGridResult[]> {
  const ks = options.ks ?? [10, 20, 100, 200];
  const temperatures = options.temperatures ?? [0.07, 0.1];
  const ranked = Tensor.wrap(
    await native().eval.knnGrid(train.features.handle, train.labels.handle, test.features.handle, {
      ks,
      temperatures,
      top: 5,
      ...(options.classes && { classes: options.classes }),
    }),
  );
  const all = (await ranked.toArray()) as BigInt64Array;
  const [, , m, top] = ranked.shape as [number, number, number, number];
  const results: KnnGridResult[] = [];
  for (let ki = 0; ki < ks.length; ki++) {
    for (let ti = 0; ti < temperatures.length; ti++) {
      const offset = (ki * temperatures.length + ti) * m * top;
      const slice = Tensor.fromArray(all.slice(offset, offset + m * top), [m, top]);
      results.push({ k: ks[ki]!, temperature: temperatures[ti]!, ...(await accuracyOf(slice, test.labels)) });
    }
  }
  return results;
}

export interface LinearProbeOptions {
  classes?: number;
  epochs?: number;
  /** Candidate learning rates and weight decays, each pair scored on `holdOut` of the training set (a third of the epochs). */
  lrs?: number[];
  weightDecays?: number[];
  holdOut?: number;
  batch?: number;
  seed?: number;
}

export interface LinearProbeResult extends Accuracy {
  lr: number;
  weightDecay: number;
  /** Held-out top-1 of each candidate. */
  search: Array<{ lr: number; weightDecay: number; top1: number }>;
}

/** MAE's linear probe on frozen features: BN without affine + Linear, SGD with momentum, cosine lr. */
export async function linearProbe(
  train: FeatureSet,
  test: FeatureSet,
  options: LinearProbeOptions = {},
): Promise<LinearProbeResult> {
  const lrs = options.lrs ?? [0.01, 0.03, 0.1];
  const weightDecays = options.weightDecays ?? [0, 1e-4, 1e-3];
  const settings = {
    epochs: options.epochs ?? 90,
    batch: options.batch ?? 1024,
    seed: options.seed ?? 0,
    ...(options.classes && { classes: options.classes }),
  };
  // The search ranks candidates on a third of the epochs; the chosen one trains for all of them.
  const searchEpochs = Math.max(1, Math.ceil(settings.epochs / 3));
  const { fit, held } = await holdOut(train, options.holdOut ?? 0.1, settings.seed);
  const search: LinearProbeResult['search'] = [];
  for (const lr of lrs) {
    for (const weightDecay of weightDecays) {
      const [ranked] = await native().eval.linearProbe(fit.features.handle, fit.labels.handle, [held.features.handle], {
        ...settings,
        epochs: searchEpochs,
        lr,
        weightDecay,
      });
      search.push({ lr, weightDecay, top1: (await accuracyOf(Tensor.wrap(ranked!), held.labels)).top1 });
    }
  }
  const best = search.reduce((a, b) => (b.top1 > a.top1 ? b : a));
  const [ranked] = await native().eval.linearProbe(train.features.handle, train.labels.handle, [test.features.handle], {
    ...settings,
    lr: best.lr,
    weightDecay: best.weightDecay,
  });
  return {
    lr: best.lr,
    weightDecay: best.weightDecay,
    search,
    ...(await accuracyOf(Tensor.wrap(ranked!), test.labels)),
  };
}

export interface TransferOptions {
  classes?: number;
  /** Candidate L2 strengths (default: 45 log-spaced from 1e-6 to 1e5, the paper's protocol). */
  l2s?: number[];
  holdOut?: number;
  maxIterations?: number;
  seed?: number;
}

export interface TransferResult extends Accuracy {
  l2: number;
  search: Array<{ l2: number; top1: number }>;
}

/** n values log-spaced from 10^from to 10^to. */
export function logSpace(from: number, to: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => 10 ** (from + ((to - from) * i) / Math.max(1, n - 1)));
}

/** The transfer protocol: L-BFGS multinomial logistic regression; L2 swept on a held-out part, the best refit on all. */
export async function logisticTransfer(
  train: FeatureSet,
  test: FeatureSet,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const l2s = options.l2s ?? logSpace(-6, 5, 45);
  const settings = {
    maxIterations: options.maxIterations ?? 1000,
    ...(options.classes && { classes: options.classes }),
  };
  const { fit, held } = await holdOut(train, options.holdOut ?? 0.2, options.seed ?? 0);
  const search: Array<{ l2: number; top1: number }> = [];
  for (const l2 of l2s) {
    const [ranked] = await native().eval.logisticRegression(
      fit.features.handle,
      fit.labels.handle,
      [held.features.handle],
      { ...settings, l2 },
    );
    search.push({ l2, top1: (await accuracyOf(Tensor.wrap(ranked!), held.labels)).top1 });
  }
  // Ties go to the stronger regularisation.
  const best = search.reduce((a, b) => (b.top1 >= a.top1 ? b : a));
  // The refit takes the held-out part back: the whole training set.
  const [ranked] = await native().eval.logisticRegression(
    train.features.handle,
    train.labels.handle,
    [test.features.handle],
    { ...settings, l2: best.l2 },
  );
  return { l2: best.l2, search, ...(await accuracyOf(Tensor.wrap(ranked!), test.labels)) };
}
