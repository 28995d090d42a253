// Launching and faults of data-parallel runs (Gloo, CPU): torchrun, srun and the built-in launcher
// train alike; a killed or hung rank ends the run within 60 s naming it, the last checkpoint
// intact; SIGTERM checkpoints and exits 0; a 2-process run resumes in 1 process as if it had
// been one all along; torchrun --max_restarts restarts a group whose worker died, and with
// --auto-resume the restarted group continues to the uninterrupted run's weights.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli, root } from '../helpers/paths.js';
import { oraclePython } from '../helpers/python.js';
import { InputError, Trainer, type TrainEvent } from '../../lib/index.js';
import { bytesOf, events, snapshot, tiny, train } from '../helpers/runs.js';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { tempDir } from '../helpers/tmp.js';
import { srunTask, start, waitFor, withoutTorchrun, type Started } from '../helpers/processes.js';

const out = tempDir(t, 'mveb-launch-');
const model = [
  '--arch',
  'resnet18',
  '--projector-hidden',
  '32',
  '--projector-out',
  '32',
  '--global-size',
  '16',
  '--workers',
  '1',
  '--local-crops',
  '0',
  '--optimizer',
  'sgd',
  '--threads',
  '1',
  '--knn-every',
  '0',
  '--log-every',
  '1',
  '--quiet',
  '--output',
  out,
];
// 6 steps per epoch of a 16-image global batch.
const short = [...model, '--data', 'synthetic:96', '--batch-size', '16', '--epochs', '2'];
// Long enough to be interrupted: 10 steps per epoch, a checkpoint per epoch.
const long = [...model, '--data', 'synthetic:160', '--batch-size', '16', '--epochs', '100'];

function newestCheckpoint(name: string): string | undefined {
  const dir = join(out, name);
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => /^checkpoint-.*\.pth$/.test(f))
    .sort();
  return files.length ? join(dir, files.at(-1)!) : undefined;
}

function maxRelative(a: string, b: string): number {
  const script = join(root, 'test', 'distributed', 'compare_checkpoints.py');
  return JSON.parse(execFileSync(oraclePython, [script, a, b], { encoding: 'utf8' })).maxRelative;
}

function checkpointStep(path: string): number {
  return Number(
    execFileSync(oraclePython, ['-c', `import torch; print(torch.load(${JSON.stringify(path)})['step'])`], {
      encoding: 'utf8',
    }),
  );
}

function launch(args: string[]): Started {
  return start(process.execPath, [cli, 'train', ...args]);
}

/** A child of `parent` whose environment holds `variable` (NAME=value), if there is one now. */
function childWith(parent: number, variable: string): number | undefined {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid !== parent) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(variable)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The worker of `rank` among the launcher's children, by its RANK variable. */
function workerPid(launcher: number, rank: number): number {
  const pid = childWith(launcher, `RANK=${rank}`);
  if (pid === undefined) throw new Error(`no worker of rank ${rank} under ${launcher}`);
  return pid;
}

t.test('a 2-process run resumed in 1 process ends with the weights of 1 process all along', async (t) => {
  t.equal(train([...short, '--name', 'whole', '--max-steps', '8']).status, 0);
  const first = train([...short, '--name', 'split', '--max-steps', '4', '--nproc-per-node', '2']);
  t.equal(first.status, 0, first.stderr);
  const resumed = train(['--resume', join(out, 'split'), '--max-steps', '8', '--quiet']);
  t.equal(resumed.status, 0, resumed.stderr);
  const diff = maxRelative(newestCheckpoint('split')!, newestCheckpoint('whole')!);
  t.ok(diff <= 1e-4, `max relative difference ${diff}`);
});

t.test('the Trainer API starts the workers itself and yields rank 0 events', async (t) => {
  const trainer = new Trainer(
    { ...tiny, data: 'synthetic:96', epochs: 1, maxSteps: 3, knnEvery: 0, threads: 1, output: out, name: 'api' },
    { nprocPerNode: 2 },
  );
  const all = await events(trainer);
  const start = all.find((e) => e.type === 'start');
  t.equal(start?.type === 'start' && start.processes, 2);
  t.equal(all.filter((e) => e.type === 'step').length, 3);
  const end = all.at(-1);
  t.equal(end?.type === 'end' && end.reason, 'max-steps');
  t.ok(newestCheckpoint('api'), 'rank 0 wrote the checkpoint');
});

t.test(
  "the Trainer API forks its worker module, not bin/: a NaN loss arrives as NaN, an error as its class with the worker's stack",
  async (t) => {
    // A learning rate that blows the weights up: the loss turns non-finite after the first step.
    const diverging = new Trainer(
      {
        ...tiny,
        data: 'synthetic:96',
        epochs: 1,
        maxSteps: 4,
        knnEvery: 0,
        threads: 1,
        output: out,
        name: 'nan',
        baseLr: 1e30,
        logEvery: 1,
      },
      { nprocPerNode: 2 },
    );
    const workers: string[] = [];
    const all: TrainEvent[] = [];
    for await (const event of diverging.run()) {
      all.push(event);
      if (workers.length === 0)
        workers.push(
          ...execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
            .trim()
            .split('\n'),
        );
    }
    const forked = workers.filter((w) => /worker\.(js|ts)/.test(w));
    t.equal(forked.length, 2, `two forked workers: ${workers.join(' | ')}`);
    t.notOk(
      workers.some((w) => w.includes('bin/mveb-torch.js')),
      'no CLI process',
    );
    const losses = all.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    t.ok(
      losses.some((loss) => Number.isNaN(loss)),
      `a NaN loss is NaN, not null: ${losses.join(', ')}`,
    );
    // An error in a worker: a data path that only the workers look at (rank 0 refuses it in run()).
    const missing = new Trainer(
      { ...tiny, data: '/nonexistent/images', epochs: 1, output: out, name: 'missing' },
      { nprocPerNode: 2 },
    );
    const error = await events(missing).then(
      () => undefined,
      (e: Error) => e,
    );
    t.type(error, InputError, 'the class it was thrown as');
    t.match(error?.message, /^data path does not exist: \/nonexistent\/images$/);
    t.match(error?.stack, /at data-parallel rank \d \(a worker of this run\)/, "the worker's stack");
    t.match(error?.stack, /trainer\.(ts|js)/, 'frames from inside the worker');
  },
);

t.test('bad launches are refused in one line before any worker starts', async (t) => {
  const odd = train([
    ...model,
    '--data',
    'synthetic:96',
    '--batch-size',
    '15',
    '--name',
    'odd',
    '--nproc-per-node',
    '2',
  ]);
  t.equal(odd.status, 1);
  t.match(odd.stderr, /^config: batchSize 15 \(the global batch\) must be a multiple of the 2 processes\n$/);
  for (const bad of ['0', 'two', '1.5']) {
    const run = train([...short, '--name', 'bad', '--nproc-per-node', bad]);
    t.equal(run.status, 1, bad);
    t.match(run.stderr, new RegExp(`--nproc-per-node must be an integer >= 1, got "${bad}"`));
  }
  t.notOk(existsSync(join(out, 'odd')) || existsSync(join(out, 'bad')), 'no run directory');
});

t.test("Debian's torchrun (--no_python) runs the same 2 ranks as the built-in launcher", async (t) => {
  const builtIn = train([...short, '--name', 'builtin', '--max-steps', '4', '--nproc-per-node', '2']);
  t.equal(builtIn.status, 0, builtIn.stderr);
  // Python 3.11 needs --log_dir, -r and -t with Debian's torchrun 1.13 (its Std parsing).
  const run = spawnSync(
    oraclePython,
    [
      '-m',
      'torch.distributed.run',
      '--nproc_per_node',
      '2',
      '--no_python',
      '--log_dir',
      tempDir(t),
      '-r',
      '1',
      '-t',
      '1',
      '--master_port',
      String(20000 + (process.pid % 20000)),
      process.execPath,
      cli,
      'train',
      ...short,
      '--name',
      'torchrun',
      '--max-steps',
      '4',
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (run.status !== 0) t.comment(run.stderr.slice(-3000));
  t.equal(run.status, 0, 'torchrun exits 0');
  const diff = maxRelative(newestCheckpoint('torchrun')!, newestCheckpoint('builtin')!);
  t.ok(diff <= 1e-6, `max relative difference ${diff}`);
});

t.test("srun on localhost (two tasks with SLURM's variables): trains and ends with torchrun's weights", async (t) => {
  // As srun starts them: no torchrun variables, each task its SLURM_PROCID; rank 0 hosts the store.
  const port = String(20000 + ((process.pid + 7) % 20000));
  const tasks = [0, 1].map(
    (rank) =>
      start(
        process.execPath,
        [cli, 'train', ...short, '--name', 'srun', '--max-steps', '4'],
        srunTask(rank, { tasks: 2, nodes: 1, port: Number(port), job: '4242' }),
      ).exit,
  );
  const ended = await Promise.all(tasks);
  ended.forEach(({ code, stderr }, rank) => t.equal(code, 0, `task ${rank}: ${stderr}`));
  t.same(
    readdirSync(out).filter((name) => name.startsWith('srun')),
    ['srun'],
    "one run directory, rank 0's",
  );
  const [srun, torchrun] = await Promise.all([
    loadCheckpoint(newestCheckpoint('srun')!),
    loadCheckpoint(newestCheckpoint('torchrun')!),
  ]);
  t.same(await bytesOf(srun), await bytesOf(torchrun), "the torchrun run's weights and momentum, bit for bit");
});

t.test(
  'torchrun --max_restarts 1: a worker SIGKILLed after a step checkpoint; the restarted group resumes (auto-resume) and ends bit-identical to an uninterrupted run',
  async (t) => {
    // 2 epochs of 6 steps, a checkpoint every 3 steps; a dead rank ends its peer within 5 s.
    const recipe = [
      ...model,
      '--data',
      'synthetic:96',
      '--batch-size',
      '16',
      '--epochs',
      '2',
      '--checkpoint-every-steps',
      '3',
      '--collective-timeout',
      '5',
    ];
    const whole = train([...recipe, '--name', 'elastic-whole', '--nproc-per-node', '2']);
    t.equal(whole.status, 0, whole.stderr);

    const { child: agent, exit } = start(oraclePython, [
      '-m',
      'torch.distributed.run',
      '--nproc_per_node',
      '2',
      '--max_restarts',
      '1',
      '--no_python',
      '--log_dir',
      tempDir(t),
      '-r',
      '1',
      '-t',
      '1',
      '--master_port',
      String(23000 + (process.pid % 20000)),
      process.execPath,
      cli,
      'train',
      ...recipe,
      '--name',
      'elastic',
      '--auto-resume',
    ]);
    await waitFor(() => newestCheckpoint('elastic') !== undefined, 'a first step checkpoint');
    const victim = workerPid(agent.pid!, 1);
    process.kill(victim, 'SIGKILL');
    const killedAt = checkpointStep(newestCheckpoint('elastic')!);
    t.ok(killedAt < 12, `killed mid-run (newest checkpoint then: step ${killedAt})`);
    // torchrun starts the group again: its workers carry the restart count.
    await waitFor(() => childWith(agent.pid!, 'TORCHELASTIC_RESTART_COUNT=1') !== undefined, 'the restarted workers');
    t.pass('torchrun restarted the worker group (TORCHELASTIC_RESTART_COUNT=1)');
    const { code, stderr } = await exit;
    t.equal(code, 0, code === 0 ? 'torchrun exits 0 after restarting the group' : stderr.slice(-3000));

    const [resumed, uninterrupted] = [newestCheckpoint('elastic')!, newestCheckpoint('elastic-whole')!];
    t.match(resumed, /s00000012\.pth$/);
    const [ours, theirs] = await Promise.all([loadCheckpoint(resumed), loadCheckpoint(uninterrupted)]);
    t.same(
      await bytesOf(ours),
      await bytesOf(theirs),
      'weights, EMA target, BN statistics and momentum identical bit for bit',
    );
  },
);

t.test(
  'a rank that never joins: the run ends after --join-timeout naming it; the resumed run directory is untouched',
  async (t) => {
    const resumed = train([...short, '--name', 'lonely', '--max-steps', '2']);
    t.equal(resumed.status, 0, resumed.stderr);
    const before = snapshot(join(out, 'lonely'));
    const alone = (env: NodeJS.ProcessEnv) => {
      const started = performance.now();
      const run = spawnSync(
        process.execPath,
        [cli, 'train', '--resume', join(out, 'lonely'), '--join-timeout', '3', '--quiet'],
        {
          env,
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      return { ...run, seconds: (performance.now() - started) / 1000 };
    };
    // srun's task 0 of 2, alone: it hosts the store and waits for task 1.
    const port = 24000 + (process.pid % 20000);
    // Task 0 of 2, its peer never started.
    const srun = alone(srunTask(0, { tasks: 2, nodes: 2, port, job: '77' }));
    t.equal(srun.status, 1, srun.stderr);
    // Our line, last, without a stack (LibTorch may log its own socket warnings before it).
    const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1)!;
    t.notMatch(srun.stderr, /^\s+at /m, 'no stack trace');
    t.match(
      lastLine(srun.stderr),
      /^data-parallel run \(rank 0\): rank 1 of 2 did not join within 3 s \(joined: 0\); every rank must start with the same MASTER_ADDR:MASTER_PORT \(127\.0\.0\.1:\d+\)$/,
    );
    t.ok(srun.seconds < 30, `ended ${srun.seconds.toFixed(1)} s after it started`);
    // A static rendezvous's rank 1 of 2 (torchrun's variables, no agent store), alone: rank 0's store never answers.
    const worker = alone({
      ...withoutTorchrun(),
      WORLD_SIZE: '2',
      RANK: '1',
      LOCAL_RANK: '0',
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: String(port + 1),
    });
    t.equal(worker.status, 1, worker.stderr);
    t.notMatch(worker.stderr, /^\s+at /m, 'no stack trace');
    t.match(
      lastLine(worker.stderr),
      new RegExp(
        `^data-parallel run \\(rank 1\\): the store at 127\\.0\\.0\\.1:${port + 1} \\(rank 0's\\) did not answer within 3 s: rank 0 never joined`,
      ),
    );
    t.ok(worker.seconds < 30, `ended ${worker.seconds.toFixed(1)} s after it started`);
    t.same(snapshot(join(out, 'lonely')), before, 'checkpoint, config.yaml and metrics.jsonl untouched; no lock left');
  },
);

t.test(
  'kill -9 of one worker: the launcher ends every rank within 60 s naming it; the last checkpoint loads',
  async (t) => {
    const run = launch([...long, '--name', 'killed', '--nproc-per-node', '2']);
    await waitFor(() => newestCheckpoint('killed') !== undefined, 'a first checkpoint');
    const victim = workerPid(run.child.pid!, 1);
    const faultAt = performance.now();
    process.kill(victim, 'SIGKILL');
    const { code, at, stderr } = await run.exit;
    const seconds = (at - faultAt) / 1000;
    t.not(code, 0);
    t.ok(seconds < 60, `ended ${seconds.toFixed(1)} s after the kill`);
    t.match(stderr, new RegExp(`rank 1 \\(pid ${victim}\\) was killed by SIGKILL; stopping the other ranks`));
    t.ok(checkpointStep(newestCheckpoint('killed')!) >= 10, 'torch.load reads the newest checkpoint');
  },
);

t.test('a hung worker (SIGSTOP): the collective timeout ends the run within 60 s', async (t) => {
  const run = launch([...long, '--name', 'hung', '--nproc-per-node', '2', '--collective-timeout', '5']);
  await waitFor(() => newestCheckpoint('hung') !== undefined, 'a first checkpoint');
  const victim = workerPid(run.child.pid!, 1);
  const faultAt = performance.now();
  process.kill(victim, 'SIGSTOP');
  const { code, at, stderr } = await run.exit;
  const seconds = (at - faultAt) / 1000;
  t.not(code, 0);
  t.ok(seconds < 60, `ended ${seconds.toFixed(1)} s after the hang`);
  // Rank 0's own error, as it threw it (Gloo's timeout), with its rank and its stack.
  t.match(stderr, /Error: rank 0: .*Timed out/);
  t.match(stderr, /at data-parallel rank 0 \(a worker of this run\)/);
});

t.test('SIGTERM to the launcher: every rank finishes its step, rank 0 checkpoints, all exit 0', async (t) => {
  const run = launch([...long, '--name', 'stopped', '--nproc-per-node', '2']);
  const metrics = join(out, 'stopped', 'metrics.jsonl');
  await waitFor(() => existsSync(metrics) && readFileSync(metrics, 'utf8').includes('"step":3,'), 'step 3');
  const signalAt = performance.now();
  run.child.kill('SIGTERM');
  const { code, at } = await run.exit;
  const seconds = (at - signalAt) / 1000;
  t.equal(code, 0);
  t.ok(seconds < 30, `stopped in ${seconds.toFixed(1)} s`);
  const steps = readFileSync(metrics, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.type === 'step');
  t.equal(checkpointStep(newestCheckpoint('stopped')!), steps.at(-1).step, 'the checkpoint is at the last step run');
});
