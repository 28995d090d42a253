// A run's TensorBoard event file, written beside metrics.jsonl from the same records: every
// finite number of a record is a scalar, tagged `<kind>/<field path>` (train/loss, train/lr,
// train/bandwidths/0, epoch/health/stdMean, knn/accuracy, knn/baseline/initialisation), at the
// record's step. Each session of a run (a start, each resume) writes its own file; a resumed one
// opens with a SessionLog START at the first step it will take (PyTorch's purge_step), so that
// TensorBoard drops what the earlier session logged past the checkpoint: each step shows once.
import { appendFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { encodeEvent } from './event.js';
import { tfRecord } from './tfrecord.js';

/** Where a record sits, not what it measured. */
const bookkeeping = new Set(['schemaVersion', 'time', 'type', 'epoch', 'step', 'batch', 'path']);
/** metrics.jsonl's record types, as TensorBoard groups: a step's scalars are training's. */
const groups: Record<string, string> = { step: 'train' };

/** The scalars of one metrics.jsonl record, by tag. */
export function scalarsOf(record: Record<string, unknown>): Array<[string, number]> {
  const kind = String(record['type'] ?? 'record');
  const scalars: Array<[string, number]> = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) scalars.push([path, value]);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}/${i}`));
    } else if (value !== null && typeof value === 'object') {
      for (const [name, v] of Object.entries(value)) visit(v, `${path}/${name}`);
    }
  };
  for (const [name, value] of Object.entries(record))
    if (!bookkeeping.has(name)) visit(value, `${groups[kind] ?? kind}/${name}`);
  return scalars;
}

export class EventFileWriter {
  private constructor(readonly path: string) {}

  /** A new event file in `dir`; `resumedAt`: the first step a resumed session takes. */
  static async open(dir: string, { resumedAt }: { resumedAt?: number } = {}): Promise<EventFileWriter> {
    const now = Date.now();
    const path = join(dir, `events.out.tfevents.${Math.floor(now / 1000)}.${hostname()}.${process.pid}.mveb-torch`);
    const records = [tfRecord(encodeEvent({ wallTime: now / 1000, fileVersion: 'brain.Event:2' }))];
    if (resumedAt !== undefined)
      records.push(tfRecord(encodeEvent({ wallTime: now / 1000, step: resumedAt, sessionStart: true })));
    await writeFile(path, Buffer.concat(records));
    return new EventFileWriter(path);
  }

  /** One event holding the record's scalars at `step`; nothing for a record without any. */
  async write(record: Record<string, unknown>, step: number, wallTime = Date.now() / 1000): Promise<void> {
    const scalars = scalarsOf(record);
    if (scalars.length === 0) return;
    await appendFile(this.path, tfRecord(encodeEvent({ wallTime, step, scalars })));
  }
}
