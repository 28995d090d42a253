// Features are computed once per (weights, data, view) and kept on disk: a second protocol,
// or the same one with other settings, starts at once. Keys hash what the features depend on,
// the weights file's size and modification time included; a half-written entry is a miss.
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../tensor.js';
import type { FeatureSet } from './feature-set.js';

const version = 1;

export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mveb-torch', 'features');
}

/** What a set of features depends on; files in it are identified by path, size and mtime. */
export async function cacheKey(parts: Record<string, unknown>, files: string[]): Promise<string> {
  const identities = await Promise.all(
    files.map(async (f) =>
      stat(f).then(
        (s) => ({ f, size: s.size, mtime: s.mtimeMs }),
        () => ({ f }),
      ),
    ),
  );
  return createHash('sha256').update(JSON.stringify({ version, parts, identities })).digest('hex').slice(0, 32);
}

export class FeatureCache {
  /** `dir` undefined: no caching. */
  constructor(private readonly dir: string | undefined) {}

  /** The cached set, or `compute()`'s, stored for next time. `hit` says which. */
  async get(key: string, compute: () => Promise<FeatureSet>): Promise<FeatureSet & { hit: boolean }> {
    if (!this.dir) return { ...(await compute()), hit: false };
    const features = join(this.dir, `${key}.features.npy`);
    const labels = join(this.dir, `${key}.labels.npy`);
    try {
      return {
        features: (await Tensor.loadNpy(features)) as Tensor<'float32'>,
        labels: (await Tensor.loadNpy(labels)) as Tensor<'int64'>,
        hit: true,
      };
    } catch {
      // Absent or half-written: compute it again.
    }
    const set = await compute();
    await mkdir(this.dir, { recursive: true });
    // Labels last: their presence marks a complete entry.
    for (const [tensor, path] of [
      [set.features, features],
      [set.labels, labels],
    ] as const) {
      const temporary = `${path}.tmp-${process.pid}.npy`;
      await tensor.saveNpy(temporary);
      await rename(temporary, path).catch(async (error: unknown) => {
        await rm(temporary, { force: true });
        throw error;
      });
    }
    return { ...set, hit: false };
  }
}
