// Pre-training from a script: the Trainer API and its events, the demo recipe.
//   npx tsx examples/pretrain.ts [max-steps]       (any TypeScript runner; or compile it)
// Ctrl-C or SIGTERM finishes the step in progress, writes a checkpoint and ends the loop.
// Each run gets a new directory (named after its start time); an existing one is never reused.
import { Trainer, type TrainEvent } from 'mveb-torch';

export async function pretrain(
  options: { maxSteps?: number; output?: string; knnMonitor?: boolean } = {},
): Promise<TrainEvent | undefined> {
  const trainer = new Trainer(
    {
      maxSteps: options.maxSteps ?? 0,
      output: options.output ?? 'runs',
      ...(options.knnMonitor === false && { knnEvery: 0 }),
    },
    { preset: 'demo' },
  );
  const stop = () => trainer.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let end: TrainEvent | undefined;
  try {
    for await (const event of trainer.run()) {
      switch (event.type) {
        case 'start':
          console.log(
            `training ${event.config.arch} on ${event.config.data} (${event.totalSteps} steps) in ${event.runDir}`,
          );
          break;
        case 'step':
          if (event.step % 20 === 0)
            console.log(`step ${event.step}: loss ${event.loss.toFixed(4)}, ${event.imagesPerSecond.toFixed(0)} img/s`);
          break;
        case 'knn':
          console.log(
            `kNN accuracy ${(100 * event.accuracy).toFixed(1)} % (at initialisation ${(100 * (event.baseline?.initialisation ?? NaN)).toFixed(1)} %)`,
          );
          break;
        case 'checkpoint':
          console.log(`checkpoint ${event.path}`);
          break;
        case 'warning':
          console.warn(`warning: ${event.message}`);
          break;
        case 'end':
          end = event;
          break;
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return end;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const maxSteps = process.argv[2] ? Number(process.argv[2]) : 0;
  await pretrain({ maxSteps });
}
