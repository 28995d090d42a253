// Which images each batch holds: a permutation per epoch from the seed, cut into global
// batches of batchSize × worldSize; rank r takes the r-th slice of each global batch, so
// W ranks together see exactly the batches one process with the global batch would.
import { InputError } from '../errors.js';
import { Random, deriveSeed } from './random.js';

export interface SamplerOptions {
  /** Number of images in the dataset. */
  length: number;
  /** Images per batch on this rank. */
  batchSize: number;
  seed?: number;
  shuffle?: boolean;
  /** Drop the last incomplete global batch (default true). */
  dropLast?: boolean;
  rank?: number;
  worldSize?: number;
}

export class EpochSampler {
  readonly length: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly rank: number;
  readonly worldSize: number;
  private cached: { epoch: number; order: Uint32Array } | undefined;

  constructor(options: SamplerOptions) {
    const { length, batchSize, seed = 0, shuffle = true, dropLast = true, rank = 0, worldSize = 1 } = options;
    const integer = (value: number, name: string, min: number) => {
      if (!Number.isInteger(value) || value < min)
        throw new InputError(`sampler: ${name} must be an integer >= ${min}, got ${value}`);
    };
    integer(length, 'length', 1);
    integer(batchSize, 'batchSize', 1);
    integer(worldSize, 'worldSize', 1);
    integer(rank, 'rank', 0);
    if (rank >= worldSize) throw new InputError(`sampler: rank ${rank} is not below worldSize ${worldSize}`);
    if (!Number.isSafeInteger(seed)) throw new InputError(`sampler: seed must be a safe integer, got ${seed}`);
    if (dropLast && length < batchSize * worldSize) {
      throw new InputError(
        `the dataset has ${length} images, fewer than one global batch of ${batchSize * worldSize} (batchSize ${batchSize} × worldSize ${worldSize})`,
      );
    }
    this.length = length;
    this.batchSize = batchSize;
    this.seed = seed;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.rank = rank;
    this.worldSize = worldSize;
  }

  private get globalBatch(): number {
    return this.batchSize * this.worldSize;
  }

  /** Batches per epoch (the same on every rank). */
  get batchesPerEpoch(): number {
    return this.dropLast ? Math.floor(this.length / this.globalBatch) : Math.ceil(this.length / this.globalBatch);
  }

  /** The epoch's order of all images (Fisher–Yates from the seed, or identity). */
  order(epoch: number): Uint32Array {
    if (this.cached?.epoch === epoch) return this.cached.order;
    const order = new Uint32Array(this.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) {
      const random = new Random(deriveSeed(this.seed, 'sampler', epoch));
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.integer(0, i);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    this.cached = { epoch, order };
    return order;
  }

  /** Dataset indices of batch `batch` of `epoch` on this rank. */
  batch(epoch: number, batch: number): number[] {
    const { offset, count } = this.sliceOf(batch);
    const from = batch * this.globalBatch + offset;
    return Array.from(this.order(epoch).subarray(from, from + count));
  }

  /** Where this rank's images sit in global batch `batch`: `count` of its `size`, from `offset`. */
  sliceOf(batch: number): { offset: number; count: number; size: number } {
    if (!Number.isInteger(batch) || batch < 0 || batch >= this.batchesPerEpoch) {
      throw new InputError(`sampler: batch ${batch} is outside 0..${this.batchesPerEpoch - 1}`);
    }
    const size = Math.min(this.globalBatch, this.length - batch * this.globalBatch);
    // An incomplete last global batch is split as evenly as possible.
    const share = Math.floor(size / this.worldSize);
    const extra = size % this.worldSize;
    return {
      offset: this.rank * share + Math.min(this.rank, extra),
      count: share + (this.rank < extra ? 1 : 0),
      size,
    };
  }

  /** Batches of an epoch from `startBatch` on (resuming mid-epoch). */
  *batches(epoch: number, startBatch = 0): Generator<{ index: number; indices: number[] }> {
    for (let index = startBatch; index < this.batchesPerEpoch; index++)
      yield { index, indices: this.batch(epoch, index) };
  }
}
