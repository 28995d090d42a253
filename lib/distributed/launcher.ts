// `mveb-torch train --nproc-per-node N`: N worker processes on this machine with torchrun's
// variables (127.0.0.1, a free port). Rank 0 prints; the others' errors come prefixed. A rank that
// dies ends the others at once (the run cannot go on, and checkpoints are written atomically, so
// the last one is whole); Ctrl-C or SIGTERM asks every rank to finish its step, rank 0 to
// checkpoint, and all to exit 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

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

/** Runs the workers to the end; resolves with the exit code the launcher should end with. */
export async function launchLocal(options: LaunchOptions): Promise<number> {
  const { nprocPerNode: n } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const port = await freePort();
  const workers: ChildProcess[] = [];
  const running = new Set<number>();
  let failure: string | undefined;
  let signals = 0;

  const killAll = (signal: NodeJS.Signals) => {
    for (const r of running) workers[r]!.kill(signal);
  };

  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        killAll('SIGKILL');
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      log(`mveb-torch: ${signal}: every rank finishes its step, rank 0 writes a checkpoint (again to quit now)`);
      killAll('SIGTERM');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    for (let rank = 0; rank < n; rank++) {
      const child = spawn(process.execPath, [options.script, ...options.args], {
        env: {
          ...process.env, RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(n), LOCAL_WORLD_SIZE: String(n),
          GROUP_RANK: '0', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), TORCHELASTIC_USE_AGENT_STORE: 'False',
          MVEB_LAUNCHER_PID: String(process.pid),
        },
        // Its own process group: a terminal's Ctrl-C reaches the launcher alone, which asks once.
        detached: true,
        stdio: rank === 0 ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'ignore', 'pipe'],
      });
      child.stderr?.setEncoding('utf8').on('data', (text: string) => {
        for (const line of text.split('\n')) if (line) process.stderr.write(`[rank ${rank}] ${line}\n`);
      });
      workers.push(child);
      running.add(rank);
      child.on('exit', (code, signal) => {
        running.delete(rank);
        if ((code !== 0 || signal) && failure === undefined && signals === 0) {
          failure = `mveb-torch: rank ${rank} (pid ${child.pid}) ${describeExit(code, signal)}; stopping the other ranks`;
          log(failure);
          killAll('SIGKILL');
        } else if (code !== 0 || signal) {
          failure ??= `rank ${rank} ${describeExit(code, signal)}`;
        }
        if (running.size === 0) {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve(failure === undefined ? 0 : 1);
        }
      });
    }
  });
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
