// Processes the tests start and watch: a command with its stderr collected and its exit timed,
// a wait for a condition, and the environment srun gives a task.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Started {
  child: ChildProcess;
  /** Its exit, with the time it happened (performance.now()) and all it wrote to stderr. */
  exit: Promise<{ code: number | null; at: number; stderr: string }>;
}

export function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exit = new Promise<{ code: number | null; at: number; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, at: performance.now(), stderr }));
  });
  return { child, exit };
}

export async function waitFor(
  condition: () => boolean,
  what: string,
  { seconds = 90, everyMs = 200 }: { seconds?: number; everyMs?: number } = {},
): Promise<void> {
  const until = performance.now() + seconds * 1000;
  while (!condition()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** This process's environment without torchrun's variables (a task started otherwise must not see them). */
export function withoutTorchrun(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const name of ['WORLD_SIZE', 'RANK', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE']) delete clean[name];
  return clean;
}

/**
 * What srun gives task `rank` of `tasks`, spread evenly over `nodes` nodes on this machine; rank
 * 0's store at 127.0.0.1:`port`.
 */
export function srunTask(
  rank: number,
  { tasks, nodes, port, job }: { tasks: number; nodes: number; port: number; job: string },
): NodeJS.ProcessEnv {
  const perNode = tasks / nodes;
  return {
    ...withoutTorchrun(),
    SLURM_JOB_ID: job,
    SLURM_PROCID: String(rank),
    SLURM_LOCALID: String(rank % perNode),
    SLURM_NTASKS: String(tasks),
    SLURM_NODEID: String(Math.floor(rank / perNode)),
    SLURM_TASKS_PER_NODE: `${perNode}(x${nodes})`,
    MASTER_ADDR: '127.0.0.1',
    MASTER_PORT: String(port),
  };
}
