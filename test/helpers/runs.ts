// Small training runs for the tests: a tiny recipe (API and CLI), the CLI run synchronously, and
// a run directory's files in a comparable form.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedCheckpoint } from '../../lib/train/checkpoint.js';
import type { TrainConfig } from '../../lib/train/config.js';
import type { Trainer, TrainEvent } from '../../lib/train/trainer.js';
import { cli } from './paths.js';

export const tiny: Partial<TrainConfig> = {
  data: 'synthetic',
  arch: 'resnet18',
  projectorHidden: 32,
  projectorOut: 32,
  epochs: 2,
  batchSize: 16,
  optimizer: 'sgd',
  globalSize: 16,
  localCrops: 0,
  workers: 1,
  logEvery: 1,
  device: 'cpu',
};
export const modelFlags = [
  '--arch',
  'resnet18',
  '--projector-hidden',
  '32',
  '--projector-out',
  '32',
  '--global-size',
  '16',
  '--local-crops',
  '0',
  '--workers',
  '1',
  '--optimizer',
  'sgd',
];
export const tinyFlags = ['--data', 'synthetic', '--batch-size', '16', ...modelFlags];

export async function events(trainer: Trainer): Promise<TrainEvent[]> {
  const all: TrainEvent[] = [];
  for await (const event of trainer.run()) all.push(event);
  return all;
}

export function train(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, 'train', ...args], { encoding: 'utf8' });
}

/** Each file of `dir` by name: its SHA-256, to compare before and after. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort())
    files[name] = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
  return files;
}

/**
 * The accuracy table `train` prints at the end, as fractions: kNN (and the linear probe, NaN
 * when absent) for the pretrained backbone, the backbone at initialisation and raw pixels.
 */
export function printedKnn(stdout: string): {
  pretrained: number;
  initial: number;
  pixels: number;
  linear: { pretrained: number; initial: number; pixels: number };
} {
  const columns = (label: string) => {
    const match = stdout.match(new RegExp(`${label} +([\\d.]+) %(?: +([\\d.]+) %)?`));
    return [match ? Number(match[1]) / 100 : NaN, match?.[2] ? Number(match[2]) / 100 : NaN] as const;
  };
  const [pretrained, linearPretrained] = columns('pretrained backbone');
  const [initial, linearInitial] = columns('same backbone, initialised');
  const [pixels, linearPixels] = columns('raw pixels');
  return {
    pretrained,
    initial,
    pixels,
    linear: { pretrained: linearPretrained, initial: linearInitial, pixels: linearPixels },
  };
}

/** A checkpoint's weights (online, target, BN statistics) and momentum buffers, as bytes: equal means bit for bit. */
export function bytesOf(checkpoint: LoadedCheckpoint): Promise<Record<string, string>> {
  const tensors = {
    ...checkpoint.model,
    ...Object.fromEntries(checkpoint.momentumBuffers.map((b, i) => [`momentum.${i}`, b])),
  };
  return Promise.all(
    Object.entries(tensors).map(async ([key, tensor]) => {
      if (!tensor) return [key, 'none'] as const;
      const a = await tensor.toArray();
      return [key, Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64')] as const;
    }),
  ).then(Object.fromEntries);
}

/** A run directory's checkpoint files, oldest first (none while it does not exist). Synchronous: waitFor polls it. */
export function checkpointFiles(runDir: string): string[] {
  return existsSync(runDir)
    ? readdirSync(runDir)
        .filter((f) => /^checkpoint-.*\.pth$/.test(f))
        .sort()
    : [];
}

/** The step records of a run directory's metrics.jsonl, as lines (none before the first). */
export function stepLines(runDir: string): string[] {
  const metrics = join(runDir, 'metrics.jsonl');
  return existsSync(metrics)
    ? readFileSync(metrics, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"type":"step"'))
    : [];
}
