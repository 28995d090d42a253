// A labelled dataset generated from a seed, for fast unit tests: each class is a
// colour gradient with its own orientation, plus per-image noise.
import { InputError } from '../errors.js';
import { type Dataset, type PixelSource, sharedPixels } from './dataset.js';
import { Random, deriveSeed } from './random.js';

export interface SyntheticOptions {
  length: number;
  height?: number;
  width?: number;
  classes?: number;
  seed?: number;
}

export class SyntheticDataset implements Dataset {
  readonly source: PixelSource;
  readonly length: number;
  readonly classes: readonly string[];
  readonly description: string;
  private readonly labels: Uint8Array;

  constructor(options: SyntheticOptions) {
    const { length, height = 32, width = 32, classes = 10, seed = 0 } = options;
    if (!Number.isInteger(length) || length < 1)
      throw new InputError(`synthetic: length must be a positive integer, got ${length}`);
    if (!Number.isInteger(classes) || classes < 1 || classes > 255)
      throw new InputError(`synthetic: classes must be in 1..255, got ${classes}`);
    this.length = length;
    this.classes = Array.from({ length: classes }, (_, i) => `class-${i}`);
    this.description = `synthetic ${length} × ${height}×${width} (seed ${seed})`;
    this.labels = new Uint8Array(length);
    const pixels = new Uint8Array(length * height * width * 3);
    for (let n = 0; n < length; n++) {
      const random = new Random(deriveSeed(seed, 'synthetic', n));
      const label = random.integer(0, classes - 1);
      this.labels[n] = label;
      const angle = (2 * Math.PI * label) / classes;
      const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
      const base = [random.integer(0, 255), random.integer(0, 255), random.integer(0, 255)];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const ramp = ((x / width - 0.5) * dx + (y / height - 0.5) * dy) * 255;
          const o = ((n * height + y) * width + x) * 3;
          for (let c = 0; c < 3; c++) {
            pixels[o + c] = Math.max(
              0,
              Math.min(255, Math.round(base[c]! * 0.5 + ramp * (c + 1) * 0.4 + random.uniform(-20, 20))),
            );
          }
        }
      }
    }
    this.source = { kind: 'pixels', data: sharedPixels(pixels), count: length, height, width, channels: 3 };
  }

  label(index: number): number {
    return this.labels[index]!;
  }
}
