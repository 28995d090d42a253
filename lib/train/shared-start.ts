// How a data-parallel run starts when only rank 0 reads the run directory: nodes need not share a
// file system, so rank 0 alone decides whether to resume (its output folder holds the run), reads
// the checkpoint and tells the other ranks the configuration and where the run stands; the
// weights follow by broadcast after setup, the momentum buffers through momentumFromMain. When
// rank 0 refuses the run, the others refuse with it instead of waiting for it.
import type { ProcessGroup } from '../distributed/process-group.js';
import { InputError } from '../errors.js';
import type { DType } from '../native.js';
import { Tensor } from '../tensor.js';
import type { LoadedCheckpoint, TrainingPosition } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import type { LossScalerState } from './training-core.js';

/** What the other ranks learn of the checkpoint rank 0 resumed from: everything but its tensors. */
export interface ResumedElsewhere extends TrainingPosition {
  path: string;
  scaler: LossScalerState;
  /** Each momentum buffer's shape and dtype (null: none yet), for the broadcast that brings them. */
  momentum: Array<{ shape: number[]; dtype: DType } | null>;
}

export interface RunStart {
  config: TrainConfig;
  resumed?: LoadedCheckpoint | ResumedElsewhere;
}

type Message = { config: TrainConfig; resumed?: ResumedElsewhere } | { refused: string };

/** Whether this rank read the checkpoint itself (rank 0, or a single process). */
export function readHere(resumed: LoadedCheckpoint | ResumedElsewhere): resumed is LoadedCheckpoint {
  return 'model' in resumed;
}

/**
 * Rank 0 runs `settle` (its refusals, the resume decision, the checkpoint) and sends the outcome;
 * the other ranks receive it. A refusal on rank 0 is thrown on every rank.
 */
export async function startFromMain(group: ProcessGroup, settle: () => Promise<RunStart>): Promise<RunStart> {
  if (group.rank !== 0) {
    const message = await group.fromMain<Message>(undefined);
    if ('refused' in message) throw new InputError(`rank 0 refused the run: ${message.refused}`);
    return message;
  }
  let start: RunStart;
  try {
    start = await settle();
  } catch (error) {
    await group.fromMain<Message>({ refused: (error as Error).message });
    throw error;
  }
  const { config, resumed } = start;
  await group.fromMain<Message>({ config, ...(resumed && readHere(resumed) && { resumed: summaryOf(resumed) }) });
  return start;
}

function summaryOf({ path, epoch, batch, step, scaler, momentumBuffers }: LoadedCheckpoint): ResumedElsewhere {
  return {
    path,
    epoch,
    batch,
    step,
    scaler,
    momentum: momentumBuffers.map((b) => b && { shape: b.shape, dtype: b.dtype }),
  };
}

const arrays = { float32: Float32Array, float64: Float64Array, int64: BigInt64Array, uint8: Uint8Array } as const;

/** The momentum buffers of the checkpoint: rank 0's, broadcast to the others. */
export async function momentumFromMain(
  group: ProcessGroup,
  resumed: LoadedCheckpoint | ResumedElsewhere,
): Promise<Array<Tensor | null>> {
  const buffers = readHere(resumed)
    ? resumed.momentumBuffers
    : resumed.momentum.map(
        (m) => m && Tensor.fromArray(new arrays[m.dtype](m.shape.reduce((a, b) => a * b, 1)), m.shape),
      );
  await group.broadcastTensors(buffers.filter((b): b is Tensor => b !== null));
  return buffers;
}
