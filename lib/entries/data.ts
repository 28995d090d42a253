// mveb-torch/data: datasets (image folders, IDX files such as Fashion-MNIST, synthetic), the
// sampler, multi-crop views with their augmentation, and the loader that batches them.
export { openDataset, namedDatasets } from '../data/open-dataset.js';
export type { Dataset, FileSource, PixelSource } from '../data/dataset.js';
export { ImageFolder, imageExtensions } from '../data/image-folder.js';
export type { ImageFolderOptions } from '../data/image-folder.js';
export type { FolderScan } from '../data/file-list-cache.js';
export { IdxDataset, fashionMnist, fashionMnistClasses } from '../data/idx-dataset.js';
export { readIdx, fashionMnistFiles, fashionMnistDir } from '../data/idx.js';
export type { IdxArray } from '../data/idx.js';
export { SyntheticDataset } from '../data/synthetic.js';
export type { SyntheticOptions } from '../data/synthetic.js';
export { evenSubset } from '../data/subset.js';
export { EpochSampler } from '../data/sampler.js';
export type { SamplerOptions } from '../data/sampler.js';
export { multiCropViews, validateViews } from '../data/multicrop.js';
export type { MultiCropOptions, ViewSpec } from '../data/multicrop.js';
export { drawPhotometricParams, photometricAugment } from '../data/photometric.js';
export type { PhotometricOptions, PhotometricParams, PhotometricSpec } from '../data/photometric.js';
export { DataLoader, EpochRun, describeSkipped } from '../data/loader.js';
export type { EpochReport, LoadedBatch, LoaderOptions, RawView } from '../data/loader.js';
export type { SkippedImage, ViewGeometry } from '../data/view-messages.js';
