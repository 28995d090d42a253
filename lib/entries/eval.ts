// mveb-torch/eval: the evaluation protocols one by one (kNN grid, linear probe, L-BFGS transfer),
// the features they read, and kNN accuracy as the training monitor measures it.
export { evaluate, PROTOCOLS } from '../eval/evaluate.js';
export type { EvaluateOptions, EvaluateResult, Protocol, ProtocolDetail, ProtocolResult } from '../eval/evaluate.js';
export { knnGrid, linearProbe, logisticTransfer, logSpace } from '../eval/protocols.js';
export type {
  KnnGridOptions,
  KnnGridResult,
  LinearProbeOptions,
  LinearProbeResult,
  TransferOptions,
  TransferResult,
} from '../eval/protocols.js';
export type { Accuracy, FeatureSet } from '../eval/feature-set.js';
export { datasetFeatures, evaluationView } from '../eval/features.js';
export type { FeatureOptions, LabelledRows } from '../eval/features.js';
export { backboneKnnAccuracy, knnAccuracy, rawPixelKnnAccuracy, reestimateBatchNorm } from '../eval/knn.js';
export type { KnnOptions } from '../eval/knn.js';
