// The MVEB loss and its gradient against Python torch (Debian python3-torch) autograd in float64:
// the uniformity term is the authors' own entropy_gradeint (test/reference/mveb_authors.py).
import { dirname, join } from 'node:path';
import t from 'tap';
import { Tensor } from '../../lib/entries/ops.js';
import * as ops from '../../lib/entries/ops.js';
import { runPython } from '../helpers/python.js';
import { relativeError } from '../helpers/numeric.js';
import { tempDir } from '../helpers/tmp.js';
import { authorsReference } from '../helpers/paths.js';

const reference = `
import json, sys, numpy as np, torch
sys.path.insert(0, sys.argv[7])
from mveb_authors import entropy_gradeint
out, n, d, views, beta, shared = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6] == "shared"
torch.manual_seed(n * 7 + views)
def unit(x): return x / x.norm(dim=1, keepdim=True)
online = [unit(torch.randn(n, d, dtype=torch.float64)) for _ in range(views)]
targets = [unit(torch.randn(n, d, dtype=torch.float64)) for _ in range(2)]
for i, z in enumerate(online): np.save(f"{out}/online{i}.npy", z.numpy())
for i, z in enumerate(targets): np.save(f"{out}/target{i}.npy", z.numpy())
online = [z.clone().requires_grad_(True) for z in online]
if shared: targets = [online[0].detach(), online[1].detach()]

def dot(a, b): return (a * b).sum(-1).mean()
pair = [targets[1], targets[0]] + [(targets[0] + targets[1]) / 2] * (views - 2)
alignment = sum(dot(z, p) for z, p in zip(online, pair)) / views
uniformity = sum(entropy_gradeint(z) for z in online) / views
loss = -alignment - beta * uniformity
loss.backward()
for i, z in enumerate(online): np.save(f"{out}/grad{i}.npy", z.grad.numpy())
print(json.dumps({"loss": loss.item(), "alignment": alignment.item(), "uniformity": uniformity.item()}))
`;

async function load(dir: string, name: string, dtype: 'float32' | 'float64'): Promise<Tensor> {
  const t64 = await Tensor.loadNpy(join(dir, `${name}.npy`));
  return dtype === 'float64'
    ? t64
    : Tensor.fromArray(Float32Array.from((await t64.toArray()) as Float64Array), t64.shape);
}

const cases: Array<{ views: number; target: 'ema' | 'shared'; dtype: 'float32' | 'float64'; beta: number }> = [
  { views: 2, target: 'ema', dtype: 'float64', beta: 0.01 },
  { views: 8, target: 'ema', dtype: 'float64', beta: 0.01 },
  { views: 4, target: 'shared', dtype: 'float64', beta: 0.5 },
  { views: 8, target: 'ema', dtype: 'float32', beta: 0.01 },
  { views: 4, target: 'ema', dtype: 'float32', beta: 1 },
];

for (const c of cases) {
  t.test(
    `${c.views} views, ${c.target} target, ${c.dtype}, β=${c.beta}: loss and dL/dz match torch autograd`,
    async (t) => {
      const dir = tempDir(t);
      const n = 33; // odd: the bandwidth rule differs from a plain upper median there
      const d = 16;
      const ref = JSON.parse(
        runPython(reference, [
          dir,
          String(n),
          String(d),
          String(c.views),
          String(c.beta),
          c.target,
          dirname(authorsReference),
        ]),
      ) as {
        loss: number;
        alignment: number;
        uniformity: number;
      };
      const online = await Promise.all(Array.from({ length: c.views }, (_, i) => load(dir, `online${i}`, c.dtype)));
      const targets =
        c.target === 'ema'
          ? ([await load(dir, 'target0', c.dtype), await load(dir, 'target1', c.dtype)] as [Tensor, Tensor])
          : undefined;
      const result = await ops.mvebLoss(online, { beta: c.beta, grad: true, ...(targets && { targets }) });
      // float64 agrees to rounding (measured ≤ 2e-15); float32 to its precision (≤ 7e-8).
      const tolerance = c.dtype === 'float64' ? 1e-12 : 1e-6;
      t.ok(Math.abs(result.loss - ref.loss) <= tolerance * Math.abs(ref.loss), `loss ${result.loss} vs ${ref.loss}`);
      t.ok(
        Math.abs(result.alignment - ref.alignment) <= tolerance * Math.max(1e-3, Math.abs(ref.alignment)),
        'alignment',
      );
      t.ok(Math.abs(result.uniformity - ref.uniformity) <= tolerance * Math.abs(ref.uniformity), 'uniformity');
      t.equal(result.bandwidths.length, c.views);
      t.equal(result.grads!.length, c.views);
      for (let i = 0; i < c.views; i++) {
        const expected = (await (await Tensor.loadNpy(join(dir, `grad${i}.npy`))).toArray()) as Float64Array;
        const got = (await result.grads![i]!.toArray()) as Float32Array | Float64Array;
        t.equal(result.grads![i]!.dtype, c.dtype);
        const err = relativeError(got, expected);
        t.ok(err < tolerance, `view ${i} gradient relative error ${err.toExponential(2)}`);
      }
    },
  );
}

t.test('the entropy surrogate gradient is −score/N', async (t) => {
  const raw = await Tensor.randn([20, 5], { seed: 11 });
  const a = (await raw.toArray()) as Float32Array;
  for (let i = 0; i < 20; i++) {
    const norm = Math.hypot(...a.subarray(5 * i, 5 * i + 5));
    for (let j = 0; j < 5; j++) a[5 * i + j]! /= norm;
  }
  const z = Tensor.fromArray(a, [20, 5]);
  const { value, grad } = await ops.entropySurrogate(z, { grad: true });
  const { score } = await ops.steinScore(z);
  const s = (await score.toArray()) as Float32Array;
  const g = (await grad!.toArray()) as Float32Array;
  t.ok(
    relativeError(
      g,
      Array.from(s, (x) => -x / 20),
    ) < 1e-6,
  );
  let expected = 0;
  for (let i = 0; i < s.length; i++) expected -= (s[i]! * a[i]!) / 20;
  t.ok(Math.abs(value - expected) < 1e-5 * Math.abs(expected), `value ${value} vs ${expected}`);
});

t.test('mvebLoss refuses inputs that cannot be paired, naming them', async (t) => {
  const z = Tensor.fromArray(new Float32Array(8).fill(0.5), [2, 4]);
  const other = Tensor.fromArray(new Float32Array(12).fill(0.5), [3, 4]);
  await t.rejects(ops.mvebLoss([z]), /mvebLoss: needs at least the 2 global views, got 1/);
  await t.rejects(ops.mvebLoss([z, other]), /mvebLoss: view 1 has shape \[3, 4\], expected \[2, 4\]/);
  await t.rejects(ops.mvebLoss([z, z], { targets: [z, other] }), /mvebLoss: target 1 has shape \[3, 4\]/);
  await t.rejects(ops.mvebLoss([z, z], { beta: -1 }), /beta must be >= 0/);
});
