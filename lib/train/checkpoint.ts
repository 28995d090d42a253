// Training checkpoints: one .pth that Python's torch.load reads as a dict
//   { model, optimizer, scaler, epoch, step, batch, config, version }
// (model: online.* and target.* with torchvision/timm names under the prefixes; optimizer in
// torch.optim's state_dict layout), written atomically, the last K kept, and read back to resume.
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkpointName, checkpointsIn, fileOrNewestCheckpoint, kindOf } from '../run-checkpoint-files.js';
import { torchLoad } from '../torch-format/torch-load.js';
import { InputError } from '../errors.js';
import type { StateDict } from '../pth.js';
import { native } from '../native.js';
import type { Model } from '../models.js';
import { Tensor } from '../tensor.js';
import { completeSavedConfig, type TrainConfig } from './config.js';
import type { LossScalerState, TrainingCore } from './training-core.js';

export interface TrainingPosition {
  /** The epoch in progress (or the next one, when `batch` is 0). */
  epoch: number;
  /** The next batch of that epoch. */
  batch: number;
  /** Optimiser steps taken so far. */
  step: number;
}

export interface LoadedCheckpoint extends TrainingPosition {
  path: string;
  model: StateDict;
  momentumBuffers: Array<Tensor | null>;
  scaler: LossScalerState;
  config: TrainConfig;
}

const formatVersion = 1;

export interface CheckpointParts {
  model: Model;
  trainer: TrainingCore;
  position: TrainingPosition;
  config: TrainConfig;
  lr: number;
}

/** The checkpoint of `parts` in run directory `dir`, named by its position; returns its path. */
export async function saveCheckpoint(dir: string, parts: CheckpointParts): Promise<string> {
  const path = join(dir, checkpointName(parts.position));
  await writeCheckpoint(path, parts);
  return path;
}

/** The checkpoint of `parts`, written to `path` atomically (a temporary file, fsync, rename). */
export async function writeCheckpoint(path: string, parts: CheckpointParts): Promise<void> {
  const { model, trainer, position, config, lr } = parts;
  const buffers = await trainer.momentumBuffers();
  const state: Record<string, { momentum_buffer: unknown }> = {};
  buffers.forEach((buffer, i) => {
    if (buffer) state[String(i)] = { momentum_buffer: buffer.handle };
  });
  const group = {
    lr,
    momentum: config.momentum,
    weight_decay: config.weightDecay,
    ...(config.optimizer === 'lars' && { trust_coefficient: config.trustCoefficient }),
    params: buffers.map((_, i) => i),
  };
  const scaler = await trainer.scalerState();
  await native().io.saveCheckpoint(path, {
    model: await model.handle.stateDict({ part: 'model' }),
    optimizer: { state, param_groups: [group] },
    scaler: { enabled: scaler.enabled, scale: scaler.scale, growth_tracker: scaler.growthTracker },
    epoch: position.epoch,
    batch: position.batch,
    step: position.step,
    config: { ...config },
    version: formatVersion,
  });
}

/** Removes all but the newest `keep` checkpoints of a run directory. */
export async function pruneCheckpoints(dir: string, keep: number): Promise<void> {
  const names = await checkpointsIn(dir);
  for (const name of names.slice(0, Math.max(0, names.length - keep))) await rm(join(dir, name), { force: true });
}

/** The run directory of a checkpoint file or run directory. */
export async function runDirectoryOf(pathOrRun: string): Promise<string> {
  return (await kindOf(pathOrRun, 'resume')) === 'directory' ? pathOrRun : dirname(pathOrRun);
}

/** A checkpoint file, or the newest one in a run directory. */
export async function resolveCheckpoint(pathOrRun: string): Promise<string> {
  return fileOrNewestCheckpoint(pathOrRun, 'resume');
}

/**
 * Resuming from a checkpoint older than its directory's newest would fork the run: its new
 * checkpoints would sit among (and be pruned in favour of) the abandoned later ones.
 */
export async function refuseOlderCheckpoint(path: string): Promise<void> {
  const names = await checkpointsIn(dirname(path));
  const newest = names[names.length - 1];
  if (newest !== undefined && newest !== basename(path)) {
    throw new InputError(
      `resume: ${path} is not the newest checkpoint of its run (${newest} is); resuming from it would mix two ` +
        'histories in one directory. Copy it into a new directory and resume from there.',
    );
  }
}

export async function loadCheckpoint(pathOrRun: string): Promise<LoadedCheckpoint> {
  const path = await resolveCheckpoint(pathOrRun);
  let value: unknown;
  try {
    value = await torchLoad(path);
  } catch (error) {
    // The reader's messages start with the path already.
    const message = (error as Error).message.replace(`${path}: `, '');
    throw new InputError(`resume: cannot read ${path}: ${message}`);
  }
  const root = value as Map<string, unknown>;
  if (!(root instanceof Map) || root.get('version') !== formatVersion || !(root.get('model') instanceof Map)) {
    throw new InputError(`resume: ${path} is not an mveb-torch training checkpoint`);
  }
  const model: StateDict = {};
  for (const [key, tensor] of root.get('model') as Map<string, Tensor>) model[key] = tensor;
  const optimizer = root.get('optimizer') as Map<string, unknown>;
  const groups = optimizer.get('param_groups') as Array<Map<string, unknown>>;
  const count = (groups[0]!.get('params') as unknown[]).length;
  const state = optimizer.get('state') as Map<string, Map<string, Tensor>>;
  const momentumBuffers = Array.from({ length: count }, (_, i) => state.get(String(i))?.get('momentum_buffer') ?? null);
  const scaler = root.get('scaler') as Map<string, unknown>;
  // Fields added since the checkpoint was written take what their absence meant then.
  const config = completeSavedConfig(Object.fromEntries(root.get('config') as Map<string, unknown>));
  return {
    path,
    model,
    momentumBuffers,
    scaler: {
      enabled: scaler.get('enabled') as boolean,
      scale: Number(scaler.get('scale')),
      growthTracker: Number(scaler.get('growth_tracker')),
    },
    config,
    epoch: Number(root.get('epoch')),
    batch: Number(root.get('batch')),
    step: Number(root.get('step')),
  };
}
