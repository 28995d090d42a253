// Optimisers over Tensors, stepped with explicit gradients on the device thread.
// The training step uses the same native optimisers; these let users compose their own loops.
import { native, type NativeOptimizer } from './native.js';
import { Tensor } from './tensor.js';

abstract class Optimizer {
  protected readonly native: NativeOptimizer;

  protected constructor(kind: 'lars' | 'sgd', params: Tensor[], options: Record<string, number | undefined>) {
    this.native = new (native().NativeOptimizer)(
      kind,
      params.map((p) => p.handle),
      options,
    );
  }

  /** The current learning rate (of the first parameter group). */
  get lr(): number {
    return this.native.lr;
  }

  /** Updates the parameters in place from `grads` (one per parameter, same shapes). */
  async step(grads: Tensor[], options: { lr?: number } = {}): Promise<void> {
    await this.native.step(
      grads.map((g) => g.handle),
      options,
    );
  }

  /** Writes the optimiser's state (options, momentum buffers) with LibTorch's serializer. */
  async saveState(path: string): Promise<void> {
    await this.native.saveState(path);
  }

  /** Restores a state written by saveState for the same parameter list. */
  async loadState(path: string): Promise<void> {
    await this.native.loadState(path);
  }

  /** Copies of the momentum buffers, null for parameters not stepped yet. */
  async momentumBuffers(): Promise<Array<Tensor | null>> {
    return (await this.native.momentumBuffers()).map((b) => (b ? Tensor.wrap(b) : null));
  }
}

export interface LARSOptions {
  /** Learning rate (default 0.3; the schedules give lr = base × batch / 256 per step). */
  lr?: number;
  momentum?: number;
  /** Default 1e-6, not applied to one-dimensional parameters. */
  weightDecay?: number;
  /** η of the trust ratio η‖w‖/‖g + wd·w‖ (default 0.001), not applied to one-dimensional parameters. */
  trustCoefficient?: number;
}

/** LARS: the paper's optimiser. */
export class LARS extends Optimizer {
  constructor(params: Tensor[], options: LARSOptions = {}) {
    super('lars', params, { ...options });
  }
}

export interface SGDOptions {
  lr?: number;
  /** Default 0.9. */
  momentum?: number;
  /** Default 1e-4. */
  weightDecay?: number;
}

/** LibTorch's SGD with momentum: the choice for the small-batch study. */
export class SGD extends Optimizer {
  constructor(params: Tensor[], options: SGDOptions = {}) {
    super('sgd', params, { ...options });
  }
}
