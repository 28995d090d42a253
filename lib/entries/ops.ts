// mveb-torch/ops: tensors and the operations of the method (Stein score, entropy surrogate, MVEB
// loss, EMA), the optimisers, the schedules and the collapse study.
export { Tensor } from '../tensor.js';
export type { AnyTypedArray, DType, DTypeOf, TypedArrayOf } from '../tensor.js';
export { emaUpdate, entropySurrogate, matmul, mvebLoss, steinScore } from '../ops.js';
export type { MvebLossOptions, MvebLossResult, SteinOptions } from '../ops.js';
export * as optim from '../optim.js';
export type { LARSOptions, SGDOptions } from '../optim.js';
export * as schedules from '../train/schedules.js';
export type { CosineSpan, LearningRateSchedule } from '../train/schedules.js';
export * as experiments from '../experiments.js';
export type { CollapseStudyOptions, CollapseStudyResult } from '../experiments.js';
