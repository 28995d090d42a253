// `mveb-torch train --nproc-per-node N` (Trainer's nprocPerNode): N worker processes on this
// machine with torchrun's variables (127.0.0.1, a free port). Rank 0's output is read by the
// caller; the others' errors come prefixed with their rank. A rank that dies ends the others at
// once (the run cannot go on, and checkpoints are written atomically, so the last one is
// whole); stop() asks every rank to finish its step, rank 0 to checkpoint, and all to exit 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface LaunchOptions {
  nprocPerNode: number;
  /** The worker's command line: a script and its arguments, run with this Node. */
  script: string;
  args: string[];
  log?: (line: string) => void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

export interface LocalJob {
  /** Asks every rank to finish its step and stop (rank 0 checkpoints): SIGTERM to each. */
  stop(): void;
  /** Settles when every rank has exited: 0, or 1 when a rank failed (`failure` says which). */
  done: Promise<{ code: number; failure?: string }>;
}

/** Starts the workers; rank 0's stdout goes to `rank0Stdout` line by line. */
export async function startLocal(options: LaunchOptions & { rank0Stdout: (line: string) => void }): Promise<LocalJob> {
  const { nprocPerNode: n } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const port = await freePort();
  const workers: ChildProcess[] = [];
  const running = new Set<number>();
  let failure: string | undefined;
  let stopping = false;
  const signalAll = (signal: NodeJS.Signals) => {
    for (const r of running) workers[r]!.kill(signal);
  };
  let settle!: (result: { code: number; failure?: string }) => void;
  const done = new Promise<{ code: number; failure?: string }>((resolve) => (settle = resolve));

  for (let rank = 0; rank < n; rank++) {
    const child = spawn(process.execPath, [options.script, ...options.args], {
      env: {
        ...process.env, RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(n), LOCAL_WORLD_SIZE: String(n),
        GROUP_RANK: '0', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), TORCHELASTIC_USE_AGENT_STORE: 'False',
        MVEB_LAUNCHER_PID: String(process.pid),
      },
      // Its own process group: a terminal's Ctrl-C reaches the launcher alone, which asks once.
      detached: true,
      stdio: ['ignore', rank === 0 ? 'pipe' : 'ignore', rank === 0 ? 'inherit' : 'pipe'],
    });
    if (rank === 0) createInterface({ input: child.stdout! }).on('line', options.rank0Stdout);
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) if (line) process.stderr.write(`[rank ${rank}] ${line}\n`);
    });
    workers.push(child);
    running.add(rank);
    // 'close', not 'exit': rank 0's last lines (its end event) are read by then.
    child.on('close', (code, signal) => {
      running.delete(rank);
      if ((code !== 0 || signal) && failure === undefined) {
        failure = `mveb-torch: rank ${rank} (pid ${child.pid}) ${describeExit(code, signal)}`;
        // The run cannot go on without it; checkpoints are atomic, so the last one is whole.
        if (!stopping) {
          failure += '; stopping the other ranks';
          log(failure);
          signalAll('SIGKILL');
        }
      }
      if (running.size === 0) settle(failure === undefined ? { code: 0 } : { code: 1, failure });
    });
  }
  return {
    stop: () => {
      stopping = true;
      signalAll('SIGTERM');
    },
    done,
  };
}

/** In a worker: end when the launcher is gone (killed), instead of training on alone. */
export function exitWithLauncher(): void {
  const launcher = Number(process.env.MVEB_LAUNCHER_PID);
  if (!launcher) return;
  setInterval(() => {
    try {
      process.kill(launcher, 0);
    } catch {
      process.stderr.write('mveb-torch: the launcher is gone; stopping\n');
      process.exit(1);
    }
  }, 1000).unref();
}
