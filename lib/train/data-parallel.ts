// What a data-parallel run adds to the training loop: the process group, the agreements between
// steps (every rank stops, or skips a step, together, or collectives would hang), and rank 0's
// own jobs — metrics, kNN, checkpoints — with the other ranks waiting for them.
import type { WorldEnvironment } from '../distributed/environment.js';
import { ProcessGroup } from '../distributed/process-group.js';
import { NativeAddonError, RendezvousError } from '../errors.js';
import type { TrainConfig } from './config.js';
import type { ParallelOptions } from './training-core.js';

// Rank 0 may evaluate or write a checkpoint while the others wait: longer than a collective.
const MAIN_JOB_TIMEOUT_MS = 6 * 3600 * 1000;
const MiB = 1 << 20;

export class DataParallelRun {
  private constructor(
    readonly group: ProcessGroup,
    readonly world: WorldEnvironment,
  ) {}

  static async connect(world: WorldEnvironment, config: TrainConfig, device: string): Promise<DataParallelRun> {
    const group = await ProcessGroup.connect(world, {
      timeoutMs: config.collectiveTimeout * 1000,
      joinTimeoutMs: config.joinTimeout * 1000,
      device,
    }).catch((error: Error) => {
      if (error instanceof NativeAddonError) throw error; // no backend in this build: its own message
      throw new RendezvousError(
        `data-parallel run (rank ${world.rank}): ${error.message.replace(/^processGroup: /, '')}`,
      );
    });
    return new DataParallelRun(group, world);
  }

  get isMain(): boolean {
    return this.group.rank === 0;
  }

  /** The training core's data-parallel options for this configuration. */
  coreOptions(config: TrainConfig): ParallelOptions {
    return {
      group: this.group,
      syncBn: config.syncBn,
      steinScope: config.steinScope,
      bucketFirstBytes: Math.round(config.bucketFirstMb * MiB),
      bucketCapBytes: Math.round(config.bucketCapMb * MiB),
    };
  }

  /**
   * Whether any rank asks to stop, whether any rank cannot run the coming step, and whether any
   * rank's clock has passed the time budget's deadline.
   */
  async agree(
    stop: boolean,
    skip: boolean,
    outOfTime = false,
  ): Promise<{ stop: boolean; skip: boolean; outOfTime: boolean }> {
    const [stops, skips, late] = await this.group.sum([stop ? 1 : 0, skip ? 1 : 0, outOfTime ? 1 : 0]);
    return { stop: stops! > 0, skip: skips! > 0, outOfTime: late! > 0 };
  }

  /** Every rank waits here for the others, as long as rank 0 may need for its own jobs. */
  waitForAll(): Promise<void> {
    return this.group.barrier(MAIN_JOB_TIMEOUT_MS);
  }

  /** Rank 0 runs `job`, the others wait until it is done; every rank gets rank 0's outcome or undefined. */
  async onMain<T>(job: () => Promise<T>): Promise<T | undefined> {
    try {
      return this.isMain ? await job() : undefined;
    } finally {
      await this.waitForAll();
    }
  }
}
