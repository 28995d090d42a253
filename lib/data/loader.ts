// The multi-crop data loader: a sampler picks each batch, view workers decode and cut
// the views (uint8), the native device thread applies the photometric augmentation.
// It keeps `prefetch` batches in flight ahead of the consumer and no more.
import { InputError } from '../errors.js';
import { availableParallelism } from 'node:os';
import type { Tensor } from '../tensor.js';
import type { PhotometricParams } from '../photometric-options.js';
import type { Dataset } from './dataset.js';
import { defaultRatio, multiCropViews, validateViews, type ViewSpec } from './multicrop.js';
import { drawPhotometricParams, photometricAugment, type PhotometricSpec } from './photometric.js';
import { deriveNativeSeed } from './random.js';
import { EpochSampler } from './sampler.js';
import type { SkippedImage, ViewGeometry, ViewTask, ViewTaskResult, WorkerInit } from './view-messages.js';
import { WorkerPool } from './worker-pool.js';

export interface LoaderOptions {
  dataset: Dataset;
  /** Images per batch (on this rank). */
  batchSize: number;
  /** The views cut from each image (default: DINO's 2 × 224 + 6 × 96). */
  views?: ViewSpec[];
  seed?: number;
  /** View worker threads (default: the number of cores). */
  workers?: number;
  /** Batches prepared ahead of the consumer (default 2 × workers, at least 2). */
  prefetch?: number;
  /** Where augmented views are made and returned ('cpu' default, 'cuda'). */
  device?: string;
  /** false: return the uint8 views without photometric augmentation. */
  photometric?: boolean;
  /**
   * What cuts the views from the decoded image: 'native' (default; antialiased bicubic in
   * C++ on the worker thread) or 'sharp' (a sharp pipeline per view, cubic kernel).
   */
  resizer?: 'native' | 'sharp';
  /** Record each view's crop box and flip (tests, debugging). */
  recordGeometry?: boolean;
  shuffle?: boolean;
  dropLast?: boolean;
  rank?: number;
  worldSize?: number;
}

export interface RawView {
  /** uint8 NHWC. */
  data: Uint8Array;
  shape: [number, number, number, 3];
}

export interface LoadedBatch {
  epoch: number;
  index: number;
  /** Dataset indices of the images in the batch (skipped images are left out). */
  indices: number[];
  labels: number[];
  /** Normalised float32 [N, 3, S, S] per view (empty when photometric is false). */
  views: Tensor<'float32'>[];
  /** The uint8 views (only when photometric is false). */
  raw: RawView[];
  geometry?: ViewGeometry[][];
  skipped: SkippedImage[];
}

export interface EpochReport {
  epoch: number;
  batches: number;
  images: number;
  skipped: number;
  /** The first few skipped images, with why. */
  skippedExamples: SkippedImage[];
  seconds: number;
}

const examplesKept = 5;

export class DataLoader {
  readonly dataset: Dataset;
  readonly views: readonly ViewSpec[];
  readonly sampler: EpochSampler;
  readonly workers: number;
  readonly prefetch: number;
  private readonly options: LoaderOptions;
  private pool: WorkerPool<ViewTask, ViewTaskResult> | undefined;
  private nextTaskId = 0;

  constructor(options: LoaderOptions) {
    const views = options.views ?? multiCropViews();
    validateViews(views);
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1)
      throw new InputError(`loader: workers must be a positive integer, got ${workers}`);
    const prefetch = options.prefetch ?? Math.max(2, 2 * workers);
    if (!Number.isInteger(prefetch) || prefetch < 1)
      throw new InputError(`loader: prefetch must be a positive integer, got ${prefetch}`);
    if (options.dataset.length === 0) throw new InputError(`${options.dataset.description} is empty`);
    this.sampler = new EpochSampler({
      length: options.dataset.length,
      batchSize: options.batchSize,
      ...(options.seed !== undefined && { seed: options.seed }),
      ...(options.shuffle !== undefined && { shuffle: options.shuffle }),
      ...(options.dropLast !== undefined && { dropLast: options.dropLast }),
      ...(options.rank !== undefined && { rank: options.rank }),
      ...(options.worldSize !== undefined && { worldSize: options.worldSize }),
    });
    this.dataset = options.dataset;
    this.views = views;
    this.workers = workers;
    this.prefetch = prefetch;
    this.options = options;
  }

  get batchesPerEpoch(): number {
    return this.sampler.batchesPerEpoch;
  }

  /** The batches of `epoch` from `startBatch` on; its `report` is complete when iteration ends. */
  epoch(epoch: number, options: { startBatch?: number } = {}): EpochRun {
    return new EpochRun(this, epoch, options.startBatch ?? 0);
  }

  /** Stops the workers. The loader cannot be used afterwards. */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  /** @internal One batch, from sampling to augmented views. */
  async produce(epoch: number, index: number): Promise<LoadedBatch> {
    const indices = this.sampler.batch(epoch, index);
    const { source } = this.dataset;
    const task: ViewTask = {
      id: this.nextTaskId++,
      epoch,
      indices,
      ...(source.kind === 'files' && { paths: indices.map((i) => source.path(i)) }),
    };
    const result = await this.workerPool().run(task);
    const count = result.kept.length;
    const shapeOf = (view: ViewSpec): RawView['shape'] => [count, view.size, view.size, 3];
    const seed = this.sampler.seed;
    const augment = this.options.photometric !== false && count > 0;
    const views = augment
      ? await Promise.all(
          this.views.map((view, v) =>
            photometricAugment(result.views[v]!, shapeOf(view), {
              ...view.photometric,
              ...this.photometricDraw(
                view.photometric,
                deriveNativeSeed(seed, 'photometric', epoch, index, v),
                index,
                indices,
                result.kept,
              ),
              device: this.options.device ?? 'cpu',
            }),
          ),
        )
      : [];
    return {
      epoch,
      index,
      indices: result.kept,
      labels: result.kept.map((i) => this.dataset.label(i)),
      views,
      raw: augment ? [] : this.views.map((view, v) => ({ data: result.views[v]!, shape: shapeOf(view) })),
      ...(result.geometry && { geometry: result.geometry }),
      skipped: result.skipped,
    };
  }

  /**
   * One process draws a batch's photometric parameters from its seed; a rank of a data-parallel
   * run takes its images' rows of the global batch's draw, so that W ranks augment every image
   * as one process with the global batch would.
   */
  private photometricDraw(
    spec: PhotometricSpec | undefined,
    seed: number,
    batch: number,
    indices: number[],
    kept: number[],
  ): { seed: number } | { params: PhotometricParams } {
    if (this.sampler.worldSize === 1) return { seed };
    const { offset, size } = this.sampler.sliceOf(batch);
    const rows = kept.map((i) => offset + indices.indexOf(i));
    const all = drawPhotometricParams(size, spec ?? {}, seed);
    const pick = (values: number[]) => {
      const stride = values.length / size;
      return rows.flatMap((r) => values.slice(r * stride, (r + 1) * stride));
    };
    return {
      params: {
        jitter: pick(all.jitter),
        order: pick(all.order),
        factors: pick(all.factors),
        grayscale: pick(all.grayscale),
        blur: pick(all.blur),
        sigma: pick(all.sigma),
        solarize: pick(all.solarize),
      },
    };
  }

  private workerPool(): WorkerPool<ViewTask, ViewTaskResult> {
    if (this.pool) return this.pool;
    const { source } = this.dataset;
    const init: WorkerInit = {
      ...(source.kind === 'pixels' && {
        pixels: { data: source.data, height: source.height, width: source.width, channels: source.channels },
      }),
      views: this.views.map((v) => ({
        size: v.size,
        scale: v.scale,
        ratio: v.ratio ?? defaultRatio,
        flipProb: v.flipProb ?? 0.5,
      })),
      seed: this.sampler.seed,
      recordGeometry: this.options.recordGeometry ?? false,
      resizer: this.options.resizer ?? 'native',
    };
    // Under a TypeScript loader (tests) this module is .ts, compiled it is .js.
    const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    this.pool = new WorkerPool(
      new URL(`./view-worker${extension}`, import.meta.url),
      this.workers,
      init,
      'view worker',
    );
    return this.pool;
  }
}

export class EpochRun implements AsyncIterable<LoadedBatch> {
  readonly report: EpochReport;

  constructor(
    private readonly loader: DataLoader,
    readonly epoch: number,
    private readonly startBatch: number,
  ) {
    this.report = { epoch, batches: 0, images: 0, skipped: 0, skippedExamples: [], seconds: 0 };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<LoadedBatch> {
    const started = performance.now();
    const total = this.loader.batchesPerEpoch;
    const pending: Promise<LoadedBatch>[] = [];
    let next = this.startBatch;
    const launch = () => {
      while (pending.length < this.loader.prefetch && next < total) {
        const batch = this.loader.produce(this.epoch, next++);
        batch.catch(() => undefined); // observed when its turn comes; never an unhandled rejection
        pending.push(batch);
      }
    };
    try {
      launch();
      while (pending.length > 0) {
        const batch = await pending.shift()!;
        launch();
        this.record(batch, started);
        if (batch.indices.length > 0) yield batch;
      }
    } finally {
      // Stopped early or failed: let work in flight finish so nothing runs on after us.
      await Promise.allSettled(pending);
    }
  }

  private record(batch: LoadedBatch, started: number): void {
    this.report.batches += 1;
    this.report.images += batch.indices.length;
    this.report.skipped += batch.skipped.length;
    for (const skipped of batch.skipped) {
      if (this.report.skippedExamples.length < examplesKept) this.report.skippedExamples.push(skipped);
    }
    this.report.seconds = (performance.now() - started) / 1000;
  }
}

/** "3 images skipped: a.jpg (reason), …" or undefined when none were. */
export function describeSkipped(report: EpochReport): string | undefined {
  if (report.skipped === 0) return undefined;
  const examples = report.skippedExamples.map((s) => `${s.path ?? `#${s.index}`} (${s.reason})`).join('; ');
  const more =
    report.skipped > report.skippedExamples.length
      ? `; and ${report.skipped - report.skippedExamples.length} more`
      : '';
  return `epoch ${report.epoch}: ${report.skipped} image${report.skipped === 1 ? '' : 's'} skipped: ${examples}${more}`;
}
