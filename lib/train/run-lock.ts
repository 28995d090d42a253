// An exclusive lock on a run directory for the life of a run: `run.lock`, created with O_EXCL,
// holding the owner's PID, host and process start time. A lock whose owner is gone (a dead PID,
// or a PID reused by another process since) is stale and is reclaimed.
import { readFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError, fileError } from '../errors.js';

export const lockName = 'run.lock';

interface LockOwner {
  pid: number;
  host: string;
  /** Start time of the process in clock ticks since boot (Linux), to tell a reused PID. */
  started?: number;
}

function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** Whether a process with this PID runs on this host now (any user's: EPERM means it exists). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot tell: assume it runs
  if (!processAlive(owner.pid)) return false;
  const started = processStartTime(owner.pid);
  return owner.started === undefined || started === undefined || started === owner.started;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

export class RunLock {
  private released = false;

  private constructor(readonly path: string) {}

  /**
   * Takes the lock of `dir`, reclaiming a stale one; refuses with the holder's PID when a live
   * run holds it. `dir` must exist.
   */
  static async acquire(dir: string): Promise<RunLock> {
    const path = join(dir, lockName);
    const started = processStartTime(process.pid);
    const me: LockOwner = { pid: process.pid, host: hostname(), ...(started !== undefined && { started }) };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const file = await open(path, 'wx');
        try {
          await file.writeFile(JSON.stringify(me) + '\n');
        } finally {
          await file.close();
        }
        return new RunLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          await rm(path, { force: true }).catch(() => undefined);
          throw fileError('write the lock file', path, error);
        }
      }
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // released meanwhile: try again
      const owner = parseOwner(text);
      if (!owner) {
        // Being written right now, or garbage: give a writer a moment before judging it.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const again = await readFile(path, 'utf8').catch(() => undefined);
        if (again !== text) continue;
      } else if (ownerAlive(owner)) {
        throw new InputError(
          `${dir} is in use by another run (PID ${owner.pid}${owner.host === me.host ? '' : ` on ${owner.host}`}): ` +
            `wait for it to end, or stop it${owner.host === me.host ? '' : `; if it is gone, delete ${path}`}`,
        );
      }
      // Stale: remove it only if it is still the file judged stale.
      if ((await readFile(path, 'utf8').catch(() => undefined)) === text) await rm(path, { force: true });
    }
    throw new InputError(`${dir}: could not take ${lockName} (other runs keep taking it)`);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await rm(this.path, { force: true });
  }
}
