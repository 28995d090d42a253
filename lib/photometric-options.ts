// The options of photometric augmentation: a view's recipe and the per-sample parameters drawn
// from it. Shared by the native binding (lib/native.ts) and lib/data; it imports nothing.

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
