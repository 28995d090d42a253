// Automatic resume: the same command, run again after a preemption (kill -9, a requeue), continues
// the run from its newest checkpoint and ends with exactly the weights of an uninterrupted run;
// a run killed before its first checkpoint starts afresh in its directory; without the switch the
// second command is refused as before. SIGUSR1 (SLURM's warning) checkpoints and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { defaultConfig } from '../../lib/train/config.js';
import { RunDirectory } from '../../lib/train/run-directory.js';
import { runName } from '../../lib/train/run-name.js';
import { cli } from '../helpers/paths.js';
import { bytesOf, checkpointFiles, modelFlags, stepLines } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';
import { start, waitFor } from '../helpers/processes.js';

const output = tempDir(t, 'mveb-auto-');
// 64 images, batch 16: 4 steps an epoch.
const recipe = (name: string, epochs: number, ...extra: string[]) => [
  'train',
  ...modelFlags,
  '--data',
  'synthetic:64',
  '--batch-size',
  '16',
  '--epochs',
  String(epochs),
  '--threads',
  '1',
  '--knn-every',
  '0',
  '--log-every',
  '1',
  '--output',
  output,
  '--name',
  name,
  '--quiet',
  ...extra,
];
const runSync = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const files = (name: string) => (existsSync(join(output, name)) ? readdirSync(join(output, name)) : []);
const checkpoints = (name: string) => checkpointFiles(join(output, name));
const stepRecords = (name: string) => stepLines(join(output, name));

/** Starts the command, and SIGKILLs it once `when` holds; resolves when it is gone. */
async function killWhen(
  args: string[],
  when: () => boolean,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<number | null> {
  const { child, exit } = start(process.execPath, [cli, ...args]);
  // Polled often: the kill must land soon after the moment.
  await Promise.race([waitFor(when, 'the moment to signal', { seconds: 120, everyMs: 20 }), exit]);
  child.kill(signal);
  return (await exit).code;
}

t.test(
  'kill -9 after a step checkpoint, the same command again: the weights of an uninterrupted run, bit for bit',
  async (t) => {
    const whole = runSync(recipe('whole', 3, '--checkpoint-every-steps', '3'));
    t.equal(whole.status, 0, whole.stderr);
    const command = recipe('preempted', 3, '--checkpoint-every-steps', '3', '--auto-resume');
    await killWhen(command, () => checkpoints('preempted').length > 0);
    const atKill = checkpoints('preempted');
    t.ok(
      atKill.length > 0 && !atKill.some((f) => f.endsWith('s00000012.pth')),
      `killed mid-run (checkpoints then: ${atKill.join(', ')})`,
    );
    t.ok(
      atKill.some((f) => /-s00000003\.pth$/.test(f)),
      'the first checkpoint is a mid-epoch one, after step 3',
    );

    const again = runSync(command);
    t.equal(again.status, 0, again.stderr);
    const last = checkpoints('preempted').at(-1)!;
    t.match(last, /s00000012\.pth$/);
    const [resumed, uninterrupted] = await Promise.all([
      loadCheckpoint(join(output, 'preempted', last)),
      loadCheckpoint(join(output, 'whole', checkpoints('whole').at(-1)!)),
    ]);
    t.same(
      await bytesOf(resumed),
      await bytesOf(uninterrupted),
      'weights, EMA target, BN statistics, momentum: identical',
    );
    t.notOk(files('preempted').includes('run.lock'), 'no lock left');
  },
);

t.test('killed before its first checkpoint: the same command starts the run afresh in its directory', async (t) => {
  const command = recipe('early', 2, '--auto-resume');
  await killWhen(command, () => stepRecords('early').length > 0);
  t.same(checkpoints('early'), [], 'no checkpoint when killed');
  t.ok(files('early').includes('config.yaml'), 'the dead run left its records');
  const again = runSync(command);
  t.equal(again.status, 0, again.stderr);
  t.same(
    stepRecords('early').map((l) => JSON.parse(l).step),
    [1, 2, 3, 4, 5, 6, 7, 8],
    'one run from step 1: the dead run’s lines are gone',
  );
});

t.test('without --auto-resume the second command is refused, as before', async (t) => {
  const first = runSync(recipe('plain', 1, '--max-steps', '1'));
  t.equal(first.status, 0, first.stderr);
  const second = runSync(recipe('plain', 1, '--max-steps', '1'));
  t.equal(second.status, 1);
  t.match(second.stderr, /already holds a run .*continue it with --resume/);
});

t.test('a directory holding anything but run records is never restarted', async (t) => {
  const dir = join(output, 'mine');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.yaml'), 'x: 1\n');
  writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
  await t.rejects(
    RunDirectory.create({ ...defaultConfig, output, name: 'mine', autoResume: true }, { restart: true }),
    {
      name: 'InputError',
      message: /already holds a run \(config\.yaml, notes\.txt\)/,
    },
  );
  t.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'my notes\n');
});

t.test('SIGUSR1 (SLURM’s warning): the step finishes, a checkpoint is written, exit 0', async (t) => {
  const code = await killWhen(recipe('warned', 50), () => stepRecords('warned').length >= 2, 'SIGUSR1');
  t.equal(code, 0);
  const last = checkpoints('warned').at(-1);
  t.ok(last, 'a checkpoint');
  const step = Number(/-s(\d+)\.pth$/.exec(last ?? '')?.[1]);
  t.ok(step >= 2 && step < 200, `at step ${step}, where it stopped`);
});

t.test('the run name autoResume needs: --name, SLURM’s job id, torchrun’s run id; none is refused', async (t) => {
  const auto = { name: '', autoResume: true };
  t.equal(runName({ ...auto, name: 'r50' }, { SLURM_JOB_ID: '7' }), 'r50');
  t.equal(runName(auto, { SLURM_JOB_ID: '4242' }), 'slurm-4242');
  t.equal(runName(auto, { SLURM_JOB_ID: '9', SLURM_ARRAY_JOB_ID: '8', SLURM_ARRAY_TASK_ID: '3' }), 'slurm-8_3');
  t.equal(runName(auto, { TORCHELASTIC_RUN_ID: 'job/1' }), 'torchrun-job_1');
  t.throws(() => runName(auto, { TORCHELASTIC_RUN_ID: 'none' }), {
    name: 'InputError',
    message: /autoResume needs a run name that the same command finds again: give --name/,
  });
  t.equal(runName({ name: '', autoResume: false }, {}, new Date('2026-12-05T01:02:03Z')), '2026-12-05_01-02-03');
});
