// Image datasets in IDX files: Fashion-MNIST (Debian's dataset-fashion-mnist by default), MNIST.
import { InputError } from '../errors.js';
import { access } from 'node:fs/promises';
import { type Dataset, type PixelSource, sharedPixels } from './dataset.js';
import { fashionMnistDir, fashionMnistFiles, readIdx } from './idx.js';

export const fashionMnistClasses = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export class IdxDataset implements Dataset {
  readonly source: PixelSource;
  readonly length: number;

  private constructor(
    readonly description: string,
    pixels: Uint8Array,
    shape: number[],
    private readonly labels: Uint8Array | undefined,
    readonly classes: readonly string[],
  ) {
    const [count, height, width] = shape as [number, number, number];
    this.length = count;
    this.source = { kind: 'pixels', data: sharedPixels(pixels), count, height, width, channels: 1 };
  }

  /** An images file ([N, H, W] bytes) and, optionally, its labels file ([N] bytes). */
  static async open(files: { images: string; labels?: string }, classes: readonly string[] = []): Promise<IdxDataset> {
    for (const path of [files.images, files.labels]) {
      if (path !== undefined && !(await exists(path))) throw new InputError(`IDX file not found: ${path}`);
    }
    const images = await readIdx(files.images);
    if (images.shape.length !== 3)
      throw new InputError(
        `${files.images}: expected [count, height, width] images, got shape [${images.shape.join(', ')}]`,
      );
    if (images.shape[0] === 0) throw new InputError(`${files.images}: the dataset is empty`);
    let labels: Uint8Array | undefined;
    if (files.labels !== undefined) {
      const read = await readIdx(files.labels);
      if (read.shape.length !== 1 || read.shape[0] !== images.shape[0]) {
        throw new InputError(`${files.labels}: ${read.shape[0]} labels for ${images.shape[0]} images`);
      }
      labels = read.data;
    }
    return new IdxDataset(`IDX ${files.images}`, images.data, images.shape, labels, classes);
  }

  label(index: number): number {
    return this.labels ? this.labels[index]! : -1;
  }
}

/** Fashion-MNIST's train (60 000) or test (10 000) split, from `dir` (Debian's path by default). */
export async function fashionMnist(split: 'train' | 'test', dir = fashionMnistDir()): Promise<IdxDataset> {
  const files = fashionMnistFiles(split === 'train' ? 'train' : 't10k', dir);
  if (!(await exists(files.images))) {
    throw new InputError(
      `Fashion-MNIST not found in ${dir} (install Debian's dataset-fashion-mnist, or set MVEB_FASHION_MNIST)`,
    );
  }
  return IdxDataset.open(files, fashionMnistClasses);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
