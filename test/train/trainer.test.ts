// Training end to end on small synthetic data: the run directory, checkpoints Python's
// torch.load reads and torchvision's ResNet loads, resume equivalence step by step,
// skipped non-finite steps, kill -9 during checkpoint writes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { Tensor } from '../../lib/entries/ops.js';
import { createModel } from '../../lib/entries/models.js';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import type { TrainConfig } from '../../lib/train/config.js';
import { Trainer, type TrainEvent } from '../../lib/train/trainer.js';
import { TrainingCore } from '../../lib/train/training-core.js';
import { cli } from '../helpers/paths.js';
import { oraclePython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const tiny: Partial<TrainConfig> = {
  data: 'synthetic',
  arch: 'resnet18',
  projectorHidden: 64,
  projectorOut: 64,
  epochs: 2,
  batchSize: 32,
  optimizer: 'lars',
  baseLr: 0.4,
  warmupEpochs: 1,
  globalSize: 32,
  localSize: 16,
  localCrops: 2,
  workers: 2,
  logEvery: 1,
  device: 'cpu',
};

async function events(trainer: Trainer): Promise<TrainEvent[]> {
  const all: TrainEvent[] = [];
  for await (const event of trainer.run()) all.push(event);
  return all;
}

const losses = (all: TrainEvent[]) => all.flatMap((e) => (e.type === 'step' ? [e.loss] : []));

t.test('a short run writes the run directory and a checkpoint PyTorch and torchvision load', async (t) => {
  const output = tempDir(t);
  const all = await events(new Trainer({ ...tiny, output, name: 'run', maxSteps: 5 }));
  const run = join(output, 'run');
  t.match(all[0], { type: 'start', device: 'cpu', stepsPerEpoch: 32, totalSteps: 64 });
  t.equal(losses(all).length, 5);
  t.ok(losses(all).every(Number.isFinite));
  t.match(all.at(-1), { type: 'end', reason: 'max-steps', position: { epoch: 0, batch: 5, step: 5 } });
  t.match(parse(readFileSync(join(run, 'config.yaml'), 'utf8')), {
    arch: 'resnet18',
    batchSize: 32,
    data: 'synthetic',
  });
  const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  t.equal(metrics.filter((m) => m.type === 'step').length, 5, 'one line per logged step');
  t.ok(metrics.every((m) => typeof m.time === 'string'));
  const checkpoint = join(run, 'checkpoint-e0000-s00000005.pth');
  t.ok(existsSync(checkpoint));
  const python = spawnSync(
    oraclePython,
    [
      '-c',
      `
import sys, torch, torchvision
ck = torch.load(sys.argv[1])
assert isinstance(ck, dict), type(ck)
print(sorted(ck.keys()))
print(ck['epoch'], ck['batch'], ck['step'], ck['config']['arch'], len(ck['optimizer']['state']) > 0)
backbone = {k[len('online.backbone.'):]: v for k, v in ck['model'].items() if k.startswith('online.backbone.')}
result = torchvision.models.resnet18().load_state_dict(backbone, strict=False)
print(sorted(result.missing_keys), result.unexpected_keys)
print(any(k.startswith('target.backbone.') for k in ck['model']), any(k.startswith('online.projector.') for k in ck['model']))
`,
      checkpoint,
    ],
    { encoding: 'utf8' },
  );
  t.equal(python.status, 0, python.stderr);
  t.same(python.stdout.trim().split('\n'), [
    "['batch', 'config', 'epoch', 'model', 'optimizer', 'scaler', 'step', 'version']",
    '0 5 5 resnet18 True',
    "['fc.bias', 'fc.weight'] []",
    'True True',
  ]);
});

t.test('a run stopped and resumed gives the losses of an uninterrupted run, step by step', async (t) => {
  const output = tempDir(t);
  // 128 images (4 steps an epoch), 16-px views: the equivalence does not depend on the data
  // size or the image size, the test time does.
  const small = { ...tiny, data: 'synthetic:128', globalSize: 16, localSize: 8 };
  const whole = losses(await events(new Trainer({ ...small, output, name: 'whole', maxSteps: 10 })));
  const first = losses(await events(new Trainer({ ...small, output, name: 'split', maxSteps: 3 })));
  const resumed = await events(new Trainer({ maxSteps: 10 }, { resume: join(output, 'split') }));
  t.match(resumed[0], { type: 'start', position: { epoch: 0, batch: 3, step: 3 } });
  const second = losses(resumed);
  t.equal(first.length + second.length, whole.length);
  const joined = [...first, ...second];
  const worst = Math.max(...whole.map((l, i) => Math.abs(l - joined[i]!)));
  t.equal(
    worst,
    0,
    `max |resumed − uninterrupted| = ${worst.toExponential(2)} over ${whole.length} steps (crosses an epoch)`,
  );
  t.ok(
    whole.some((l, i) => i > 0 && l !== whole[0]),
    'the loss moves',
  );
});

t.test('a non-finite batch is skipped and counted; nothing it saw is applied', async (t) => {
  const model = createModel({ arch: 'resnet18', projector: { hidden: 32, out: 32 } });
  await model.train();
  const trainer = new TrainingCore(model, { optimizer: 'lars', momentum: 0.9, weightDecay: 1e-6 });
  const views = [await Tensor.randn([8, 3, 32, 32], { seed: 1 }), await Tensor.randn([8, 3, 32, 32], { seed: 2 })];
  const before = await model.stateDict({ part: 'model' });
  const poisoned = new Float32Array((await views[0]!.toArray()) as Float32Array);
  poisoned[17] = NaN;
  const bad = await trainer.step([Tensor.fromArray(poisoned, [8, 3, 32, 32]), views[1]!], {
    lr: 0.1,
    emaMomentum: 0.99,
    beta: 0.01,
  });
  t.equal(bad.skipped, true);
  t.notOk(Number.isFinite(bad.loss));
  const after = await model.stateDict({ part: 'model' });
  let unchanged = true;
  for (const [key, tensor] of Object.entries(before)) {
    const a = await tensor.toArray();
    const b = await after[key]!.toArray();
    unchanged &&= Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    );
  }
  t.ok(unchanged, 'weights, EMA target and BN statistics as before');
  t.same(
    await trainer.momentumBuffers(),
    new Array((await trainer.momentumBuffers()).length).fill(null),
    'no optimiser state',
  );
  const good = await trainer.step(views, { lr: 0.1, emaMomentum: 0.99, beta: 0.01 });
  t.equal(good.skipped, false);
  t.ok(Number.isFinite(good.loss) && good.gradNorm > 0);
});

t.test('the loss scaler is read and set on the device thread, in order with the steps that update it', async (t) => {
  const model = createModel({ arch: 'resnet18', projector: { hidden: 32, out: 32 } });
  await model.train();
  const trainer = new TrainingCore(model, { optimizer: 'sgd', momentum: 0.9, weightDecay: 0, lossScaling: true });
  const poisoned = new Float32Array(
    (await (await Tensor.randn([4, 3, 32, 32], { seed: 3 })).toArray()) as Float32Array,
  );
  poisoned[5] = Infinity;
  const views = [Tensor.fromArray(poisoned, [4, 3, 32, 32]), await Tensor.randn([4, 3, 32, 32], { seed: 4 })];
  const options = { lr: 0.1, emaMomentum: 0.99, beta: 0.01 };
  t.same(await trainer.scalerState(), { enabled: true, scale: 65536, growthTracker: 0 });
  // Queued behind a step that halves the scale: the value set afterwards is the one kept.
  const [stats] = await Promise.all([
    trainer.step(views, options),
    trainer.loadScaler({ scale: 1024, growthTracker: 7 }),
  ]);
  t.equal(stats.skipped, true);
  t.same(await trainer.scalerState(), { enabled: true, scale: 1024, growthTracker: 7 });
  // A read queued behind a step sees that step's update.
  const [, after] = await Promise.all([trainer.step(views, options), trainer.scalerState()]);
  t.same(after, { enabled: true, scale: 512, growthTracker: 0 });
  t.throws(() => trainer.loadScaler({ scale: -1, growthTracker: 0 }), /^loadScaler: scale must be a number > 0$/);
});

t.test('kill -9 at any moment leaves the newest checkpoint loadable', async (t) => {
  const output = tempDir(t);
  const args = [
    cli,
    'train',
    '--data',
    'synthetic:256',
    '--arch',
    'resnet18',
    '--projector-hidden',
    '32',
    '--projector-out',
    '32',
    '--epochs',
    '1000',
    '--batch-size',
    '64',
    '--global-size',
    '16',
    '--local-crops',
    '0',
    '--workers',
    '1',
    '--checkpoint-every',
    '1',
    '--keep-checkpoints',
    '2',
    '--output',
    output,
    '--name',
    'killed',
    '--quiet',
  ];
  const dir = join(output, 'killed');
  const checkpoints = () => (existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.pth')) : []);
  for (const extraMs of [0, 350, 900]) {
    const seen = checkpoints().join();
    const child = spawn(process.execPath, seen ? [cli, 'train', '--resume', dir, '--quiet'] : args, {
      stdio: 'ignore',
    });
    // Wait for a new checkpoint, then kill at some moment of the next epoch or write.
    for (let waited = 0; checkpoints().join() === seen && waited < 60_000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((resolve) => setTimeout(resolve, extraMs));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const newest = await loadCheckpoint(dir).catch((e: Error) => e);
    t.notOk(
      newest instanceof Error,
      `killed ${extraMs} ms after a checkpoint: ${newest instanceof Error ? newest.message : (newest as { path: string }).path} loads`,
    );
  }
  const names = readdirSync(dir).filter((n) => n.endsWith('.pth'));
  t.ok(names.length >= 1 && names.length <= 2, `the last K = 2 kept (${names.join(', ')})`);
  const python = spawnSync(
    oraclePython,
    ['-c', 'import sys, torch\nfor p in sys.argv[1:]: torch.load(p)\nprint("ok")', ...names.map((n) => join(dir, n))],
    { encoding: 'utf8' },
  );
  t.equal(python.stdout.trim(), 'ok', python.stderr);
});

t.test('the CLI refuses a bad config with the field named, and explains itself', async (t) => {
  const bad = spawnSync(process.execPath, [cli, 'train', '--data', 'synthetic', '--base-lr', '-1'], {
    encoding: 'utf8',
  });
  t.equal(bad.status, 1);
  t.equal(bad.stderr.trim(), 'config: baseLr must be a number > 0, got -1');
  const missing = spawnSync(process.execPath, [cli, 'train', '--data', '/no/such/folder'], { encoding: 'utf8' });
  t.equal(missing.status, 1);
  t.equal(missing.stderr.trim(), 'data path does not exist: /no/such/folder');
  const help = spawnSync(process.execPath, [cli, 'train', '--help'], { encoding: 'utf8' });
  t.match(help.stdout, /--preset/);
  t.match(help.stdout, /train --preset demo +ten minutes on any machine \(its time\s+budget\)/);
  t.match(help.stdout, /--batch-size/);
});

t.test('Ctrl-C finishes the step, writes a checkpoint and exits cleanly', async (t) => {
  const output = tempDir(t);
  const child = spawn(
    process.execPath,
    [
      cli,
      'train',
      ...Object.entries({
        data: 'synthetic',
        arch: 'resnet18',
        'projector-hidden': 32,
        'projector-out': 32,
        'batch-size': 32,
        'global-size': 16,
        'local-crops': 0,
        epochs: 50,
        output,
        name: 'interrupted',
      }).flatMap(([k, v]) => [`--${k}`, String(v)]),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  for (let waited = 0; !/step \d+\/\d+/.test(stdout) && waited < 60_000; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  const code = await new Promise((resolve) => child.once('exit', resolve));
  t.equal(code, 0, stderr);
  t.match(stderr, /finishing the step and writing a checkpoint/);
  t.match(stdout, /^stopped at step (\d+); run directory /m);
  const checkpoint = await loadCheckpoint(join(output, 'interrupted'));
  t.ok(checkpoint.step >= 10, `checkpoint at step ${checkpoint.step}`);
});

t.test('embedding health is logged every epoch, with a collapse warning under the threshold', async (t) => {
  const all = await events(
    new Trainer({
      ...tiny,
      epochs: 1,
      batchSize: 256,
      globalSize: 16,
      localCrops: 0,
      collapseThreshold: 1e9,
      output: tempDir(t),
      name: 'health',
    }),
  );
  const epoch = all.find((e) => e.type === 'epoch');
  t.match(epoch, {
    type: 'epoch',
    health: { stdMean: Number, stdMin: Number, effectiveRank: Number, alignment: Number, uniformity: Number },
  });
  if (epoch?.type === 'epoch') t.ok(epoch.health!.effectiveRank > 1 && epoch.health!.stdMean > 0);
  t.ok(all.some((e) => e.type === 'warning' && /^collapse: embedding std/.test(e.message)));
});

t.test('a YAML config file, with flags over it', async (t) => {
  const output = tempDir(t);
  const file = join(output, 'run.yaml');
  writeFileSync(
    file,
    'data: synthetic\narch: resnet18\nprojectorHidden: 32\nprojectorOut: 32\nbatchSize: 16\nglobalSize: 16\nlocalCrops: 0\nmaxSteps: 3\nbeta: 0.05\n',
  );
  const run = spawnSync(
    process.execPath,
    [cli, 'train', '--config', file, '--beta', '0.02', '--output', output, '--name', 'yaml', '--quiet'],
    { encoding: 'utf8' },
  );
  t.equal(run.status, 0, run.stderr);
  t.match(parse(readFileSync(join(output, 'yaml', 'config.yaml'), 'utf8')), {
    arch: 'resnet18',
    batchSize: 16,
    beta: 0.02,
    maxSteps: 3,
  });
  writeFileSync(file, 'data: synthetic\nepochz: 3\n');
  const bad = spawnSync(process.execPath, [cli, 'train', '--config', file], { encoding: 'utf8' });
  t.equal(bad.stderr.trim(), "config: unknown field 'epochz'");
});
