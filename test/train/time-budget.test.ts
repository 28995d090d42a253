// The time budget's parts that need no run: durations as typed, the plan of steps from measured
// costs, and how --steps sets the schedules' span.
import t from 'tap';
import { resolveConfig } from '../../lib/train/config.js';
import { formatDuration, parseDuration } from '../../lib/train/duration.js';
import { lengthOf } from '../../lib/train/recipe.js';
import { planSteps, predictSeconds, type BudgetCosts } from '../../lib/train/time-budget.js';

t.test('durations as people type them; anything else is refused by name before any work', async (t) => {
  const cases: Array<[string, number | undefined]> = [
    ['90s', 90],
    ['10m', 600],
    ['8h', 28800],
    ['1h30m', 5400],
    ['2d', 172800],
    ['1.5h', 5400],
    ['2:00:00', 7200],
    ['05:30', 330],
    ['', 0],
    ['none', 0],
    ['10', undefined],
    ['10 minutes', undefined],
    ['m', undefined],
    ['-5m', undefined],
    ['1h30', undefined],
  ];
  for (const [typed, seconds] of cases) t.equal(parseDuration(typed), seconds, JSON.stringify(typed));
  t.equal(formatDuration(598.4), '9:58');
  t.equal(formatDuration(3723), '1:02:03');
  t.throws(() => resolveConfig({ flags: { data: 'synthetic', timeBudget: '10 min' } }), {
    name: 'InputError',
    message: /^config: timeBudget must be a duration such as 90s, 10m, 8h.*got "10 min"$/,
  });
  t.equal(resolveConfig({ preset: 'demo' }).timeBudget, '10m', 'the demo is budgeted');
});

const costs: BudgetCosts = {
  budgetSeconds: 600,
  spentSeconds: 20,
  secondsPerStep: 0.5,
  stepsPerEpoch: 400,
  monitor: { knnEvery: 1, passSeconds: 4, linearSeconds: 2 },
  checkpointEvery: 1,
  checkpointEverySteps: 0,
  checkpointSeconds: 1.5,
};

t.test('the plan: the most steps whose predicted end is within the budget, less its margin', async (t) => {
  const plan = planSteps(costs);
  const target = 600 * 0.97;
  t.ok(predictSeconds(costs, plan.steps) <= target, `${plan.steps} steps end by ${plan.predictedSeconds} s`);
  t.ok(predictSeconds(costs, plan.steps + 1) > target, 'one more step would not');
  t.notOk(plan.minimal);
  t.equal(plan.finalSeconds, 4 + 2 + 1.5, 'the final kNN pass, linear probe and checkpoint');
  // By hand: 1072 steps = 2.68 epochs: 2 mid-run kNN passes and 3 checkpoints.
  t.equal(predictSeconds(costs, 1072), 20 + 1072 * 0.5 + 2 * 4 + (4 + 2) + 3 * 1.5);
  // A kNN pass every 2 epochs, step checkpoints every 100 steps.
  const sparse = { ...costs, monitor: { ...costs.monitor!, knnEvery: 2 }, checkpointEverySteps: 100 };
  t.equal(predictSeconds(sparse, 1072), 20 + 1072 * 0.5 + 1 * 4 + (4 + 2) + (3 + 10) * 1.5);
  t.equal(predictSeconds({ ...costs, monitor: undefined }, 400), 20 + 200 + 1.5, 'no monitor: no passes');
});

t.test('a budget smaller than what the run does besides training: a minimal run of one step', async (t) => {
  const plan = planSteps({ ...costs, budgetSeconds: 25 });
  t.same({ steps: plan.steps, minimal: plan.minimal }, { steps: 1, minimal: true });
  t.ok(plan.predictedSeconds > 25, 'and it says how long that takes');
  // 20 s spent + 0.5 s a step + 6 s final evaluation + 1.5 s checkpoint within 40 × 0.97 s: 22 steps.
  t.same(planSteps({ ...costs, budgetSeconds: 40 }).steps, 22, 'just enough: a few steps, not minimal');
});

t.test('--steps sets the schedules: the total, warm-up keeping its share of the epochs', async (t) => {
  const config = resolveConfig({ flags: { data: 'synthetic', epochs: 100, warmupEpochs: 10 } });
  t.same(lengthOf(config, 50), { totalSteps: 5000, warmupSteps: 500, epochs: 100 });
  t.same(lengthOf({ ...config, steps: 1234 }, 50), { totalSteps: 1234, warmupSteps: 123, epochs: 25 });
  t.same(lengthOf({ ...config, steps: 50 }, 50), { totalSteps: 50, warmupSteps: 5, epochs: 1 });
});
