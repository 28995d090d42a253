// The native training core, behind a typed class as Model and Tensor are: a model, the
// optimiser over its online branch and the loss scaler. Every call runs on the device thread,
// in order with the steps.
import type { ProcessGroup } from '../distributed/process-group.js';
import type { Model } from '../models.js';
import { native, type ScalerState, type NativeTrainer, type TrainStepStats } from '../native.js';
import { Tensor, handlesOf } from '../tensor.js';

export interface TrainingCoreOptions {
  optimizer: 'lars' | 'sgd';
  momentum: number;
  weightDecay: number;
  trustCoefficient?: number;
  /** Dynamic loss scaling (fp16 on CUDA). */
  lossScaling?: boolean;
  /** Data-parallel: gradients averaged over the group's ranks in buckets during backward. */
  parallel?: ParallelOptions;
}

export interface ParallelOptions {
  group: ProcessGroup;
  /** Batch statistics over the global batch (online and target branches), as the authors' code. */
  syncBn: boolean;
  /** 'global': the Stein score over every rank's embeddings; 'local': each rank's own (the authors'). */
  steinScope: 'global' | 'local';
  bucketFirstBytes?: number;
  bucketCapBytes?: number;
}

export type { TrainStepStats };
export type LossScalerState = ScalerState;

export class TrainingCore {
  readonly #core: NativeTrainer;

  constructor(model: Model, { parallel, ...options }: TrainingCoreOptions) {
    this.#core = new (native().NativeTrainer)(model.handle, {
      lr: 0,
      lossScaling: false,
      ...options,
      ...(parallel && {
        processGroup: parallel.group.handle,
        syncBn: parallel.syncBn,
        steinScope: parallel.steinScope,
        ...(parallel.bucketFirstBytes !== undefined && { bucketFirstBytes: parallel.bucketFirstBytes }),
        ...(parallel.bucketCapBytes !== undefined && { bucketCapBytes: parallel.bucketCapBytes }),
      }),
    });
  }

  /** One step over all views (2 global, then local): forward, loss, backward, update, EMA. */
  step(views: Tensor[], options: { lr: number; emaMomentum: number; beta: number }): Promise<TrainStepStats> {
    return this.#core.step(handlesOf(views, 'step: views'), options);
  }

  /** Per online parameter (state-dict order): its momentum buffer, or null before the first step. */
  async momentumBuffers(): Promise<Array<Tensor | null>> {
    return (await this.#core.momentumBuffers()).map((b) => (b ? Tensor.wrap(b) : null));
  }

  loadMomentumBuffers(buffers: Array<Tensor | null>): Promise<void> {
    return this.#core.loadMomentumBuffers(buffers.map((b) => b?.handle ?? null));
  }

  scalerState(): Promise<LossScalerState> {
    return this.#core.scalerState();
  }

  loadScaler(state: Pick<LossScalerState, 'scale' | 'growthTracker'>): Promise<void> {
    return this.#core.loadScaler(state);
  }

  /** Forgets every step taken: the optimiser's state (momentum) and the loss scale as new. */
  resetState(): Promise<void> {
    return this.#core.resetState();
  }
}
