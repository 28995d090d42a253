// Where a run directory keeps its checkpoints: checkpoint-e<epoch>-s<step>.pth, the newest
// the one with the most steps. Shared by resuming, export and inspection.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from './errors.js';

const pattern = /^checkpoint-e(\d+)-s(\d+)\.pth$/;

export function checkpointName(position: { epoch: number; step: number }): string {
  return `checkpoint-e${String(position.epoch).padStart(4, '0')}-s${String(position.step).padStart(8, '0')}.pth`;
}

/** Checkpoint file names of a run directory, oldest first. */
export async function checkpointsIn(dir: string): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => pattern.test(n));
  return names.sort((a, b) => Number(a.match(pattern)![2]) - Number(b.match(pattern)![2]));
}

/** Whether a path is a directory or a file; `purpose` starts the message when it is neither. */
export async function kindOf(path: string, purpose: string): Promise<'directory' | 'file'> {
  const kind = await stat(path).then(
    (s): 'directory' | 'file' => (s.isDirectory() ? 'directory' : 'file'),
    () => undefined,
  );
  if (!kind) throw new InputError(`${purpose}: ${path} does not exist`);
  return kind;
}

/** A file as given, or the newest checkpoint of a run directory. */
export async function fileOrNewestCheckpoint(pathOrRun: string, purpose: string): Promise<string> {
  if ((await kindOf(pathOrRun, purpose)) === 'file') return pathOrRun;
  const names = await checkpointsIn(pathOrRun);
  if (names.length === 0) throw new InputError(`${purpose}: ${pathOrRun} holds no checkpoint (checkpoint-*.pth)`);
  return join(pathOrRun, names[names.length - 1]!);
}
