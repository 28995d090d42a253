// The public API of mveb-torch.
export { Tensor } from './tensor.js';
export type { AnyTypedArray, DType, DTypeOf, TypedArrayOf } from './tensor.js';
export * as ops from './ops.js';
export type { MvebLossOptions, MvebLossResult, SteinOptions } from './ops.js';
export * as optim from './optim.js';
export type { LARSOptions, SGDOptions } from './optim.js';
export * as schedules from './train/schedules.js';
export type { LearningRateSchedule } from './train/schedules.js';
export { info } from './info.js';
export type { InfoReport } from './info.js';
export { NativeAddonError } from './native.js';
export * as experiments from './experiments.js';
export type { CollapseStudyOptions, CollapseStudyResult } from './experiments.js';
export { readIdx, fashionMnistFiles, fashionMnistDir } from './data/idx.js';
export type { IdxArray } from './data/idx.js';
