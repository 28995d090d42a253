// Learning-rate and EMA-momentum schedules: the defaults against the authors' adjust_lr and
// adjust_mm (transcribed in test/reference/mveb_authors.py), the other variant at its end points.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { schedules } from '../lib/entries/ops.js';
import { authorsReference } from './helpers/paths.js';
import { oraclePython } from './helpers/python.js';

const schedule = { baseLr: 0.3, globalBatch: 1024, warmupSteps: 100, totalSteps: 1100 };
const peak = (0.3 * 1024) / 256;

t.test('lr = base × global batch / 256', async (t) => {
  t.equal(schedules.peakLearningRate(schedule), 1.2);
  t.equal(schedules.peakLearningRate({ baseLr: 0.4, globalBatch: 4096 }), 6.4);
});

t.test('linear warm-up from lr/1000 to lr', async (t) => {
  t.equal(schedules.learningRate(0, schedule), peak / 1000);
  t.ok(Math.abs(schedules.learningRate(50, schedule) - (peak / 1000 + peak) / 2) < 1e-12, 'halfway');
  t.ok(Math.abs(schedules.learningRate(100, schedule) - peak) < 1e-12, 'peak at the end of warm-up');
  t.ok(schedules.learningRate(99, schedule) < peak);
});

t.test("the default lr and EMA schedules are the authors' adjust_lr and adjust_mm at every step", async (t) => {
  for (const [warmupSteps, totalSteps] of [
    [100, 1100],
    [0, 936],
    [10, 37],
  ] as const) {
    const steps = Array.from({ length: totalSteps + 1 }, (_, i) => i);
    const init = schedules.peakLearningRate({ baseLr: 0.4, globalBatch: 4096 });
    const theirs = JSON.parse(
      execFileSync(
        oraclePython,
        [
          authorsReference,
          'schedules',
          JSON.stringify({
            init_lr: init,
            warmup_steps: warmupSteps,
            total_steps: totalSteps,
            base_mm: 0.996,
            steps,
          }),
        ],
        { encoding: 'utf8' },
      ),
    ) as { lr: number[]; mm: number[] };
    let lrError = 0;
    let mmError = 0;
    for (const step of steps) {
      const lr = schedules.learningRate(step, { baseLr: 0.4, globalBatch: 4096, warmupSteps, totalSteps });
      lrError = Math.max(lrError, Math.abs(lr - theirs.lr[step]!) / theirs.lr[step]!);
      mmError = Math.max(mmError, Math.abs(schedules.emaMomentum(step, { totalSteps }) - theirs.mm[step]!));
    }
    t.ok(
      lrError < 1e-12,
      `warm-up ${warmupSteps}, ${totalSteps} steps: lr max relative difference ${lrError.toExponential(2)}`,
    );
    t.ok(
      mmError < 1e-15,
      `warm-up ${warmupSteps}, ${totalSteps} steps: momentum max difference ${mmError.toExponential(2)}`,
    );
  }
  // With warm-up, their cosine spans all steps, so the last step is above the floor.
  t.ok(schedules.learningRate(1100, schedule) > 1.1 * (peak / 1000), 'ends above lr/1000 with warm-up');
});

t.test("cosineSpan 'after-warmup': cosine decay from lr to lr/1000 over the steps after warm-up", async (t) => {
  const schedule = {
    baseLr: 0.3,
    globalBatch: 1024,
    warmupSteps: 100,
    totalSteps: 1100,
    cosineSpan: 'after-warmup' as const,
  };
  t.ok(Math.abs(schedules.learningRate(600, schedule) - (peak + peak / 1000) / 2) < 1e-12, 'midpoint of the decay');
  t.ok(Math.abs(schedules.learningRate(1100, schedule) - peak / 1000) < 1e-15, 'the floor at the last step');
  t.ok(Math.abs(schedules.learningRate(5000, schedule) - peak / 1000) < 1e-15, 'stays at the floor');
  let previous = Infinity;
  for (let step = 100; step <= 1100; step += 50) {
    const lr = schedules.learningRate(step, schedule);
    t.ok(lr <= previous, `non-increasing at ${step}`);
    previous = lr;
  }
});

t.test('EMA momentum goes from 0.996 to 1 on a cosine', async (t) => {
  t.equal(schedules.emaMomentum(0, { totalSteps: 1000 }), 0.996);
  t.ok(Math.abs(schedules.emaMomentum(500, { totalSteps: 1000 }) - 0.998) < 1e-12, 'midpoint');
  t.equal(schedules.emaMomentum(1000, { totalSteps: 1000 }), 1);
  t.equal(schedules.emaMomentum(1000, { totalSteps: 1000, base: 0.99 }), 1);
  t.ok(Math.abs(schedules.emaMomentum(0, { totalSteps: 1000, base: 0.99 }) - 0.99) < 1e-15);
});
