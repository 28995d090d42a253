// Weights in: the MVEB authors' checkpoints (built here by Python in their layout), our own
// exports (round trip), `train --init-from` on the CLI, and `inspect`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { exportWeights, readWeights } from '../../lib/index.js';
import { Tensor } from '../../lib/entries/ops.js';
import { createModel } from '../../lib/entries/models.js';
import { initializeModel } from '../../lib/entries/weights.js';
import { relativeError } from '../helpers/numeric.js';
import { cli, root } from '../helpers/paths.js';
import { oraclePython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';
import { checkpointOf, floats, modelWithStatistics } from './fixtures.js';

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

t.test(
  "the authors' checkpoint (DDP + SyncBN ResNet-50) imports: both branches compute what theirs compute",
  async (t) => {
    const dir = tempDir(t);
    const images = join(dir, 'images.npy');
    await (await Tensor.randn([2, 3, 64, 64], { seed: 8 })).saveNpy(images);
    const checkpoint = join(dir, 'checkpoint_3.pth.tar');
    execFileSync(oraclePython, [
      join(root, 'test', 'weights', 'authors_checkpoint.py'),
      checkpoint,
      '64',
      '32',
      images,
      join(dir, 'theirs-'),
    ]);

    const weights = await readWeights(checkpoint);
    t.match(weights, { format: 'mveb-authors', arch: 'resnet50', smallStem: false, epoch: 3, step: 1234 });
    t.same(
      weights.ignored,
      ['optimizer (2 entries)', 'scaler (5 entries)'],
      'named, and F (None) is nothing to ignore',
    );
    t.equal(
      Object.keys(weights.online.backbone).length,
      318,
      'every tensor of torchvision’s ResNet-50 but fc, num_batches_tracked included',
    );
    t.equal(Object.keys(weights.target!.projector).length, 14);

    const model = createModel({ arch: 'resnet50', projector: { hidden: 64, out: 32 } });
    const report = await initializeModel(
      model,
      weights,
      { arch: 'resnet50', smallStem: false, projector: { hidden: 64, out: 32 } },
      true,
    );
    t.same(report.loaded, [
      'online backbone (318 tensors)',
      'online projector (14 tensors)',
      'target backbone (318 tensors)',
      'target projector (14 tensors)',
    ]);
    await model.eval();
    const x = await Tensor.loadNpy(images);
    const close = async (t: Test, ours: Tensor, file: string, what: string) => {
      const error = relativeError(await floats(ours), await floats(await Tensor.loadNpy(join(dir, file))));
      t.ok(error < 1e-5, `${what}: relative difference ${error.toExponential(2)}`);
    };
    await close(
      t,
      await model.backboneFeatures(x),
      'theirs-features.npy',
      'backbone features = torchvision ResNet-50 on the same weights',
    );
    await close(t, (await model.embed([x]))[0]!, 'theirs-online.npy', 'online embeddings');
    await close(t, (await model.targetEmbed([x]))[0]!, 'theirs-target.npy', 'target (momentum) embeddings');

    const target = join(dir, 'target.pth');
    const exported = run('export', checkpoint, '--format', 'torchvision', '--branch', 'target', '--out', target);
    t.equal(exported.status, 0, exported.stderr);
    t.match(
      exported.stdout,
      /^read +.*checkpoint_3\.pth\.tar \(the MVEB authors' checkpoint.*\nwrote +.*target\.pth: resnet50 target torchvision weights, 318 tensors, 23\.51M parameters\nnot used the online branch, the target projector, optimizer \(2 entries\), scaler \(5 entries\)\n/,
    );
    t.same(
      await floats((await readWeights(target)).online.backbone['layer4.2.conv3.weight']!),
      await floats(weights.target!.backbone['layer4.2.conv3.weight']!),
    );
    const again = run('export', checkpoint, '--format', 'torchvision', '--out', target);
    t.equal(again.status, 1);
    t.match(again.stderr, /^export: .*target\.pth exists; pass --force to replace it\n$/);

    const inspected = run('inspect', checkpoint);
    t.equal(inspected.status, 0, inspected.stderr);
    t.match(
      inspected.stdout,
      /format +the MVEB authors' checkpoint[\s\S]*arch +resnet50\n[\s\S]*projector 2048→64→32[\s\S]*epoch 3, step 1234/,
    );
  },
);

t.test(
  'round trip: export → init → the same features; a projector of other widths is left out, and said so',
  async (t) => {
    const dir = tempDir(t);
    const original = await modelWithStatistics({ arch: 'resnet18', projector: { hidden: 32, out: 16 } });
    await checkpointOf(original, dir, { arch: 'resnet18', projectorHidden: 32, projectorOut: 16 });
    const exported = await exportWeights(dir, {
      format: 'torchvision',
      withProjector: true,
      out: join(dir, 'r18.pth'),
    });
    const weights = await readWeights(exported.out);
    t.match(weights, { format: 'torchvision', arch: 'resnet18' });
    const x = await Tensor.randn([3, 3, 48, 48], { seed: 9 });

    const fresh = createModel({ arch: 'resnet18', projector: { hidden: 32, out: 16 } });
    await initializeModel(
      fresh,
      weights,
      { arch: 'resnet18', smallStem: false, projector: { hidden: 32, out: 16 } },
      true,
    );
    await fresh.eval();
    t.same(
      await floats(await fresh.backboneFeatures(x)),
      await floats(await original.backboneFeatures(x)),
      'backbone features, bit for bit',
    );
    t.same(
      await floats((await fresh.targetEmbed([x]))[0]!),
      await floats((await original.embed([x]))[0]!),
      'the target starts as the online branch',
    );

    const wider = createModel({ arch: 'resnet18', projector: { hidden: 64, out: 16 } });
    const report = await initializeModel(
      wider,
      weights,
      { arch: 'resnet18', smallStem: false, projector: { hidden: 64, out: 16 } },
      true,
    );
    t.same(report.loaded, ['online backbone (120 tensors)', 'target backbone from the online weights (120 tensors)']);
    t.match(report.ignored, [/^the projector \(32→16 wide; this run's is 64→16\)$/]);
  },
);

t.test(
  'train --init-from starts from the file (checked before any work), and refuses one that does not fit',
  async (t) => {
    const dir = tempDir(t);
    const source = await modelWithStatistics({ arch: 'resnet18', projector: { hidden: 32, out: 16 } });
    const exported = join(dir, 'start.pth');
    await exportWeights(await checkpointOf(source, dir, { arch: 'resnet18', projectorHidden: 32, projectorOut: 16 }), {
      format: 'torchvision',
      out: exported,
    });
    const common = [
      'train',
      '--data',
      'synthetic:64',
      '--projector-hidden',
      '32',
      '--projector-out',
      '16',
      '--batch-size',
      '16',
      '--global-size',
      '32',
      '--local-crops',
      '0',
      '--optimizer',
      'sgd',
      '--base-lr',
      '1e-9',
      '--weight-decay',
      '0',
      '--max-steps',
      '1',
      '--knn-every',
      '0',
      '--workers',
      '1',
      '--output',
      dir,
    ];
    const started = run(...common, '--arch', 'resnet18', '--name', 'init', '--init-from', exported);
    t.equal(started.status, 0, started.stderr);
    t.match(
      started.stdout,
      /initialised from .*start\.pth \(torchvision\): online backbone \(120 tensors\), target backbone from the online weights/,
    );
    const trained = await readWeights(join(dir, 'init'));
    const given = (await readWeights(exported)).online.backbone;
    for (const key of ['conv1.weight', 'layer3.1.conv2.weight', 'layer4.0.downsample.0.weight']) {
      const error = relativeError(await floats(trained.online.backbone[key]!), await floats(given[key]!));
      t.ok(
        error < 1e-6,
        `${key} is the file's after one step at lr 1e-9 (relative difference ${error.toExponential(2)})`,
      );
    }
    t.match((await readWeights(join(dir, 'init'))).config, { initFrom: exported }, 'the run records where it started');

    const refused = run(...common, '--name', 'refused', '--init-from', exported, '--arch', 'resnet50');
    t.equal(refused.status, 1);
    t.match(
      refused.stderr,
      /^init-from: .*start\.pth \(torchvision ResNet state dict\) holds a resnet18 backbone; this run builds a resnet50 \(set --arch resnet18\)\n$/,
    );
    t.notOk(existsSync(join(dir, 'refused')), 'refused before the run directory is made');
    const missing = run(...common, '--arch', 'resnet18', '--name', 'missing', '--init-from', join(dir, 'nope.pth'));
    t.match(missing.stderr, /^init-from: .*nope\.pth does not exist\n$/);
    t.same(readdirSync(dir).sort(), ['checkpoint-e0001-s00000007.pth', 'init', 'start.pth']);
  },
);
