// --time-budget on real runs: the steps it chose are recorded and the run ends within the budget;
// interrupted and resumed, it ends with the weights of an uninterrupted run of the recorded steps
// (the calibration steps leave no trace); a process paused mid-run (a machine slowed down) is
// stopped by the deadline with a checkpoint; a budget too small for anything runs one step; in a
// data-parallel run rank 0 plans and the other rank follows.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { Trainer } from '../../lib/train/trainer.js';
import type { TrainEvent } from '../../lib/train/events.js';
import { cli } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { bytesOf, checkpointFiles, events, modelFlags, stepLines, tiny } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';

const output = tempDir(t, 'mveb-budget-');
// 256 images, batch 16: 16 steps an epoch; no monitor (synthetic data has no test split); a
// checkpoint at the end only (one per epoch would take most of a budget this short).
const recipe = (name: string, ...extra: string[]) => [
  'train',
  ...modelFlags,
  '--data',
  'synthetic:256',
  '--checkpoint-every',
  '1000',
  '--batch-size',
  '16',
  '--threads',
  '1',
  '--log-every',
  '1',
  '--output',
  output,
  '--name',
  name,
  '--json',
  ...extra,
];
// Long enough for a plan of several steps when CI runs three test files on two cores.
const BUDGET = 12;
// The budget counts from Trainer.run; node's start, the addon's load and the exit are outside it
// (seconds on a loaded machine). A run that ignored its budget would overrun by many steps.
const OUTSIDE_THE_BUDGET = 8;
type Start = Extract<TrainEvent, { type: 'start' }>;
type End = Extract<TrainEvent, { type: 'end' }>;

function eventsOf(stdout: string): { start: Start; end: End; all: TrainEvent[] } {
  const all = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TrainEvent);
  return {
    start: all.find((e): e is Start => e.type === 'start')!,
    end: all.find((e): e is End => e.type === 'end')!,
    all,
  };
}
const recordedSteps = (name: string) =>
  Number(/^steps: (\d+)$/m.exec(readFileSync(join(output, name, 'config.yaml'), 'utf8'))?.[1]);
const checkpoints = (name: string) => checkpointFiles(join(output, name));
const stepRecords = (name: string) => stepLines(join(output, name));

/**
 * The command, timed, with all it printed (helpers/processes.ts's `start` keeps stderr only and
 * settles at exit, when the last of stdout may still be in the pipe); `during` runs while it does.
 */
async function timed(args: string[], during?: (pid: number, running: () => boolean) => Promise<void>) {
  const began = performance.now();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  let running = true;
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running = false;
      resolve(code);
    }),
  );
  await during?.(child.pid!, () => running);
  const code = await exit;
  return { code, stdout, stderr, seconds: (performance.now() - began) / 1000 };
}

t.test('a budgeted run: the steps it chose in config.yaml, run to the end, within the budget', async (t) => {
  const run = await timed(recipe('budgeted', '--time-budget', `${BUDGET}s`));
  t.equal(run.code, 0, run.stderr);
  const { start, end } = eventsOf(run.stdout);
  const plan = start.timeBudget?.plan;
  t.ok(plan && plan.steps >= 3 && !plan.minimal, `planned ${plan?.steps} steps`);
  t.ok(plan!.calibrationSteps >= 2 && plan!.secondsPerStep > 0, 'from timed steps');
  t.equal(recordedSteps('budgeted'), plan!.steps, 'config.yaml records them');
  t.equal(start.totalSteps, plan!.steps);
  // All the planned steps; on a machine slowed after the plan (CI's, busy with other tests), the
  // deadline's stop before them.
  if (end.reason === 'completed') t.equal(end.position.step, plan!.steps, 'every planned step');
  else
    t.ok(end.reason === 'time-budget' && end.position.step < plan!.steps, `the deadline at step ${end.position.step}`);
  t.equal(stepRecords('budgeted').length, end.position.step, 'the calibration steps are not in the record');
  t.notOk(
    readdirSync(join(output, 'budgeted')).some((n) => n.startsWith('calibration')),
    'the calibration checkpoint is gone from the run directory',
  );
  t.ok(run.seconds < BUDGET + OUTSIDE_THE_BUDGET, `ended after ${run.seconds.toFixed(1)} s of a ${BUDGET} s budget`);
});

t.test('interrupted and resumed: the weights of an uninterrupted run of the recorded steps, bit for bit', async (t) => {
  // SIGTERM (a preemption's warning) after the second step: a checkpoint where it stops.
  const interrupted = await timed(recipe('interrupted', '--time-budget', `${BUDGET}s`), async (pid) => {
    await waitFor(() => stepRecords('interrupted').length >= 2, 'the second step', { everyMs: 20 });
    process.kill(pid, 'SIGTERM');
  });
  t.equal(interrupted.code, 0, interrupted.stderr);
  const steps = recordedSteps('interrupted');
  const stoppedAt = eventsOf(interrupted.stdout).end.position.step;
  t.ok(stoppedAt < steps, `stopped at step ${stoppedAt} of ${steps}`);
  // A resumed session's deadline counts from its own start; a generous one here, so that CI's load
  // cannot stop it short (the plan is not made again: the recorded steps are the run's length).
  const resumed = await timed(['train', '--resume', join(output, 'interrupted'), '--time-budget', '5m', '--json']);
  t.equal(resumed.code, 0, resumed.stderr);
  t.same(eventsOf(resumed.stdout).end.position.step, steps, 'the resumed run ends at the recorded steps');

  const whole = await timed(recipe('whole', '--steps', String(steps), '--time-budget', 'none'));
  t.equal(whole.code, 0, whole.stderr);
  const last = (name: string) => loadCheckpoint(join(output, name, checkpoints(name).at(-1)!));
  const [a, b] = [await last('interrupted'), await last('whole')];
  t.same({ step: a.step, epoch: a.epoch, batch: a.batch }, { step: b.step, epoch: b.epoch, batch: b.batch });
  t.strictSame(await bytesOf(a), await bytesOf(b), 'online, target, BN statistics and momentum: equal bytes');
});

t.test('a machine that slows down mid-run: the deadline stops training, with a checkpoint', async (t) => {
  const run = await timed(recipe('slowed', '--time-budget', `${BUDGET}s`), async (pid, running) => {
    // After the first step (a run that planned fewer ends first, and the assertions below say so).
    await waitFor(() => stepRecords('slowed').length >= 1 || !running(), 'the first step', { everyMs: 20 });
    if (!running()) return;
    // The whole process paused for half the budget: every step after this is late.
    process.kill(pid, 'SIGSTOP');
    await sleep((BUDGET / 2) * 1000);
    process.kill(pid, 'SIGCONT');
  });
  t.equal(run.code, 0, run.stderr);
  const { start, end } = eventsOf(run.stdout);
  t.equal(end.reason, 'time-budget');
  t.ok(end.position.step < start.totalSteps, `stopped at step ${end.position.step} of ${start.totalSteps}`);
  t.match(checkpoints('slowed').at(-1), `s${String(end.position.step).padStart(8, '0')}.pth`, 'saved where it stopped');
  t.ok(run.seconds < BUDGET + OUTSIDE_THE_BUDGET, `ended after ${run.seconds.toFixed(1)} s of a ${BUDGET} s budget`);
});

t.test('a budget smaller than setting up takes: a minimal run of one step, and it says so', async (t) => {
  const run = await timed(recipe('minimal', '--time-budget', '0.1s'));
  t.equal(run.code, 0, run.stderr);
  const { start, end, all } = eventsOf(run.stdout);
  t.same(
    { steps: start.timeBudget?.plan?.steps, minimal: start.timeBudget?.plan?.minimal },
    { steps: 1, minimal: true },
  );
  t.equal(end.position.step, 1);
  t.ok(
    all.some((e) => e.type === 'warning' && /time budget 0\.1s .*a minimal run of 1 step/.test(e.message)),
    'a warning says so',
  );
});

t.test('data-parallel: rank 0 plans, the other rank follows its steps', async (t) => {
  // Two processes take longer to start, calibrate and checkpoint: a longer budget, so that even on
  // CI's loaded cores the plan is more than the minimal run (16 s planned one step there).
  const trainer = new Trainer(
    {
      ...tiny,
      data: 'synthetic:256',
      threads: 1,
      checkpointEvery: 1000,
      timeBudget: `${BUDGET * 2.5}s`,
      output: join(output, 'parallel'),
    },
    { nprocPerNode: 2 },
  );
  const all = await events(trainer);
  const start = all.find((e): e is Start => e.type === 'start')!;
  const end = all.find((e): e is End => e.type === 'end')!;
  t.equal(start.processes, 2);
  const steps = start.timeBudget?.plan?.steps ?? 0;
  t.ok(steps >= 2 && !start.timeBudget?.plan?.minimal, `planned ${steps} steps: ${JSON.stringify(start.timeBudget)}`);
  // Every planned step, or (CI's load slowing the run after its plan) the deadline's stop, which
  // both ranks agreed on: a rank stepping on alone would leave the other waiting in a collective.
  if (end.reason === 'completed') t.equal(end.position.step, steps, 'every planned step');
  else t.ok(end.reason === 'time-budget' && end.position.step < steps, `the deadline at step ${end.position.step}`);
  const [runName] = readdirSync(join(output, 'parallel'));
  t.equal(recordedSteps(join('parallel', runName!)), steps, "config.yaml records rank 0's plan");
  t.equal(trainer.config.steps, 0, "the caller's configuration is not changed; the run's records the steps");
});
