// Messages between the loader and its view workers.
import type { CropBox } from './crop-geometry.js';

export interface WorkerView {
  size: number;
  scale: readonly [number, number];
  ratio: readonly [number, number];
  flipProb: number;
}

export interface WorkerInit {
  /** Raw pixels shared with the main thread, or undefined for files (paths come with each task). */
  pixels?: { data: Uint8Array; height: number; width: number; channels: 1 | 3 };
  views: WorkerView[];
  seed: number;
  recordGeometry: boolean;
  resizer: 'native' | 'sharp';
}

export interface ViewTask {
  id: number;
  epoch: number;
  indices: number[];
  paths?: string[];
}

export interface ViewGeometry extends CropBox {
  flip: boolean;
  sourceWidth: number;
  sourceHeight: number;
}

export interface SkippedImage {
  index: number;
  path?: string;
  reason: string;
}

export interface ViewTaskResult {
  id: number;
  /** One uint8 NHWC buffer per view, rows for the kept images only. */
  views: Uint8Array[];
  /** Dataset indices of the images that decoded, in batch order. */
  kept: number[];
  skipped: SkippedImage[];
  /** Per kept image, per view (when recordGeometry). */
  geometry?: ViewGeometry[][];
  error?: string;
}
