// Runs never lose data: a reused run name is refused, a run directory is locked for the life of
// its run, SIGTERM checkpoints like Ctrl-C, undecodable data is refused, bad settings are refused
// before any data is read, I/O failures are one line (a full disk: full-disk.test.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { info } from '../../lib/index.js';
import { ImageFolder } from '../../lib/entries/data.js';
import { EpochSampler } from '../../lib/data/sampler.js';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { RunLock } from '../../lib/train/run-lock.js';
import { Trainer } from '../../lib/train/trainer.js';
import { cli } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { events, modelFlags, snapshot, tiny, tinyFlags, train } from '../helpers/runs.js';

/** A process that has exited: its PID is dead (until the kernel reuses it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

/** TensorBoard's event files (one per session, named by time, host and pid) as one entry. */
const eventFilesAsOne = (name: string) => name.replace(/^events\.out\.tfevents\..*/, 'events.out.tfevents.*');

t.test('1. a run directory that holds a run is refused, never reused; nothing in it changes', async (t) => {
  const output = tempDir(t);
  await events(new Trainer({ ...tiny, output, name: 'clash', maxSteps: 3, keepCheckpoints: 1 }));
  const run = join(output, 'clash');
  const before = snapshot(run);
  t.same(Object.keys(before).map(eventFilesAsOne), [
    'checkpoint-e0000-s00000003.pth',
    'config.yaml',
    'events.out.tfevents.*',
    'metrics.jsonl',
    'report.html',
    'report.png',
  ]);
  await t.rejects(
    events(new Trainer({ ...tiny, output, name: 'clash', maxSteps: 2, arch: 'resnet34', keepCheckpoints: 1 })),
    {
      name: 'InputError',
      // The first four entries in directory order, then the count.
      message: new RegExp(
        `^run directory ${run} already holds a run \\(([^,]+, ){3}[^,]+, … \\(6 entries\\)\\): continue it with --resume ${run}, or choose another --name$`,
      ),
    },
  );
  t.same(snapshot(run), before, 'checkpoint, config.yaml and metrics.jsonl untouched');
  // Any other content counts too: a run directory is never shared.
  mkdirSync(join(output, 'notes'));
  writeFileSync(join(output, 'notes', 'README'), 'mine');
  writeFileSync(join(output, 'notes', 'draft.tmp-1'), 'mine too');
  await t.rejects(
    events(new Trainer({ ...tiny, output, name: 'notes', maxSteps: 1 })),
    /run directory .*notes already holds a run \(README\)/,
  );
  t.same(readdirSync(join(output, 'notes')).sort(), ['README', 'draft.tmp-1'], 'nothing of it touched');
  // Resuming from an older checkpoint than the newest would fork the run inside one directory.
  await events(new Trainer({ maxSteps: 5, keepCheckpoints: 3 }, { resume: run }));
  t.same(
    readdirSync(run).filter((n) => n.endsWith('.pth')),
    ['checkpoint-e0000-s00000003.pth', 'checkpoint-e0000-s00000005.pth'],
  );
  await t.rejects(
    events(new Trainer({ maxSteps: 7 }, { resume: join(run, 'checkpoint-e0000-s00000003.pth') })),
    /is not the newest checkpoint of its run \(checkpoint-e0000-s00000005\.pth is\)/,
  );
});

t.test(
  '2. run.lock: a second run or a resume of a running run is refused with the PID; stale locks are reclaimed',
  async (t) => {
    const output = tempDir(t);
    const run = join(output, 'busy');
    const child = spawn(
      process.execPath,
      [cli, 'train', ...tinyFlags, '--epochs', '100', '--output', output, '--name', 'busy'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    for (let waited = 0; !/step \d+\/\d+/.test(stdout) && waited < 60_000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    const second = train([...tinyFlags, '--output', output, '--name', 'busy', '--max-steps', '1']);
    t.equal(second.status, 1);
    t.equal(second.stderr.trim(), `${run} is in use by another run (PID ${child.pid}): wait for it to end, or stop it`);
    const resume = train(['--resume', run, '--max-steps', '1']);
    t.equal(resume.status, 1);
    t.equal(resume.stderr.trim(), `${run} is in use by another run (PID ${child.pid}): wait for it to end, or stop it`);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    t.ok(existsSync(join(run, 'run.lock')), 'a killed run leaves its lock');
    // No checkpoint yet (the first comes at the end of an epoch): nothing to resume, but the dead
    // run's lock does not stand in the way, and its metrics keep the name taken.
    const reuse = train([...tinyFlags, '--output', output, '--name', 'busy', '--max-steps', '1']);
    t.match(reuse.stderr, /already holds a run \(.*metrics\.jsonl/);
    t.notMatch(reuse.stderr, /in use/);
  },
);

t.test('2. RunLock: live owners refused by PID and host; dead PIDs and reused PIDs reclaimed', async (t) => {
  const dir = tempDir(t);
  const lock = await RunLock.acquire(dir);
  await t.rejects(RunLock.acquire(dir), {
    message: `${dir} is in use by another run (PID ${process.pid}): wait for it to end, or stop it`,
  });
  await lock.release();
  t.notOk(existsSync(join(dir, 'run.lock')));
  const lockFile = join(dir, 'run.lock');
  writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), host: hostname() }));
  await (await RunLock.acquire(dir)).release();
  // This PID is alive, but it started at another time: the PID was reused, the owner is gone.
  writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: hostname(), started: 1 }));
  await (await RunLock.acquire(dir)).release();
  writeFileSync(lockFile, JSON.stringify({ pid: 1234, host: 'elsewhere' }));
  await t.rejects(RunLock.acquire(dir), {
    message: `${dir} is in use by another run (PID 1234 on elsewhere): wait for it to end, or stop it; if it is gone, delete ${lockFile}`,
  });
});

t.test('3. SIGTERM finishes the step, writes a checkpoint and exits 0, within seconds', async (t) => {
  const output = tempDir(t);
  const child = spawn(
    process.execPath,
    [cli, 'train', ...tinyFlags, '--epochs', '100', '--output', output, '--name', 'preempted'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  for (let waited = 0; !/step \d+\/\d+/.test(stdout) && waited < 60_000; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  const signalled = performance.now();
  child.kill('SIGTERM');
  const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c)));
  const seconds = (performance.now() - signalled) / 1000;
  t.equal(code, 0, stderr);
  t.ok(seconds < 30, `exited ${seconds.toFixed(1)} s after SIGTERM (Kubernetes allows 30 s)`);
  t.match(stderr, /SIGTERM: finishing the step and writing a checkpoint/);
  const position = /^stopped at step (\d+);/m.exec(stdout);
  t.ok(position, stdout);
  const checkpoint = await loadCheckpoint(join(output, 'preempted'));
  t.equal(checkpoint.step, Number(position![1]), 'the checkpoint holds the last step');
  t.same(
    readdirSync(join(output, 'preempted'))
      .filter((n) => !n.endsWith('.pth'))
      .map(eventFilesAsOne)
      .sort(),
    ['config.yaml', 'events.out.tfevents.*', 'metrics.jsonl', 'report.html', 'report.png'],
    'lock released',
  );
});

async function imageFolder(dir: string, good: number, bad: number): Promise<string> {
  const root = join(dir, 'images');
  mkdirSync(join(root, 'class'), { recursive: true });
  for (let i = 0; i < good; i++) {
    await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 40 * i, g: 100, b: 200 - 20 * i } } })
      .png()
      .toFile(join(root, 'class', `good-${i}.png`));
  }
  for (let i = 0; i < bad; i++) writeFileSync(join(root, 'class', `bad-${i}.jpg`), `not an image ${i}`);
  return root;
}

t.test('4. a dataset with nothing decodable fails with a message and writes no checkpoint', async (t) => {
  const dir = tempDir(t);
  const data = await imageFolder(dir, 0, 8);
  const output = join(dir, 'runs');
  await t.rejects(events(new Trainer({ ...tiny, data, batchSize: 4, output, name: 'empty' })), {
    name: 'InputError',
    message: new RegExp(
      `^nothing to train on: 0 of 8 images of ${data} could be decoded in epoch 0, and no batch had the 2 images a step needs \\(epoch 0: 8 images skipped: .*bad-0\\.jpg`,
    ),
  });
  t.same(readdirSync(output), [], 'no run directory left behind (nothing was trained)');
  const cliRun = train([...modelFlags, '--data', data, '--batch-size', '4', '--output', output, '--name', 'empty']);
  t.equal(cliRun.status, 1);
  t.match(cliRun.stderr, /^nothing to train on: 0 of 8 images/);
  t.equal(cliRun.stderr.trim().split('\n').length, 1, 'one line');
});

t.test('5. a batch left with one decodable image is skipped and counted, never a crash', async (t) => {
  const dir = tempDir(t);
  const data = await imageFolder(dir, 5, 7);
  const dataset = await ImageFolder.open(data);
  const isGood = (i: number) => /good-\d+\.png$/.test(dataset.source.kind === 'files' ? dataset.source.path(i) : '');
  // A seed whose first epoch has a batch with exactly one good image and one with more.
  let seed = 0;
  for (; seed < 200; seed++) {
    const sampler = new EpochSampler({ length: dataset.length, batchSize: 4, seed });
    const goods = Array.from({ length: sampler.batchesPerEpoch }, (_, b) => sampler.batch(0, b).filter(isGood).length);
    if (goods.includes(1) && goods.some((g) => g >= 2)) break;
  }
  t.ok(seed < 200, `seed ${seed}`);
  const all = await events(
    new Trainer({ ...tiny, data, batchSize: 4, epochs: 1, seed, output: join(dir, 'runs'), name: 'sparse' }),
  );
  const warning = all.find((e) => e.type === 'warning' && /has 1 decodable image of 4; step skipped/.test(e.message));
  t.ok(warning, 'the skipped step is reported');
  const epoch = all.find((e) => e.type === 'epoch');
  t.ok(epoch?.type === 'epoch' && epoch.skippedSteps >= 1 && epoch.skippedImages === 7, JSON.stringify(epoch));
  t.match(all.at(-1), { type: 'end', reason: 'completed' });
  t.ok(
    all.some((e) => e.type === 'step' && Number.isFinite(e.loss)),
    'the usable batches train',
  );
});

t.test('6. a device or precision this build or machine lacks is refused before any data is read', async (t) => {
  const output = tempDir(t);
  // A data path that does not exist: had the data been opened first, that would be the error.
  const config = { ...tiny, data: join(output, 'no-such-data'), output, name: 'r' };
  const cuda = info().cuda ? 'cuda:99' : 'cuda';
  await t.rejects(events(new Trainer({ ...config, device: cuda })), {
    name: 'InputError',
    message: new RegExp(`^config: device '${cuda}' (cannot be used|does not exist)`),
  });
  await t.rejects(events(new Trainer({ ...config, precision: 'fp16' })), {
    message:
      "config: precision 'fp16' needs a CUDA device (autocast on the CPU supports bf16 only); use 'bf16' or 'fp32'",
  });
  t.same(readdirSync(output), [], 'no run directory was made');
});

t.test('7. an output that is a file or read-only: one line naming the path and the cause', async (t) => {
  const output = tempDir(t);
  const file = join(output, 'a-file');
  writeFileSync(file, '');
  const onFile = train([...tinyFlags, '--output', file, '--max-steps', '1']);
  t.equal(onFile.status, 1);
  t.equal(onFile.stderr, `output ${file} is a file, not a directory\n`);
  const under = train([...tinyFlags, '--output', join(file, 'runs'), '--max-steps', '1']);
  t.equal(
    under.stderr,
    `cannot create the output directory ${join(file, 'runs')}: a path component is a file, not a directory (ENOTDIR)\n`,
  );
  // A read-only output folder: /proc takes no new directories, even from root.
  const readOnly = train([...tinyFlags, '--output', '/proc/mveb-test-runs', '--max-steps', '1']);
  t.equal(readOnly.status, 1);
  t.equal(
    readOnly.stderr,
    'cannot create the output directory /proc/mveb-test-runs: no such file or directory (ENOENT)\n',
  );
});

t.test('8. threads and workers are bounded by the cores: refused above 4 per core, a warning above 1', async (t) => {
  const cores = availableParallelism();
  const output = tempDir(t);
  for (const field of ['threads', 'workers'] as const) {
    await t.rejects(events(new Trainer({ ...tiny, [field]: 1000, output, name: field })), {
      message: `config: ${field} must be at most 4 × the ${cores} cores (${4 * cores}), got 1000`,
    });
  }
  const all = await events(new Trainer({ ...tiny, workers: cores + 1, output, name: 'more', maxSteps: 1 }));
  t.ok(
    all.some(
      (e) =>
        e.type === 'warning' &&
        e.message === `workers ${cores + 1} is more than the ${cores} cores: expect it to be slower, not faster`,
    ),
  );
});

t.test('9. with --resume, safe flags apply and the others are refused by name', async (t) => {
  const output = tempDir(t);
  const run = join(output, 'r');
  await events(new Trainer({ ...tiny, output, name: 'r', maxSteps: 2 }));
  await t.rejects(events(new Trainer({ arch: 'resnet34', batchSize: 64, epochs: 9, maxSteps: 3 }, { resume: run })), {
    message:
      /^resume: arch \(the run's "resnet18", given "resnet34"\), batchSize \(the run's 16, given 64\), epochs \(the run's 2, given 9\) cannot change when resuming/,
  });
  t.equal((await loadCheckpoint(run)).step, 2, 'nothing ran');
  // The same values as the run's are accepted; safe fields apply.
  const all = await events(
    new Trainer({ arch: 'resnet18', batchSize: 16, maxSteps: 3, keepCheckpoints: 1 }, { resume: run }),
  );
  t.match(all.at(-1), { type: 'end', reason: 'max-steps', position: { step: 3 } });
  t.same(
    readdirSync(run).filter((n) => n.endsWith('.pth')),
    ['checkpoint-e0000-s00000003.pth'],
    'keepCheckpoints 1 applied',
  );
  const help = spawnSync(process.execPath, [cli, 'train', '--help'], { encoding: 'utf8' });
  t.match(
    help.stdout.replace(/\s+/g, ' '),
    /With --resume, only these fields may change: --data, --val, --time-budget, --device, --workers, .*--max-steps/,
  );
});

t.test(
  '10 and 11. repeated flags are refused; typed text is echoed; missing or empty checkpoints are named',
  async (t) => {
    const output = tempDir(t);
    const repeated = train([...tinyFlags, '--max-steps', '2', '--max-steps', '1', '--output', output]);
    t.equal(repeated.status, 1);
    t.equal(repeated.stderr, '--max-steps was given 2 times (2, 1): give each flag once\n');
    const typed = train([...tinyFlags, '--max-steps', 'abc', '--output', output]);
    t.equal(typed.stderr, 'config: maxSteps must be an integer >= 0, got "abc"\n');
    const range = train([...tinyFlags, '--global-scale', '0.4,x', '--output', output]);
    t.equal(range.stderr, 'config: globalScale must be [min, max] with 0 < min <= max <= 1, got "0.4,x"\n');
    const missing = train(['--resume', join(output, 'nope')]);
    t.equal(missing.stderr, `resume: ${join(output, 'nope')} does not exist\n`);
    mkdirSync(join(output, 'bare'));
    const bare = train(['--resume', join(output, 'bare')]);
    t.equal(bare.stderr, `resume: ${join(output, 'bare')} holds no checkpoint (checkpoint-*.pth)\n`);
    writeFileSync(join(output, 'bare', 'checkpoint-e0000-s00000001.pth'), '');
    const empty = train(['--resume', join(output, 'bare')]);
    t.equal(
      empty.stderr,
      `resume: cannot read ${join(output, 'bare', 'checkpoint-e0000-s00000001.pth')}: the file is empty (0 bytes), not a torch.save file\n`,
    );
    t.same(readdirSync(output).sort(), ['bare'], 'no run directory made by any refused command');
    t.same(readdirSync(join(output, 'bare')), ['checkpoint-e0000-s00000001.pth'], 'and no lock left behind');
  },
);

t.test('12. temporary files of killed runs are removed when the run resumes', async (t) => {
  const output = tempDir(t);
  const run = join(output, 'r');
  await events(new Trainer({ ...tiny, output, name: 'r', maxSteps: 1 }));
  const stale = join(run, `checkpoint-e0000-s00000009.pth.tmp-${deadPid()}`);
  writeFileSync(stale, 'half a checkpoint');
  writeFileSync(join(run, 'config.yaml.tmp-1'), 'half a config');
  await events(new Trainer({ maxSteps: 2 }, { resume: run }));
  t.same([...new Set(readdirSync(run).map(eventFilesAsOne))].sort(), [
    'checkpoint-e0000-s00000001.pth',
    'checkpoint-e0000-s00000002.pth',
    'config.yaml',
    'events.out.tfevents.*',
    'metrics.jsonl',
    'report.html',
    'report.png',
  ]);
});
