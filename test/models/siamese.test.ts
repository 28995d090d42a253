// The Siamese model: online and target branches, projector layout, EMA target, state dict names.
import t from 'tap';
import { Tensor } from '../../lib/entries/ops.js';
import { ARCHITECTURES, createModel } from '../../lib/entries/models.js';
import { relativeError } from '../helpers/numeric.js';
import { values } from '../helpers/values.js';

const small = { arch: 'resnet18' as const, smallStem: true, projector: { hidden: 32, out: 16 } };

t.test('model state dict: online/target prefixes over torchvision names; the 3-layer projector', async (t) => {
  const model = createModel(small);
  const sd = await model.stateDict();
  const keys = Object.keys(sd);
  t.ok(keys.includes('online.backbone.layer4.1.bn2.num_batches_tracked'));
  t.ok(keys.includes('target.backbone.conv1.weight'));
  const projector = keys.filter((k) => k.startsWith('online.projector.'));
  t.same(
    projector,
    [
      'online.projector.0.weight',
      'online.projector.1.weight',
      'online.projector.1.bias',
      'online.projector.1.running_mean',
      'online.projector.1.running_var',
      'online.projector.1.num_batches_tracked',
      'online.projector.3.weight',
      'online.projector.4.weight',
      'online.projector.4.bias',
      'online.projector.4.running_mean',
      'online.projector.4.running_var',
      'online.projector.4.num_batches_tracked',
      'online.projector.6.weight',
      'online.projector.6.bias',
    ],
    'Linear(no bias) → BN → ReLU → Linear(no bias) → BN → ReLU → Linear(bias)',
  );
  t.same(sd['online.projector.0.weight']!.shape, [32, 512]);
  t.same(sd['online.projector.6.weight']!.shape, [16, 32]);
  t.same(
    await values(sd['target.backbone.conv1.weight']!),
    await values(sd['online.backbone.conv1.weight']!),
    'target starts as a copy',
  );
  t.equal(model.parameterCount({ part: 'projector' }), 512 * 32 + 64 + 32 * 32 + 64 + 32 * 16 + 16);
  t.equal(model.parameterCount({ part: 'model' }), 2 * model.parameterCount({ part: 'online' }));

  const shared = createModel({ ...small, target: 'shared' });
  t.notOk(
    Object.keys(await shared.stateDict()).some((k) => k.startsWith('target.')),
    'no target branch when shared',
  );
});

t.test('embeddings are L2-normalised, for views of different sizes, online and target', async (t) => {
  const model = createModel(small);
  const views = [await Tensor.randn([4, 3, 32, 32], { seed: 1 }), await Tensor.randn([4, 3, 16, 16], { seed: 2 })];
  const embeddings = await model.embed(views);
  for (const e of embeddings) {
    t.same(e.shape, [4, 16]);
    const v = (await e.toArray()) as Float32Array;
    for (let i = 0; i < 4; i++) t.ok(Math.abs(Math.hypot(...v.subarray(16 * i, 16 * i + 16)) - 1) < 1e-5, 'unit norm');
  }
  const targets = await model.targetEmbed(views.slice(0, 1));
  t.same(targets[0]!.shape, [4, 16]);
});

t.test('updateTarget: target ← m·target + (1 − m)·online; BN statistics copied', async (t) => {
  const model = createModel(small);
  const before = await model.stateDict();
  // Move the online branch: new weights for one parameter, new statistics for one BN.
  const changed = {
    'online.projector.6.bias': Tensor.fromArray(new Float32Array(16).fill(1)),
    'online.backbone.bn1.running_mean': Tensor.fromArray(new Float32Array(64).fill(0.5)),
  };
  await model.loadStateDict({ ...before, ...changed });
  await model.updateTarget(0.75);
  const after = await model.stateDict();
  const old = (await values(before['target.projector.6.bias']!)) as number[];
  const expected = old.map((x) => 0.75 * x + 0.25);
  const got = (await values(after['target.projector.6.bias']!)) as number[];
  t.ok(
    got.every((x, i) => Math.abs(x - expected[i]!) < 1e-6),
    'EMA of parameters',
  );
  t.same(await values(after['target.backbone.bn1.running_mean']!), new Array(64).fill(0.5), 'buffers copied');
});

t.test('bad options and mismatched weights are refused, naming the problem', async (t) => {
  t.throws(() => createModel({ arch: 'resnet13' as 'resnet18' }), {
    name: 'TypeError',
    message:
      "createModel: options.arch must be 'resnet50', 'resnet18', 'resnet34', 'resnet101', 'vit_small_16' or 'vit_base_16', got 'resnet13'",
  });
  // The native list of architectures is the one lib/ types and validates against.
  t.same(
    ['resnet50', 'resnet18', 'resnet34', 'resnet101', 'vit_small_16', 'vit_base_16'].sort(),
    [...ARCHITECTURES].sort(),
  );
  t.throws(() => createModel({ ...small, projector: { hidden: 0, out: 8 } }), {
    name: 'RangeError',
    message: /^createModel: /,
  });
  t.throws(
    () => createModel({ ...small, target: 'moving' as 'ema' }),
    /^createModel: options.target must be 'ema' or 'shared', got 'moving'$/,
  );
  t.throws(
    () => createModel({ ...small, smallStem: 'yes' as unknown as boolean }),
    /options.smallStem must be a boolean/,
  );
  const model = createModel(small);
  await t.rejects(
    model.loadStateDict(
      { 'conv1.weight': Tensor.fromArray(new Float32Array(64 * 3 * 49), [64, 3, 7, 7]) },
      { part: 'backbone', strict: false },
    ),
    /'conv1.weight' has shape \[64, 3, 7, 7\] in the state dict but \[64, 3, 3, 3\] in the model/,
  );
  const report = await model.loadStateDict({}, { part: 'projector', strict: false });
  t.equal(report.missing.length, 14);
});

t.test('precision and memory format: channels-last gives the same features, bf16 autocast close ones', async (t) => {
  const images = await Tensor.randn([2, 3, 32, 32], { seed: 3 });
  const base = createModel({ ...small, zeroInitResidual: false });
  await base.eval();
  const weights = await base.stateDict();
  const reference = (await (await base.backboneFeatures(images)).toArray()) as Float32Array;
  const variants = [
    { options: { channelsLast: true }, tolerance: 1e-5 },
    { options: { precision: 'bf16' as const }, tolerance: 0.05 },
  ];
  for (const { options, tolerance } of variants) {
    const model = createModel({ ...small, zeroInitResidual: false, ...options });
    await model.loadStateDict(weights);
    await model.eval();
    const features = await model.backboneFeatures(images);
    t.equal(features.dtype, 'float32', `${JSON.stringify(options)}: float32 out`);
    const err = relativeError((await features.toArray()) as Float32Array, reference);
    t.ok(err < tolerance, `${JSON.stringify(options)}: relative difference ${err.toExponential(2)}`);
    if (options.precision === 'bf16') t.ok(err > 0, 'bf16 really ran in reduced precision');
  }
  t.throws(
    () => createModel({ ...small, precision: 'fp8' as 'bf16' }),
    /^createModel: options.precision must be 'auto', 'fp32', 'fp16' or 'bf16', got 'fp8'$/,
  );
});
