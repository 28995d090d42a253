// The public API of mveb-torch.
export { Tensor } from './tensor.js';
export type { AnyTypedArray, DType, DTypeOf, TypedArrayOf } from './tensor.js';
export * as ops from './ops.js';
export { info } from './info.js';
export type { InfoReport } from './info.js';
export { NativeAddonError } from './native.js';
