// LARS against its closed form, and LibTorch's SGD, stepped from TypeScript.
import t, { type Test } from 'tap';
import { Tensor, optim } from '../lib/entries/ops.js';
import { join } from 'node:path';
import { tempDir } from './helpers/tmp.js';
import { values } from './helpers/values.js';

interface Param {
  data: number[];
  shape: number[];
}

/** One LARS step in plain arithmetic (float64), returning new params and momentum buffers. */
function larsReference(
  params: Param[],
  grads: number[][],
  buffers: Array<number[] | null>,
  o: { lr: number; momentum: number; weightDecay: number; trust: number },
): { params: number[][]; buffers: number[][] } {
  const next: number[][] = [];
  const nextBuffers: number[][] = [];
  params.forEach((p, i) => {
    let update = grads[i]!.slice();
    if (p.shape.length > 1) {
      update = update.map((g, k) => g + o.weightDecay * p.data[k]!);
      const pNorm = Math.hypot(...p.data);
      const uNorm = Math.hypot(...update);
      const ratio = pNorm > 0 && uNorm > 0 ? (o.trust * pNorm) / uNorm : 1;
      update = update.map((u) => u * ratio);
    }
    const previous = buffers[i];
    const buffer = previous ? previous.map((b, k) => o.momentum * b + update[k]!) : update;
    nextBuffers.push(buffer);
    next.push(p.data.map((x, k) => x - o.lr * buffer[k]!));
  });
  return { params: next, buffers: nextBuffers };
}

function close(t: Test, got: Array<number | bigint>, want: number[], message: string): void {
  const worst = want.reduce((m, w, k) => Math.max(m, Math.abs(Number(got[k]) - w) / Math.max(1e-12, Math.abs(w))), 0);
  t.ok(worst < 1e-10, `${message} (worst relative difference ${worst.toExponential(2)})`);
}

t.test('LARS equals the closed-form update: N-D and 1-D params, zero params, zero grads, two steps', async (t) => {
  const options = { lr: 0.7, momentum: 0.9, weightDecay: 0.05, trust: 0.001 };
  const params: Param[] = [
    { data: [0.5, -1.5, 2, 0.25, -0.75, 1], shape: [2, 3] }, // weight matrix
    { data: [0.3, -0.2, 0.1], shape: [3] }, // bias: no decay, no trust ratio
    { data: [0, 0, 0, 0], shape: [2, 2] }, // zero-norm weight: ratio 1
    { data: [1, 2, 3, 4], shape: [1, 4] }, // zero gradient
  ];
  const gradSets = [
    [
      [0.1, 0.2, -0.3, 0.4, 0.05, -0.6],
      [1, -2, 0.5],
      [0.3, -0.1, 0.2, 0.4],
      [0, 0, 0, 0],
    ],
    [
      [-0.2, 0.1, 0.3, 0.1, -0.05, 0.2],
      [0.5, 0.5, -1],
      [0.1, 0.1, -0.2, 0.3],
      [0, 0, 0, 0],
    ],
  ];
  const tensors = params.map((p) => Tensor.fromArray(Float64Array.from(p.data), p.shape));
  const lars = new optim.LARS(tensors, {
    lr: options.lr,
    momentum: options.momentum,
    weightDecay: options.weightDecay,
    trustCoefficient: options.trust,
  });
  t.equal(lars.lr, 0.7);
  let expected = { params: params.map((p) => p.data), buffers: params.map(() => null) as Array<number[] | null> };
  for (const [step, grads] of gradSets.entries()) {
    const current = expected.params.map((data, i) => ({ data, shape: params[i]!.shape }));
    const next = larsReference(current, grads, expected.buffers, options);
    await lars.step(grads.map((g, i) => Tensor.fromArray(Float64Array.from(g), params[i]!.shape)));
    for (let i = 0; i < tensors.length; i++) {
      const got = await values(tensors[i]!);
      t.notOk(
        got.some((x) => Number.isNaN(Number(x))),
        `step ${step} param ${i}: no NaN`,
      );
      close(t, got, next.params[i]!, `step ${step} param ${i}`);
    }
    const buffers = await lars.momentumBuffers();
    for (let i = 0; i < tensors.length; i++)
      close(t, await values(buffers[i]!), next.buffers[i]!, `step ${step} buffer ${i}`);
    expected = next;
  }
});

t.test('a learning rate passed to step() replaces the current one', async (t) => {
  const p = Tensor.fromArray(new Float64Array([1, 2]), [2]);
  const lars = new optim.LARS([p], { lr: 1, momentum: 0 });
  await lars.step([Tensor.fromArray(new Float64Array([1, 1]), [2])], { lr: 0.25 });
  t.equal(lars.lr, 0.25);
  t.same(await values(p), [0.75, 1.75]);
});

t.test("SGD is LibTorch's: momentum and weight decay on every parameter", async (t) => {
  const p = Tensor.fromArray(new Float64Array([1, -2, 3]), [3]);
  const sgd = new optim.SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
  const g = [0.5, 0.5, -1];
  await sgd.step([Tensor.fromArray(Float64Array.from(g), [3])]);
  const d1 = [1, -2, 3].map((x, k) => g[k]! + 0.01 * x);
  const p1 = [1, -2, 3].map((x, k) => x - 0.1 * d1[k]!);
  close(t, await values(p), p1, 'first step');
  await sgd.step([Tensor.fromArray(Float64Array.from(g), [3])]);
  const d2 = p1.map((x, k) => 0.9 * d1[k]! + g[k]! + 0.01 * x);
  close(
    t,
    await values(p),
    p1.map((x, k) => x - 0.1 * d2[k]!),
    'second step',
  );
});

t.test('bad optimiser input is refused with a clear message', async (t) => {
  const p = Tensor.fromArray(new Float64Array([1, 2]), [2]);
  t.throws(() => new optim.LARS([p], { lr: -1 }), /LARS: lr must be >= 0, got -1/);
  t.throws(() => new optim.LARS([p], { lr: Number.NaN }), /options.lr must be a finite number/);
  t.throws(() => new optim.LARS([]), /params must not be empty/);
  const lars = new optim.LARS([p]);
  await t.rejects(lars.step([]), /step: 0 gradients for 1 parameters/);
  await t.rejects(
    lars.step([Tensor.fromArray(new Float64Array(3), [3])]),
    /gradient 0 has shape \[3\] but its parameter has shape \[2\]/,
  );
});

t.test('LARS state (momentum buffers, options) round-trips through saveState/loadState', async (t) => {
  const dir = tempDir(t);
  const make = () => [
    Tensor.fromArray(new Float64Array([1, -2, 3, 0.5]), [2, 2]),
    Tensor.fromArray(new Float64Array([0.1, 0.2]), [2]),
  ];
  const grads = (k: number) => [
    Tensor.fromArray(new Float64Array([0.3 * k, -0.1, 0.2, 0.4]), [2, 2]),
    Tensor.fromArray(new Float64Array([0.5, -0.5 * k]), [2]),
  ];
  const straight = make();
  const a = new optim.LARS(straight, { lr: 0.5, weightDecay: 0.01 });
  for (let k = 1; k <= 3; k++) await a.step(grads(k));

  const resumed = make();
  const b = new optim.LARS(resumed, { lr: 0.5, weightDecay: 0.01 });
  await b.step(grads(1));
  await b.saveState(join(dir, 'lars.pt'));
  // A fresh optimiser over the same tensors, as after a restart, continues the same run.
  const c = new optim.LARS(resumed, { lr: 123 });
  await c.loadState(join(dir, 'lars.pt'));
  t.equal(c.lr, 0.5, 'options come back');
  for (let k = 2; k <= 3; k++) await c.step(grads(k));
  for (let i = 0; i < 2; i++) t.same(await values(resumed[i]!), await values(straight[i]!), `param ${i} identical`);
});
