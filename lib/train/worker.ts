// A data-parallel worker as launchedRun starts it (child_process.fork, one per rank, torchrun's
// variables in its environment): it receives its job over IPC, runs the Trainer, and sends back
// rank 0's events and any rank's error. The channel uses structured clone ('advanced'
// serialization), so a NaN loss arrives as NaN, and an error keeps its class name and stack.
import { exitWithLauncher } from '../distributed/launcher.js';
import { Trainer } from './trainer.js';
import type { WorkerJob, WorkerMessage } from './worker-messages.js';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

async function work(job: WorkerJob): Promise<void> {
  const trainer = new Trainer(job.config, job.resume ? { resume: job.resume } : {});
  // The launcher's stop() is a SIGTERM to each rank: finish the step, checkpoint, exit 0. A
  // second one quits at once; the last checkpoint is whole either way.
  let signals = 0;
  process.on('SIGTERM', () => {
    if (++signals > 1) process.exit(143);
    trainer.stop();
  });
  const rank0 = Number(process.env.RANK ?? 0) === 0;
  for await (const event of trainer.run()) if (rank0) await send({ type: 'event', event });
}

if (process.send) {
  exitWithLauncher();
  process.once('message', (job: WorkerJob) => {
    work(job).then(
      () => process.disconnect(),
      async (error: Error) => {
        await send({
          type: 'error',
          error: { name: error?.name ?? 'Error', message: String(error?.message ?? error), stack: error?.stack },
        });
        process.exit(1);
      },
    );
  });
}
