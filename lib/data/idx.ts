// IDX files (MNIST, Fashion-MNIST), gzip-compressed or not.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface IdxArray {
  data: Uint8Array;
  shape: number[];
}

/** Where Debian's `dataset-fashion-mnist` puts the files; MVEB_FASHION_MNIST overrides. */
export function fashionMnistDir(): string {
  return process.env.MVEB_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist';
}

/** The paths of one split of Fashion-MNIST (or MNIST, same names) in `dir`. */
export function fashionMnistFiles(
  split: 'train' | 't10k',
  dir = fashionMnistDir(),
): { images: string; labels: string } {
  return {
    images: join(dir, `${split}-images-idx3-ubyte.gz`),
    labels: join(dir, `${split}-labels-idx1-ubyte.gz`),
  };
}

/** Reads an unsigned-byte IDX file (type 0x08), the only type these datasets use. */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Buffer = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${path}: not an IDX file (bad magic)`);
  if (bytes[2] !== 0x08) throw new Error(`${path}: IDX element type 0x${bytes[2]!.toString(16)} is not unsigned byte`);
  const dims = bytes[3]!;
  const header = 4 + 4 * dims;
  if (bytes.length < header) throw new Error(`${path}: truncated IDX header`);
  const shape = Array.from({ length: dims }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + count) {
    throw new Error(
      `${path}: IDX shape [${shape.join(', ')}] needs ${count} bytes of data, file has ${bytes.length - header}`,
    );
  }
  return { data: new Uint8Array(bytes.buffer, bytes.byteOffset + header, count), shape };
}
