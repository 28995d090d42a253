// torchvision's ImageFolder layout: root/<class>/**/<image>, classes sorted by name,
// files sorted within each class, so an index means the same image on every run.
import { InputError } from '../errors.js';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Dataset, FileSource } from './dataset.js';
import { type FolderScan, defaultCacheDir, loadCachedScan, saveScan } from './file-list-cache.js';

export const imageExtensions = ['.jpg', '.jpeg', '.png', '.webp'] as const;

export interface ImageFolderOptions {
  /** Where the file list is cached (see defaultCacheDir); false disables the cache. */
  cacheDir?: string | false;
}

export class ImageFolder implements Dataset {
  readonly source: FileSource;
  readonly description: string;

  private constructor(
    readonly root: string,
    private readonly scan: FolderScan,
    /** Whether the file list came from the cache rather than a walk of the tree. */
    readonly fromCache: boolean,
  ) {
    this.description = `ImageFolder ${root}`;
    this.source = { kind: 'files', path: (index) => join(root, scan.files[index]!) };
  }

  static async open(root: string, options: ImageFolderOptions = {}): Promise<ImageFolder> {
    const info = await stat(root).catch(() => undefined);
    if (!info) throw new InputError(`data path does not exist: ${root}`);
    if (!info.isDirectory()) throw new InputError(`data path is not a directory: ${root}`);
    const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
    const cached = cacheDir === false ? undefined : await loadCachedScan(root, cacheDir);
    if (cached) return new ImageFolder(root, cached, true);
    const scan = await scanFolder(root);
    if (cacheDir !== false) await saveScan(root, cacheDir, scan);
    return new ImageFolder(root, scan, false);
  }

  get length(): number {
    return this.scan.files.length;
  }

  get classes(): readonly string[] {
    return this.scan.classes;
  }

  label(index: number): number {
    return this.scan.labels[index]!;
  }
}

async function scanFolder(root: string): Promise<FolderScan> {
  const directories: Record<string, number> = { '': (await stat(root)).mtimeMs };
  const entries = await readdir(root, { withFileTypes: true });
  const classes = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (classes.length === 0) {
    throw new InputError(
      `no class sub-folders in ${root} (expected ${root}/<class>/<image>, as torchvision's ImageFolder)`,
    );
  }
  const files: string[] = [];
  const labels: number[] = [];
  for (const [label, name] of classes.entries()) {
    for (const file of await walk(root, name, directories)) {
      files.push(file);
      labels.push(label);
    }
  }
  if (files.length === 0) {
    throw new InputError(
      `no images found under ${root} (looked for ${imageExtensions.join(' ')} in ${classes.length} class folders)`,
    );
  }
  return { classes, files, labels, directories };
}

// Image files under root/relative, sorted, recursing into sub-folders (following links, as torchvision).
async function walk(root: string, relative: string, directories: Record<string, number>): Promise<string[]> {
  const dir = join(root, relative);
  directories[relative] = (await stat(dir)).mtimeMs;
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(relative, entry.name);
    // Only links need a stat: readdir already knows what everything else is.
    const target = entry.isSymbolicLink() ? await stat(join(root, path)).catch(() => undefined) : entry;
    if (target?.isDirectory()) found.push(...(await walk(root, path, directories)));
    else if (target?.isFile() && (imageExtensions as readonly string[]).includes(extname(entry.name).toLowerCase()))
      found.push(path);
  }
  return found;
}
