// Learning-rate and EMA-momentum schedules at their end points and midpoints.
import t from 'tap';
import { schedules } from '../lib/index.js';

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

t.test('cosine decay from lr to lr/1000', async (t) => {
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
