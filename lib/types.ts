// Option types shared by the native binding (lib/native.ts) and the modules above it. The
// bottom of lib/: it imports nothing, so no import runs back up.

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

/** One view's photometric recipe; every field defaults to DINO's global-view-1 values. */
export interface PhotometricSpec {
  /** Probability that colour jitter is applied (0.8). */
  jitterProb?: number;
  /** Brightness factor drawn from [1 − b, 1 + b] (0.4). */
  brightness?: number;
  /** Contrast factor drawn from [1 − c, 1 + c] (0.4). */
  contrast?: number;
  /** Saturation factor drawn from [1 − s, 1 + s] (0.2). */
  saturation?: number;
  /** Hue shift drawn from [−h, h], h ≤ 0.5 (0.1). */
  hue?: number;
  /** Probability of converting to grayscale (0.2). */
  grayscaleProb?: number;
  /** Probability of a Gaussian blur (1.0). */
  blurProb?: number;
  /** Blur σ drawn from [sigmaMin, sigmaMax] ([0.1, 2]). */
  sigmaMin?: number;
  sigmaMax?: number;
  /** Odd blur kernel size; 0 (default) = 2·ceil(3·sigmaMax) + 1. */
  blurKernel?: number;
  /** Probability of solarisation (0). */
  solarizeProb?: number;
  /** Values ≥ threshold are inverted (128/255, as PIL's solarize(128)). */
  solarizeThreshold?: number;
  /** Normalisation (ImageNet's by default). */
  mean?: readonly number[];
  std?: readonly number[];
}

/** Per-sample parameters, one entry (four for `order`/`factors`) per image. */
export interface PhotometricParams {
  jitter: number[];
  order: number[];
  factors: number[];
  grayscale: number[];
  blur: number[];
  sigma: number[];
  solarize: number[];
}

export interface PhotometricOptions extends PhotometricSpec {
  /** Draw the per-sample parameters from this seed (reproducible)... */
  seed?: number;
  /** ...or give them. */
  params?: PhotometricParams;
  /** Where the work runs and the result lives ('cpu' default, 'cuda', 'cuda:1'). */
  device?: string;
  /** 'auto' (default): the fused kernel on CPU, batched ATen operations on other devices. */
  implementation?: 'auto' | 'fused' | 'aten';
}
