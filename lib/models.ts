// Backbones (ResNet-18/34/50/101 as torchvision, ViT-S/16 and ViT-B/16 as timm), the MVEB
// projector and the Siamese model (online branch + EMA or shared target).
import { native, type ModelPart, type NativeModel } from './native.js';
import { Tensor, fromNative, toNative, type StateDict } from './tensor.js';
import type { ModelOptions } from './model-options.js';

export type { ModelPart } from './native.js';

export { ARCHITECTURES, type Architecture, type ModelOptions } from './model-options.js';

export class Model {
  /** @internal The native model; not part of the published API. */
  readonly handle: NativeModel;

  /** @internal Use createModel. */
  constructor(handle: NativeModel) {
    this.handle = handle;
  }

  /** Width of the backbone features (512 for ResNet-18/34, 2048 for ResNet-50/101, 384/768 for ViT-S/B). */
  get featureDim(): number {
    return this.handle.featureDim;
  }

  /** L2-normalised online embeddings of each view (float32 [N, 3, H, W] each; sizes may differ). */
  async embed(views: Tensor[]): Promise<Tensor[]> {
    return (await this.handle.embed(views.map((v) => v.handle))).map((t) => Tensor.wrap(t));
  }

  /** L2-normalised target embeddings of the global views, without autograd. */
  async targetEmbed(views: Tensor[]): Promise<Tensor[]> {
    return (await this.handle.targetEmbed(views.map((v) => v.handle))).map((t) => Tensor.wrap(t));
  }

  /** Pooled backbone features [N, featureDim] of the online branch, without autograd. */
  async backboneFeatures(images: Tensor): Promise<Tensor> {
    return Tensor.wrap(await this.handle.backboneFeatures(images.handle));
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
