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
