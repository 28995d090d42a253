// Backbones (ResNet-18/34/50/101 as torchvision, ViT-S/16 and ViT-B/16 as timm), the MVEB
// projector and the Siamese model (online branch + EMA or shared target).
import { fromNative, toNative, type StateDict } from './io.js';
import { native, type ModelPart, type NativeModel } from './native.js';
import { Tensor } from './tensor.js';

export type { ModelPart } from './native.js';

export const ARCHITECTURES = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'vit_small_16', 'vit_base_16'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export interface ModelOptions {
  /** Default 'resnet50'. */
  arch?: Architecture;
  /** ResNet: 3×3 stride-1 stem without max-pool, for 28–64 px images (default false). */
  smallStem?: boolean;
  /** ResNet: zero the last BN weight of each residual block (default true). */
  zeroInitResidual?: boolean;
  /** ViT: the image size its position embeddings are learned for (default 224). */
  imageSize?: number;
  /** Projector widths (default 2048, 2048). */
  projector?: { hidden?: number; out?: number };
  /** 'ema' (default): a separate target branch updated by EMA; 'shared': the online branch. */
  target?: 'ema' | 'shared';
  /** Forward precision: 'auto' (default: bf16 autocast on CUDA, fp32 on CPU), 'fp32', 'fp16', 'bf16'. */
  precision?: 'auto' | 'fp32' | 'fp16' | 'bf16';
  /** Channels-last memory format: 'auto' (default: on for CUDA inputs, off on CPU), true, false. */
  channelsLast?: 'auto' | boolean;
}

export class Model {
  /** @internal */
  constructor(readonly handle: NativeModel) {}

  /** Width of the backbone features (512 for ResNet-18/34, 2048 for ResNet-50/101, 384/768 for ViT-S/B). */
  get featureDim(): number {
    return this.handle.featureDim;
  }

  /** L2-normalised online embeddings of each view (float32 [N, 3, H, W] each; sizes may differ). */
  async embed(views: Tensor[]): Promise<Tensor[]> {
    return (await this.handle.embed(views.map((v) => v.handle))).map((t) => new Tensor(t));
  }

  /** L2-normalised target embeddings of the global views, without autograd. */
  async targetEmbed(views: Tensor[]): Promise<Tensor[]> {
    return (await this.handle.targetEmbed(views.map((v) => v.handle))).map((t) => new Tensor(t));
  }

  /** Pooled backbone features [N, featureDim] of the online branch, without autograd. */
  async backboneFeatures(images: Tensor): Promise<Tensor> {
    return new Tensor(await this.handle.backboneFeatures(images.handle));
  }

  /**
   * One forward and backward pass of the online backbone on mean(features²), gradients then
   * dropped: for benchmarks and gradient checks. Returns the loss and the gradient norm.
   */
  async forwardBackward(images: Tensor): Promise<{ loss: number; gradNorm: number }> {
    return this.handle.forwardBackward(images.handle);
  }

  /**
   * Copies of the parameters and buffers with PyTorch names: part 'backbone' gives
   * torchvision/timm keys ('conv1.weight', 'layer1.0.bn1.running_mean', …); 'model' prefixes
   * them with 'online.backbone.', 'online.projector.', 'target.…'.
   */
  async stateDict(options: { part?: ModelPart } = {}): Promise<StateDict> {
    return fromNative(await this.handle.stateDict(options));
  }

  /** Loads matching entries; `strict` (default true) refuses missing or unexpected keys. */
  async loadStateDict(
    tensors: StateDict,
    options: { part?: ModelPart; strict?: boolean } = {},
  ): Promise<{ missing: string[]; unexpected: string[] }> {
    return this.handle.loadStateDict(toNative(tensors), options);
  }

  async train(training = true): Promise<void> {
    await this.handle.setTraining(training);
  }

  async eval(): Promise<void> {
    await this.handle.setTraining(false);
  }

  /** target ← m·target + (1 − m)·online (parameters); BN statistics are copied. No-op when shared. */
  async updateTarget(momentum: number): Promise<void> {
    await this.handle.updateTarget(momentum);
  }

  async to(device: string): Promise<void> {
    await this.handle.to(device);
  }

  parameterCount(options: { part?: ModelPart } = {}): number {
    return this.handle.parameterCount(options);
  }
}

export function createModel(options: ModelOptions = {}): Model {
  return new Model(new (native().NativeModel)(options));
}
