// Where this process stands in a job started by SLURM's `srun` (one task per process): rank,
// world size and local rank from SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID; the store's host
// from MASTER_ADDR or the first node of the step's node list, its port from MASTER_PORT or
// derived from the job id, so that every task of the job agrees without being told.
import { InputError } from '../errors.js';
import type { WorldEnvironment } from './world.js';

/**
 * Host names of a SLURM node list: `node[01-04,07]` → node01, node02, node03, node04, node07;
 * `a[1-2],b3` → a1, a2, b3. Ranges keep their zero padding; several bracket groups multiply.
 */
export function parseNodeList(list: string): string[] {
  const hosts: string[] = [];
  // Split on the commas outside brackets.
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    const c = list[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    if (depth < 0) throw new InputError(`SLURM node list '${list}': a ']' without its '['`);
    if (i === list.length && depth !== 0) throw new InputError(`SLURM node list '${list}': a '[' without its ']'`);
    if (i === list.length || (c === ',' && depth === 0)) {
      const host = list.slice(start, i).trim();
      if (host) hosts.push(...expandHost(host, list));
      start = i + 1;
    }
  }
  return hosts;
}

function expandHost(host: string, list: string): string[] {
  const open = host.indexOf('[');
  if (open < 0) return [host];
  const close = host.indexOf(']', open);
  if (close < 0) throw new InputError(`SLURM node list '${list}': a '[' without its ']'`);
  const prefix = host.slice(0, open);
  const rest = expandHost(host.slice(close + 1), list);
  const names: string[] = [];
  for (const part of host.slice(open + 1, close).split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!range) throw new InputError(`SLURM node list '${list}': '${part}' is not a number or a range`);
    const [from, to = from] = [range[1]!, range[2]];
    if (Number(to) < Number(from))
      throw new InputError(`SLURM node list '${list}': the range '${part}' runs backwards`);
    for (let n = Number(from); n <= Number(to); n++) {
      const number = String(n).padStart(from.length, '0');
      for (const suffix of rest) names.push(`${prefix}${number}${suffix}`);
    }
  }
  return names;
}

/** Tasks per node as SLURM writes them: `2(x3),1` → [2, 2, 2, 1]. */
export function parseTasksPerNode(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const match = /^(\d+)(?:\(x(\d+)\))?$/.exec(part.trim());
    if (!match) throw new InputError(`SLURM tasks per node '${text}': '${part}' is not N or N(xM)`);
    return Array<number>(Number(match[2] ?? 1)).fill(Number(match[1]));
  });
}

function variable(env: NodeJS.ProcessEnv, name: string, min: number): number {
  const text = env[name];
  if (text === undefined || text === '')
    throw new InputError(`srun job: ${name} is not set (SLURM sets it for each task)`);
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new InputError(`srun job: ${name} must be an integer ≥ ${min}, got '${text}'`);
  return value;
}

/** The job this `srun` task belongs to; undefined outside srun or for a job of one task. */
export function slurmWorld(env: NodeJS.ProcessEnv): WorldEnvironment | undefined {
  if (env.SLURM_PROCID === undefined) return undefined;
  // The step's size when srun says it (a batch script's own shell holds the allocation's).
  const worldSize = variable(env, env.SLURM_STEP_NUM_TASKS ? 'SLURM_STEP_NUM_TASKS' : 'SLURM_NTASKS', 1);
  if (worldSize === 1) return undefined;
  const rank = variable(env, 'SLURM_PROCID', 0);
  if (rank >= worldSize) throw new InputError(`srun job: SLURM_PROCID ${rank} is not below the ${worldSize} tasks`);
  const localRank = variable(env, 'SLURM_LOCALID', 0);
  const perNode = env.SLURM_STEP_TASKS_PER_NODE || env.SLURM_TASKS_PER_NODE;
  const localWorldSize = perNode ? (parseTasksPerNode(perNode)[Number(env.SLURM_NODEID ?? 0)] ?? 1) : 1;
  let masterAddr = env.MASTER_ADDR;
  if (!masterAddr) {
    const nodes = env.SLURM_STEP_NODELIST || env.SLURM_JOB_NODELIST || env.SLURM_NODELIST;
    if (!nodes)
      throw new InputError(
        'srun job: neither MASTER_ADDR nor SLURM_STEP_NODELIST/SLURM_JOB_NODELIST is set: no host for rank 0',
      );
    masterAddr = parseNodeList(nodes)[0]!;
  }
  let masterPort: number;
  if (env.MASTER_PORT) {
    masterPort = variable(env, 'MASTER_PORT', 1);
    if (masterPort > 65535) throw new InputError(`srun job: MASTER_PORT must be at most 65535, got ${masterPort}`);
  } else {
    // Every task derives the same port from the job id, in the unprivileged range.
    masterPort = 15000 + (variable(env, 'SLURM_JOB_ID', 0) % 20000);
  }
  return {
    rank,
    localRank,
    worldSize,
    localWorldSize,
    masterAddr,
    masterPort,
    agentStore: false,
    ...(env.GLOO_SOCKET_IFNAME && { interface: env.GLOO_SOCKET_IFNAME.split(',')[0]! }),
  };
}
