// What the CLI prints names what was measured: the kNN headline's (k, T) as the grid had it, and
// the backend of a data-parallel run.
import t from 'tap';
import { formatEvaluation } from '../lib/cli/eval.js';
import { ProgressPrinter } from '../lib/cli/progress.js';
import { defaultConfig } from '../lib/train/config.js';
import type { EvaluateResult } from '../lib/eval/evaluate.js';
import type { TrainEvent } from '../lib/train/events.js';

function knnResult(
  grid: Array<{ k: number; temperature: number }>,
  headline: { k: number; temperature: number },
): EvaluateResult {
  const knn = grid.map((g) => ({ ...g, top1: 0.5, top5: 0.9 }));
  return {
    protocol: 'knn',
    weights: { path: 'w.pth', format: 'mveb-torch', arch: 'resnet18', branch: 'online' },
    data: { train: 'a', val: 'b', trainImages: 10, valImages: 5, classes: 2, size: 28 },
    pretrained: { top1: 0.5, top5: 0.9, knn, knnHeadline: headline },
    baselines: {},
    cacheHits: 0,
  } as unknown as EvaluateResult;
}

t.test("the kNN label names the grid's pair the headline is, not always k 20, T 0.07", async (t) => {
  t.match(
    formatEvaluation(
      knnResult(
        [
          { k: 20, temperature: 0.07 },
          { k: 5, temperature: 0.1 },
        ],
        { k: 20, temperature: 0.07 },
      ),
    ),
    /^kNN \(k 20, T 0\.07\):$/m,
  );
  const other = formatEvaluation(knnResult([{ k: 5, temperature: 0.1 }], { k: 5, temperature: 0.1 }));
  t.match(other, /^kNN \(k 5, T 0\.1\):$/m);
  t.notMatch(other, /k 20, T 0\.07/);
});

t.test('the start line names the backend of a data-parallel run: Gloo on CPU, NCCL on CUDA', async (t) => {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const start = (device: string) =>
    ({
      type: 'start',
      config: { ...defaultConfig, data: 'synthetic' },
      runDir: 'runs/x',
      device,
      totalSteps: 4,
      stepsPerEpoch: 2,
      position: { epoch: 0, batch: 0, step: 0 },
      processes: 2,
    }) as unknown as TrainEvent;
  process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    new ProgressPrinter({ quiet: false, json: false }).print(start('cpu'));
    new ProgressPrinter({ quiet: false, json: false }).print(start('cuda:0'));
  } finally {
    process.stdout.write = write;
  }
  t.match(lines.join(''), /cpu × 2 processes \(Gloo\)/);
  t.match(lines.join(''), /cuda:0 × 2 processes \(NCCL\)/);
});

t.test("the ETA counts the kNN passes and the final evaluation; a budget's decision is printed", async (t) => {
  const lines: string[] = [];
  const write = process.stdout.write;
  const start = {
    type: 'start',
    config: { ...defaultConfig, knnEvery: 1, timeBudget: '10m' },
    runDir: 'runs/x',
    device: 'cpu',
    totalSteps: 100,
    stepsPerEpoch: 50,
    position: { epoch: 0, batch: 0, step: 0 },
    processes: 1,
    monitorSeconds: { passSeconds: 30, linearSeconds: 20 },
    timeBudget: {
      budgetSeconds: 600,
      trainUntilSeconds: 550,
      plan: {
        steps: 100,
        predictedSeconds: 582,
        minimal: false,
        finalSeconds: 51,
        secondsPerStep: 4.5,
        calibrationSteps: 9,
        checkpointSeconds: 1,
      },
    },
  } as unknown as TrainEvent;
  const step = (n: number) =>
    ({ type: 'step', epoch: Math.floor(n / 50), step: n, loss: -1, lr: 0.1, imagesPerSecond: 100 }) as TrainEvent;
  process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    const printer = new ProgressPrinter({ quiet: false, json: false });
    printer.print(start);
    printer.print(step(10));
    printer.print(step(60));
  } finally {
    process.stdout.write = write;
  }
  const text = lines.join('');
  t.match(text, /time budget 10:00: 100 steps, ending in about 9:42 \(4\.500 s\/step over 9 calibration steps/);
  t.match(text, /recorded in config\.yaml \(steps: 100\)/);
  // Steps take no time here: what is left is one mid-run pass and the final kNN pass and probe…
  t.match(text, /step 10\/100 .* ETA 1:20/);
  // …then only the final evaluation.
  t.match(text, /step 60\/100 .* ETA 0:50/);
});
