// Turns a --data argument into a dataset: a folder of class sub-folders, or a named set.
import type { Dataset } from './dataset.js';
import { fashionMnist } from './idx-dataset.js';
import { ImageFolder, type ImageFolderOptions } from './image-folder.js';
import { SyntheticDataset } from './synthetic.js';

export const namedDatasets = ['fashion-mnist', 'fashion-mnist:test', 'synthetic', 'synthetic:N'] as const;

/** The labelled test split of a named dataset that has one (fashion-mnist's); undefined otherwise. */
export function knownTestSplit(spec: string): string | undefined {
  return spec === 'fashion-mnist' || spec === 'fashion-mnist:test' ? 'fashion-mnist:test' : undefined;
}

/**
 * 'fashion-mnist' (Debian's train split), 'fashion-mnist:test', 'synthetic' (1024 images of
 * 64 × 64), 'synthetic:N' (N of them: short epochs for tests), or an ImageFolder path.
 */
export async function openDataset(spec: string, options: ImageFolderOptions = {}): Promise<Dataset> {
  if (spec === 'fashion-mnist') return fashionMnist('train');
  if (spec === 'fashion-mnist:test') return fashionMnist('test');
  const synthetic = /^synthetic(?::(\d+))?$/.exec(spec);
  if (synthetic)
    return new SyntheticDataset({ length: synthetic[1] ? Number(synthetic[1]) : 1024, height: 64, width: 64 });
  return ImageFolder.open(spec, options);
}
