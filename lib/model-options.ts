// The options of a model: which architecture and how it is built. Shared by the native binding
// (lib/native.ts) and the modules above it; it imports nothing.

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
