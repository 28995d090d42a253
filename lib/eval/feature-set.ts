// Labelled feature matrices on the CPU: splitting them, and scoring ranked predictions.
import { Tensor } from '../tensor.js';

export interface FeatureSet {
  features: Tensor<'float32'>;
  labels: Tensor<'int64'>;
}

export interface Accuracy {
  top1: number;
  /** Top-5 (top-k when there are fewer than 5 classes). */
  top5: number;
}

/** The rows `indices` of read-out features and labels, as a new set. */
function rowsOf(features: Float32Array, labels: BigInt64Array, width: number, indices: ArrayLike<number>): FeatureSet {
  const outFeatures = new Float32Array(indices.length * width);
  const outLabels = new BigInt64Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]!;
    outFeatures.set(features.subarray(row * width, (row + 1) * width), i * width);
    outLabels[i] = labels[row]!;
  }
  return {
    features: Tensor.fromArray(outFeatures, [indices.length, width]) as Tensor<'float32'>,
    labels: Tensor.fromArray(outLabels, [indices.length]) as Tensor<'int64'>,
  };
}

/** A seeded split: `fraction` of the rows held out (at least one row each side). */
export async function holdOut(
  set: FeatureSet,
  fraction: number,
  seed: number,
): Promise<{ fit: FeatureSet; held: FeatureSet }> {
  const n = set.labels.shape[0]!;
  const order = Array.from({ length: n }, (_, i) => i);
  // Fisher–Yates with a small LCG: the split must not depend on Math.random.
  let state = (seed * 2654435761 + 1) >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const held = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const features = (await set.features.toArray()) as Float32Array;
  const labels = (await set.labels.toArray()) as BigInt64Array;
  const width = set.features.shape[1]!;
  return {
    fit: rowsOf(features, labels, width, order.slice(held)),
    held: rowsOf(features, labels, width, order.slice(0, held)),
  };
}

/** Top-1 and top-5 of ranked labels int64 [M, top] against the true labels. */
export async function accuracyOf(ranked: Tensor, labels: Tensor<'int64'>): Promise<Accuracy> {
  const [m, top] = ranked.shape as [number, number];
  const r = (await ranked.toArray()) as BigInt64Array;
  const truth = (await labels.toArray()) as BigInt64Array;
  let top1 = 0;
  let top5 = 0;
  for (let i = 0; i < m; i++) {
    if (r[i * top] === truth[i]) top1++;
    for (let j = 0; j < Math.min(5, top); j++) {
      if (r[i * top + j] === truth[i]) {
        top5++;
        break;
      }
    }
  }
  return { top1: top1 / m, top5: top5 / m };
}
