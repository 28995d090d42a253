// A run's directory: config.yaml (the resolved configuration), metrics.jsonl (one JSON
// object per logged step and per epoch, appended), checkpoints.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TrainConfig } from './config.js';

export class RunDirectory {
  constructor(readonly path: string) {}

  static async create(config: TrainConfig): Promise<RunDirectory> {
    const name = config.name || new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
    const run = new RunDirectory(join(config.output, name));
    await mkdir(run.path, { recursive: true });
    await writeFile(join(run.path, 'config.yaml'), stringify(config));
    return run;
  }

  async log(record: Record<string, unknown>): Promise<void> {
    await appendFile(join(this.path, 'metrics.jsonl'), JSON.stringify({ time: new Date().toISOString(), ...record }) + '\n');
  }
}
