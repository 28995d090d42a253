// A process group of a data-parallel job, behind a typed class: connecting, the small
// agreements between steps, and rank 0's weights to every rank. The gradient all-reduce and
// SyncBN run inside the native training step (lib/train/training-core.ts).
import { NativeAddonError } from '../errors.js';
import type { Model } from '../models.js';
import { Tensor, handlesOf } from '../tensor.js';
import { native, type NativeProcessGroup } from '../native.js';
import type { WorldEnvironment } from './environment.js';

const backendFor = (device: string): 'gloo' | 'nccl' => (device.startsWith('cuda') ? 'nccl' : 'gloo');

/**
 * Why this addon cannot run a data-parallel job on `device`, with the way out; null when it can.
 * pip's torch wheels ship no Gloo headers, so an addon built against one has no CPU process group.
 */
export function missingProcessGroup(device: string): string | null {
  const backend = backendFor(device);
  if (native().distributed.backends().includes(backend)) return null;
  const { libtorchVersion } = native().buildInfo();
  return backend === 'gloo'
    ? `data-parallel training on CPU needs Gloo, which this addon (LibTorch ${libtorchVersion}) lacks: pip's torch wheels ship ` +
        "no Gloo headers. Use Debian/Ubuntu's LibTorch (apt-get install libtorch-dev libgloo-dev; its prebuild or " +
        '`npx mveb-torch build` has Gloo), or train on CUDA (--device cuda), where data-parallel runs over NCCL'
    : `data-parallel training on CUDA needs NCCL, which this addon (LibTorch ${libtorchVersion}) lacks: use a CUDA ` +
        'prebuild, or build against a CUDA LibTorch whose NCCL is found (pip torch with CUDA: its nvidia-nccl wheel), npx mveb-torch build';
}

export class ProcessGroup {
  private constructor(/** @internal */ readonly handle: NativeProcessGroup) {}

  /**
   * Blocks (off the JS thread) until every rank has joined, or fails after `joinTimeoutMs`
   * naming the ranks that did not; collectives then fail after `timeoutMs`. Gloo for a CPU run,
   * NCCL for a CUDA run (one GPU per process: LOCAL_RANK's).
   */
  static async connect(
    world: WorldEnvironment,
    { timeoutMs, joinTimeoutMs, device }: { timeoutMs: number; joinTimeoutMs: number; device: string },
  ): Promise<ProcessGroup> {
    const missing = missingProcessGroup(device);
    if (missing) throw new NativeAddonError(`mveb-torch: ${missing}`);
    const backend = backendFor(device);
    const handle = await native().distributed.connect({
      backend,
      cudaDevice: world.localRank,
      rank: world.rank,
      worldSize: world.worldSize,
      masterAddr: world.masterAddr,
      masterPort: world.masterPort,
      agentStore: world.agentStore,
      timeoutMs,
      joinTimeoutMs,
      ...(world.interface && { interface: world.interface }),
      ...(world.storePrefix && { storePrefix: world.storePrefix }),
    });
    return new ProcessGroup(handle);
  }

  get rank(): number {
    return this.handle.rank;
  }

  get worldSize(): number {
    return this.handle.worldSize;
  }

  /** Each value summed over ranks: e.g. how many ranks ask to stop. */
  sum(values: number[]): Promise<number[]> {
    return this.handle.sum(values);
  }

  /** Waits for every rank, as long as `timeoutMs` (rank 0 may be evaluating or checkpointing). */
  barrier(timeoutMs: number): Promise<void> {
    return this.handle.barrier(timeoutMs);
  }

  /** Rank 0's values into each tensor on every rank, in place (the same shapes and dtypes everywhere). */
  broadcastTensors(tensors: Tensor[]): Promise<void> {
    return this.handle.broadcastTensors(handlesOf(tensors, 'broadcastTensors'));
  }

  /** Rank 0's value, as JSON, on every rank (the others pass undefined): no NaN, no Infinity. */
  async fromMain<T>(value: T | undefined): Promise<T> {
    const sent = this.rank === 0 ? new TextEncoder().encode(JSON.stringify(value)) : undefined;
    const [length] = await this.sum([sent?.length ?? 0]);
    const bytes = Tensor.fromArray(sent ?? new Uint8Array(length!), [length!]);
    await this.broadcastTensors([bytes]);
    return JSON.parse(new TextDecoder().decode(await bytes.toArray())) as T;
  }

  /** Rank 0's parameters and buffers (online and target) to every rank. */
  broadcastModel(model: Model): Promise<void> {
    return this.handle.broadcastModel(model.handle);
  }

  /**
   * How far the replicas have drifted apart: the largest difference over ranks of a per-tensor
   * sum (float64) of every parameter and buffer, from rank 0's. Every rank applies the same
   * averaged step, so it is exactly 0 unless something went wrong.
   */
  replicaDrift(model: Model): Promise<number> {
    return this.handle.replicaDrift(model.handle);
  }
}
