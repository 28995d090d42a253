// Chaos (a release check, npm run test:e2e: CI's budget): a small run killed with SIGKILL,
// SIGTERM or SIGINT at 10 random moments, resumed after
// each, ends with exactly the weights of an uninterrupted run (CPU, bit for bit) and leaves no
// stray file (no lock, no temporary checkpoint).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { cli } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { bytesOf } from '../helpers/runs.js';

// 32 images, batch 8: 4 steps an epoch, a checkpoint after each of the 8 epochs.
async function images(dir: string): Promise<string> {
  const root = join(dir, 'images');
  for (let i = 0; i < 32; i++) {
    const cls = join(root, `class-${i % 2}`);
    mkdirSync(cls, { recursive: true });
    const background = { r: (37 * i) % 256, g: (91 * i) % 256, b: (151 * i) % 256 };
    await sharp({ create: { width: 20, height: 20, channels: 3, background } })
      .png()
      .toFile(join(cls, `${i}.png`));
  }
  return root;
}

function recipe(data: string, output: string, name: string): string[] {
  return [
    '--data',
    data,
    '--arch',
    'resnet18',
    '--projector-hidden',
    '32',
    '--projector-out',
    '32',
    '--batch-size',
    '8',
    '--epochs',
    '8',
    '--global-size',
    '16',
    '--local-crops',
    '0',
    '--workers',
    '1',
    '--threads',
    '1',
    '--optimizer',
    'sgd',
    '--keep-checkpoints',
    '2',
    '--output',
    output,
    '--name',
    name,
    '--quiet',
  ];
}

function hasCheckpoint(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((n) => /^checkpoint-.*\.pth$/.test(n));
}

async function runOnce(args: string[], killAfterMs?: number, signal?: NodeJS.Signals): Promise<number | null> {
  const child = spawn(process.execPath, [cli, 'train', ...args], { stdio: 'ignore' });
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill(signal), killAfterMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return code;
}

t.test('killed at 10 random moments and resumed each time: the weights of an uninterrupted run', async (t) => {
  const dir = tempDir(t);
  const data = await images(dir);
  const output = join(dir, 'runs');
  const started = performance.now();
  t.equal(await runOnce(recipe(data, output, 'whole')), 0);
  const wholeMs = performance.now() - started;

  // A seeded stream of kill moments within 40 % of the time the steps still to run took in the
  // whole run (so that kills land before the run ends however loaded the machine is: a run
  // resumed on a quieter machine goes faster than the one timed), and the three signals in turn.
  let state = 20261129;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const run = join(output, 'chaotic');
  const signals: NodeJS.Signals[] = ['SIGKILL', 'SIGTERM', 'SIGINT'];
  const log: string[] = [];
  let interrupted = 0;
  // First a stop exactly at an epoch's end (the state between the last step and the epoch's
  // closing work), then the random kills.
  t.equal(await runOnce([...recipe(data, output, 'chaotic'), '--max-steps', '4']), 0);
  for (let i = 0; i < 10; i++) {
    if (!hasCheckpoint(run)) rmSync(run, { recursive: true, force: true }); // nothing to resume: start again
    const args = hasCheckpoint(run) ? ['--resume', run, '--quiet'] : recipe(data, output, 'chaotic');
    const stepBefore = hasCheckpoint(run) ? (await loadCheckpoint(run)).step : 0;
    const killAfterMs = Math.round(200 + random() * 0.4 * wholeMs * ((32 - stepBefore) / 32));
    const code = await runOnce(args, killAfterMs, signals[i % 3]);
    const step = hasCheckpoint(run) ? (await loadCheckpoint(run)).step : 0;
    if (step < 32) interrupted++;
    log.push(`${signals[i % 3]} at ${killAfterMs} ms: exit ${code}, step ${step}`);
  }
  t.ok(interrupted >= 8, `${interrupted} of the 10 kills landed before the end of the run`);
  if (!hasCheckpoint(run)) rmSync(run, { recursive: true, force: true });
  t.equal(
    await runOnce(hasCheckpoint(run) ? ['--resume', run, '--quiet'] : recipe(data, output, 'chaotic')),
    0,
    log.join('\n'),
  );

  const whole = await loadCheckpoint(join(output, 'whole'));
  const chaotic = await loadCheckpoint(run);
  t.match(chaotic, { epoch: 8, batch: 0, step: 32 });
  t.same(
    await bytesOf(chaotic),
    await bytesOf(whole),
    'weights, EMA target, BN statistics and momentum identical bit for bit',
  );
  t.same(
    [
      ...new Set(
        readdirSync(run)
          .filter((n) => !/^checkpoint-e\d{4}-s\d{8}\.pth$/.test(n))
          .map((n) => n.replace(/^events\.out\.tfevents\..*/, 'events.out.tfevents.*')),
      ),
    ].sort(),
    ['config.yaml', 'events.out.tfevents.*', 'metrics.jsonl', 'report.html', 'report.png'],
    'no lock, no temporary file',
  );
  t.comment(`uninterrupted run ${(wholeMs / 1000).toFixed(1)} s; ${log.join('; ')}`);
});
