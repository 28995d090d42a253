// Checks that need the machine or the checkpoint, run before any data is read: the device and
// precision against this build, thread and worker counts against the cores, and which fields a
// resumed run may change.
import { availableParallelism } from 'node:os';
import { missingProcessGroup } from '../distributed/process-group.js';
import { InputError } from '../errors.js';
import { info } from '../info.js';
import { refuseMisfit } from '../weights/initialize.js';
import { readWeights, type WeightsFile } from '../weights/read.js';
import { changeableOnResume, validateConfig, type TrainConfig } from './config.js';
import { initialModelOf } from './recipe.js';

/** Thread and worker counts above this many per core are refused (they only thrash). */
export const maxPerCore = 4;

/** The device the run uses, and warnings about settings that work but cost speed. */
export function checkAgainstMachine(config: TrainConfig): { device: string; warnings: string[] } {
  const report = info();
  const device = config.device === 'auto' ? (report.cuda ? 'cuda' : 'cpu') : config.device;
  if (device.startsWith('cuda')) {
    if (!report.cuda) {
      const why = report.cudaCompiled
        ? 'no CUDA device is visible'
        : `this build is CPU-only (LibTorch ${report.libtorch.version} without CUDA)`;
      throw new InputError(`config: device '${device}' cannot be used: ${why}; use --device cpu or auto`);
    }
    const index = device.includes(':') ? Number(device.split(':')[1]) : 0;
    if (index >= report.cudaDevices.length) {
      throw new InputError(
        `config: device '${device}' does not exist: this machine has ${report.cudaDevices.length} CUDA device(s)`,
      );
    }
  }
  if (config.precision === 'fp16' && !device.startsWith('cuda')) {
    throw new InputError(
      "config: precision 'fp16' needs a CUDA device (autocast on the CPU supports bf16 only); use 'bf16' or 'fp32'",
    );
  }
  const cores = availableParallelism();
  const warnings: string[] = [];
  for (const field of ['threads', 'workers'] as const) {
    const value = config[field];
    if (value > maxPerCore * cores) {
      throw new InputError(
        `config: ${field} must be at most ${maxPerCore} × the ${cores} cores (${maxPerCore * cores}), got ${value}`,
      );
    }
    if (value > cores)
      warnings.push(`${field} ${value} is more than the ${cores} cores: expect it to be slower, not faster`);
  }
  return { device, warnings };
}

/** A data-parallel run this addon cannot connect is refused before any worker starts. */
export function refuseMissingProcessGroup(config: TrainConfig, processes: number): void {
  const missing = missingProcessGroup(checkAgainstMachine(config).device);
  if (missing) throw new InputError(`--nproc-per-node ${processes}: ${missing}`);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The configuration of a resumed run: the checkpoint's, with the changeable fields the user gave.
 * A field that would change the run itself (the recipe, the model, the schedule) is refused by
 * name, unless given with the checkpoint's value. maxSteps is not carried over.
 */
export function resumedConfig(saved: TrainConfig, given: Partial<TrainConfig>): TrainConfig {
  const changeable = new Set<string>(changeableOnResume);
  const refused = Object.entries(given).filter(
    ([field, value]) => !changeable.has(field) && !same(value, saved[field as keyof TrainConfig]),
  );
  if (refused.length > 0) {
    const list = refused.map(
      ([field, value]) =>
        `${field} (the run's ${JSON.stringify(saved[field as keyof TrainConfig])}, given ${JSON.stringify(value)})`,
    );
    throw new InputError(
      `resume: ${list.join(', ')} cannot change when resuming; a resumed run is the checkpoint's run. ` +
        `Fields that can: ${changeableOnResume.join(', ')}. To change the others, start a new run with another --name.`,
    );
  }
  const config = { ...saved, maxSteps: 0 } as TrainConfig;
  for (const field of changeableOnResume)
    if (given[field] !== undefined) (config as unknown as Record<string, unknown>)[field] = given[field];
  validateConfig(config);
  return config;
}

/** The weights of --init-from, read and checked against the run's model before any data is read. */
export async function initialWeights(config: TrainConfig): Promise<WeightsFile> {
  const weights = await readWeights(config.initFrom, 'init-from');
  refuseMisfit(weights, initialModelOf(config), 'init-from');
  return weights;
}
