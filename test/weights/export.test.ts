// `mveb-torch export` against Debian's torch/torchvision as the oracle: torchvision takes the
// ResNet exports strictly but for fc.* and gives our features; the Detectron2 .pkl is exactly
// what Detectron2's own converter makes of our torchvision export; the timm export loads strictly
// into timm's module tree with equal features, and ViT-B has that tree's names and shapes.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { exportWeights } from '../../lib/index.js';
import { Tensor } from '../../lib/entries/ops.js';
import { createModel } from '../../lib/entries/models.js';
import { relativeError } from '../helpers/numeric.js';
import { root } from '../helpers/paths.js';
import { oraclePython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';
import { checkpointOf, floats, modelWithStatistics } from './fixtures.js';

const here = join(root, 'test', 'weights');
const oracle = (script: string, args: string[]) =>
  JSON.parse(
    execFileSync(oraclePython, [join(here, script), ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );

for (const arch of ['resnet18', 'resnet50'] as const) {
  t.test(
    `${arch}: torchvision takes the export (only fc.* missing) with equal features; the .pkl is Detectron2's conversion of it`,
    async (t) => {
      const dir = tempDir(t);
      const model = await modelWithStatistics({ arch, projector: { hidden: 32, out: 16 } });
      await checkpointOf(model, dir, { arch, projectorHidden: 32, projectorOut: 16 });
      // A run directory stands for its newest checkpoint.
      const tv = await exportWeights(dir, { format: 'torchvision', out: join(dir, 'tv.pth') });
      const d2 = await exportWeights(dir, { format: 'detectron2', out: join(dir, 'd2.pkl') });
      t.equal(tv.sourceFormat, 'mveb-torch');
      t.equal(tv.arch, arch);
      t.equal(tv.parameters, model.parameterCount({ part: 'backbone' }));
      t.match(d2.config!.join('\n'), /STRIDE_IN_1X1: False[\s\S]*FORMAT: "RGB"/);
      t.match(d2.config!.join('\n'), /PIXEL_MEAN: \[123\.675, 116\.280, 103\.530\]/);
      const images = join(dir, 'images.npy');
      await (await Tensor.randn([2, 3, 64, 64], { seed: 5 })).saveNpy(images);
      const report = oracle('torchvision_detectron2_oracle.py', [arch, tv.out, d2.out, images, join(dir, 'tv.npy')]);
      t.same(report.missing, ['fc.weight', 'fc.bias']);
      t.same(report.unexpected, []);
      const ours = await floats(await model.backboneFeatures(await Tensor.loadNpy(images)));
      const theirs = await floats(await Tensor.loadNpy(join(dir, 'tv.npy')));
      t.ok(
        relativeError(ours, theirs) < 1e-5,
        `features relative difference ${relativeError(ours, theirs).toExponential(2)}`,
      );

      t.same(report.entries, ['__author__', 'matching_heuristics', 'model']);
      t.equal(report.author, 'mveb-torch');
      t.equal(report.heuristics, true);
      t.same(report.keys, report.expected_keys, 'the converter’s names, in its order');
      t.ok(report.keys.includes('stem.conv1.norm.running_var') && report.keys.includes('res5.0.shortcut.norm.weight'));
      t.same(report.differing, [], 'every array has the converter’s dtype, shape and values');
      t.same(report.dtypes, ['float32', 'int64']);
    },
  );
}

t.test(
  'timm: the ViT-S/16 export loads strictly into timm’s module tree with our features; ViT-B/16 has timm’s names and shapes',
  async (t) => {
    const dir = tempDir(t);
    const model = await modelWithStatistics(
      { arch: 'vit_small_16', target: 'shared', projector: { hidden: 16, out: 8 } },
      32,
    );
    await checkpointOf(model, dir, { arch: 'vit_small_16', target: 'shared', projectorHidden: 16, projectorOut: 8 });
    const result = await exportWeights(dir, { format: 'timm' });
    t.equal(result.out, join(dir, 'checkpoint-e0001-s00000007.timm.pth'), 'the default name, beside the checkpoint');
    t.match(result.notes.join('\n'), 'timm.create_model("vit_small_patch16_224", num_classes=0)');
    const images = join(dir, 'images.npy');
    await (await Tensor.randn([2, 3, 224, 224], { seed: 6 })).saveNpy(images);
    const report = oracle('timm_oracle.py', ['vit_small_patch16_224', result.out, images, join(dir, 'timm.npy')]);
    t.equal(report.parameters, 21665664, 'vit_small_patch16_224 without its head: 21,665,664 parameters');
    t.same(report.shapes.pos_embed, [1, 197, 384]);
    const ours = await floats(await model.backboneFeatures(await Tensor.loadNpy(images)));
    const theirs = await floats(await Tensor.loadNpy(join(dir, 'timm.npy')));
    t.ok(
      relativeError(ours, theirs) < 1e-4,
      `class-token features relative difference ${relativeError(ours, theirs).toExponential(2)}`,
    );

    // The export writes the backbone's state dict as it is (above); ViT-B's must be timm's tree.
    const base = createModel({ arch: 'vit_base_16', target: 'shared', projector: { hidden: 8, out: 8 } });
    const timm = oracle('timm_oracle.py', ['vit_base_patch16_224', '--shapes']);
    const shapes = Object.fromEntries(
      Object.entries(await base.stateDict({ part: 'backbone' })).map(([k, v]) => [k, v.shape]),
    );
    t.same(shapes, timm.shapes, 'vit_base_patch16_224 (num_classes=0): the same names and shapes');
    t.equal(timm.parameters, 85798656);
  },
);

t.test('refusals: a format that does not fit, an existing --out, no target branch, not a weights file', async (t) => {
  const dir = tempDir(t);
  const model = await modelWithStatistics(
    { arch: 'resnet18', smallStem: true, target: 'shared', projector: { hidden: 8, out: 8 } },
    32,
  );
  const checkpoint = await checkpointOf(model, dir, {
    arch: 'resnet18',
    smallStem: true,
    target: 'shared',
    projectorHidden: 8,
    projectorOut: 8,
  });
  await t.rejects(exportWeights(checkpoint, { format: 'timm' }), /holds a resnet18; --format timm is for ViTs/);
  await t.rejects(exportWeights(checkpoint, { format: 'detectron2' }), /small-image stem .* Detectron2/);
  await t.rejects(exportWeights(checkpoint, { format: 'torchvision', branch: 'target' }), /has no target branch/);
  await t.rejects(
    exportWeights(checkpoint, { format: 'safetensors' as never }),
    /format must be one of torchvision, timm, detectron2, onnx, got "safetensors"/,
  );
  const out = join(dir, 'taken.pth');
  writeFileSync(out, 'keep me');
  await t.rejects(exportWeights(checkpoint, { format: 'torchvision', out }), /taken\.pth exists; pass --force/);
  const forced = await exportWeights(checkpoint, { format: 'torchvision', out, force: true, withProjector: true });
  t.match(forced.notes.join('\n'), /small-image stem[\s\S]*maxpool = torch\.nn\.Identity\(\)/);
  t.equal(forced.tensors, 120 + 14, 'backbone and projector');
  const notWeights = join(dir, 'notes.txt');
  writeFileSync(notWeights, 'not a checkpoint');
  await t.rejects(
    exportWeights(notWeights, { format: 'torchvision' }),
    /export: cannot read .*notes\.txt: not a zip-format torch\.save file/,
  );
  await t.rejects(exportWeights(join(dir, 'missing'), { format: 'torchvision' }), /export: .*missing does not exist/);
  t.notOk(existsSync(join(dir, 'notes.torchvision.pth')));
});
