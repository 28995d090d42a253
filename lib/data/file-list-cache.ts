// A cached scan of an image folder, so a 1.2M-image tree is not walked every run. The
// cache is keyed by the folder's real path and trusted only while every directory seen
// keeps its modification time (adding or removing a file changes its directory's mtime).
import { createHash } from 'node:crypto';
import { mkdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface FolderScan {
  classes: string[];
  /** Paths relative to the root, in dataset order. */
  files: string[];
  labels: number[];
  /** Every directory walked (relative; '' is the root) with its mtime in ms. */
  directories: Record<string, number>;
}

const formatVersion = 1;

/** MVEB_CACHE_DIR, else $XDG_CACHE_HOME/mveb-torch, else ~/.cache/mveb-torch. */
export function defaultCacheDir(): string {
  return process.env.MVEB_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mveb-torch');
}

async function cacheFile(root: string, cacheDir: string): Promise<string> {
  const key = createHash('sha256')
    .update(await realpath(root))
    .digest('hex')
    .slice(0, 24);
  return join(cacheDir, 'image-folders', `${key}.json`);
}

export async function loadCachedScan(root: string, cacheDir: string): Promise<FolderScan | undefined> {
  let cached: FolderScan & { version: number };
  try {
    cached = JSON.parse(await readFile(await cacheFile(root, cacheDir), 'utf8'));
  } catch {
    return undefined;
  }
  if (cached.version !== formatVersion) return undefined;
  for (const [dir, mtime] of Object.entries(cached.directories)) {
    const current = await stat(join(root, dir)).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (current !== mtime) return undefined;
  }
  return cached;
}

/** Best effort: a read-only cache directory only costs a rescan next time. */
export async function saveScan(root: string, cacheDir: string, scan: FolderScan): Promise<void> {
  try {
    const file = await cacheFile(root, cacheDir);
    await mkdir(join(cacheDir, 'image-folders'), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify({ version: formatVersion, ...scan }));
    await rename(temp, file);
  } catch {
    // not cached
  }
}
