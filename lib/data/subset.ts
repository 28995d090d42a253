// A subset of a dataset: `count` images spread evenly over it (every class of a sorted
// folder keeps its share), for monitors that need not see everything.
import type { Dataset, FileSource, PixelSource } from './dataset.js';
import { sharedPixels } from './dataset.js';

export function evenSubset(dataset: Dataset, count: number): Dataset {
  if (count <= 0 || count >= dataset.length) return dataset;
  const indices = Array.from({ length: count }, (_, i) => Math.floor((i * dataset.length) / count));
  const { source } = dataset;
  let subsetSource: PixelSource | FileSource;
  if (source.kind === 'files') {
    subsetSource = { kind: 'files', path: (i) => source.path(indices[i]!) };
  } else {
    // Workers address pixels by index: copy the chosen images into their own buffer.
    const bytes = source.height * source.width * source.channels;
    const data = new Uint8Array(count * bytes);
    indices.forEach((from, to) => data.set(source.data.subarray(from * bytes, (from + 1) * bytes), to * bytes));
    subsetSource = { ...source, data: sharedPixels(data), count };
  }
  return {
    description: `${dataset.description} (${count} of ${dataset.length})`,
    length: count,
    classes: dataset.classes,
    label: (i) => dataset.label(indices[i]!),
    source: subsetSource,
  };
}
