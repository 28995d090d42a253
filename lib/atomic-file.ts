// Files written whole or not at all: a temporary file beside the target, flushed, then renamed.
import { rename, rm, writeFile } from 'node:fs/promises';
import { fileError } from './errors.js';

/** Writes `data` to `path` through a temporary file and a rename: never a partial file. */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data, { flush: true });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fileError('write', path, error);
  }
}
