// The multi-crop view recipe. Defaults are DINO's (architecture doc, section 5).
import { InputError } from '../errors.js';
import type { PhotometricSpec } from './photometric.js';

export interface ViewSpec {
  /** Output side in pixels (square views). */
  size: number;
  /** Area fraction of the source the crop covers, [min, max]. */
  scale: readonly [number, number];
  /** Aspect ratio range of the crop (default [3/4, 4/3]). */
  ratio?: readonly [number, number];
  /** Horizontal flip probability (default 0.5). */
  flipProb?: number;
  /** Photometric augmentation of this view (defaults: photometric.ts). */
  photometric?: PhotometricSpec;
}

export interface MultiCropOptions {
  globalSize?: number;
  localSize?: number;
  /** Number of local views (default 6); global views are always 2. */
  localCrops?: number;
  globalScale?: readonly [number, number];
  localScale?: readonly [number, number];
  mean?: readonly number[];
  std?: readonly number[];
}

export const defaultRatio: readonly [number, number] = [3 / 4, 4 / 3];

/** DINO's views: global 1 (blur p 1), global 2 (blur p 0.1, solarise p 0.2), then the locals (blur p 0.5). */
export function multiCropViews(options: MultiCropOptions = {}): ViewSpec[] {
  const norm = { ...(options.mean && { mean: options.mean }), ...(options.std && { std: options.std }) };
  const global = (blurProb: number, solarizeProb: number): ViewSpec => ({
    size: options.globalSize ?? 224,
    scale: options.globalScale ?? [0.4, 1],
    photometric: { blurProb, solarizeProb, ...norm },
  });
  const local: ViewSpec = {
    size: options.localSize ?? 96,
    scale: options.localScale ?? [0.05, 0.4],
    photometric: { blurProb: 0.5, ...norm },
  };
  return [global(1, 0), global(0.1, 0.2), ...Array.from({ length: options.localCrops ?? 6 }, () => local)];
}

/** Refuses a bad view list with a message naming the field. */
export function validateViews(views: readonly ViewSpec[], where = 'views'): void {
  if (!Array.isArray(views) || views.length === 0) throw new InputError(`${where} must be a non-empty list of views`);
  views.forEach((view, i) => {
    const at = `${where}[${i}]`;
    if (!Number.isInteger(view.size) || view.size < 1)
      throw new InputError(`${at}.size must be a positive integer, got ${view.size}`);
    const range = (value: readonly [number, number] | undefined, name: string, max: number) => {
      if (value === undefined) return;
      const [low, high] = value;
      if (!(low > 0 && high >= low && high <= max)) {
        throw new InputError(
          `${at}.${name} must be [min, max] with 0 < min <= max${Number.isFinite(max) ? ` <= ${max}` : ''}, got [${value.join(', ')}]`,
        );
      }
    };
    if (!Array.isArray(view.scale)) throw new InputError(`${at}.scale must be [min, max]`);
    range(view.scale, 'scale', 1);
    range(view.ratio, 'ratio', Infinity);
    const flip = view.flipProb ?? 0.5;
    if (!(flip >= 0 && flip <= 1)) throw new InputError(`${at}.flipProb must be a probability in [0, 1], got ${flip}`);
  });
}
