// Where this process stands in a data-parallel job, read from torchrun's environment (the
// variables the built-in launcher sets too), or from SLURM's for a task started by srun
// (slurm.ts). Neither: a single process.
import { InputError } from '../errors.js';
import { slurmWorld } from './slurm.js';
import type { WorldEnvironment } from './world.js';

export type { WorldEnvironment } from './world.js';

function integerVariable(env: NodeJS.ProcessEnv, name: string, min: number): number {
  const text = env[name];
  if (text === undefined || text === '')
    throw new InputError(`data-parallel run: ${name} is not set (WORLD_SIZE is ${env.WORLD_SIZE})`);
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new InputError(`data-parallel run: ${name} must be an integer ≥ ${min}, got '${text}'`);
  return value;
}

/**
 * The job this process belongs to, or undefined when it runs alone. A job of one (torchrun
 * --nproc_per_node 1: WORLD_SIZE=1 with RANK) is a job: it gets a process group of one.
 */
export function worldFromEnvironment(env: NodeJS.ProcessEnv = process.env): WorldEnvironment | undefined {
  // torchrun's variables first (torchrun inside a SLURM job is torchrun's), then srun's.
  if (env.WORLD_SIZE === undefined || env.WORLD_SIZE === '') return slurmWorld(env);
  if (env.WORLD_SIZE === '1' && env.RANK === undefined) return undefined;
  const worldSize = integerVariable(env, 'WORLD_SIZE', 1);
  const rank = integerVariable(env, 'RANK', 0);
  if (rank >= worldSize) throw new InputError(`data-parallel run: RANK ${rank} is not below WORLD_SIZE ${worldSize}`);
  const localWorldSize = env.LOCAL_WORLD_SIZE ? integerVariable(env, 'LOCAL_WORLD_SIZE', 1) : worldSize;
  const localRank = env.LOCAL_RANK ? integerVariable(env, 'LOCAL_RANK', 0) : rank;
  const masterPort = integerVariable(env, 'MASTER_PORT', 1);
  if (masterPort > 65535)
    throw new InputError(`data-parallel run: MASTER_PORT must be at most 65535, got ${masterPort}`);
  return {
    rank,
    localRank,
    worldSize,
    localWorldSize,
    masterPort,
    masterAddr: env.MASTER_ADDR || '127.0.0.1',
    agentStore: env.TORCHELASTIC_USE_AGENT_STORE === 'True',
    ...(env.TORCHELASTIC_RESTART_COUNT && { storePrefix: `/worker/attempt_${env.TORCHELASTIC_RESTART_COUNT}` }),
    ...(env.GLOO_SOCKET_IFNAME && { interface: env.GLOO_SOCKET_IFNAME.split(',')[0]! }),
  };
}
