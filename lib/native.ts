// The native addon's typed surface; lib/addon/load.ts decides which build is loaded.
import { loadAddon, type AddonOrigin } from './addon/load.js';
import type { ModelOptions } from './model-options.js';
import type { PhotometricOptions, PhotometricParams, PhotometricSpec } from './photometric-options.js';

export type DType = 'float32' | 'float64' | 'int64' | 'uint8';
export type TypedArrayOf<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int64'
      ? BigInt64Array
      : Uint8Array;
export type AnyTypedArray = Float32Array | Float64Array | BigInt64Array | Uint8Array;

export interface NativeTensor {
  readonly shape: number[];
  readonly dtype: DType;
  readonly device: string;
  readonly isContiguous: boolean;
  toTypedArray(): Promise<AnyTypedArray>;
  to(device: string): Promise<NativeTensor>;
  contiguous(): Promise<NativeTensor>;
  transpose(dim0: number, dim1: number): NativeTensor;
  saveNpy(path: string): Promise<void>;
}

export interface NativeTensorClass {
  fromTypedArray(data: AnyTypedArray, shape: readonly number[]): NativeTensor;
  loadNpy(path: string): Promise<NativeTensor>;
  matmul(a: NativeTensor, b: NativeTensor): Promise<NativeTensor>;
  randn(shape: readonly number[], seed: number): Promise<NativeTensor>;
}

export interface CudaDevice {
  index: number;
  name?: string;
  totalMemoryBytes?: number;
  freeMemoryBytes?: number;
  computeCapability?: string;
  multiprocessors?: number;
  error?: string;
}

export interface NativeBuildInfo {
  libtorchVersion: string;
  buildFlavour: 'cmake-js' | 'node-gyp';
  cudaCompiled: boolean;
  cudaRuntimeVersion?: number;
  cudaAvailable: boolean;
  cudaDevices: CudaDevice[];
  cxx11Abi: boolean;
  threads: { intraOp: number; interOp: number };
  torchConfig: string;
}

export interface NativeSteinOptions {
  eta?: number;
  minBandwidth?: number;
  solver?: 'cholesky' | 'inverse';
  precision?: 'float64' | 'input';
  implementation?: 'auto' | 'fused' | 'aten';
}

export interface NativeOps {
  steinScore(z: NativeTensor, options?: NativeSteinOptions): Promise<{ score: NativeTensor; bandwidth: number }>;
  entropySurrogate(
    z: NativeTensor,
    options?: NativeSteinOptions & { grad?: boolean },
  ): Promise<{ value: number; bandwidth: number; grad?: NativeTensor }>;
  mvebLoss(
    online: NativeTensor[],
    targets: NativeTensor[] | null,
    options?: NativeSteinOptions & { beta?: number; grad?: boolean },
  ): Promise<{ loss: number; alignment: number; uniformity: number; bandwidths: number[]; grads?: NativeTensor[] }>;
  emaUpdate(target: NativeTensor[], online: NativeTensor[], momentum: number): Promise<void>;
}

export interface NativeOptimizer {
  readonly lr: number;
  step(grads: NativeTensor[], options?: { lr?: number }): Promise<void>;
  momentumBuffers(): Promise<Array<NativeTensor | null>>;
  saveState(path: string): Promise<void>;
  loadState(path: string): Promise<void>;
}

export interface NativeOptimizerClass {
  new (kind: 'lars' | 'sgd', params: NativeTensor[], options: Record<string, number | undefined>): NativeOptimizer;
}

export interface CollapseStudyOptions {
  steps?: number;
  batch?: number;
  beta?: number;
  lr?: number;
  weightDecay?: number;
  emaMomentum?: number;
  hidden?: number;
  embedding?: number;
  logEvery?: number;
  seed?: number;
}

export interface CollapseStudyResult {
  steps: number[];
  embeddingStd: number[];
  loss: number[];
  alignment: number[];
}

export interface NativeExperiments {
  collapseStudy(images: NativeTensor, options?: CollapseStudyOptions): Promise<CollapseStudyResult>;
}

export type ModelPart = 'model' | 'online' | 'backbone' | 'projector';

export interface NativeModel {
  readonly featureDim: number;
  embed(views: NativeTensor[]): Promise<NativeTensor[]>;
  targetEmbed(views: NativeTensor[]): Promise<NativeTensor[]>;
  backboneFeatures(images: NativeTensor): Promise<NativeTensor>;
  forwardBackward(images: NativeTensor): Promise<{ loss: number; gradNorm: number }>;
  stateDict(options?: { part?: ModelPart }): Promise<Record<string, NativeTensor>>;
  loadStateDict(
    tensors: Record<string, NativeTensor>,
    options?: { part?: ModelPart; strict?: boolean },
  ): Promise<{ missing: string[]; unexpected: string[] }>;
  setTraining(training: boolean): Promise<void>;
  updateTarget(momentum: number): Promise<void>;
  to(device: string): Promise<void>;
  parameterCount(options?: { part?: ModelPart }): number;
}

export interface NativeModelClass {
  new (options: ModelOptions): NativeModel;
}

export interface NativeIo {
  savePth(path: string, tensors: Record<string, NativeTensor>): Promise<void>;
  saveCheckpoint(path: string, value: unknown): Promise<void>;
}

export interface NativeProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  /** Each value summed over ranks (float64). */
  sum(values: number[]): Promise<number[]>;
  barrier(timeoutMs: number): Promise<void>;
  broadcastModel(model: NativeModel): Promise<void>;
  broadcastTensors(tensors: NativeTensor[]): Promise<void>;
  /** Largest difference over ranks of per-tensor sums from rank 0's (0: identical replicas). */
  replicaDrift(model: NativeModel): Promise<number>;
}

export interface NativeProcessGroupOptions {
  backend: 'gloo' | 'nccl';
  /** NCCL: this rank's GPU. */
  cudaDevice?: number;
  rank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: number;
  agentStore: boolean;
  storePrefix?: string;
  /** Collectives fail after this. */
  timeoutMs: number;
  /** Every rank has this long to join; one that never does is named (default 300 s). */
  joinTimeoutMs?: number;
  interface?: string;
}

/** The class of connect()'s results: JS cannot construct one (its constructor throws), only check it. */
export interface NativeProcessGroupClass {}

export interface NativeDistributed {
  connect(options: NativeProcessGroupOptions): Promise<NativeProcessGroup>;
  backends(): string[];
  NativeProcessGroup: NativeProcessGroupClass;
}

export interface TrainStepStats {
  loss: number;
  alignment: number;
  uniformity: number;
  bandwidths: number[];
  gradNorm: number;
  skipped: boolean;
  lossScale: number;
  seconds: number;
  /** Data-parallel: waiting for gradient all-reduces that backward did not hide. */
  exposedCommunicationSeconds: number;
}

export interface ScalerState {
  enabled: boolean;
  scale: number;
  growthTracker: number;
}

export interface NativeTrainer {
  step(views: NativeTensor[], options: { lr: number; emaMomentum: number; beta: number }): Promise<TrainStepStats>;
  momentumBuffers(): Promise<Array<NativeTensor | null>>;
  loadMomentumBuffers(buffers: Array<NativeTensor | null>): Promise<void>;
  /** Read and written on the device thread, in order with the steps that update it. */
  scalerState(): Promise<ScalerState>;
  loadScaler(state: Pick<ScalerState, 'scale' | 'growthTracker'>): Promise<void>;
  /** The optimiser's state and the loss scale as before the first step. */
  resetState(): Promise<void>;
}

export interface NativeTrainerClass {
  new (
    model: NativeModel,
    options: {
      optimizer: 'lars' | 'sgd';
      lr: number;
      momentum: number;
      weightDecay: number;
      trustCoefficient?: number;
      lossScaling: boolean;
      processGroup?: NativeProcessGroup;
      syncBn?: boolean;
      steinScope?: 'global' | 'local';
      bucketFirstBytes?: number;
      bucketCapBytes?: number;
    },
  ): NativeTrainer;
}

export interface EmbeddingHealth {
  stdMean: number;
  stdMin: number;
  effectiveRank: number;
  alignment: number;
  uniformity: number;
}

export interface NativeEval {
  knnPredict(
    trainFeatures: NativeTensor,
    trainLabels: NativeTensor,
    testFeatures: NativeTensor,
    options: { k?: number; temperature?: number; classes?: number },
  ): Promise<NativeTensor>;
  knnGrid(
    trainFeatures: NativeTensor,
    trainLabels: NativeTensor,
    testFeatures: NativeTensor,
    options: { ks?: number[]; temperatures?: number[]; classes?: number; top?: number },
  ): Promise<NativeTensor>;
  linearProbe(
    features: NativeTensor,
    labels: NativeTensor,
    evaluate: NativeTensor[],
    options: {
      classes?: number;
      epochs?: number;
      lr?: number;
      momentum?: number;
      weightDecay?: number;
      batch?: number;
      seed?: number;
      top?: number;
    },
  ): Promise<NativeTensor[]>;
  logisticRegression(
    features: NativeTensor,
    labels: NativeTensor,
    evaluate: NativeTensor[],
    options: { classes?: number; l2?: number; maxIterations?: number; top?: number },
  ): Promise<NativeTensor[]>;
  embeddingHealth(z1: NativeTensor, z2?: NativeTensor): Promise<EmbeddingHealth>;
}

export interface CpuCacheStats {
  installed: boolean;
  hits: number;
  misses: number;
  cachedBytes: number;
  limitBytes: number;
}

export interface NativeCropView {
  left: number;
  top: number;
  width: number;
  height: number;
  size: number;
  flip: boolean;
}

export interface NativeAddon {
  cutViews(
    image: Uint8Array,
    width: number,
    height: number,
    channels: number,
    views: readonly NativeCropView[],
    outputs: readonly Uint8Array[],
    slot: number,
  ): void;
  drawPhotometricParams(count: number, spec: PhotometricSpec, seed: number): PhotometricParams & { blurKernel: number };
  photometricAugment(data: Uint8Array, shape: readonly number[], options: PhotometricOptions): Promise<NativeTensor>;
  setNumThreads(threads: number): Promise<void>;
  manualSeed(seed: number): Promise<void>;
  NativeTrainer: NativeTrainerClass;
  eval: NativeEval;
  cpuCacheStats(): CpuCacheStats;
  NativeModel: NativeModelClass;
  io: NativeIo;
  experiments: NativeExperiments;
  NativeTensor: NativeTensorClass;
  NativeOptimizer: NativeOptimizerClass;
  ops: NativeOps;
  buildInfo(): NativeBuildInfo;
  distributed: NativeDistributed;
}

export { NativeAddonError } from './errors.js';
export { packageRoot, type AddonOrigin } from './addon/load.js';

let loaded: { addon: NativeAddon; origin: AddonOrigin } | undefined;

export function native(): NativeAddon {
  loaded ??= loadAddon<NativeAddon>();
  return loaded.addon;
}

/** Which addon file runs in this process, and why that one. */
export function nativeAddonOrigin(): AddonOrigin {
  native();
  return loaded!.origin;
}
