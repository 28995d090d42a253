// Per-step schedules, computed in TypeScript and passed to each native step.

export interface LearningRateSchedule {
  /** Base learning rate per 256 images (paper 0.4, public code 0.3). */
  baseLr: number;
  /** Images per step over all processes. */
  globalBatch: number;
  /** Steps of linear warm-up (10 epochs in the paper). */
  warmupSteps: number;
  totalSteps: number;
  /**
   * What the cosine's half period spans after warm-up. 'total' (default, the authors'
   * `adjust_lr`): cos(π·(step − warmup)/totalSteps), so with warm-up the lr ends above the
   * floor. 'after-warmup': cos(π·(step − warmup)/(totalSteps − warmup)), ending at the floor.
   */
  cosineSpan?: CosineSpan;
}

export type CosineSpan = 'total' | 'after-warmup';
export const COSINE_SPANS: readonly CosineSpan[] = ['total', 'after-warmup'];

/** The peak learning rate: base × global batch / 256. */
export function peakLearningRate({
  baseLr,
  globalBatch,
}: Pick<LearningRateSchedule, 'baseLr' | 'globalBatch'>): number {
  return (baseLr * globalBatch) / 256;
}

/**
 * Linear warm-up from peak/1000 to the peak over `warmupSteps`, then cosine decay towards
 * peak/1000 (see `cosineSpan`). Steps count from 0; the cosine's argument stops at π.
 */
export function learningRate(step: number, schedule: LearningRateSchedule): number {
  const { warmupSteps, totalSteps, cosineSpan = 'total' } = schedule;
  const peak = peakLearningRate(schedule);
  const floor = peak / 1000;
  if (step < warmupSteps) return floor + ((peak - floor) * step) / warmupSteps;
  const span = Math.max(1, cosineSpan === 'total' ? totalSteps : totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return floor + ((peak - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/** EMA momentum from `base` (0.996) at step 0 to 1 at `totalSteps`, on a cosine. */
export function emaMomentum(step: number, { totalSteps, base = 0.996 }: { totalSteps: number; base?: number }): number {
  const progress = Math.min(1, Math.max(0, step / Math.max(1, totalSteps)));
  return 1 - ((1 - base) * (1 + Math.cos(Math.PI * progress))) / 2;
}
