// A run's directory: config.yaml (the resolved configuration), metrics.jsonl (one JSON object
// per logged step and per epoch, appended), checkpoints, and run.lock while a run owns it.
// A directory that already holds anything is never reused by a new run, and every file is
// written whole or not at all.
import { appendFile, mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomically } from '../atomic-file.js';
import { FileError, InputError, fileError } from '../errors.js';
import { versioned } from '../output-schema.js';
import type { TrainConfig } from './config.js';
import { RunLock, lockName } from './run-lock.js';
import { runName } from './run-name.js';
import { EventFileWriter } from '../tensorboard/writer.js';

const temporary = /\.tmp-(\d+)$/;
/** What a run writes besides checkpoints: all a run that died before its first checkpoint left. */
const isRunRecord = (name: string) =>
  ['config.yaml', 'metrics.jsonl', 'report.html', 'report.png'].includes(name) ||
  name.startsWith('events.out.tfevents.');

async function directoryKind(path: string): Promise<'missing' | 'directory' | 'other'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

export class RunDirectory {
  private wroteRecords = false;
  private events?: EventFileWriter;

  private constructor(
    readonly path: string,
    private readonly lock: RunLock,
    /** A new run, as opposed to a resumed one. */
    private readonly fresh: boolean,
    private readonly createdDirectory: boolean,
  ) {}

  /**
   * A new run's directory output/name: created (or an empty one taken), locked, proven writable.
   * `restart`: a run that died before its first checkpoint left only its records (config.yaml,
   * metrics.jsonl, the report): they are removed and the run starts there again (autoResume).
   */
  static async create(config: TrainConfig, { restart = false } = {}): Promise<RunDirectory> {
    const path = join(config.output, runName(config));
    if ((await directoryKind(config.output)) === 'other')
      throw new FileError(`output ${config.output} is a file, not a directory`);
    await makeDirectories(config.output).catch((error) => {
      throw fileError('create the output directory', config.output, error);
    });
    let created = true;
    await mkdir(path).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw fileError('create the run directory', path, error);
      if ((await directoryKind(path)) !== 'directory')
        throw new FileError(`run directory ${path} exists and is a file`);
      created = false;
    });
    const lock = await RunLock.acquire(path).catch(async (error) => {
      if (created) await rmdir(path).catch(() => undefined);
      throw error;
    });
    try {
      // Anything but a lock and the temporary files of an interrupted write means a run (or the
      // user's files): refused before anything in it is touched.
      let held = (await readdir(path)).filter((n) => n !== lockName && !temporary.test(n));
      if (restart && held.length > 0 && held.every(isRunRecord)) {
        await Promise.all(held.map((n) => rm(join(path, n), { force: true })));
        held = [];
      }
      if (held.length > 0) {
        const shown = held.slice(0, 4).join(', ') + (held.length > 4 ? `, … (${held.length} entries)` : '');
        throw new InputError(
          `run directory ${path} already holds a run (${shown}): continue it with --resume ${path}, or choose another --name`,
        );
      }
      await removeStaleTemporaries(path);
    } catch (error) {
      await lock.release();
      throw error;
    }
    return new RunDirectory(path, lock, true, created);
  }

  /** The directory of a run being resumed: locked, its dead runs' temporary files removed. */
  static async resume(path: string): Promise<RunDirectory> {
    const lock = await RunLock.acquire(path);
    try {
      await removeStaleTemporaries(path);
    } catch (error) {
      await lock.release();
      throw error;
    }
    return new RunDirectory(path, lock, false, false);
  }

  async writeConfig(config: TrainConfig): Promise<void> {
    await writeFileAtomically(join(this.path, 'config.yaml'), stringify(config));
  }

  /** TensorBoard's event file for this session; `resumed`: it continues after `step`. */
  async startEvents(step: number, resumed: boolean): Promise<void> {
    this.events = await EventFileWriter.open(this.path, resumed ? { resumedAt: step + 1 } : {}).catch((error) => {
      throw fileError('write an event file in', this.path, error);
    });
  }

  async log(record: Record<string, unknown>): Promise<void> {
    const path = join(this.path, 'metrics.jsonl');
    await appendFile(path, JSON.stringify(versioned({ time: new Date().toISOString(), ...record })) + '\n').catch(
      (error) => {
        throw fileError('append to', path, error);
      },
    );
    this.wroteRecords = true;
    // Every record the trainer logs says its step (TensorBoard's x axis).
    if (typeof record['step'] === 'number')
      await this.events?.write(record, record['step']).catch((error) => {
        throw fileError('append to', this.events!.path, error);
      });
  }

  /**
   * Releases the lock. A new run that recorded nothing (it failed or stopped before its first
   * step) leaves nothing behind, so its name can be used again.
   */
  async close(): Promise<void> {
    // A session that recorded nothing leaves no event file.
    if (this.events && !this.wroteRecords) await rm(this.events.path, { force: true }).catch(() => undefined);
    if (this.fresh && !this.wroteRecords) {
      await rm(join(this.path, 'config.yaml'), { force: true }).catch(() => undefined);
      await this.lock.release().catch(() => undefined);
      if (this.createdDirectory) await rmdir(this.path).catch(() => undefined);
      return;
    }
    await this.lock.release().catch(() => undefined);
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever where a parent exists but
 * refuses children with ENOENT (/proc).
 */
async function makeDirectories(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await directoryKind(path)) === 'directory') return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path || (await directoryKind(parent)) !== 'missing') throw error;
    await makeDirectories(parent);
    await mkdir(path);
  }
}

/** Temporary files of interrupted writes: only the lock holder writes here, so none is live. */
async function removeStaleTemporaries(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const match = temporary.exec(name);
    if (match && Number(match[1]) !== process.pid) await rm(join(dir, name), { force: true });
  }
}
