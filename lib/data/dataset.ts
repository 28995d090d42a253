// What the loader needs from a dataset: its size, labels, and how a worker reads an image.

/** Raw pixels of every image in one shared buffer, [count, height, width, channels]. */
export interface PixelSource {
  kind: 'pixels';
  data: Uint8Array; // backed by a SharedArrayBuffer: workers read it without copies
  count: number;
  height: number;
  width: number;
  channels: 1 | 3;
}

/** Encoded image files (JPEG, PNG, WebP), decoded by the workers. */
export interface FileSource {
  kind: 'files';
  path(index: number): string;
}

export interface Dataset {
  /** For messages, e.g. "ImageFolder /data/train". */
  readonly description: string;
  readonly length: number;
  /** Class names, in label order (empty when unlabelled). */
  readonly classes: readonly string[];
  /** Label of image `index`, or -1 when the dataset has none. */
  label(index: number): number;
  readonly source: PixelSource | FileSource;
}

/** Copies pixels into a SharedArrayBuffer so worker threads can read them in place. */
export function sharedPixels(data: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(data.length));
  shared.set(data);
  return shared;
}
