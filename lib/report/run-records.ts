// What a run directory recorded, for its report: config.yaml and the lines of metrics.jsonl.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fileError, InputError } from '../errors.js';
import { OUTPUT_SCHEMA_VERSION } from '../output-schema.js';

export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  alignment: number;
  uniformity: number;
  lr: number;
  emaMomentum: number;
  imagesPerSecond: number;
}

export interface EpochRecord {
  epoch: number;
  step: number;
  meanLoss: number;
  imagesPerSecond: number;
  health?: { stdMean: number; stdMin: number; effectiveRank: number; alignment: number; uniformity: number };
}

export interface ScoreRecord {
  epoch: number;
  accuracy: number;
  baseline?: { initialisation?: number; rawPixels?: number };
}

export interface RunRecords {
  dir: string;
  config: Record<string, unknown>;
  steps: StepRecord[];
  epochs: EpochRecord[];
  knn: ScoreRecord[];
  linear: ScoreRecord[];
}

export async function readRunRecords(dir: string): Promise<RunRecords> {
  const read = async (name: string) =>
    readFile(join(dir, name), 'utf8').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new InputError(`report: ${dir} is not a run directory (no ${name})`);
      throw fileError('read', join(dir, name), error);
    });
  const config = parse(await read('config.yaml')) as Record<string, unknown>;
  const records: RunRecords = { dir, config, steps: [], epochs: [], knn: [], linear: [] };
  for (const line of (await read('metrics.jsonl')).split('\n')) {
    if (!line.trim()) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a line cut short by a crash: the rest still tells the story
    }
    const version = record['schemaVersion'] ?? 1;
    if (typeof version !== 'number' || version > OUTPUT_SCHEMA_VERSION) {
      throw new InputError(
        `report: ${join(dir, 'metrics.jsonl')} was written with output schema ${JSON.stringify(version)}; this mveb-torch reads up to ${OUTPUT_SCHEMA_VERSION} (a newer mveb-torch wrote it)`,
      );
    }
    if (record['type'] === 'step') records.steps.push(record as unknown as StepRecord);
    else if (record['type'] === 'epoch') records.epochs.push(record as unknown as EpochRecord);
    else if (record['type'] === 'knn') records.knn.push(record as unknown as ScoreRecord);
    else if (record['type'] === 'linear') records.linear.push(record as unknown as ScoreRecord);
  }
  return records;
}
