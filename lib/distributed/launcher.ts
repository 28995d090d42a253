// `mveb-torch train --nproc-per-node N` (Trainer's nprocPerNode): N worker processes on this
// machine with torchrun's variables (127.0.0.1, a free port), forked from a worker module with an
// IPC channel: each gets its job as a message and answers with messages the caller reads. Rank
// 0's stdout and stderr are this process's; the others' stderr comes prefixed with their rank. A rank that dies ends the others at
// once (the run cannot go on, and checkpoints are written atomically, so the last one is
// whole); stop() asks every rank to finish its step, rank 0 to checkpoint, and all to exit 0.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface LaunchOptions {
  nprocPerNode: number;
  /** The worker's module, forked with this Node (and its loaders), with an IPC channel. */
  module: string;
  /** Sent to every rank as its first message. */
  job: unknown;
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

export interface JobResult {
  code: number;
  failure?: string;
  failedRank?: number;
}

export interface LocalJob {
  /** Asks every rank to finish its step and stop (rank 0 checkpoints): SIGTERM to each. */
  stop(): void;
  /** Settles when every rank has exited: 0, or 1 when a rank failed (`failure` says how, `failedRank` which first). */
  done: Promise<JobResult>;
}

/** Starts the workers; every rank's IPC messages go to `onMessage`, with the rank. */
export async function startLocal(
  options: LaunchOptions & { onMessage: (rank: number, message: unknown) => void },
): Promise<LocalJob> {
  const { nprocPerNode: n } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const port = await freePort();
  const workers: ChildProcess[] = [];
  const running = new Set<number>();
  let failure: string | undefined;
  let failedRank: number | undefined;
  let stopping = false;
  const signalAll = (signal: NodeJS.Signals) => {
    for (const r of running) workers[r]!.kill(signal);
  };
  let settle!: (result: JobResult) => void;
  const done = new Promise<JobResult>((resolve) => (settle = resolve));

  for (let rank = 0; rank < n; rank++) {
    const child = fork(options.module, [], {
      // Structured clone: NaN stays NaN, nested objects keep their shape.
      serialization: 'advanced',
      // The parent's loaders (a TypeScript loader under tests), not its debugger port.
      execArgv: process.execArgv.filter((a) => !a.startsWith('--inspect')),
      env: {
        ...process.env,
        RANK: String(rank),
        LOCAL_RANK: String(rank),
        WORLD_SIZE: String(n),
        LOCAL_WORLD_SIZE: String(n),
        GROUP_RANK: '0',
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: String(port),
        TORCHELASTIC_USE_AGENT_STORE: 'False',
        MVEB_LAUNCHER_PID: String(process.pid),
      },
      // Its own process group: a terminal's Ctrl-C reaches the launcher alone, which asks once.
      detached: true,
      stdio: ['ignore', rank === 0 ? 'inherit' : 'ignore', rank === 0 ? 'inherit' : 'pipe', 'ipc'],
    });
    child.on('message', (message) => options.onMessage(rank, message));
    child.send(options.job as object);
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
        failedRank = rank;
        // The run cannot go on without it; checkpoints are atomic, so the last one is whole.
        if (!stopping) {
          failure += '; stopping the other ranks';
          log(failure);
          signalAll('SIGKILL');
        }
      }
      if (running.size === 0)
        settle(
          failure === undefined ? { code: 0 } : { code: 1, failure, ...(failedRank !== undefined && { failedRank }) },
        );
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
