// The public API of mveb-torch, root entry: what a training script needs (the trainer, its
// configuration and events, evaluation, weights in and out, what was loaded, the errors thrown).
// The building blocks have subpaths: mveb-torch/ops, /models, /data, /eval, /weights.
export { Trainer } from './train/trainer.js';
export type { TrainEvent, TrainerOptions } from './train/trainer.js';
export type { MonitorBaselines, MonitorCosts, KnnSummary } from './train/knn-monitor.js';
export type { EndReason } from './train/events.js';
export type { TimeBudget, TimeBudgetPlan, BudgetPlan } from './train/time-budget.js';
export type { EmbeddingHealth } from './native.js';
export type { ScalerState, TrainStepStats } from './native.js';
export { defaultConfig, presets, resolveConfig, validateConfig } from './train/config.js';
export type { PresetName, TrainConfig } from './train/config.js';
export type { CosineSpan } from './train/schedules.js';
export { evaluate, PROTOCOLS } from './eval/evaluate.js';
export type { EvaluateOptions, EvaluateResult, Protocol, ProtocolDetail, ProtocolResult } from './eval/evaluate.js';
export { exportWeights, EXPORT_FORMATS } from './weights/export.js';
export type { ExportFormat, ExportOptions, ExportResult } from './weights/export.js';
export { readWeights, FORMAT_NAMES } from './weights/read.js';
export type { BranchWeights, WeightsFile, WeightsFormat } from './weights/read.js';
export { inspectWeights } from './weights/inspect.js';
export type { BranchSummary, WeightsSummary } from './weights/inspect.js';
export { writeReport } from './report/write.js';
export type { ReportFiles } from './report/write.js';
export { info, setNumThreads } from './info.js';
export type { InfoReport } from './info.js';
export type { AddonOrigin } from './addon/load.js';
export type { CpuCacheStats, CudaDevice } from './native.js';
export { NativeAddonError } from './native.js';
export { FileError, InputError, RendezvousError } from './errors.js';
export { OUTPUT_SCHEMA_VERSION } from './output-schema.js';
