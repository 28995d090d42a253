// mveb-torch/weights: weights files in any layout we read, export to torchvision/timm/Detectron2,
// inspection, a model initialised from a file, and reading a training checkpoint.
export { readWeights, FORMAT_NAMES } from '../weights/read.js';
export type { BranchWeights, WeightsFile, WeightsFormat } from '../weights/read.js';
export { exportWeights, EXPORT_FORMATS } from '../weights/export.js';
export type { ExportFormat, ExportOptions, ExportResult } from '../weights/export.js';
export { inspectWeights } from '../weights/inspect.js';
export type { BranchSummary, WeightsSummary } from '../weights/inspect.js';
export { initializeModel } from '../weights/initialize.js';
export type { InitReport, InitialModel } from '../weights/initialize.js';
export { loadCheckpoint } from '../train/checkpoint.js';
export type { LoadedCheckpoint, TrainingPosition } from '../train/checkpoint.js';
