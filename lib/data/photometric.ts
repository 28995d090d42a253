// Photometric augmentation of uint8 NHWC batches, on the device the batch goes to
// (native/augment): colour jitter, grayscale, Gaussian blur, solarisation, normalisation.
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import type { PhotometricOptions, PhotometricParams, PhotometricSpec } from '../photometric-options.js';

export type { PhotometricOptions, PhotometricParams, PhotometricSpec } from '../photometric-options.js';

/** The parameters `seed` gives for `count` images (what photometricAugment would draw). */
export function drawPhotometricParams(
  count: number,
  spec: PhotometricSpec,
  seed: number,
): PhotometricParams & { blurKernel: number } {
  return native().drawPhotometricParams(count, spec, seed);
}

/** uint8 images [N, H, W, 3] → normalised float32 [N, 3, H, W] on `options.device`. */
export async function photometricAugment(
  images: Uint8Array,
  shape: readonly [number, number, number, number],
  options: PhotometricOptions,
): Promise<Tensor<'float32'>> {
  if (options.seed === undefined && options.params === undefined) {
    throw new TypeError('photometricAugment: give options.seed or options.params');
  }
  return Tensor.wrap(await native().photometricAugment(images, shape, options));
}
