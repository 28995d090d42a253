// ResNets against Python's torchvision (Debian python3-torchvision): names, numerics, both directions.
import { join } from 'node:path';
import t from 'tap';
import { Tensor } from '../../lib/entries/ops.js';
import { createModel, loadPth, savePth } from '../../lib/entries/models.js';
import { relativeError } from '../helpers/numeric.js';
import { runPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const depths = ['resnet18', 'resnet34', 'resnet50', 'resnet101'] as const;
// The paper's table (millions). For ResNet-50/101 it counts the backbone without fc; for
// ResNet-18/34 its figures equal the count with torchvision's 1000-way fc (512·1000 + 1000).
const paperCounts: Record<(typeof depths)[number], { millions: number; withFc: boolean }> = {
  resnet18: { millions: 11.7, withFc: true },
  resnet34: { millions: 21.8, withFc: true },
  resnet50: { millions: 23.5, withFc: false },
  resnet101: { millions: 42.5, withFc: false },
};

// For each job (one Python start for all depths): loads our backbone into torchvision, reports
// missing/unexpected keys, computes eval-mode features of the saved input, saves them.
const torchvisionReadsOurs = `
import json, sys, numpy as np, torch, torchvision
reports = []
for job in json.loads(sys.argv[1]):
    model = getattr(torchvision.models, job["arch"])()
    result = model.load_state_dict(torch.load(job["weights"]), strict=False)
    model.fc = torch.nn.Identity()
    model.eval()
    with torch.no_grad():
        features = model(torch.from_numpy(np.load(job["images"])))
    np.save(job["out"], features.numpy())
    reports.append({"missing": sorted(result.missing_keys), "unexpected": sorted(result.unexpected_keys),
                    "params": sum(p.numel() for n, p in model.named_parameters())})
print(json.dumps(reports))
`;

// For each job: a torchvision model with random weights and non-trivial BN statistics, saved
// with torch.save, and its eval-mode features of the saved input.
const torchvisionWrites = `
import json, sys, numpy as np, torch, torchvision
for job in json.loads(sys.argv[1]):
    torch.manual_seed(0)
    model = getattr(torchvision.models, job["arch"])()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(7)
    torch.save(model.state_dict(), job["weights"])
    model.fc = torch.nn.Identity()
    model.eval()
    with torch.no_grad():
        np.save(job["out"], model(torch.from_numpy(np.load(job["images"]))).numpy())
`;

async function inputImages(dir: string, seed: number): Promise<string> {
  const path = join(dir, 'images.npy');
  await (await Tensor.randn([2, 3, 96, 96], { seed })).saveNpy(path);
  return path;
}

t.test(
  'every depth: torchvision loads our backbone with only fc.* missing, and computes the same features',
  async (t) => {
    const dir = tempDir(t);
    const images = await inputImages(dir, 5);
    const models = [];
    for (const arch of depths) {
      const model = createModel({ arch, projector: { hidden: 64, out: 32 } });
      // Trained-looking BN statistics, so that eval mode is not the identity.
      const sd = await model.stateDict({ part: 'backbone' });
      for (const [name, tensor] of Object.entries(sd)) {
        if (name.endsWith('running_var') || (name.includes('bn') && name.endsWith('weight'))) {
          const values = (await tensor.toArray()) as Float32Array;
          sd[name] = Tensor.fromArray(
            values.map((_, i) => 0.5 + ((i * 37) % 100) / 100),
            tensor.shape,
          );
        }
      }
      await model.loadStateDict(sd, { part: 'backbone' });
      await model.eval();
      await savePth(join(dir, `${arch}.pth`), await model.stateDict({ part: 'backbone' }));
      models.push(model);
    }
    const jobs = depths.map((arch) => ({
      arch,
      weights: join(dir, `${arch}.pth`),
      images,
      out: join(dir, `${arch}.npy`),
    }));
    const reports = JSON.parse(runPython(torchvisionReadsOurs, [JSON.stringify(jobs)])) as Array<{
      missing: string[];
      unexpected: string[];
      params: number;
    }>;
    for (const [i, arch] of depths.entries()) {
      const [model, report] = [models[i]!, reports[i]!];
      t.same(report.missing, ['fc.bias', 'fc.weight'], `${arch}: only fc.* missing`);
      t.same(report.unexpected, [], `${arch}: nothing unexpected`);
      t.equal(
        model.parameterCount({ part: 'backbone' }),
        report.params,
        `${arch}: same parameter count as torchvision without fc`,
      );
      const paper = paperCounts[arch];
      const counted = report.params + (paper.withFc ? 512 * 1000 + 1000 : 0);
      t.ok(
        Math.abs(counted / 1e6 - paper.millions) < 0.05,
        `${arch}: ${(counted / 1e6).toFixed(2)}M ≈ the paper's ${paper.millions}M`,
      );
      const ours = (await (await model.backboneFeatures(await Tensor.loadNpy(images))).toArray()) as Float32Array;
      const theirs = (await (await Tensor.loadNpy(jobs[i]!.out)).toArray()) as Float32Array;
      const err = relativeError(ours, theirs);
      t.ok(err < 1e-4, `${arch}: features relative difference ${err.toExponential(2)}`);
    }
  },
);

t.test('every depth: weights saved by torchvision load into ours and give the same features', async (t) => {
  const dir = tempDir(t);
  const images = await inputImages(dir, 6);
  const jobs = depths.map((arch) => ({
    arch,
    weights: join(dir, `${arch}.pth`),
    images,
    out: join(dir, `${arch}.npy`),
  }));
  runPython(torchvisionWrites, [JSON.stringify(jobs)]);
  for (const { arch, weights, out } of jobs) {
    const model = createModel({ arch, projector: { hidden: 64, out: 32 } });
    const report = await model.loadStateDict(await loadPth(weights), { part: 'backbone', strict: false });
    t.same(report.missing, [], `${arch}: nothing missing`);
    t.same(report.unexpected.sort(), ['fc.bias', 'fc.weight'], `${arch}: only fc.* unexpected`);
    await t.rejects(
      model.loadStateDict(await loadPth(weights), { part: 'backbone' }),
      /strict.*unexpected keys: \[fc\.weight, fc\.bias\]/,
    );
    await model.eval();
    const ours = (await (await model.backboneFeatures(await Tensor.loadNpy(images))).toArray()) as Float32Array;
    const theirs = (await (await Tensor.loadNpy(out)).toArray()) as Float32Array;
    const err = relativeError(ours, theirs);
    t.ok(err < 1e-4, `${arch}: features relative difference ${err.toExponential(2)}`);
    const sd = await model.stateDict({ part: 'backbone' });
    t.same(
      Array.from((await sd['layer1.0.bn1.num_batches_tracked']!.toArray()) as BigInt64Array),
      [7n],
      `${arch}: num_batches_tracked loaded`,
    );
  }
});

t.test('the small-image stem: 3×3 stride-1 conv1, no max-pool, full resolution into layer1', async (t) => {
  const model = createModel({ arch: 'resnet18', smallStem: true, projector: { hidden: 64, out: 32 } });
  const sd = await model.stateDict({ part: 'backbone' });
  t.same(sd['conv1.weight']!.shape, [64, 3, 3, 3]);
  t.equal(model.parameterCount({ part: 'backbone' }), 11176512 - 64 * 3 * (49 - 9));
  await model.eval();
  t.same((await model.backboneFeatures(await Tensor.randn([3, 3, 28, 28], { seed: 1 }))).shape, [3, 512]);
});

t.test('zero-init of the last BN in every residual block is on by default, and optional', async (t) => {
  const on = await createModel({ arch: 'resnet50', projector: { hidden: 8, out: 8 } }).stateDict({ part: 'backbone' });
  const off = await createModel({
    arch: 'resnet50',
    zeroInitResidual: false,
    projector: { hidden: 8, out: 8 },
  }).stateDict({ part: 'backbone' });
  const sum = async (t: Tensor) => Array.from((await t.toArray()) as Float32Array).reduce((a, b) => a + Math.abs(b), 0);
  t.equal(await sum(on['layer3.5.bn3.weight']!), 0);
  t.equal(await sum(on['layer3.5.bn2.weight']!), 256, 'other BN weights are 1');
  t.equal(await sum(off['layer3.5.bn3.weight']!), 1024);
});

t.test('train-mode BN statistics update as torchvision’s after one forward', async (t) => {
  const dir = tempDir(t);
  const model = createModel({ arch: 'resnet18', projector: { hidden: 8, out: 8 } });
  const weights = join(dir, 'before.pth');
  await savePth(weights, await model.stateDict({ part: 'backbone' }));
  const images = await inputImages(dir, 8);
  await model.train();
  await model.backboneFeatures(await Tensor.loadNpy(images));
  const after = await model.stateDict({ part: 'backbone' });
  runPython(
    `import sys, numpy as np, torch, torchvision
m = torchvision.models.resnet18(); m.load_state_dict(torch.load(sys.argv[1]), strict=False); m.train()
with torch.no_grad(): m(torch.from_numpy(np.load(sys.argv[2])))
sd = m.state_dict()
for k in ["bn1.running_mean", "layer2.0.bn2.running_var", "layer4.1.bn1.running_mean"]: np.save(sys.argv[3] + "/" + k + ".npy", sd[k].numpy())
print(int(sd["bn1.num_batches_tracked"]))`,
    [weights, images, dir],
  );
  for (const key of ['bn1.running_mean', 'layer2.0.bn2.running_var', 'layer4.1.bn1.running_mean']) {
    const theirs = (await (await Tensor.loadNpy(join(dir, `${key}.npy`))).toArray()) as Float32Array;
    const err = relativeError((await after[key]!.toArray()) as Float32Array, theirs);
    t.ok(err < 1e-4, `${key}: relative difference ${err.toExponential(2)}`);
  }
  t.same(Array.from((await after['bn1.num_batches_tracked']!.toArray()) as BigInt64Array), [1n]);
});

t.test('forwardBackward: loss and gradient norm equal torchvision’s for the same weights and input', async (t) => {
  const dir = tempDir(t);
  const model = createModel({ arch: 'resnet18', zeroInitResidual: false, projector: { hidden: 8, out: 8 } });
  const weights = join(dir, 'w.pth');
  await savePth(weights, await model.stateDict({ part: 'backbone' }));
  const images = await inputImages(dir, 9);
  await model.train();
  const ours = await model.forwardBackward(await Tensor.loadNpy(images));
  const theirs = JSON.parse(
    runPython(
      `import json, sys, numpy as np, torch, torchvision
m = torchvision.models.resnet18(); m.load_state_dict(torch.load(sys.argv[1]), strict=False); m.fc = torch.nn.Identity(); m.train()
loss = m(torch.from_numpy(np.load(sys.argv[2]))).pow(2).mean(); loss.backward()
print(json.dumps({"loss": loss.item(), "gradNorm": float(sum(p.grad.pow(2).sum() for p in m.parameters() if p.grad is not None).sqrt())}))`,
      [weights, images],
    ),
  ) as { loss: number; gradNorm: number };
  t.ok(Math.abs(ours.loss - theirs.loss) < 1e-4 * theirs.loss, `loss ${ours.loss} vs ${theirs.loss}`);
  t.ok(
    Math.abs(ours.gradNorm - theirs.gradNorm) < 1e-4 * theirs.gradNorm,
    `gradient norm ${ours.gradNorm} vs ${theirs.gradNorm}`,
  );
});
